"""The delivery engine with the national portal simulator over real HTTP: every transition of a
dossier reaches the portal as its record then its progress event, in order; a refused message holds
back its own dossier only; temporary errors back off and end in the dead letters; the session is
renewed; an unconfigured or refused account makes the messages wait."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from motcua.core.models import AuditEntry
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations import delivery
from motcua.integrations.models import ChannelState, OutboxMessage
from motcua.integrations.simulators.dvcqg import Portal
from motcua.integrations.tests.portal import RECORD, running_portal, seq_of, step, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(tmp_path, settings):
    p = Portal(tmp_path / "dvcqg.jsonl", username="hp-motcua", password="mat-khau-thu")
    with running_portal(p) as url:
        settings.DVCQG_ENDPOINT = url
        settings.DVCQG_USERNAME = "hp-motcua"
        settings.DVCQG_PASSWORD = "mat-khau-thu"
        yield p


def walk(w, d, steps):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        for _ in range(steps):
            d = step(w, d)
    return d


def received(w, n=1):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        return [df.receive(w) for _ in range(n)]


def test_every_transition_reaches_the_portal_record_first_then_progress_in_order(portal):
    w = df.world()
    a, b = received(w, 2)
    walk(w, a, 6)
    walk(w, b, 2)
    summary = delivery.send_pending(["dvcqg"])
    assert summary.as_dict() == {"delivered": 20, "failed": 0, "dead": 0, "pending": 0}
    lines = stored(portal.path)
    assert len(lines) == 20
    for code, events in ((a.code, 7), (b.code, 3)):
        mine = [
            (line["service"], seq_of(line["idempotency_key"])) for line in lines if line["MaHoSo"] == code
        ]
        expected = [
            (service, n) for n in range(1, events + 1) for service in ("DongBoHoSoMC", "CapNhatTienDoHoSoMC")
        ]
        assert mine == expected
    # The portal's copy of each dossier is its latest state; receipts are kept on the messages.
    assert portal.dossiers[a.code]["TrangThaiHoSo"] == 10 and portal.dossiers[b.code]["TrangThaiHoSo"] == 4
    assert [e["TrangThai"] for e in portal.progress[a.code]] == [2, 4, 4, 4, 4, 9, 10]
    assert not OutboxMessage.objects.exclude(status="delivered").exists()
    assert OutboxMessage.objects.filter(receipt__startswith="DVCQG-").count() == 20
    # Nothing due: a second pass sends nothing.
    assert delivery.send_pending(["dvcqg"]).delivered == 0 and portal.state()["calls"] == 20


def test_a_refused_message_holds_back_its_own_dossier_only(portal):
    w = df.world()
    a, b = received(w, 2)
    first = OutboxMessage.objects.get(key=a.code, topic=RECORD)
    good = first.payload
    broken = json.loads(json.dumps(good))
    broken["data"][0]["NgayHenTra"] = "12/03/2026"  # not yyyyMMddHHmmss
    OutboxMessage.objects.filter(pk=first.pk).update(payload=broken)
    walk(w, a, 1)
    summary = delivery.send_pending(["dvcqg"])
    assert (summary.delivered, summary.dead, summary.pending) == (2, 1, 3)
    first.refresh_from_db()
    assert (first.status, first.last_outcome) == ("dead", "rejected")
    assert first.last_error == (
        "Trường NgayHenTra phải có dạng yyyyMMddHHmmss. (mã lỗi 2, trường data[0].NgayHenTra, HTTP 200)"
    )
    assert b.code in portal.dossiers and a.code not in portal.dossiers
    assert AuditEntry.objects.filter(action="integrations.dead_letter", object_id=str(first.pk)).exists()
    # The later messages of A wait behind it, untried.
    assert set(
        OutboxMessage.objects.filter(key=a.code, status="pending").values_list("attempts", flat=True)
    ) == {0}
    # Repaired and replayed: A's messages go, in order.
    OutboxMessage.objects.filter(pk=first.pk).update(payload=good)
    assert delivery.replay("dvcqg", dead_only=True) == 1
    assert delivery.send_pending(["dvcqg"]).delivered == 4
    mine = [seq_of(line["idempotency_key"]) for line in stored(portal.path) if line["MaHoSo"] == a.code]
    assert mine == [1, 1, 2, 2]
    assert AuditEntry.objects.filter(action="integrations.replay").count() == 1


def test_temporary_errors_back_off_with_jitter_then_go_to_the_dead_letters(portal, settings):
    settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 3
    portal.fail_first = 100  # HTTP 500 for every call
    w = df.world()
    [d] = received(w)
    moment = timezone.now()
    first = delivery.send_pending(["dvcqg"], now=moment)
    assert (first.failed, first.dead, first.pending) == (1, 0, 2)
    message = OutboxMessage.objects.get(key=d.code, topic=RECORD)
    wait = delivery.backoff(1, message.idempotency_key)
    assert message.next_attempt_at == moment + wait and 15 <= wait.total_seconds() <= 30
    assert (message.attempts, message.last_outcome) == (1, "retry")
    assert "(mã lỗi 500, HTTP 500)" in message.last_error
    # The channel is not paused for a message's own error.
    assert ChannelState.objects.get(channel="dvcqg").open_until is None
    assert delivery.send_pending(["dvcqg"], now=moment + wait - timedelta(seconds=1)).failed == 0
    second = delivery.send_pending(["dvcqg"], now=moment + wait)
    assert second.failed == 1
    message.refresh_from_db()
    third = delivery.send_pending(["dvcqg"], now=message.next_attempt_at)
    assert (third.dead, third.pending) == (1, 1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 3)
    # Two waits: 30 s then 60 s, each jittered between half and all of it, and different per message.
    assert delivery.backoff(2, "a") != delivery.backoff(2, "b")
    assert all(30 <= delivery.backoff(2, k).total_seconds() <= 60 for k in "abcdef")


def test_an_expired_session_is_renewed_without_losing_a_message(portal):
    portal.session_seconds = 0.3
    w = df.world()
    [a] = received(w)
    assert delivery.send_pending(["dvcqg"]).delivered == 2
    time.sleep(0.4)
    walk(w, a, 1)
    assert delivery.send_pending(["dvcqg"]).delivered == 2
    assert portal.state()["sign_ins"] == 2 and len(stored(portal.path)) == 4


def test_a_refused_account_makes_the_messages_wait_like_an_outage(portal, settings):
    settings.DVCQG_PASSWORD = "sai-mat-khau"
    w = df.world()
    received(w)
    summary = delivery.send_pending(["dvcqg"])
    assert (summary.delivered, summary.failed, summary.dead, summary.pending) == (0, 1, 0, 2)
    state = ChannelState.objects.get(channel="dvcqg")
    assert state.open_until is not None and "tài khoản" in state.last_error
    assert AuditEntry.objects.filter(action="integrations.channel_unavailable").count() == 1
    # Fixed, the operator retries now: everything goes.
    settings.DVCQG_PASSWORD = "mat-khau-thu"
    assert delivery.send_pending(["dvcqg"], retry=True).delivered == 2


def test_without_an_address_the_messages_wait(settings):
    settings.DVCQG_ENDPOINT = ""
    w = df.world()
    received(w)
    assert delivery.send_pending().as_dict() == {"delivered": 0, "failed": 0, "dead": 0, "pending": 2}


def test_the_commands_send_replay_and_report_status(portal, capsys):
    w = df.world()
    [a] = received(w)
    call_command("integrations", "send-pending", "--topic", "dvcqg", "--json")
    assert json.loads(capsys.readouterr().out) == {"delivered": 2, "failed": 0, "dead": 0, "pending": 0}
    call_command("integrations", "replay", "--topic", "dvcqg", "--key", a.code, "--json")
    assert json.loads(capsys.readouterr().out) == {"replayed": 2}
    call_command("integrations", "send-pending", "--json")
    assert json.loads(capsys.readouterr().out)["delivered"] == 2
    assert portal.state()["repeats"] == 2 and len(stored(portal.path)) == 2  # acknowledged, not stored again
    call_command("integrations", "status", "--json")
    [dvcqg] = [c for c in json.loads(capsys.readouterr().out) if c["name"] == "dvcqg"]
    assert (dvcqg["configured"], dvcqg["delivered"], dvcqg["pending"]) == (True, 2, 0)
