"""The Excel layout: template → fill → upload → the same figures; a wrong layout or wrong figures are
refused whole, naming the sheet and cell."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from motcua.reporting import excel, services
from motcua.reporting.models import Submission
from motcua.reporting.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = f.world()
    services.generate_periods(date(2026, 3, 20))
    world.period = f.period(world.monthly, "2026-M02")  # type: ignore[attr-defined]
    world.indicators = services.indicators_of(world.monthly)  # type: ignore[attr-defined]
    return world


def template(w, unit_code: str = "pab") -> bytes:
    return excel.workbook(w.period, w.indicators, unit_code=unit_code, unit_label="Phường An Biên")


def filled(w, values: dict, mutate=None) -> bytes:
    book = load_workbook(io.BytesIO(template(w)))
    for sheet_name in ("Biểu 01", "Biểu 02"):
        sheet = book[sheet_name]
        for row in range(excel.FIRST_ROW, sheet.max_row + 1):
            code = sheet.cell(row=row, column=2).value
            if code in values:
                sheet.cell(row=row, column=6, value=values[code])
    if mutate:
        mutate(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_template_layout(w):
    book = load_workbook(io.BytesIO(template(w)))
    assert book.sheetnames == ["Biểu 01", "Biểu 02", "motcua"]
    sheet = book["Biểu 01"]
    assert sheet["A1"].value == "Báo cáo tình hình, kết quả giải quyết thủ tục hành chính"
    assert [c.value for c in sheet[excel.HEADER_ROW]] == list(excel.HEADERS)
    assert (sheet["B7"].value, sheet["C7"].value, sheet["F7"].value) == (
        "1",
        "Tổng số hồ sơ tiếp nhận trong kỳ",
        None,
    )
    assert sheet["B19"].value == "6"  # 13 indicators on Biểu 01: rows 7–19
    assert book["motcua"].sheet_state == "hidden"


def test_round_trip(w):
    values = {**f.FULL, "5": 87.5, "8": "92,5", "9": 3, "10": "Thiếu cán bộ một cửa."}
    parsed = excel.read(filled(w, values), w.period, w.indicators, unit_code="pab")
    assert parsed.values["1"] == 10 and parsed.values["5"] == "87.5" and parsed.values["8"] == "92.5"
    assert parsed.values["10"] == "Thiếu cán bộ một cửa."
    assert parsed.places["3.2"] == "trang “Biểu 01”, ô F14 (chỉ tiêu 3.2)"
    sub = services.save_report(w.d.intake_a, w.period, w.ward_a, parsed.values, source="excel", submit=True)
    # The unit's report exported in the same layout reads back to the same figures.
    again = excel.workbook(w.period, w.indicators, unit_code="pab", unit_label="x", values=sub.current.values)
    assert excel.read(again, w.period, w.indicators, unit_code="pab").values == sub.current.values


def refused(w, data: bytes, unit_code: str = "pab") -> list[str]:
    with pytest.raises(services.InvalidReport) as info:
        excel.read(data, w.period, w.indicators, unit_code=unit_code)
    assert info.value.status == 422
    return [f"{d['place']}: {d['problem']}" for d in (info.value.details or [])] or [info.value.message]


def test_wrong_figures_name_sheet_and_cell(w):
    problems = refused(w, filled(w, {**f.FULL, "1.1": "sáu", "3.2": -1, "6": 150}))
    assert problems == [
        "trang “Biểu 01”, ô F8 (chỉ tiêu 1.1): “sáu” không phải là số",
        "trang “Biểu 01”, ô F14 (chỉ tiêu 3.2): không được âm (nhận được -1)",
        "trang “Biểu 01”, ô F19 (chỉ tiêu 6): tỷ lệ phần trăm phải từ 0 đến 100 (nhận được 150)",
    ]
    assert not Submission.objects.exists()


def test_moved_row(w):
    def swap(book):
        sheet = book["Biểu 01"]
        sheet["B8"], sheet["B9"] = "1.2", "1.1"

    problems = refused(w, filled(w, f.FULL, swap))
    assert problems[0].startswith(
        "trang “Biểu 01”, ô B8: dòng này phải là chỉ tiêu “1.1”, trong tệp là “1.2”"
    )


def test_renamed_sheet_and_changed_header(w):
    def damage(book):
        book["Biểu 02"].title = "Sheet2"
        book["Biểu 01"]["F6"] = "Giá trị"

    problems = refused(w, filled(w, f.FULL, damage))
    assert "trang “Biểu 01”, ô F6: tiêu đề cột phải là “Số liệu”, trong tệp là “Giá trị”" in problems
    assert "trang “Biểu 02”: không có trong tệp (đã đổi tên hoặc xóa trang?)" in problems


def test_extra_row(w):
    problems = refused(w, filled(w, f.FULL, lambda book: book["Biểu 02"].cell(row=11, column=2, value="11")))
    assert problems == ["trang “Biểu 02”, ô B11: có dòng thừa “11” sau chỉ tiêu cuối cùng"]


def test_template_of_another_period_or_unit(w):
    problems = refused(w, template(w, unit_code="plc"))
    assert problems == ["trang “motcua”: đơn vị trong tệp là “plc”, báo cáo này cần “pab”"]
    other = excel.workbook(
        f.period(w.monthly, "2026-M01"), w.indicators, unit_code="pab", unit_label="Phường An Biên"
    )
    assert refused(w, other) == [
        "trang “motcua”: kỳ báo cáo trong tệp là “2026-M01”, báo cáo này cần “2026-M02”"
    ]


def test_not_an_excel_file(w):
    assert "không phải bảng tính Excel" in refused(w, b"STT,Ma,Chi tieu\n1,1,10\n")[0]
    assert "Không đọc được tệp Excel" in refused(w, b"PK\x03\x04garbage")[0]
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    assert "không có trang “motcua”" in refused(w, out.getvalue())[0]
