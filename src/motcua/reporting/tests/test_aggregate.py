"""Aggregation across the receiving unit's reporting units, by each indicator's rule, and the
acceptance of the aggregated report writing its outbox message in the same transaction."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.core.errors import Conflict, Forbidden
from motcua.core.tests import factories as cf
from motcua.dossiers.tests import factories as df
from motcua.integrations.models import OutboxMessage
from motcua.integrations.simulators.baocao import validate
from motcua.reporting import adapter, selectors, services
from motcua.reporting.models import AggregateReport
from motcua.reporting.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = f.world()
    third = cf.unit("Xã Thử", parent=world.d.province, kind="commune", code="xt")
    world.monthly.reporting_units.add(third)
    world.third = third  # type: ignore[attr-defined]
    world.third_user = df.staff("intake_officer", third, "motcua_xt")  # type: ignore[attr-defined]
    services.generate_periods(date(2026, 3, 20))
    world.period = f.period(world.monthly, "2026-M02")  # type: ignore[attr-defined]
    return world


def send(w, user, unit, **changes):
    sub = services.save_report(user, w.period, unit, {**f.FULL, **changes}, submit=True)
    return services.accept(w.office_supervisor, sub)


def test_aggregation_by_rule(w):
    send(w, w.d.intake_a, w.ward_a, **{"1": 10, "3": 8, "5": "87.5", "8": "90", "9": "2.5", "10": "A"})
    send(w, w.d.intake_b, w.ward_b, **{"1": 30, "3": 2, "5": "50", "8": "80", "9": "4", "10": "B"})
    # The third unit sent, but it is not accepted yet: never counted.
    services.save_report(w.third_user, w.period, w.third, {**f.FULL, "1": 1000}, submit=True)
    result = selectors.aggregate(w.period)
    assert [u.code for u in result.units] == ["pab", "plc"]
    assert [u.code for u in result.missing] == ["xt"]
    v = result.values
    assert v["1"] == 40  # sum: 10 + 30
    assert v["5"] == "80"  # weighted by 3: (87.5×8 + 50×2) / 10 = 800 / 10
    assert v["8"] == "85"  # average: (90 + 80) / 2
    assert v["9"] == "4"  # max
    assert v["10"] is None  # text: not aggregated
    assert v["6"] == "60"  # both 60, weighted by indicator 1


def test_accepting_the_aggregate_queues_one_message(w):
    with pytest.raises(Conflict):
        services.accept_aggregate(w.office_supervisor, w.period)
    send(w, w.d.intake_a, w.ward_a)
    with pytest.raises(Forbidden):
        services.accept_aggregate(w.d.head_a, w.period)
    report = services.accept_aggregate(w.office_supervisor, w.period, now=f.at(2026, 2, 25, 16))
    message = OutboxMessage.objects.get()
    assert (message.topic, message.key, message.idempotency_key) == (
        "baocao.NopBaoCao",
        "BC-TTHC-THANG:2026-M02",
        "baocao:BC-TTHC-THANG:2026-M02:v1",
    )
    body = message.payload
    validate(body)  # the simulator's shape check
    assert body["KyBaoCao"] == {
        "MaKy": "2026-M02",
        "TenKy": "Tháng 2/2026",
        "LoaiKy": "thang",
        "Nam": 2026,
        "So": 2,
        "TuNgay": "2026-01-15",
        "DenNgay": "2026-02-14",
        "HanGui": "2026-02-24",
    }
    first = body["BieuMau"][0]["ChiTieu"][0]
    assert (first["Ma"], first["GiaTri"]) == ("1", 10)
    assert body["DonViTongHop"] == ["pab"] and body["BamNoiDung"] == f"sha256:{report.content_hash}"
    # A second acceptance after another unit is in: a new version with its own key.
    send(w, w.d.intake_b, w.ward_b)
    second = services.accept_aggregate(w.office_supervisor, w.period)
    assert second.number == 2 and OutboxMessage.objects.count() == 2
    assert second.values["1"] == 20
    assert adapter.message(second)["PhienBan"] == 2


def test_nothing_is_queued_when_the_acceptance_fails(w, monkeypatch):
    send(w, w.d.intake_a, w.ward_a)

    def broken(report):
        raise RuntimeError("boom")

    monkeypatch.setattr(adapter, "message", broken)
    with pytest.raises(RuntimeError):
        services.accept_aggregate(w.office_supervisor, w.period)
    assert not AggregateReport.objects.exists() and not OutboxMessage.objects.exists()
