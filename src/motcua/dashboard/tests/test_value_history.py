"""KPI values are audited: a manual entry never silently replaces the previous one (the history keeps
every entry, with who and when), and a refresh records the values that changed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from motcua.core.audit import verify_chain
from motcua.core.models import AuditEntry
from motcua.dashboard import services
from motcua.dashboard.models import Indicator, IndicatorValue, ValueEntry
from motcua.dossiers.tests import factories as f

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


@time_machine.travel(f.at(2026, 3, 20), tick=False)
def test_a_second_entry_keeps_the_first_in_the_history_and_both_are_audited(client):
    w = f.world()
    manual = Indicator.objects.create(code="so-hoa", name="Tỷ lệ số hóa", source="manual")
    client.force_login(w.supervisor)
    assert (
        client.post("/can-bo/chi-so-dieu-hanh/so-hoa/nhap/", {"month": "03/2026", "value": "80"}).status_code
        == 302
    )
    assert (
        client.post(
            "/can-bo/chi-so-dieu-hanh/so-hoa/nhap/",
            {"month": "03/2026", "value": "92.5", "note": "Báo cáo sửa"},
        ).status_code
        == 302
    )
    assert IndicatorValue.objects.get(indicator=manual, month=MARCH, unit=None).value == Decimal("92.50")
    history = list(ValueEntry.objects.filter(indicator=manual).order_by("id"))
    assert [(e.previous, e.value) for e in history] == [
        (None, Decimal("80.00")),
        (Decimal("80.00"), Decimal("92.50")),
    ]
    assert {e.entered_by_id for e in history} == {w.supervisor.pk}
    entries = list(AuditEntry.objects.filter(action="dashboard.enter_value").order_by("id"))
    assert [(e.data["previous"], e.data["value"]) for e in entries] == [(None, "80.00"), ("80.00", "92.50")]
    assert all(e.actor_id == w.supervisor.pk for e in entries) and verify_chain().ok
    page = client.get("/can-bo/chi-so-dieu-hanh/so-hoa/").content.decode()
    assert "Lịch sử nhập giá trị" in page and "Báo cáo sửa" in page


@time_machine.travel(f.at(2026, 3, 20), tick=False)
def test_a_refresh_audits_the_values_that_changed_and_nothing_when_none_did():
    w = f.world()
    f.receive(w)
    received = Indicator.objects.create(
        code="r", name="Hồ sơ tiếp nhận", source="dossiers", source_key="received"
    )
    services.refresh(received, MARCH)
    services.refresh(received, MARCH)  # nothing changed
    f.receive(w)
    services.refresh(received, MARCH)
    entries = list(AuditEntry.objects.filter(action="dashboard.refresh").order_by("id"))
    assert len(entries) == 2
    province = next(c for c in entries[1].data["changes"] if c[0] is None)
    assert province[1:] == ["1.00", "2.00"]  # before, after
