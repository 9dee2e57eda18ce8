from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.models import Role
from motcua.dashboard import services, sources
from motcua.dashboard.models import Indicator, IndicatorValue
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.tests import factories as f

pytestmark = pytest.mark.django_db


def ind(code: str, source: str, key: str = "", **kw) -> Indicator:
    return Indicator.objects.create(code=code, name=code, source=source, source_key=key, **kw)


@time_machine.travel(f.at(2026, 3, 20), tick=False)
def test_dossier_sources_hand_worked():
    w = f.world()
    a1, a2, a3 = f.receive(w), f.receive(w), f.receive(w)
    b1 = f.receive(w, unit=w.ward_b)
    # a1 online, finished on time in March; a2 finished late in March; a3 open; b1 finished on time.
    Dossier.objects.filter(pk=a1.pk).update(
        channel=Channel.ONLINE, due_at=f.at(2026, 3, 25), finished_at=f.at(2026, 3, 20)
    )
    Dossier.objects.filter(pk=a2.pk).update(due_at=f.at(2026, 3, 10), finished_at=f.at(2026, 3, 12))
    Dossier.objects.filter(pk=b1.pk).update(due_at=f.at(2026, 3, 25), finished_at=f.at(2026, 3, 19))
    assert a3
    start, end = date(2026, 3, 1), date(2026, 3, 31)
    received = ind("r", "dossiers", "received")
    online = ind("o", "dossiers", "online_share")
    assert sources.dossiers(received, start, end, None) == 4
    assert sources.dossiers(received, start, end, w.ward_a) == 3
    assert sources.dossiers(online, start, end, None) == Decimal("25.00")  # 1 of 4
    assert sources.dossiers(online, start, end, w.ward_a) == Decimal("33.33")  # 1 of 3
    # the on-time rate is tested with dossiers built through the services, beside every other measure
    # that says "on time" (evaluation/tests/test_ontime_agreement.py)


@time_machine.travel(f.at(2026, 3, 20), tick=False)
def test_refresh_is_idempotent_and_stores_units():
    w = f.world()
    f.receive(w)
    received = ind("r", "dossiers", "received")
    services.refresh(received, date(2026, 3, 1))
    first = {(v.unit_id, v.value) for v in IndicatorValue.objects.all()}
    services.refresh(received, date(2026, 3, 1))
    assert {(v.unit_id, v.value) for v in IndicatorValue.objects.all()} == first
    assert (None, Decimal("1.00")) in first and (w.ward_a.pk, Decimal("1.00")) in first
    assert IndicatorValue.objects.filter(unit=None).count() == 1


def test_rate_and_manual_source():
    assert sources.rate(1, 3) == Decimal("33.33")
    assert sources.rate(0, 0) is None


@time_machine.travel(f.at(2026, 3, 20), tick=False)
def test_manual_entry_permissions_and_bad_input(client):
    w = f.world()
    manual = ind("m", "manual", target=Decimal(100), public=True)
    client.force_login(w.specialist_a)
    r = client.post("/can-bo/chi-so-dieu-hanh/m/nhap/", {"month": "03/2026", "value": "90"})
    assert r.status_code == 403 and "Văn phòng UBND" in r.content.decode()
    client.force_login(w.supervisor)
    r = client.post("/can-bo/chi-so-dieu-hanh/m/nhap/", {"month": "2026-03", "value": "x"})
    assert r.status_code == 422 and "MM/YYYY" in r.content.decode()
    r = client.post("/can-bo/chi-so-dieu-hanh/m/nhap/", {"month": "05/2026", "value": "90"})
    assert r.status_code == 422 and "chưa đến" in r.content.decode()
    r = client.post("/can-bo/chi-so-dieu-hanh/m/nhap/", {"month": "03/2026", "value": "90.5"})
    assert r.status_code == 302
    assert sources.manual(manual, date(2026, 3, 1), date(2026, 3, 31), None) == Decimal("90.50")
    received = ind("r", "dossiers", "received")
    r = client.post(f"/can-bo/chi-so-dieu-hanh/{received.code}/nhap/", {"month": "03/2026", "value": "1"})
    assert r.status_code == 422 and "tự động" in r.content.decode()


@time_machine.travel(f.at(2026, 3, 20), tick=False)
def test_scoping_and_query_count(client):
    w = f.world()
    i = ind("r", "dossiers", "received", target=Decimal(1))
    IndicatorValue.objects.create(indicator=i, month=date(2026, 3, 1), unit=None, value=Decimal(777))
    IndicatorValue.objects.create(indicator=i, month=date(2026, 3, 1), unit=w.ward_a, value=Decimal(555))
    IndicatorValue.objects.create(indicator=i, month=date(2026, 3, 1), unit=w.ward_b, value=Decimal(333))
    client.force_login(w.specialist_a)
    body = client.get("/can-bo/chi-so-dieu-hanh/").content.decode()
    assert "555" in body and "777" not in body
    body = client.get("/can-bo/chi-so-dieu-hanh/r/").content.decode()
    assert "555" in body and "333" not in body and "777" not in body
    client.force_login(w.supervisor)
    with CaptureQueriesContext(connection) as few:
        assert "777" in client.get("/can-bo/chi-so-dieu-hanh/").content.decode()
    for n in range(6):
        extra = ind(f"x{n}", "manual", target=Decimal(5), direction=Indicator.Direction.LOWER)
        for m in range(1, 4):
            IndicatorValue.objects.create(indicator=extra, month=date(2026, m, 1), value=Decimal(m))
    with CaptureQueriesContext(connection) as many:
        client.get("/can-bo/chi-so-dieu-hanh/")
    assert len(many) == len(few)
    ward = client.get("/can-bo/chi-so-dieu-hanh/", {"unit": w.ward_a.code}).content.decode()
    assert "555" in ward and "777" not in ward
    assert f'href="?unit={w.ward_a.code}"' in client.get("/can-bo/chi-so-dieu-hanh/r/").content.decode()
    # a bookmark of the first release
    for url in ("/can-bo/chi-so-dieu-hanh/", "/can-bo/chi-so-dieu-hanh/r/"):
        old = client.get(url, {"don_vi": w.ward_a.code})
        assert old.status_code == 301 and old["Location"] == f"{url}?unit={w.ward_a.code}"


@time_machine.travel(f.at(2026, 3, 20), tick=False)
def test_public_page_shows_only_public_indicators(client):
    f.world()
    Indicator.objects.create(code="pub", name="Chỉ số công khai", source="manual", public=True)
    Indicator.objects.create(code="priv", name="Chỉ số nội bộ", source="manual", public=False)
    body = client.get("/chi-so-dieu-hanh/").content.decode()
    assert "Chỉ số công khai" in body and "Chỉ số nội bộ" not in body


def test_office_role():
    w = f.world()
    from motcua.dashboard.access import access_for

    assert access_for(w.supervisor).is_office
    assert not access_for(w.head_a).sees_province
    assert access_for(w.head_a).unit_ids == {w.ward_a.pk}
    assert Role.SUPERVISOR
