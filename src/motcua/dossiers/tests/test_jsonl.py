"""Import and export of dossiers as JSON Lines in the national sync shape (DongBoHoSoMC)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from motcua.catalogue.models import Procedure
from motcua.core.audit import verify_chain
from motcua.core.models import AuditEntry, Organisation, OrgUnit, Person
from motcua.dossiers import jsonl
from motcua.dossiers import services as s
from motcua.dossiers.importing import ImportRejected, import_file
from motcua.dossiers.models import Dossier, DossierEvent, DueReset, Supplement
from motcua.dossiers.projection import rebuild
from motcua.dossiers.sync import dong_bo_ho_so_mc
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations.models import OutboxMessage

pytestmark = pytest.mark.django_db

WARD = "000.11.01.H31"  # Phường An Biên in the test world (receiving and processing)
WARD_B = "000.11.02.H31"

# A hand-written file in the national shape: OPENCPS field names, local yyyyMMddHHmmss, integer codes.
LINES = [
    {  # counter, returned on time after one supplement; 766 inputs; one unknown field
        "MaHoSo": f"{WARD}-260302-0001",
        "MaTTHC": "1.001193",
        "TenTTHC": "Thủ tục đăng ký khai sinh",
        "SoBienNhan": f"{WARD}-260302-0001",
        "ChuHoSo": "Nguyễn Văn Bình",
        "LoaiDoiTuong": 1,
        "MaDoiTuong": "031090001234",
        "SoDienThoai": "0912345678",
        "TrichYeuHoSo": "Đăng ký khai sinh cho con",
        "NgayNopHoSo": "20260302083000",
        "NgayTiepNhan": "20260302083000",
        "NgayHenTra": "20260306170000",
        "TrangThaiHoSo": 10,
        "NgayKetThucXuLy": "20260305100000",
        "NgayTra": "20260305143000",
        "HinhThuc": 0,
        "DonViXuLy": "Phường An Biên",
        "KenhThucHien": 1,
        "MaKetQua": "KQ-2026-000123",
        "DuongDanTepTinKetQua": "https://kho.example.vn/kq/000123.pdf",
        "HoSoCoThanhPhanSoHoa": 1,
        "TaiKhoanDuocXacThucVoiVNeID": 0,
        "DuocThanhToanTrucTuyen": 0,
        "ThoiGianGiaiQuyet": 3,
        "DonViTinh": "Ngày làm việc",
        "TaiLieuNop": [
            {
                "TepDinhKemId": "f-991",
                "TenTepDinhKem": "Tờ khai đăng ký khai sinh",
                "IsDeleted": False,
                "MaThanhPhanHoSo": "TK01",
                "DuongDanTaiTepTin": "https://kho.example.vn/tep/991",
                "DuocSoHoa": 1,
                "DuocLayTuKhoDMQG": 0,
            },
            {
                "TenTepDinhKem": "Giấy chứng sinh",
                "DuocSoHoa": 0,
                "DuocLayTuKhoDMQG": 1,
                "GhiChuTep": "bản sao",
            },
        ],
        "DanhSachLePhi": [
            {
                "TenPhiLePhi": "Lệ phí đăng ký khai sinh",
                "MaPhiLePhi": "LP01",
                "HinhThucThu": 1,
                "Gia": 8000,
                "LoaiPhiLePhi": 1,
                "TrangThaiThanhToan": 1,
            }
        ],
        "DanhSachHoSoBoSung": [
            {
                "HoSoBoSungId": "bs-1",
                "NguoiYeuCauBoSung": "Phạm Văn Hộ",
                "NoiDungBoSung": "Thiếu chữ ký người đi khai",
                "NgayBoSung": "20260303090000",
                "NguoiTiepNhanBoSung": "Trần Thị Mai",
                "ThongTinTiepNhan": "Đã ký bổ sung",
                "NgayTiepNhanBoSung": "20260304080000",
                "TrangThaiBoSung": 1,
                "DanhSachGiayToBoSung": [{"TenGiayTo": "Tờ khai"}],
                "DanhSachLePhiBoSung": [],
                "NgayHenTraTruoc": "20260305170000",
                "NgayHenTraMoi": "20260306170000",
            }
        ],
        "MaHeThongNguon": "HTMC-HP",  # unknown to motcua: kept and written back
    },
    {  # online, accepted, in progress; VNeID-authenticated
        "MaHoSo": f"{WARD}-260309-0002",
        "MaTTHC": "1.001193",
        "ChuHoSo": "Lê Thị Cúc",
        "MaDoiTuong": "031185004321",
        "NgayNopHoSo": "20260308211500",
        "NgayTiepNhan": "20260309074500",
        "NgayHenTra": "20260312170000",
        "TrangThaiHoSo": 4,
        "KenhThucHien": 2,
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        "MaCSDL": "CSDLQGDC",
        "DuocThanhToanTrucTuyen": 1,
    },
    {  # waiting for a supplement
        "MaHoSo": f"{WARD}-260310-0003",
        "MaTTHC": "1.001193",
        "ChuHoSo": "Nguyễn Thị Hồng Nhung",
        "MaDoiTuong": df.CITIZEN_ID,
        "NgayTiepNhan": "20260310090000",
        "NgayHenTra": "20260313170000",
        "TrangThaiHoSo": 5,
        "KenhThucHien": 3,
        "DanhSachHoSoBoSung": [{"NoiDungBoSung": "Thiếu giấy chứng sinh", "NgayBoSung": "20260311100000"}],
    },
    {  # unknown procedure and processing unit: placeholders flagged for review
        "MaHoSo": f"{WARD}-260311-0004",
        "MaTTHC": "9.999999",
        "TenTTHC": "Thủ tục chưa có trong danh mục",
        "ChuHoSo": "Công ty TNHH Hải Âu",
        "LoaiDoiTuong": 2,
        "MaDoiTuong": "0209876543",
        "MaDonVi": "000.99.01.H31",
        "NgayTiepNhan": "20260311140000",
        "NgayHenTra": "20260325170000",
        "TrangThaiHoSo": 2,
        "KenhThucHien": 1,
    },
    {  # online dossier refused at intake (never received)
        "MaHoSo": f"{WARD_B}-260312-0001",
        "MaTTHC": "1.001193",
        "ChuHoSo": "Trần Văn Dũng",
        "MaDoiTuong": "031075009999",
        "NgayNopHoSo": "20260312200000",
        "NgayHenTra": "",
        "TrangThaiHoSo": 3,
        "NgayKetThucXuLy": "20260313083000",
        "KenhThucHien": 2,
        "GhiChu": "Hồ sơ không đúng thủ tục",
    },
    {  # late: apology and a new date (motcua extension DanhSachHenLai), then returned
        "MaHoSo": f"{WARD}-260316-0005",
        "MaTTHC": "1.001193",
        "ChuHoSo": "Công ty TNHH Đức Thắng",
        "LoaiDoiTuong": 2,
        "MaDoiTuong": "0201234567",
        "NgayTiepNhan": "20260316090000",
        "NgayHenTra": "20260323170000",
        "TrangThaiHoSo": 10,
        "NgayKetThucXuLy": "20260323100000",
        "NgayTra": "20260324090000",
        "KenhThucHien": 1,
        "DanhSachHenLai": [
            {
                "NgayXinLoi": "20260317150000",
                "NgayHenTraTruoc": "20260319170000",
                "NgayHenTraMoi": "20260323170000",
                "LyDo": "Chờ xác minh",
            }
        ],
    },
    {  # refused after appraisal (code 8 with the motcua extension TrangThaiNoiBo)
        "MaHoSo": f"{WARD}-260317-0006",
        "MaTTHC": "1.001193",
        "ChuHoSo": "Võ Thị Em",
        "MaDoiTuong": "031195001111",
        "NgayTiepNhan": "20260317090000",
        "NgayHenTra": "20260320170000",
        "TrangThaiHoSo": 8,
        "TrangThaiNoiBo": "refused_after_appraisal",
        "NgayKetThucXuLy": "20260318110000",
        "KenhThucHien": 1,
        "GhiChu": "Không đủ điều kiện",
    },
]


def write(tmp_path: Path, lines, name="hoso.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        "".join(
            (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines
        ),
        encoding="utf-8",
    )
    return path


def exported(**filters) -> dict[str, dict]:
    return {r["MaHoSo"]: r for r in jsonl.iter_records(jsonl.export_queryset(**filters))}


def counts():
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        AuditEntry.objects.count(),
        Person.objects.count(),
        Organisation.objects.count(),
        Procedure.objects.count(),
        OrgUnit.objects.count(),
        Supplement.objects.count(),
    )


@pytest.fixture
def world():
    return df.world()


def test_import_then_export_gives_back_the_same_records(world, tmp_path):
    summary = import_file(write(tmp_path, LINES))
    assert (summary.created, summary.updated, summary.unchanged) == (len(LINES), 0, 0)
    records = exported()
    standard = set(dong_bo_ho_so_mc(Dossier.objects.get(code=LINES[0]["MaHoSo"]))["data"][0])
    for line in LINES:
        record = records[line["MaHoSo"]]
        # every key of the line comes back with the same value (types included) …
        assert jsonl.differing(record, line) == [], line["MaHoSo"]
        # … and the export adds only standard keys of the sync record
        assert set(record) - set(line) <= standard, set(record) - set(line) - standard
    # a line in the full shape (as motcua exports it) comes back identical: re-importing the export
    # changes nothing, and exporting again gives the same text
    first = [jsonl.dumps(r) for r in jsonl.iter_records(jsonl.export_queryset())]
    again = import_file(io.StringIO("\n".join(first) + "\n"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(LINES))
    assert [jsonl.dumps(r) for r in jsonl.iter_records(jsonl.export_queryset())] == first


def test_mapping_into_motcua_fields(world, tmp_path):
    import_file(write(tmp_path, LINES))
    first = Dossier.objects.get(code=LINES[0]["MaHoSo"])
    assert (first.state, first.national_status, first.channel) == ("returned", 10, 1)
    assert first.received_at == at(2026, 3, 2, 8, 30) and first.due_at == at(2026, 3, 6, 17, 0)
    # the statutory due follows the supplement's receipt (the limit restarts), as in the services
    assert first.promised_at is None
    receipt = first.events.get(seq=1)
    assert receipt.due_at == at(2026, 3, 5, 17, 0)  # the due at receipt: the supplement's NgayHenTraTruoc
    assert (first.finished_at, first.returned_at) == (at(2026, 3, 5, 10, 0), at(2026, 3, 5, 14, 30))
    assert (first.result_code, first.has_digitised_components, first.vneid_authenticated) == (
        "KQ-2026-000123",
        True,
        False,
    )
    assert first.online_payment == 0 and not first.paid_online
    assert first.applicant_person.citizen_id == "031090001234" and first.competent_unit == world.ward_a
    assert first.extra == {"MaHeThongNguon": "HTMC-HP"} and first.lock_version == first.events.count()
    actions = list(first.events.order_by("seq").values_list("action", flat=True))
    assert actions == [
        "receive_at_counter",
        "request_supplement",
        "receive_supplement",
        "mark_result_ready",
        "return_result",
    ]
    supplement = first.supplements.get()
    assert supplement.requested_by is None and supplement.received_at == at(2026, 3, 4, 8, 0)
    components = list(first.components.order_by("id"))
    assert [c.digitised for c in components] == [True, False] and components[1].reused
    online = Dossier.objects.get(code=LINES[1]["MaHoSo"])
    assert (online.state, online.channel, online.submitted_at) == ("in_progress", 2, at(2026, 3, 8, 21, 15))
    assert online.vneid_authenticated and online.population_db_code == "CSDLQGDC" and online.paid_online
    assert [e.action for e in online.events.order_by("seq")][:2] == ["submit_online", "accept_online"]
    assert Dossier.objects.get(code=LINES[2]["MaHoSo"]).state == "awaiting_supplement"
    refused = Dossier.objects.get(code=LINES[4]["MaHoSo"])
    assert refused.state == "refused_at_intake" and refused.received_at is None
    assert refused.receiving_unit == world.ward_b
    late = Dossier.objects.get(code=LINES[5]["MaHoSo"])
    reset = DueReset.objects.get(dossier=late)
    # the apology's date is promised, the statutory due stays (and every event carries it)
    assert (reset.old_due, reset.new_due, late.due_at, late.promised_at) == (
        at(2026, 3, 19, 17, 0),
        at(2026, 3, 23, 17, 0),
        at(2026, 3, 19, 17, 0),
        at(2026, 3, 23, 17, 0),
    )
    assert set(late.events.exclude(due_at=None).values_list("due_at", flat=True)) == {at(2026, 3, 19, 17, 0)}
    assert late.applicant_organisation == world.organisation
    assert Dossier.objects.get(code=LINES[6]["MaHoSo"]).state == "refused_after_appraisal"


def test_placeholders_are_created_and_flagged(world, tmp_path):
    summary = import_file(write(tmp_path, LINES))
    assert summary.placeholder_procedures == ["9.999999"]
    assert summary.placeholder_units == ["000.99.01.H31"]
    procedure = Procedure.objects.get(code="9.999999")
    assert procedure.is_placeholder and procedure.name == "Thủ tục chưa có trong danh mục"
    assert procedure.versions.get().status == "draft"
    unit = OrgUnit.objects.get(eid_code="000.99.01.H31")
    assert unit.verified == {"placeholder": False} and "bản ghi tạm từ dữ liệu nhập" in unit.note.lower()
    assert unit.parent == world.province
    dossier = Dossier.objects.get(code=LINES[3]["MaHoSo"])
    assert dossier.competent_unit == unit and dossier.receiving_unit == world.ward_a
    assert dossier.applicant_organisation.tax_code == "0209876543"


def test_rebuild_verify_passes_no_outbox_and_one_audit_entry_per_batch(world, tmp_path):
    audit_before = AuditEntry.objects.count()
    summary = import_file(write(tmp_path, LINES), batch_size=3)
    assert summary.batches == 3
    assert not OutboxMessage.objects.exists()
    assert rebuild(verify=True).ok
    call_command("dossiers", "rebuild", "--verify", stderr=io.StringIO())
    entries = AuditEntry.objects.filter(action="dossier.import")
    assert entries.count() == 3
    assert sum(len(e.data["created"]) for e in entries) == len(LINES)
    # besides: the placeholder procedure, its field and version, and the placeholder unit (signals)
    assert AuditEntry.objects.count() - audit_before == 3 + 4
    assert verify_chain().ok
    for dossier in Dossier.objects.all():
        assert dossier.lock_version == dossier.events.count()


def test_a_broken_file_is_reported_by_line_and_nothing_is_stored(world, tmp_path):
    bad = [
        LINES[0],
        {**LINES[1], "NgayTiepNhan": "2026-03-09 07:45"},  # bad date
        {k: v for k, v in LINES[2].items() if k != "MaHoSo"},  # missing MaHoSo
        {**LINES[3], "TrangThaiHoSo": 11},  # unknown status
        {**LINES[5], "KenhThucHien": 5},  # unknown channel
        "{not json",
        {**LINES[6], "NgayKetThucXuLy": "20260316080000"},  # before the receipt
    ]
    path = write(tmp_path, bad)
    before = counts()
    with pytest.raises(ImportRejected) as caught:
        import_file(path)
    problems = {(p["line"], p["field"]) for p in caught.value.details}
    assert problems == {
        (2, "NgayTiepNhan"),
        (3, "MaHoSo"),
        (4, "TrangThaiHoSo"),
        (5, "KenhThucHien"),
        (6, "(dòng)"),
        (7, "NgayKetThucXuLy"),
    }
    assert counts() == before
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("dossiers", "import", str(path), "--no-progress", stderr=err)
    report = err.getvalue()
    for line in ("dòng 2", "dòng 3", "dòng 4", "dòng 5", "dòng 6", "dòng 7"):
        assert line in report
    assert "TrangThaiHoSo" in report and "KenhThucHien" in report and "dòng 1," not in report
    assert counts() == before


def test_history_that_contradicts_the_status_is_refused(world, tmp_path):
    cases = [
        {**LINES[2], "TrangThaiHoSo": 4},  # still waiting for the supplement
        {**LINES[0], "MaHoSo": "X-1", "TrangThaiHoSo": 2},  # already returned
        {**LINES[1], "MaHoSo": "X-2", "NgayTiepNhan": "", "TrangThaiHoSo": 9},  # no receipt
        {**LINES[1], "MaHoSo": "X-3", "NgayTiepNhan": "20991231080000"},  # in the future
        {**LINES[1], "MaHoSo": LINES[0]["MaHoSo"]},  # duplicate code in the file
        {**LINES[1], "MaHoSo": "X-4", "MaDoiTuong": "123"},  # not a CCCD
    ]
    with pytest.raises(ImportRejected) as caught:
        import_file(write(tmp_path, [LINES[0], *cases]))
    fields = [(p["line"], p["field"]) for p in caught.value.details]
    assert fields == [
        (2, "TrangThaiHoSo"),
        (3, "TrangThaiHoSo"),
        (4, "NgayTiepNhan"),
        (5, "NgayTiepNhan"),
        (6, "MaHoSo"),
        (7, "MaDoiTuong"),
    ]
    assert not Dossier.objects.exists()


def test_reimport_identical_changes_nothing_and_a_change_is_one_update_event(world, tmp_path):
    import_file(write(tmp_path, LINES))
    events, audits = DossierEvent.objects.count(), AuditEntry.objects.count()
    again = import_file(write(tmp_path, LINES, "lai.jsonl"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(LINES))
    assert DossierEvent.objects.count() == events
    assert AuditEntry.objects.count() == audits + 1  # the batch entry, with nothing created
    # the in-progress dossier is now finished and returned, with a new phone number
    changed = {
        **LINES[1],
        "TrangThaiHoSo": 10,
        "NgayKetThucXuLy": "20260311100000",
        "NgayTra": "20260312090000",
        "SoDienThoai": "0987654321",
        "MaHeThongNguon": "HTMC-2",
    }
    code = changed["MaHoSo"]
    version = Dossier.objects.get(code=code).lock_version
    summary = import_file(write(tmp_path, [changed], "moi.jsonl"))
    assert (summary.created, summary.updated, summary.unchanged, summary.events) == (0, 1, 0, 1)
    dossier = Dossier.objects.get(code=code)
    assert dossier.lock_version == version + 1 == dossier.events.count()
    event = dossier.events.order_by("-seq").first()
    assert event.action == "import_update" and event.to_state == "returned"
    assert set(event.data["changed"]) == {
        "TrangThaiHoSo",
        "NgayKetThucXuLy",
        "NgayTra",
        "SoDienThoai",
        "MaHeThongNguon",
    }
    assert (dossier.state, dossier.finished_at, dossier.returned_at) == (
        "returned",
        at(2026, 3, 11, 10, 0),
        at(2026, 3, 12, 9, 0),
    )
    assert jsonl.covers(exported()[code], changed)
    assert rebuild(verify=True).ok
    # and importing the same changed line once more is "unchanged"
    assert import_file(write(tmp_path, [changed], "moi2.jsonl")).unchanged == 1


def test_unknown_fields_round_trip_at_every_level(world, tmp_path):
    line = {
        **LINES[0],
        "MaHoSo": f"{WARD}-260302-0099",
        "TruongLa": {"a": [1, 2, {"b": None}]},
        "SoThuTuQuay": 7,
        "TaiLieuNop": [{**LINES[0]["TaiLieuNop"][0], "KichThuoc": 12345, "IsDeleted": 0}],
        "DanhSachLePhi": [{**LINES[0]["DanhSachLePhi"][0], "Gia": 8000.0, "NguonThu": "KBNN"}],
        "DanhSachGiayToKetQua": [{"TenGiayTo": "Giấy khai sinh", "GiayToId": "kq-1"}],
        "NgayTra": None,
    }
    line["DanhSachHoSoBoSung"] = [{**LINES[0]["DanhSachHoSoBoSung"][0], "TruongBoSungLa": True}]
    import_file(write(tmp_path, [line]))
    record = exported()[line["MaHoSo"]]
    assert jsonl.differing(record, line) == []
    assert record["TaiLieuNop"][0]["KichThuoc"] == 12345 and record["TaiLieuNop"][0]["IsDeleted"] == 0
    dossier = Dossier.objects.get(code=line["MaHoSo"])
    assert dossier.extra == {
        "MaHeThongNguon": "HTMC-HP",
        "TruongLa": {"a": [1, 2, {"b": None}]},
        "SoThuTuQuay": 7,
    }
    # NgayTra given as null: the result was handed over when processing ended (NgayKetThucXuLy), and the
    # export still writes the file's null
    assert dossier.returned_at == at(2026, 3, 5, 10, 0) and record["NgayTra"] is None


def test_export_command_filters_and_empty_database(world, tmp_path):
    out = io.StringIO()
    call_command("dossiers", "export", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""
    import_file(write(tmp_path, LINES))
    target = tmp_path / "ra.jsonl"
    call_command("dossiers", "export", "--output", str(target), stderr=io.StringIO())
    codes = [json.loads(t)["MaHoSo"] for t in target.read_text(encoding="utf-8").splitlines()]
    assert sorted(codes) == sorted(line["MaHoSo"] for line in LINES)
    call_command(
        "dossiers",
        "export",
        "--from",
        "2026-03-09",
        "--to",
        "2026-03-11",
        "-o",
        str(target),
        stderr=io.StringIO(),
    )
    codes = {json.loads(t)["MaHoSo"] for t in target.read_text(encoding="utf-8").splitlines()}
    assert codes == {LINES[1]["MaHoSo"], LINES[2]["MaHoSo"], LINES[3]["MaHoSo"]}
    call_command("dossiers", "export", "--unit", "000.99.01.H31", "-o", str(target), stderr=io.StringIO())
    codes = {json.loads(t)["MaHoSo"] for t in target.read_text(encoding="utf-8").splitlines()}
    assert codes == {LINES[3]["MaHoSo"]}
    call_command("dossiers", "export", "--unit", "tp", "-o", str(target), stderr=io.StringIO())
    assert len(target.read_text(encoding="utf-8").splitlines()) == len(LINES)
    with pytest.raises(CommandError):
        call_command("dossiers", "export", "--unit", "khong-co", stderr=io.StringIO())


def test_import_command_json_summary(world, tmp_path):
    out = io.StringIO()
    call_command(
        "dossiers", "import", str(write(tmp_path, LINES)), "--json", stdout=out, stderr=io.StringIO()
    )
    summary = json.loads(out.getvalue())
    assert summary["ok"] and summary["created"] == len(LINES) and summary["unchanged"] == 0
    assert summary["placeholders"] == {"procedures": ["9.999999"], "units": ["000.99.01.H31"]}


def test_render_of_a_native_dossier_is_the_national_sync_record(world):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as travel:
        d = df.receive(world)
        travel.move_to(at(2026, 3, 9, 10, 0))
        d = s.request_supplement(
            d.code, by=world.specialist_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu chữ ký"
        )
        org = df.receive(world, applicant=world.organisation)
    for dossier in (d, org):
        dossier = Dossier.objects.get(pk=dossier.pk)
        assert jsonl.record_of(dossier) == dong_bo_ho_so_mc(dossier)["data"][0]
    # a native dossier exported and re-imported is unchanged (its code exists)
    summary = import_file(io.StringIO(jsonl.dumps(jsonl.record_of(d)) + "\n"))
    assert summary.unchanged == 1
