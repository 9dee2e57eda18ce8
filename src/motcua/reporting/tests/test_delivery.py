"""Delivery of accepted aggregated reports to the national reporting system simulator, over real HTTP
on an ephemeral port: retry after a simulated failure, no duplicate on re-send, bad messages refused."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command

from motcua.integrations.models import OutboxMessage
from motcua.reporting import adapter, services
from motcua.reporting.models import AggregateReport
from motcua.reporting.simulator import Store, make_server
from motcua.reporting.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(tmp_path):
    store = Store(tmp_path / "received.jsonl", fail_first=1)
    server, _ = make_server("127.0.0.1", 0, store)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}/bao-cao", store
    server.shutdown()
    server.server_close()


@pytest.fixture
def accepted():
    w = f.world()
    services.generate_periods(date(2026, 3, 20))
    period = f.period(w.monthly, "2026-M02")
    sub = services.save_report(w.d.intake_a, period, w.ward_a, f.FULL, submit=True)
    services.accept(w.office_supervisor, sub)
    with time_machine.travel(f.at(2026, 2, 25, 16), tick=False):  # the outbox row is stamped now
        return services.accept_aggregate(w.office_supervisor, period)


def test_retry_after_a_failure_then_no_duplicate(simulator, accepted):
    url, store = simulator
    now = f.at(2026, 2, 25, 16, 5)
    first = adapter.send_pending(url, now=now)  # the simulator answers 503 once
    assert first.retrying == [accepted.idempotency_key]
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "503" in message.last_error and "TAM_NGUNG" in message.last_error
    assert message.next_attempt_at == now + timedelta(seconds=30)
    # Not due yet: nothing is posted.
    assert adapter.send_pending(url, now=now + timedelta(seconds=10)).as_dict() == {
        "delivered": [],
        "retrying": [],
        "dead": [],
    }
    second = adapter.send_pending(url, now=now + timedelta(seconds=31))
    assert second.delivered == [accepted.idempotency_key]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("delivered", 2)
    report = AggregateReport.objects.get()
    assert report.receipt_id == "BC-000001" and report.delivered_at is not None
    assert len(store.reports) == 1
    # A lost acknowledgement: the message is sent again with the same key — the receiver keeps one.
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending", next_attempt_at=now)
    third = adapter.send_pending(url, now=now + timedelta(minutes=2))
    assert third.delivered == [accepted.idempotency_key]
    assert len(store.reports) == 1
    assert AggregateReport.objects.get().receipt_id == "BC-000001"
    lines = (store.path.read_text(encoding="utf-8")).splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["body"]["MaBaoCao"] == "BC-TTHC-THANG"
    with urllib.request.urlopen(url) as reply:  # noqa: S310 — local simulator
        assert json.loads(reply.read())["SoBaoCao"] == 1


def test_a_rejected_message_goes_to_dead_letter(simulator, accepted):
    url, store = simulator
    store.fail_first = 0
    OutboxMessage.objects.update(payload={"MaBaoCao": "X"})
    result = adapter.send_pending(url, now=f.at(2026, 2, 25, 17))
    assert result.dead == [accepted.idempotency_key]
    message = OutboxMessage.objects.get()
    assert message.status == "dead" and "THIEU_TRUONG" in message.last_error
    assert store.reports == {}


def test_unreachable_endpoint_backs_off_then_dies(accepted):
    url = "http://127.0.0.1:9/khong-co"  # discard port: connection refused
    moment = f.at(2026, 2, 25, 17)
    for attempt in range(1, adapter.MAX_ATTEMPTS):
        assert adapter.send_pending(url, now=moment).retrying
        message = OutboxMessage.objects.get()
        assert message.attempts == attempt
        moment = message.next_attempt_at
    assert adapter.send_pending(url, now=moment).dead
    assert adapter.backoff(1) == timedelta(seconds=30) and adapter.backoff(20) == timedelta(hours=1)


def test_simulator_refuses_bad_requests(simulator):
    url, store = simulator
    store.fail_first = 0

    def post(body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
        reply = adapter.http_post(url, body, headers, 5)
        return reply.status, reply.body

    json_headers = {"Content-Type": "application/json"}
    assert post(b"{}", json_headers)[1]["MaLoi"] == "THIEU_KHOA"
    keyed = {**json_headers, "Idempotency-Key": "k1"}
    assert post(b"{not json", keyed) == (
        400,
        {"MaLoi": "JSON_LOI", "MoTa": "Nội dung không phải JSON hợp lệ."},
    )
    status, body = post(b'{"PhienBanThongDiep": "1.0"}', keyed)
    assert (status, body["MaLoi"], body["Truong"]) == (400, "THIEU_TRUONG", "MaBaoCao")
    assert post(b"x", {"Content-Type": "text/plain", "Idempotency-Key": "k"})[0] == 415


def test_send_pending_command_uses_the_endpoint(simulator, accepted, settings, capsys):
    url, store = simulator
    store.fail_first = 0
    settings.REPORTING_ENDPOINT = url  # from the environment variable of the same name
    OutboxMessage.objects.update(next_attempt_at=f.at(2020, 1, 1))
    call_command("reporting", "send-pending", "--json")
    assert json.loads(capsys.readouterr().out)["delivered"] == [accepted.idempotency_key]
    assert len(store.reports) == 1
