"""The DongBoHoSoMC record sent to the national portal through the outbox."""

from __future__ import annotations

import pytest
import time_machine

from motcua.dossiers import services as s
from motcua.dossiers.sync import dong_bo_ho_so_mc, stamp
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_record_fields_dates_and_codes():
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(w)
        clock.move_to(at(2026, 3, 9, 10, 0))
        d = s.request_supplement(
            d.code, by=w.specialist_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu chữ ký"
        )
        message = OutboxMessage.objects.filter(key=d.code).order_by("id").last()
    assert message.topic == "dvcqg.DongBoHoSoMC" and message.status == "pending"
    assert message.idempotency_key == f"dvcqg.DongBoHoSoMC:{d.code}:2"
    body = message.payload
    assert body["service"] == "DongBoHoSoMC" and body["isUpdating"] is True
    record = body["data"][0]
    assert record["MaHoSo"] == record["SoBienNhan"] == d.code
    assert (record["MaTTHC"], record["TenTTHC"]) == ("1.001193", "Thủ tục đăng ký khai sinh")
    assert (record["NgayTiepNhan"], record["NgayHenTra"]) == ("20260309090000", "20260312170000")
    assert (record["NgayKetThucXuLy"], record["NgayTra"]) == ("", "")
    assert (record["TrangThaiHoSo"], record["KenhThucHien"], record["LoaiDoiTuong"]) == (5, 1, 1)
    assert record["MaDoiTuong"] == df.CITIZEN_ID and record["ChuHoSo"] == "Nguyễn Thị Hồng Nhung"
    assert record["MaDonVi"] == "000.11.01.H31" and record["DonViXuLy"] == "Phường An Biên"
    assert [c["TenTepDinhKem"] for c in record["TaiLieuNop"]] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    assert record["DanhSachLePhi"][0]["Gia"] == 8000
    supplement = record["DanhSachHoSoBoSung"][0]
    assert supplement["NoiDungBoSung"] == "Thiếu chữ ký" and supplement["NgayBoSung"] == "20260309100000"
    assert supplement["TrangThaiBoSung"] == 0 and supplement["NgayTiepNhanBoSung"] == ""
    # The first message of a dossier is a creation, not an update; organisations are type 2.
    with time_machine.travel(at(2026, 3, 9, 11, 0), tick=False):
        org = df.receive(w, applicant=w.organisation)
    first = OutboxMessage.objects.get(key=org.code).payload
    assert first["isUpdating"] is False and first["data"][0]["LoaiDoiTuong"] == 2
    assert dong_bo_ho_so_mc(org)["data"][0]["MaDoiTuong"] == "0201234567"


def test_stamp_is_local_time():
    assert stamp(at(2026, 12, 31, 23, 59)) == "20261231235900"
    assert stamp(None) == ""
