"""The Excel layout of a report: the blank template, a unit's or the aggregated report, and reading an
upload back.

One sheet per data form (named by the form's code), then a sheet ``motcua`` that says what the file is
(report code, period, unit, layout version) — checked on upload so that a template of another report,
period or unit is refused. A form sheet::

    A1  the report's name                          (merged A1:F1)
    A2  "Biểu: <code> — <form name>"
    A3  "Kỳ báo cáo:"     B3 the period, with its cut-off window
    A4  "Đơn vị báo cáo:" B4 the unit (or "Tổng hợp: n đơn vị")
    row 6 headers: STT | Mã chỉ tiêu | Chỉ tiêu | Đơn vị tính | Kiểu số liệu | Số liệu
    row 7… one indicator per row, in the form's order; only column F is filled in

Reading refuses the whole file (nothing stored) with every problem named by sheet and cell: a missing
or renamed sheet, a changed header, an indicator row moved or removed, a value of the wrong type or a
negative count.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from motcua.reporting.models import DataForm, Indicator, ReportPeriod
from motcua.reporting.services import InvalidReport, Problem, check_values, refuse

LAYOUT = "motcua-baocao-1"
META_SHEET = "motcua"
HEADERS = ("STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Kiểu số liệu", "Số liệu")
HEADER_ROW = 6
FIRST_ROW = 7
VALUE_COLUMN = "F"
TYPE_TEXT = {"integer": "Số nguyên", "decimal": "Số thập phân", "percent": "Tỷ lệ (%)", "text": "Văn bản"}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
BOLD = Font(bold=True)
INPUT_FILL = PatternFill("solid", fgColor="FFF8E1")


def _forms(indicators: Sequence[Indicator]) -> list[tuple[DataForm, list[Indicator]]]:
    grouped: dict[int, tuple[DataForm, list[Indicator]]] = {}
    for ind in indicators:
        grouped.setdefault(ind.form_id, (ind.form, []))[1].append(ind)
    return sorted(grouped.values(), key=lambda pair: (pair[0].position, pair[0].pk))


def _cell_value(value: Any, value_type: str) -> Any:
    if value is None:
        return None
    if value_type == "text":
        return str(value)
    if value_type == "integer":
        return int(value)
    return float(value)  # a real number cell; the stored value stays an exact decimal string


def workbook(
    period: ReportPeriod,
    indicators: Sequence[Indicator],
    *,
    unit_code: str,
    unit_label: str,
    values: Mapping[str, Any] | None = None,
) -> bytes:
    """The report in its form layout; with no ``values``, the blank template."""
    definition = period.definition
    book = Workbook()
    book.remove(book.active)
    window = f"{period.label} (số liệu từ {period.start:%d/%m/%Y} đến {period.end:%d/%m/%Y})"
    for form, rows in _forms(indicators):
        sheet = book.create_sheet(form.sheet_name)
        sheet["A1"] = definition.name
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.merge_cells("A1:F1")
        sheet["A2"] = f"Biểu: {form.code} — {form.name}"
        sheet["A3"], sheet["B3"] = "Kỳ báo cáo:", window
        sheet["A4"], sheet["B4"] = "Đơn vị báo cáo:", unit_label
        for col, title in enumerate(HEADERS, start=1):
            cell = sheet.cell(row=HEADER_ROW, column=col, value=title)
            cell.font = BOLD
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, ind in enumerate(rows):
            r = FIRST_ROW + i
            sheet.cell(row=r, column=1, value=i + 1)
            sheet.cell(row=r, column=2, value=ind.code)
            sheet.cell(row=r, column=3, value=ind.name).alignment = Alignment(wrap_text=True)
            sheet.cell(row=r, column=4, value=ind.unit_of_measure)
            sheet.cell(row=r, column=5, value=TYPE_TEXT.get(ind.value_type, ind.value_type))
            cell = sheet.cell(
                row=r, column=6, value=_cell_value((values or {}).get(ind.code), ind.value_type)
            )
            cell.fill = INPUT_FILL
            if ind.value_type == "text":
                cell.number_format = "@"
        for letter, width in zip("ABCDEF", (6, 12, 60, 12, 14, 18), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = f"A{FIRST_ROW}"
    meta = book.create_sheet(META_SHEET)
    for r, (name, value) in enumerate(
        (
            ("layout", LAYOUT),
            ("report", definition.code),
            ("period", period.key),
            ("unit", unit_code),
            ("note", "Không sửa trang này: hệ thống dùng nó để nhận ra mẫu báo cáo."),
        ),
        start=1,
    ):
        meta.cell(row=r, column=1, value=name)
        meta.cell(row=r, column=2, value=value)
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Upload:
    values: dict[str, Any]  # stored form, ready for ``services.save_report``
    raw: dict[str, Any]  # indicator code → cell value as read
    places: dict[str, str]  # indicator code → "trang “…”, ô F9"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read(data: bytes, period: ReportPeriod, indicators: Sequence[Indicator], *, unit_code: str) -> Upload:
    """Read an uploaded report; refuse it whole (``InvalidReport``, 422) naming each bad place."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidReport(f"Tệp lớn quá {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data.startswith(b"PK\x03\x04"):
        raise InvalidReport(
            "Tệp không phải bảng tính Excel (.xlsx). Hãy tải mẫu báo cáo về và điền vào mẫu đó."
        )
    try:
        book = load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise InvalidReport(f"Không đọc được tệp Excel ({exc.__class__.__name__}).") from None
    problems: list[Problem] = []
    if META_SHEET not in book.sheetnames:
        raise InvalidReport(
            f"Tệp không có trang “{META_SHEET}” của mẫu báo cáo: "
            "hãy tải mẫu về từ hệ thống và điền vào mẫu đó."
        )
    meta = {
        _text(r[0]): _text(r[1]) for r in book[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True)
    }
    expected = {"layout": LAYOUT, "report": period.definition.code, "period": period.key, "unit": unit_code}
    labels = {"layout": "phiên bản mẫu", "report": "mã báo cáo", "period": "kỳ báo cáo", "unit": "đơn vị"}
    for name, want in expected.items():
        if meta.get(name) != want:
            problems.append(
                Problem(
                    "",
                    f"trang “{META_SHEET}”",
                    f"{labels[name]} trong tệp là “{meta.get(name, '')}”, báo cáo này cần “{want}”",
                )
            )
    if problems:
        raise refuse(problems, "Tệp là mẫu của báo cáo khác")
    raw: dict[str, Any] = {}
    places: dict[str, str] = {}
    for form, rows in _forms(indicators):
        name = form.sheet_name
        if name not in book.sheetnames:
            problems.append(Problem("", f"trang “{name}”", "không có trong tệp (đã đổi tên hoặc xóa trang?)"))
            continue
        sheet = book[name]
        for col, title in enumerate(HEADERS, start=1):
            cell = sheet.cell(row=HEADER_ROW, column=col)
            if _text(cell.value) != title:
                problems.append(
                    Problem(
                        "",
                        f"trang “{name}”, ô {cell.coordinate}",
                        f"tiêu đề cột phải là “{title}”, trong tệp là “{_text(cell.value)}”",
                    )
                )
        for i, ind in enumerate(rows):
            r = FIRST_ROW + i
            code_cell = sheet.cell(row=r, column=2)
            if _text(code_cell.value) != ind.code:
                problems.append(
                    Problem(
                        ind.code,
                        f"trang “{name}”, ô {code_cell.coordinate}",
                        f"dòng này phải là chỉ tiêu “{ind.code}”, trong tệp là “{_text(code_cell.value)}” "
                        "(không thêm, xóa hay đổi thứ tự dòng)",
                    )
                )
                continue
            raw[ind.code] = sheet.cell(row=r, column=6).value
            places[ind.code] = f"trang “{name}”, ô {VALUE_COLUMN}{r} (chỉ tiêu {ind.code})"
        extra = sheet.cell(row=FIRST_ROW + len(rows), column=2).value
        if _text(extra):
            problems.append(
                Problem(
                    "",
                    f"trang “{name}”, ô B{FIRST_ROW + len(rows)}",
                    f"có dòng thừa “{_text(extra)}” sau chỉ tiêu cuối cùng",
                )
            )
    if problems:
        raise refuse(problems, "Tệp không đúng mẫu báo cáo")
    values, problems = check_values(list(indicators), raw, complete=False, places=places)
    if problems:
        raise refuse(problems, "Số liệu trong tệp chưa hợp lệ")
    return Upload(values=values, raw=raw, places=places)
