"""The operators' screen of the outbox: administrators only, filters, replay of a dead message
(audited), and a fixed number of queries whatever the number of messages."""

from __future__ import annotations

import json

import pytest
import time_machine

from motcua.core.models import AuditEntry, Role
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations import delivery
from motcua.integrations.models import OutboxMessage
from motcua.integrations.simulators.dvcqg import Portal
from motcua.integrations.tests.portal import RECORD, running_portal

pytestmark = pytest.mark.django_db

URL = "/can-bo/he-thong/thong-diep/"


@pytest.fixture
def world(tmp_path, settings):
    portal = Portal(tmp_path / "dvcqg.jsonl")
    with running_portal(portal) as url:
        settings.DVCQG_ENDPOINT, settings.DVCQG_USERNAME, settings.DVCQG_PASSWORD = url, "motcua", "motcua"
        w = df.world()
        w.admin = df.staff(Role.ADMINISTRATOR, w.province, "quantri")  # type: ignore[attr-defined]
        with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
            w.bad, w.good = df.receive(w), df.receive(w)  # type: ignore[attr-defined]
        record = OutboxMessage.objects.get(key=w.bad.code, topic=RECORD)
        broken = json.loads(json.dumps(record.payload))
        del broken["data"][0]["MaTTHC"]
        OutboxMessage.objects.filter(pk=record.pk).update(payload=broken)
        w.record, w.good_record = record, broken  # type: ignore[attr-defined]
        delivery.send_pending(["dvcqg"])
        yield w


def test_administrators_see_each_system_and_the_failed_messages(world, client):
    client.force_login(world.admin)
    page = client.get(URL, {"status": "dead"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cổng Dịch vụ công quốc gia" in html and "Hệ thống thông tin báo cáo quốc gia" in html
    assert "chưa cấu hình địa chỉ kết nối" in html  # the reporting system has no address here
    assert world.bad.code in html and world.good.code not in html
    # The portal's own words, with the field it names.
    assert "Trường MaTTHC bắt buộc, kiểu chuỗi. (mã lỗi 2, trường data[0].MaTTHC, HTTP 200)" in html
    page = client.get(URL, {"key": world.good.code})
    assert page.content.decode().count("Đã gửi, được xác nhận") >= 2


def test_replaying_a_dead_message_is_audited_and_delivers_in_order(world, client):
    client.force_login(world.admin)
    original = OutboxMessage.objects.get(pk=world.record.pk)
    payload = original.payload
    payload["data"][0]["MaTTHC"] = "1.001193"
    OutboxMessage.objects.filter(pk=original.pk).update(payload=payload)
    reply = client.post(URL + "gui-lai/", {"channel": "dvcqg", "what": "message", "id": original.pk})
    assert reply.status_code == 302
    entry = AuditEntry.objects.get(action="integrations.replay")
    assert entry.actor_id == world.admin.pk and entry.data["ids"] == [original.pk]
    assert delivery.send_pending(["dvcqg"]).delivered == 2  # the record, then the progress held behind it
    assert not OutboxMessage.objects.exclude(status="delivered").exists()


def test_others_are_refused_and_bad_requests_answer_400(world, client):
    client.force_login(world.supervisor)
    assert client.get(URL).status_code == 403
    assert client.post(URL + "gui-lai/", {"channel": "dvcqg", "what": "dead"}).status_code == 403
    client.force_login(world.admin)
    assert client.post(URL + "gui-lai/", {"channel": "khac", "what": "dead"}).status_code == 400
    assert client.post(URL + "gui-lai/", {"channel": "dvcqg", "what": "xoa"}).status_code == 400
    assert client.get(URL, {"status": "<script>", "channel": "x", "truoc": "abc"}).status_code == 200
    assert not AuditEntry.objects.filter(action="integrations.replay").exists()


def test_the_list_reads_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.admin)
    with django_assert_max_num_queries(30) as few:
        client.get(URL)
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=True):
        for _ in range(10):
            df.receive(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)
