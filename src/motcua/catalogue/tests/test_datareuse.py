"""How many items a citizen declares online, and what data reuse saves (Kế hoạch 3327: ≥ 20 % fewer)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from motcua.catalogue import datareuse
from motcua.catalogue.datareuse import ProcedureForms, Upload
from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as f

# A declaration of 10 fields: 4 from the identity, 2 from the population database, 1 from an earlier
# dossier only, 3 that only this request knows.
SMALL = {
    "type": "object",
    "title": "Tờ khai",
    "properties": {
        "nguoi": {
            "type": "object",
            "title": "Người yêu cầu",
            "properties": {
                "ho_ten": {"type": "string", "title": "Họ tên", "x-prefill": ["identity.full_name"]},
                "ngay_sinh": {"type": "string", "title": "Ngày sinh", "x-prefill": ["identity.birth_date"]},
                "so_dinh_danh": {
                    "type": "string",
                    "title": "Số định danh",
                    "x-prefill": ["identity.citizen_id"],
                },
                "dien_thoai": {
                    "type": "string",
                    "title": "Điện thoại",
                    "x-prefill": ["identity.phone", "previous"],
                },
                "dan_toc": {"type": "string", "title": "Dân tộc", "x-prefill": ["population.ethnicity"]},
                "noi_cu_tru": {
                    "type": "string",
                    "title": "Nơi cư trú",
                    "x-prefill": ["previous", "population.current_address"],
                },
                "nghe_nghiep": {"type": "string", "title": "Nghề nghiệp", "x-prefill": ["previous"]},
            },
        },
        "ly_do": {"type": "string", "title": "Lý do"},
        "ngay_su_kien": {"type": "string", "title": "Ngày"},
        "cam_doan": {"type": "boolean", "title": "Cam đoan"},
    },
}


def test_hand_worked_counts_of_a_small_form():
    forms = ProcedureForms(
        "9.000001",
        "Thủ tục mẫu",
        (SMALL,),
        (Upload("Thẻ căn cước", reusable=True), Upload("Giấy xác nhận của bệnh viện", reusable=False)),
    )
    r = datareuse.count(forms)
    # (0) types 10 fields and uploads 2 documents: 12 items
    assert (r.visitor.fields, r.visitor.uploads, r.visitor.total) == (10, 2, 12)
    # (a) 6 fields come from the identity or the population database: 4 typed + 2 uploads = 6
    assert (r.first_time.fields, r.first_time.uploads) == (4, 2)
    # (b) also the occupation from the last dossier; the ID card from the warehouse: 3 + 1 = 4
    assert (r.returning.fields, r.returning.uploads) == (3, 1)
    assert r.first_vs_visitor == Decimal("50.0")  # (12 − 6) ÷ 12
    assert r.returning_vs_first == Decimal("33.3")  # (6 − 4) ÷ 6
    assert r.returning_vs_visitor == Decimal("66.7")  # (12 − 4) ÷ 12
    assert r.meets_first_time and r.meets_returning and r.reasons == ()


def test_a_procedure_without_a_declaration_misses_the_target_and_says_why():
    r = datareuse.count(ProcedureForms("9.000002", "Cấp bản sao", (), (Upload("Giấy ủy quyền", False),)))
    assert (r.visitor.total, r.first_time.total, r.returning.total) == (1, 1, 1)
    assert r.first_vs_visitor == Decimal("0.0") and not r.meets_first_time
    assert any("không có tờ khai điện tử" in reason for reason in r.reasons)
    assert any("không giấy tờ nào thuộc loại được lưu" in reason for reason in r.reasons)


def test_a_form_about_the_event_misses_the_target_for_a_first_time_citizen():
    event = {
        "type": "object",
        "title": "T",
        "properties": {
            "ho_ten": {"type": "string", "title": "Họ tên", "x-prefill": ["identity.full_name"]},
            **{f"f{i}": {"type": "string", "title": f"F{i}"} for i in range(9)},
        },
    }
    r = datareuse.count(ProcedureForms("9.000003", "Khai tử", (event,), (Upload("Căn cước", True),)))
    assert r.first_vs_visitor == Decimal("9.1")  # (11 − 10) ÷ 11
    assert r.reasons[0].startswith("chỉ 1/10 trường lấy được từ tài khoản định danh")
    assert "9 trường là thông tin riêng của việc yêu cầu" in r.reasons[0]


def test_no_items_at_all_is_not_a_reduction():
    assert datareuse.reduction(0, 0) is None
    assert datareuse.percent_text(None) == "—" and datareuse.percent_text(Decimal("12.5")) == "12,5 %"


@pytest.mark.django_db
def test_the_command_reports_the_demo_procedures_offered_online(tmp_path, capsys):
    import_catalogue(f.demo_document())
    out = tmp_path / "data-reuse.md"
    call_command("catalogue", "data-reuse", "--json", "--write", str(out))
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    # the three counter-only procedures (certified copies, criminal record) are not offered online
    assert "2.000815" not in rows and "2.000488" not in rows and len(rows) == 11
    birth = rows["1.001193"]
    # birth registration online: the e-form's fields; uploads: the birth certificate (or its
    # alternatives, once) and the requester's identity paper; the paper declaration is not asked online
    assert birth["visitor"]["uploads"] == 2
    assert birth["returning"]["uploads"] == 1  # the identity paper comes from the warehouse
    assert birth["meets_target_first_time"]
    copy = rows["2.000635"]
    assert not copy["meets_target_first_time"] and copy["reasons"]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Tái sử dụng dữ liệu khi nộp hồ sơ trực tuyến")
    assert "| 1.001193 | Thủ tục đăng ký khai sinh |" in text
    assert "## Thủ tục chưa đạt với công dân đăng nhập lần đầu, và vì sao" in text
