"""Reconciliation with the national portal: the sync rate is 766 indicator 1.4 (the two screens agree),
the differences compare the local state with the acknowledged one, and the one-click resend clears
them — with dossiers built through the services and delivered to the portal simulator over HTTP."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from motcua.core.models import AuditEntry, Role
from motcua.dossiers import services
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.evaluation import syncrate
from motcua.evaluation.index766 import compute
from motcua.integrations import delivery
from motcua.integrations.models import OutboxMessage
from motcua.integrations.tests.portal import RECORD, step

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


@pytest.fixture
def march(portal):
    """Three dossiers received in March at ward A: one refused by the portal (a broken record), one
    acknowledged, one acknowledged and then moved on while the portal was not told yet."""
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        refused, synced, lagging = (df.receive(w) for _ in range(3))
    record = OutboxMessage.objects.get(key=refused.code, topic=RECORD)
    broken = json.loads(json.dumps(record.payload))
    broken["data"][0]["TrangThaiHoSo"] = 11
    OutboxMessage.objects.filter(pk=record.pk).update(payload=broken)
    delivery.send_pending(["dvcqg"])
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=True):
        step(w, lagging)  # handed over: the portal does not know yet
    return w, refused, synced, lagging


def test_the_rate_is_indicator_1_4_and_the_differences_show_both_states(march, client):
    w, refused, synced, lagging = march
    result = syncrate.reconcile(MARCH, w.province)
    indicator = compute(date(2026, 3, 1), date(2026, 3, 31)).indicator("1.4")
    # 2 of 3 acknowledged: 66.67 %, on this page and in the 766 index alike.
    assert (result.total.received, result.total.synced, result.total.failed) == (3, 2, 1)
    assert (indicator.numerator, indicator.denominator) == (result.total.synced, result.total.received)
    assert indicator.rate == result.total.rate == Decimal("66.67")
    assert [(u.name, u.rate) for u in result.units] == [("Phường An Biên", Decimal("66.67"))]
    by_code = {d.code: d for d in result.differences}
    assert set(by_code) == {refused.code, lagging.code}
    assert (by_code[refused.code].verdict, by_code[refused.code].acknowledged_status) == ("sync_failed", None)
    assert (by_code[lagging.code].local_status, by_code[lagging.code].acknowledged_status) == (4, 2)
    client.force_login(w.supervisor)
    page = client.get("/can-bo/dong-bo/", {"month": "2026-03", "unit": "tp"})
    html = page.content.decode()
    assert (page.status_code == 200 and "66,67%" in html) or "66.67%" in html
    assert refused.code in html and lagging.code in html and synced.code not in html
    assert "Được tiếp nhận" in html and "Đang xử lý" in html  # local and acknowledged, in words


def test_one_click_resend_clears_the_differences(march, client):
    w, refused, _, lagging = march
    # The portal's refusal was a bad record: repaired by a new transition, the operator resends.
    record = OutboxMessage.objects.get(key=refused.code, topic=RECORD)
    good = json.loads(json.dumps(record.payload))
    good["data"][0]["TrangThaiHoSo"] = 2
    OutboxMessage.objects.filter(pk=record.pk).update(payload=good)
    client.force_login(w.supervisor)
    reply = client.post("/can-bo/dong-bo/gui-lai/", {"month": "2026-03", "unit": "tp"})
    assert reply.status_code == 302
    entry = AuditEntry.objects.get(action="dossier.resend_to_portal")
    assert entry.actor_id == w.supervisor.pk and set(entry.data["codes"]) == {refused.code, lagging.code}
    assert entry.data["replayed"] == 1
    delivery.send_pending(["dvcqg"])
    result = syncrate.reconcile(MARCH, w.province)
    assert (result.total.rate, result.differences) == (Decimal("100.00"), [])
    assert compute(date(2026, 3, 1), date(2026, 3, 31)).indicator("1.4").rate == Decimal("100.00")


def test_a_dossier_never_sent_gets_its_current_record(portal):
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        d = df.receive(w)
        d = step(w, d)
    OutboxMessage.objects.filter(key=d.code).delete()  # e.g. created before the outbox existed
    assert syncrate.reconcile(MARCH, None).differences[0].verdict == "not_synced"
    resent = services.resend_to_portal([d.code], by=w.supervisor)
    assert (resent.replayed, resent.hastened, resent.created) == (0, 0, 1)
    message = OutboxMessage.objects.get(key=d.code)
    assert (
        message.idempotency_key == f"{RECORD}:{d.code}:2" and message.payload["data"][0]["TrangThaiHoSo"] == 4
    )
    assert delivery.send_pending(["dvcqg"]).delivered == 1
    assert portal.dossiers[d.code]["TrangThaiHoSo"] == 4


def test_only_the_office_and_administrators_reconcile(march, client):
    w, *_ = march
    for user in (w.head_a, w.intake_a):
        client.force_login(user)
        assert client.get("/can-bo/dong-bo/").status_code == 403
        assert client.post("/can-bo/dong-bo/gui-lai/", {"month": "2026-03"}).status_code == 403
    assert not AuditEntry.objects.filter(action="dossier.resend_to_portal").exists()
    admin = df.staff(Role.ADMINISTRATOR, w.province, "quantri")
    client.force_login(admin)
    assert client.get("/can-bo/dong-bo/", {"month": "2026-03"}).status_code == 200
    # Another unit's code than the user's: refused; a month that is not one: refused.
    client.force_login(df.staff(Role.SUPERVISOR, w.ward_b, "giamsat_b"))
    assert client.get("/can-bo/dong-bo/", {"unit": "pab"}).status_code == 403
    assert client.get("/can-bo/dong-bo/", {"month": "2026-13"}).status_code == 400


def test_the_page_reads_a_fixed_number_of_queries(march, client, django_assert_max_num_queries):
    w, *_ = march
    client.force_login(w.supervisor)
    with django_assert_max_num_queries(30) as few:
        client.get("/can-bo/dong-bo/", {"month": "2026-03"})
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=True):
        for _ in range(6):
            df.receive(w)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/can-bo/dong-bo/", {"month": "2026-03"})
