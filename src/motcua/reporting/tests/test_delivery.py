"""Delivery of accepted aggregated reports to the national reporting system simulator, by the outbox's
delivery engine over real HTTP on an ephemeral port: the receiver down then back, no duplicate on a
re-send, versions in order, bad messages refused."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from motcua.integrations import delivery
from motcua.integrations.http import JsonClient
from motcua.integrations.models import ChannelState, OutboxMessage
from motcua.integrations.simulators.baocao import Store, make_server
from motcua.reporting import services
from motcua.reporting.models import AggregateReport
from motcua.reporting.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(tmp_path, settings):
    store = Store(tmp_path / "received.jsonl", fail_first=1)
    server, _ = make_server("127.0.0.1", 0, store)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    url = f"http://{host}:{port}/bao-cao"
    settings.REPORTING_ENDPOINT = url  # from the environment variable of the same name
    settings.MOTCUA_OUTBOX_CONCURRENCY = 1
    yield url, store
    server.shutdown()
    server.server_close()


@pytest.fixture
def world():
    w = f.world()
    services.generate_periods(date(2026, 3, 20))
    w.period = f.period(w.monthly, "2026-M02")  # type: ignore[attr-defined]
    sub = services.save_report(w.d.intake_a, w.period, w.ward_a, f.FULL, submit=True)
    services.accept(w.office_supervisor, sub)
    return w


@pytest.fixture
def accepted(world):
    with time_machine.travel(f.at(2026, 2, 25, 16), tick=False):  # the outbox row is stamped now
        return services.accept_aggregate(world.office_supervisor, world.period)


def test_receiver_down_then_back_delivers_once(simulator, accepted):
    url, store = simulator
    now = f.at(2026, 2, 25, 16, 5)
    first = delivery.send_pending(["baocao"], now=now)  # the simulator answers 503 once
    assert first.as_dict() == {"delivered": 0, "failed": 1, "dead": 0, "pending": 1}
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts, message.last_outcome) == ("pending", 1, "unavailable")
    assert "503" in message.last_error and "TAM_NGUNG" in message.last_error
    # The channel pauses for the back-off (30 s, jittered between 15 and 30 s); the message itself
    # keeps its place and is due as soon as the receiver is back.
    state = ChannelState.objects.get(channel="baocao")
    wait = delivery.backoff(1, "baocao")
    assert state.open_until == now + wait and 15 <= wait.total_seconds() <= 30
    assert delivery.send_pending(["baocao"], now=now + wait / 2).delivered == 0
    second = delivery.send_pending(["baocao"], now=now + wait)
    assert (second.delivered, second.pending) == (1, 0)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.receipt) == ("delivered", 2, "BC-000001")
    report = AggregateReport.objects.get()
    assert report.receipt_id == "BC-000001" and report.delivered_at == now + wait
    assert ChannelState.objects.get(channel="baocao").failures == 0
    # A replay sends it again with the same key: the receiver keeps one.
    assert delivery.replay("baocao", key=message.key, now=now + wait) == 1
    assert delivery.send_pending(["baocao"], now=now + wait).delivered == 1
    assert len(store.reports) == 1
    lines = store.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["body"]["MaBaoCao"] == "BC-TTHC-THANG"
    with urllib.request.urlopen(url) as reply:  # noqa: S310 — local simulator
        assert json.loads(reply.read())["SoBaoCao"] == 1


def test_versions_of_a_report_arrive_in_order(simulator, world):
    _, store = simulator
    store.fail_first = 0
    first = services.accept_aggregate(world.office_supervisor, world.period)
    sub = services.save_report(world.d.intake_b, world.period, world.ward_b, f.FULL, submit=True)
    services.accept(world.office_supervisor, sub)
    second = services.accept_aggregate(world.office_supervisor, world.period)
    assert second.number == 2
    # Version 1 is refused (a broken message): version 2 waits behind it, it is not sent over it.
    OutboxMessage.objects.filter(idempotency_key=first.idempotency_key).update(payload={"MaBaoCao": "X"})
    result = delivery.send_pending(["baocao"])
    assert (result.delivered, result.dead, result.pending) == (0, 1, 1)
    assert store.reports == {}
    # The operator repairs and replays it: both go, version 1 first.
    with time_machine.travel(f.at(2026, 2, 25, 16), tick=False):
        from motcua.reporting import adapter

        OutboxMessage.objects.filter(idempotency_key=first.idempotency_key).update(
            payload=adapter.message(first)
        )
    assert delivery.replay("baocao.NopBaoCao", dead_only=True) == 1
    assert delivery.send_pending(["baocao"]).delivered == 2
    assert [r["body"]["PhienBan"] for r in store.reports.values()] == [1, 2]


def test_a_rejected_message_goes_to_dead_letter(simulator, accepted):
    _, store = simulator
    store.fail_first = 0
    OutboxMessage.objects.update(payload={"MaBaoCao": "X"})
    result = delivery.send_pending(["baocao"], now=f.at(2026, 2, 25, 17))
    assert (result.dead, result.pending) == (1, 0)
    message = OutboxMessage.objects.get()
    assert message.status == "dead" and "THIEU_TRUONG" in message.last_error
    assert message.last_outcome == "rejected"
    assert store.reports == {}


def test_unreachable_endpoint_pauses_the_channel_and_never_kills_the_message(accepted, settings):
    settings.REPORTING_ENDPOINT = "http://127.0.0.1:9/khong-co"  # discard port: connection refused
    moment = f.at(2026, 2, 25, 17)
    for failures in range(1, 16):
        result = delivery.send_pending(["baocao"], now=moment)
        assert (result.failed, result.dead) == (1, 0)
        state = ChannelState.objects.get(channel="baocao")
        assert state.failures == failures
        moment = state.open_until
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 15
    # Back-off: 30 s doubling, at most 30 minutes, each between half and all of it.
    assert (
        delivery.backoff(1, "x").total_seconds() <= 30 and delivery.backoff(20, "x").total_seconds() <= 1800
    )
    assert delivery.backoff(20, "x").total_seconds() >= 900


def test_simulator_refuses_bad_requests(simulator):
    url, store = simulator
    store.fail_first = 0
    client = JsonClient(url, timeout=5)
    assert client.post("", {}).body["MaLoi"] == "THIEU_KHOA"
    reply = client.post("", {"PhienBanThongDiep": "1.0"}, {"Idempotency-Key": "k1"})
    assert (reply.status, reply.body["MaLoi"], reply.body["Truong"]) == (400, "THIEU_TRUONG", "MaBaoCao")
    client.close()
    raw = urllib.request.Request(  # noqa: S310 — local simulator
        url, data=b"{not json", headers={"Content-Type": "application/json", "Idempotency-Key": "k"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(raw)  # noqa: S310 — local simulator
    assert json.loads(caught.value.read()) == {
        "MaLoi": "JSON_LOI",
        "MoTa": "Nội dung không phải JSON hợp lệ.",
    }
    plain = urllib.request.Request(  # noqa: S310 — local simulator
        url, data=b"x", headers={"Content-Type": "text/plain", "Idempotency-Key": "k"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(plain)  # noqa: S310 — local simulator
    assert caught.value.code == 415


def test_send_pending_command_of_reporting_uses_the_engine(simulator, accepted, capsys):
    _, store = simulator
    store.fail_first = 0
    OutboxMessage.objects.update(next_attempt_at=f.at(2020, 1, 1))
    call_command("reporting", "send-pending", "--json")
    assert json.loads(capsys.readouterr().out) == {"delivered": 1, "failed": 0, "dead": 0, "pending": 0}
    assert len(store.reports) == 1
