"""Status notices to the applicant (NĐ 224/2026 Điều 15), through the outbox, over real SMTP to the local
mail server: one per change of the national status, with the agencies, the officer and the times; sent
once; a refused mailbox is a dead letter; a mail server down pauses the channel."""

from __future__ import annotations

import threading

import pytest
import time_machine

from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations import delivery
from motcua.integrations.models import ChannelState, OutboxMessage
from motcua.integrations.simulators.phone import Phones
from motcua.integrations.simulators.phone import make_server as make_phone_server
from motcua.integrations.simulators.smtp import Mailbox, start_smtp
from motcua.integrations.tests.portal import step

pytestmark = pytest.mark.django_db

ADDRESS = "nhung.nguyen@example.vn"


def smtp_settings(settings, port: int) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    settings.DEFAULT_FROM_EMAIL = "motcua@haiphong.gov.vn"


@pytest.fixture
def mailbox(tmp_path, settings):
    box = Mailbox(tmp_path / "mail.jsonl", refuse=("khong-ton-tai@example.vn",))
    controller = start_smtp(box)
    smtp_settings(settings, controller.port)
    yield box
    controller.stop()


@pytest.fixture
def world():
    w = df.world()
    w.person.email = ADDRESS
    w.person.save(update_fields=["email"])
    return w


def test_each_status_change_is_one_notice_with_what_the_decree_asks(mailbox, world):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(world)
        for minute in range(1, 7):
            clock.move_to(at(2026, 3, 9 + minute // 3, 9, minute))
            d = step(world, d)
    # 7 events, 4 national statuses (2, 4, 9, 10): hand-overs and the assignment inside 4 say nothing.
    notices = OutboxMessage.objects.filter(topic="thongbao.email").order_by("id")
    assert [m.payload["subject"] for m in notices] == [
        f"Hồ sơ {d.code}: Được tiếp nhận",
        f"Hồ sơ {d.code}: Đang xử lý",
        f"Hồ sơ {d.code}: Đã xử lý xong",
        f"Hồ sơ {d.code}: Đã trả kết quả",
    ]
    assert delivery.send_pending(["email"]).delivered == 4
    received = mailbox.to(ADDRESS)
    assert [m["subject"] for m in received] == [m.payload["subject"] for m in notices]
    last = received[-1]["body"]
    # NĐ 224/2026 Điều 15: the receiving and processing agency, the officer, the times.
    assert "Cơ quan tiếp nhận: Phường An Biên" in last and "Cơ quan giải quyết: Phường An Biên" in last
    assert f"Cán bộ xử lý: {world.intake_a.full_name or world.intake_a.username}" in last
    assert "Tiếp nhận lúc: 09:00 ngày 09/03/2026" in last and "Hẹn trả kết quả:" in last
    assert "Trả kết quả lúc:" in last and "/tra-cuu-ho-so/" in last
    assert received[-1]["message_id"] == f"<{d.code}.7@haiphong.gov.vn>"
    # Sent again (a lost acknowledgement): the mail server sees the same message, not a new one.
    delivery.replay("email", key=d.code)
    assert delivery.send_pending(["email"]).delivered == 4
    assert len(mailbox.to(ADDRESS)) == 4 and mailbox.repeats == 4


def test_no_address_no_notice_and_a_refused_mailbox_is_a_dead_letter(mailbox, world):
    world.person.email = ""
    world.person.save(update_fields=["email"])
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        df.receive(world)
    assert not OutboxMessage.objects.filter(topic="thongbao.email").exists()
    world.person.email = "khong-ton-tai@example.vn"
    world.person.save(update_fields=["email"])
    with time_machine.travel(at(2026, 3, 9, 9, 5), tick=True):
        d = df.receive(world)
    summary = delivery.send_pending(["email"])
    assert (summary.delivered, summary.dead) == (0, 1)
    message = OutboxMessage.objects.get(topic="thongbao.email", key=d.code)
    assert message.last_outcome == "rejected" and "khong-ton-tai@example.vn" in message.last_error


def test_a_mail_server_down_pauses_the_channel_and_loses_nothing(settings, world, tmp_path):
    smtp_settings(settings, 9)  # nothing listens there
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        d = df.receive(world)
    summary = delivery.send_pending(["email"])
    assert (summary.failed, summary.pending) == (1, 1)
    assert ChannelState.objects.get(channel="email").open_until is not None
    box = Mailbox()
    controller = start_smtp(box)
    try:
        smtp_settings(settings, controller.port)
        assert delivery.send_pending(["email"], retry=True).delivered == 1
    finally:
        controller.stop()
    assert [m["subject"] for m in box.to(ADDRESS)] == [f"Hồ sơ {d.code}: Được tiếp nhận"]


@pytest.fixture
def phones(settings):
    box = Phones("ma-truy-cap-oa")
    server = make_phone_server("127.0.0.1", 0, box)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.MOTCUA_NOTIFY_CHANNELS = ["sms", "zalo"]
    settings.SMS_ENDPOINT, settings.SMS_TOKEN, settings.SMS_BRANDNAME = (
        f"{base}/sms",
        "ma-truy-cap-oa",
        "MOTCUA",
    )
    settings.ZALO_ZNS_ENDPOINT, settings.ZALO_ACCESS_TOKEN = f"{base}/zns", "ma-truy-cap-oa"
    settings.ZALO_TEMPLATE_ID = "256001"
    yield box
    server.shutdown()
    server.server_close()


def test_by_phone_an_sms_without_diacritics_and_a_zalo_template_message(phones, world):
    world.person.phone = "0912 345 678"
    world.person.save(update_fields=["phone"])
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(world)
    summary = delivery.send_pending(["sms", "zalo"])
    assert summary.delivered == 2
    sms = next(m for m in phones.messages if m["kind"] == "sms")
    assert sms["phone"] == "84912345678"
    assert (
        sms["text"]
        == f"Phuong An Bien: Ho so {d.code} Duoc tiep nhan luc 09:00 09/03/2026. Hen tra 12/03/2026."
    )
    zalo = next(m for m in phones.messages if m["kind"] == "zalo")["raw"]
    assert zalo["template_id"] == "256001" and zalo["tracking_id"] == f"thongbao.zalo:{d.code}:1"
    data = zalo["template_data"]
    assert (data["ma_ho_so"], data["trang_thai"], data["co_quan_giai_quyet"]) == (
        d.code,
        "Được tiếp nhận",
        "Phường An Biên",
    )
    assert data["hen_tra"] == "17:00 ngày 12/03/2026"
    # Sent again: the providers see the same tracking id and keep one.
    delivery.replay("sms", key=d.code)
    delivery.replay("zalo", key=d.code)
    assert delivery.send_pending(["sms", "zalo"]).delivered == 2 and len(phones.messages) == 2


def test_an_expired_zalo_token_waits_and_a_wrong_number_is_refused(phones, world, settings):
    world.person.phone = "0912345678"
    world.person.save(update_fields=["phone"])
    settings.MOTCUA_NOTIFY_CHANNELS = ["zalo"]
    settings.ZALO_ACCESS_TOKEN = "het-han"
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=True):
        df.receive(world)
    summary = delivery.send_pending(["zalo"])
    assert (summary.failed, summary.dead) == (1, 0)
    assert "mã truy cập" in ChannelState.objects.get(channel="zalo").last_error
    settings.ZALO_ACCESS_TOKEN = "ma-truy-cap-oa"
    assert delivery.send_pending(["zalo"], retry=True).delivered == 1
    world.person.phone = "12345"  # not a Vietnamese number: no message is written at all
    world.person.save(update_fields=["phone"])
    with time_machine.travel(at(2026, 3, 9, 9, 5), tick=True):
        other = df.receive(world)
    assert not OutboxMessage.objects.filter(topic="thongbao.zalo", key=other.code).exists()
