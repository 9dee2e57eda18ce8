"""Excel import/export: same document, same validation, problems located by sheet, row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from motcua.catalogue.excel import (
    SHEET_COMPONENTS,
    SHEET_FEES,
    SHEET_PROCEDURES,
    SHEET_WORKFLOW,
    export_catalogue_workbook,
    import_workbook,
    read_workbook,
)
from motcua.catalogue.models import Component, Fee, Field, Procedure, ProcedureVersion, WorkflowStep
from motcua.catalogue.services import export_catalogue, import_catalogue
from motcua.catalogue.tests import factories as f
from motcua.core.errors import DomainError

pytestmark = pytest.mark.django_db


def saved(wb: Workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def column_of(ws, header: str) -> int:
    return next(cell.column for cell in ws[1] if cell.value == header)


def row_of(ws, code: str, version: int = 1, order: int | None = None) -> int:
    for row in ws.iter_rows(min_row=2):
        if row[0].value == code and row[1].value == version and (order is None or row[2].value == order):
            return row[0].row
    raise AssertionError(f"no row for {code}")


def test_workbook_has_the_four_sheets_with_vietnamese_headers_and_labels():
    import_catalogue(f.demo_document())
    wb = export_catalogue_workbook()
    assert wb.sheetnames == [SHEET_PROCEDURES, SHEET_COMPONENTS, SHEET_FEES, SHEET_WORKFLOW]
    ws = wb[SHEET_PROCEDURES]
    assert ws.max_row == 15
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Mã TTHC", "Phiên bản", "Mã lĩnh vực"]
    row = row_of(ws, "1.004873")
    assert ws.cell(row, column_of(ws, "Đơn vị thời hạn")).value == "Ngày làm việc"
    assert ws.cell(row, column_of(ws, "Thời hạn giải quyết")).value == 3


def test_excel_round_trip():
    f.org_unit("hp-stp")
    import_catalogue(f.demo_document())
    workflow = f.three_day_workflow()
    workflow[1].update(unit_mode="fixed", unit="hp-stp", parallel_group="g", is_consultation=True)
    workflow[2]["parallel_group"] = "g"
    import_catalogue(
        f.document(
            f.procedure(
                "9.000001",
                f.version(1, effective_to="2026-01-01", implementing_units=["hp-stp"], workflow=workflow),
                f.version(
                    2,
                    effective_from="2026-01-01",
                    time_limit={"value": 4.5, "unit": "working_hours"},
                    workflow=[f.step(1, "a", 4.5)],
                ),
            )
        )
    )
    expected = export_catalogue()
    data = saved(export_catalogue_workbook())

    assert read_workbook(io.BytesIO(data.getvalue())).document["procedures"][0]["code"] == "1.000656"
    again = import_workbook(io.BytesIO(data.getvalue()))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 16)

    for model in (WorkflowStep, Component, Fee, ProcedureVersion, Procedure, Field):
        model.objects.all().delete()
    report = import_workbook(data)
    assert report.created == 16
    assert export_catalogue() == expected


def test_cell_error_names_sheet_row_and_column_and_nothing_is_stored():
    import_catalogue(f.demo_document())
    wb = load_workbook(saved(export_catalogue_workbook()))
    ws = wb[SHEET_WORKFLOW]
    row = row_of(ws, "1.004873", order=2)
    ws.cell(row, column_of(ws, "Thời gian (giờ làm việc)")).value = "mười hai"
    before = WorkflowStep.objects.count()
    with pytest.raises(DomainError) as caught:
        import_workbook(saved(wb))
    (detail,) = caught.value.details
    assert detail == {
        "sheet": "Quy trình",
        "row": row,
        "column": "Thời gian (giờ làm việc)",
        "problem": "“mười hai” không phải số.",
    }
    assert f"dòng {row}" in caught.value.message and "Quy trình" in caught.value.message
    assert WorkflowStep.objects.count() == before


def test_rule_error_is_located_in_the_workbook():
    import_catalogue(f.demo_document())
    wb = load_workbook(saved(export_catalogue_workbook()))
    ws = wb[SHEET_WORKFLOW]
    row = row_of(ws, "1.004873", order=2)
    ws.cell(row, column_of(ws, "Thời gian (giờ làm việc)")).value = 40  # over the 3-day budget
    ws = wb[SHEET_PROCEDURES]
    bad_row = row_of(ws, "1.001612")
    ws.cell(bad_row, column_of(ws, "Mức độ trực tuyến")).value = "Một phần"
    ws.cell(bad_row, column_of(ws, "Lý do chỉ cung cấp một phần")).value = None
    with pytest.raises(DomainError) as caught:
        import_workbook(saved(wb))
    details = {(d["sheet"], d["row"], d.get("column")): d["problem"] for d in caught.value.details}
    first_step_row = row_of(wb[SHEET_WORKFLOW], "1.004873", order=1)
    assert "vượt" in details[("Quy trình", first_step_row, None)]
    assert "lý do" in details[("Thủ tục", bad_row, "Lý do chỉ cung cấp một phần")]


def test_label_and_reference_errors():
    import_catalogue(f.demo_document())
    wb = load_workbook(saved(export_catalogue_workbook()))
    ws = wb[SHEET_PROCEDURES]
    row = row_of(ws, "1.001193")
    ws.cell(row, column_of(ws, "Đơn vị thời hạn")).value = "tuần"
    wb[SHEET_FEES].append(["9.999999", 1, 1, "Lệ phí lạ", "Lệ phí", 1000])
    orphan_row = wb[SHEET_FEES].max_row
    with pytest.raises(DomainError) as caught:
        import_workbook(saved(wb))
    problems = {(d["sheet"], d["row"]): d["problem"] for d in caught.value.details}
    assert "Ngày làm việc" in problems[("Thủ tục", row)]
    assert "9.999999" in problems[("Phí lệ phí", orphan_row)]


def test_missing_sheet_or_column_and_not_a_workbook():
    wb = export_catalogue_workbook()
    del wb[SHEET_FEES]
    ws = wb[SHEET_WORKFLOW]
    ws.cell(1, column_of(ws, "Mã bước")).value = "Mã gì đó"
    with pytest.raises(DomainError) as caught:
        import_workbook(saved(wb))
    problems = [d["problem"] for d in caught.value.details]
    assert "Thiếu trang “Phí lệ phí” trong tệp Excel." in problems
    assert "Thiếu cột bắt buộc “Mã bước”." in problems
    assert "Cột “Mã gì đó” không có trong định dạng danh mục." in problems

    with pytest.raises(DomainError) as caught:
        import_workbook(io.BytesIO(b"not a zip"))
    assert "Excel" in caught.value.message


def test_codes_typed_as_numbers_keep_their_six_decimals():
    import_catalogue(f.document(f.procedure("1.001190")))
    wb = load_workbook(saved(export_catalogue_workbook()))
    for name in (SHEET_PROCEDURES, SHEET_COMPONENTS, SHEET_FEES, SHEET_WORKFLOW):
        for (cell,) in wb[name].iter_rows(min_row=2, max_col=1):
            cell.value = 1.00119  # what Excel makes of 1.001190 typed into a number cell
    assert import_workbook(saved(wb)).unchanged == 1
