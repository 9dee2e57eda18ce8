"""The DongBoHoSoMC record sent to the national portal through the outbox."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder

from motcua.catalogue.tests import factories as cf
from motcua.dossiers import services as s
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.services import _pipeline
from motcua.dossiers.sync import dong_bo_ho_so_mc, stamp
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations.models import OutboxMessage

SYNC = "dvcqg.DongBoHoSoMC"  # the full record (the progress event is its own topic)

pytestmark = pytest.mark.django_db


def test_record_fields_dates_and_codes():
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(w)
        clock.move_to(at(2026, 3, 9, 10, 0))
        d = s.request_supplement(
            d.code, by=w.specialist_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu chữ ký"
        )
        message = OutboxMessage.objects.filter(key=d.code, topic=SYNC).order_by("id").last()
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
    first = OutboxMessage.objects.get(key=org.code, topic=SYNC).payload
    assert first["isUpdating"] is False and first["data"][0]["LoaiDoiTuong"] == 2
    assert dong_bo_ho_so_mc(org)["data"][0]["MaDoiTuong"] == "0201234567"


def test_stamp_is_local_time():
    assert stamp(at(2026, 12, 31, 23, 59)) == "20261231235900"
    assert stamp(None) == ""


def test_the_intake_record_built_in_memory_is_the_one_read_back_from_the_database(monkeypatch):
    """Intake builds the outbox body from the rows it has just written; byte for byte it must be the
    record ``dong_bo_ho_so_mc`` reads from the database, for every kind of dossier and component."""
    w = df.world(
        procedure_doc=cf.procedure(
            "1.001193",
            cf.version(
                1,
                fees=[
                    {"name": "Lệ phí đăng ký khai sinh", "amount_vnd": 8000},
                    {"name": "Phí sao lục", "kind": "charge", "amount_vnd": None},
                    {"name": "Lệ phí cấp bản sao", "amount_vnd": 3000},
                ],
            ),
        )
    )
    sent: dict[str, dict] = {}
    real_enqueue = _pipeline.enqueue_many

    def spy(messages):
        for topic, key, payload, _ in messages:
            if topic == SYNC:
                sent[key] = payload
        return real_enqueue(messages)

    monkeypatch.setattr(_pipeline, "enqueue_many", spy)
    scan = SimpleUploadedFile("giay-chung-sinh.pdf", b"%PDF-1.4 thu", content_type="application/pdf")
    catalogue = df.all_components(w)
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        dossiers = [df.receive(w)]
        clock.move_to(at(2026, 3, 9, 15, 30))  # after the cut-off
        dossiers.append(
            df.receive(
                w,
                applicant=w.organisation,
                channel=Channel.POST,
                result_delivery="post",
                components=[
                    catalogue[0],
                    s.ComponentInput(
                        component_id=catalogue[1].component_id, kind="certified_copy", quantity=2
                    ),
                    s.ComponentInput(name="Giấy ủy quyền", kind="copy", file=scan, digitised=True),
                    s.ComponentInput(name="Bản sao sổ hộ khẩu", received=False, reused=True),
                ],
            )
        )
        dossiers.append(df.receive(w, unit=w.ward_b, competent_unit=w.ward_a))
        s.submit_online(
            applicant=w.person,
            procedure=w.procedure,
            receiving_unit=w.ward_a,
            competent_unit=w.ward_a,
            components=catalogue,
        )
    online = Dossier.objects.get(channel=Channel.ONLINE)
    encode = DjangoJSONEncoder().encode
    for dossier in [*dossiers, online]:
        stored = Dossier.objects.select_related(
            "procedure__field", "procedure_version", "competent_unit"
        ).get(pk=dossier.pk)
        assert encode(sent[dossier.code]) == encode(dong_bo_ho_so_mc(stored, updating=False))
    record = sent[dossiers[1].code]["data"][0]
    assert [c["TenTepDinhKem"] for c in record["TaiLieuNop"]] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "Giấy ủy quyền",
        "Bản sao sổ hộ khẩu",
    ]
    assert record["TaiLieuNop"][2]["DuongDanTaiTepTin"].endswith(".pdf")
    assert [f["Gia"] for f in record["DanhSachLePhi"]] == [8000, None, 3000]
    assert record["HinhThuc"] == 1 and record["LoaiDoiTuong"] == 2 and record["KenhThucHien"] == 3
