"""Excel (.xlsx) import and export of the catalogue, through the same document and validation as JSON.

Four sheets, keyed by procedure code + version number:

- “Thủ tục”: one row per procedure version (the procedure's field and level repeat on each row);
- “Thành phần”: dossier components; “Phí lệ phí”: fees; “Quy trình”: internal workflow steps.

Choice columns hold the Vietnamese labels (the codes are accepted too), lists hold one item per line
inside the cell, yes/no columns hold “Có”/“Không”, dates are date cells or dd/mm/yyyy. A workbook
is turned into the interchange document and imported by ``services.import_catalogue``; every
problem names the sheet, the row number and the column.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from motcua.catalogue.models import Component, Fee, LimitUnit, Procedure, ProcedureVersion, WorkflowStep
from motcua.catalogue.services import ImportReport, Loc, export_catalogue, import_catalogue, invalid_import
from motcua.core.errors import DomainError
from motcua.core.models import Role
from motcua.core.text import fold

SHEET_PROCEDURES = "Thủ tục"
SHEET_COMPONENTS = "Thành phần"
SHEET_FEES = "Phí lệ phí"
SHEET_WORKFLOW = "Quy trình"
SHEETS = (SHEET_PROCEDURES, SHEET_COMPONENTS, SHEET_FEES, SHEET_WORKFLOW)
CHILD_SHEETS = {"components": SHEET_COMPONENTS, "fees": SHEET_FEES, "workflow": SHEET_WORKFLOW}

VERSION_LEVELS = {"ministry": "Cấp bộ", "province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}
CHANNELS = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính"}
YES, NO = "Có", "Không"
_TRUE = {"co", "x", "true", "1", "dung", "yes"}
_FALSE = {"khong", "false", "0", "sai", "no"}


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label)[:1].upper() + str(label)[1:] for value, label in choices}


@dataclass(frozen=True, eq=False)
class Column:
    key: tuple[str, ...]  # path inside the procedure (level "p") or the version/child item
    header: str
    kind: str = "text"  # text | int | decimal | date | bool | list | json | choice | choices | code
    choices: dict[str, str] = field(default_factory=dict)
    width: int = 18
    required: bool = False
    scope: str = "item"  # "p": procedure-level (Thủ tục sheet only); "item": version or child item


KEY_COLUMNS = (
    Column(("code",), "Mã TTHC", "code", width=14, required=True, scope="p"),
    Column(("version",), "Phiên bản", "int", width=10, required=True, scope="key"),
)

PROCEDURE_COLUMNS = (
    *KEY_COLUMNS,
    Column(("field", "code"), "Mã lĩnh vực", width=14, scope="p"),
    Column(("field", "name"), "Lĩnh vực", width=24, required=True, scope="p"),
    Column(("level",), "Cấp thực hiện", "choice", _labels(Procedure.Level.choices), 12, True, "p"),
    Column(("status",), "Trạng thái", "choice", _labels(ProcedureVersion.Status.choices), 16),
    Column(("effective_from",), "Hiệu lực từ", "date", width=12, required=True),
    Column(("effective_to",), "Hết hiệu lực từ", "date", width=12),
    Column(("decision",), "Quyết định công bố", width=22),
    Column(("decision_date",), "Ngày quyết định", "date", width=12),
    Column(("name",), "Tên thủ tục", width=50, required=True),
    Column(("levels",), "Các cấp thực hiện (theo quyết định)", "choices", VERSION_LEVELS, 14),
    Column(("implementing_agency",), "Cơ quan thực hiện", width=30),
    Column(("implementing_units",), "Đơn vị thực hiện (mã)", "list", width=18),
    Column(("sequence",), "Trình tự thực hiện", width=40),
    Column(("method",), "Cách thức thực hiện", width=40),
    Column(("channels",), "Hình thức nộp", "choices", CHANNELS, 14),
    Column(("time_limit", "value"), "Thời hạn giải quyết", "decimal", width=10, required=True),
    Column(("time_limit", "unit"), "Đơn vị thời hạn", "choice", _labels(LimitUnit.choices), 16, True),
    Column(("time_limit", "text"), "Thời hạn (nguyên văn)", width=40),
    Column(("target_groups",), "Đối tượng thực hiện", "list", width=24),
    Column(("result_types",), "Kết quả thực hiện", "list", width=30),
    Column(("result_doc_type",), "Loại giấy tờ kết quả (mã)", width=16),
    Column(("paper_result_required",), "Kết quả là giấy tờ", "bool", width=10),
    Column(("legal_bases",), "Căn cứ pháp lý", "list", width=40),
    Column(
        ("online_level",),
        "Mức độ trực tuyến",
        "choice",
        _labels(ProcedureVersion.OnlineLevel.choices),
        16,
        True,
    ),
    Column(("online_partial_reason",), "Lý do chỉ cung cấp một phần", width=30),
    Column(("notes",), "Ghi chú nguồn (JSON)", "json", width=40),
    Column(("verified",), "Trường đã đối chiếu nguồn (JSON)", "json", width=40),
    Column(("sources",), "Nguồn", "list", width=40),
)

COMPONENT_COLUMNS = (
    *KEY_COLUMNS,
    Column(("order",), "Thứ tự", "int", width=8),
    Column(("code",), "Mã thành phần", width=14),
    Column(("name",), "Tên giấy tờ", width=60, required=True),
    Column(("kind",), "Loại bản", "choice", _labels(Component.Kind.choices), 18),
    Column(("quantity",), "Số lượng", "int", width=9),
    Column(("role",), "Nộp / xuất trình", "choice", _labels(Component.Role.choices), 12),
    Column(("required",), "Bắt buộc", "bool", width=9),
    Column(("channels",), "Áp dụng khi nộp (trống: mọi hình thức)", "choices", CHANNELS, 16),
    Column(("alternative_group",), "Nhóm thay thế", width=14),
    Column(("doc_type",), "Loại giấy tờ (mã)", width=16),
    Column(("form_template",), "Mẫu đơn, tờ khai", width=24),
    Column(("eform_schema",), "Biểu mẫu điện tử (JSON)", "json", width=24),
    Column(("note",), "Ghi chú", width=40),
)

FEE_COLUMNS = (
    *KEY_COLUMNS,
    Column(("order",), "Thứ tự", "int", width=8),
    Column(("name",), "Tên phí, lệ phí", width=50, required=True),
    Column(("kind",), "Loại", "choice", _labels(Fee.Kind.choices), 10),
    Column(("amount_vnd",), "Mức thu (đồng)", "int", width=14),
    Column(("basis",), "Cách tính", "choice", _labels(Fee.Basis.choices), 16),
    Column(("reduced_from_page",), "Mức giảm từ trang thứ", "int", width=10),
    Column(("reduced_vnd",), "Mức thu từ trang đó (đồng/trang)", "int", width=14),
    Column(("cap_vnd",), "Tối đa mỗi bản (đồng)", "int", width=14),
    Column(("exemptions",), "Miễn, giảm", width=40),
    Column(("exemption_rules",), "Các trường hợp miễn, giảm (JSON)", "json", width=40),
    Column(("pay_first",), "Nộp khi nộp hồ sơ trực tuyến", "bool", width=12),
    Column(("note",), "Ghi chú", width=50),
)

WORKFLOW_COLUMNS = (
    *KEY_COLUMNS,
    Column(("order",), "Bước", "int", width=7, required=True),
    Column(("code",), "Mã bước", width=14, required=True),
    Column(("name",), "Tên bước", width=36, required=True),
    Column(("role",), "Vai trò thực hiện", "choice", _labels(Role.choices), 22, True),
    Column(("unit_mode",), "Đơn vị thực hiện", "choice", _labels(WorkflowStep.UnitMode.choices), 28),
    Column(("unit",), "Đơn vị cụ thể (mã)", width=16),
    Column(("allotted_hours",), "Thời gian (giờ làm việc)", "decimal", width=12, required=True),
    Column(("parallel_group",), "Nhóm song song", width=12),
    Column(("is_consultation",), "Lấy ý kiến, liên thông", "bool", width=12),
)

COLUMNS = {
    SHEET_PROCEDURES: PROCEDURE_COLUMNS,
    SHEET_COMPONENTS: COMPONENT_COLUMNS,
    SHEET_FEES: FEE_COLUMNS,
    SHEET_WORKFLOW: WORKFLOW_COLUMNS,
}


# ---------------------------------------------------------------------------------------------
# Export


def _get(obj: dict[str, Any], key: tuple[str, ...]) -> Any:
    value: Any = obj
    for part in key:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _cell_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "choice":
        return column.choices.get(value, value)
    if column.kind == "choices":
        return "\n".join(column.choices.get(v, v) for v in value) or None
    if column.kind == "list":
        return "\n".join(str(v) for v in value) or None
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "date":
        return date.fromisoformat(value)
    if column.kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value not in ({}, None) else None
    return value if value != "" else None


def _write_sheet(wb: Workbook, title: str, rows: list[list[Any]], columns: tuple[Column, ...]) -> None:
    ws = wb.create_sheet(title)
    ws.append([c.header for c in columns])
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for row in rows:
        ws.append(row)
    for index, column in enumerate(columns, start=1):
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            if column.kind == "date":
                cell.number_format = "DD/MM/YYYY"
            elif column.kind in {"code", "text", "list", "json", "choice", "choices"}:
                cell.number_format = "@"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions


def export_workbook(document: dict[str, Any]) -> Workbook:
    """An interchange document (as from ``export_catalogue``) as a workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    rows: dict[str, list[list[Any]]] = {sheet: [] for sheet in SHEETS}
    for p in document["procedures"]:
        for v in p["versions"]:
            keys = [p["code"], v["version"]]
            rows[SHEET_PROCEDURES].append(
                keys
                + [_cell_value(c, _get(p if c.scope == "p" else v, c.key)) for c in PROCEDURE_COLUMNS[2:]]
            )
            for part, sheet in CHILD_SHEETS.items():
                for item in v.get(part, []):
                    rows[sheet].append(keys + [_cell_value(c, _get(item, c.key)) for c in COLUMNS[sheet][2:]])
    for sheet in SHEETS:
        _write_sheet(wb, sheet, rows[sheet], COLUMNS[sheet])
    return wb


def export_catalogue_workbook(codes: list[str] | None = None) -> Workbook:
    return export_workbook(export_catalogue(codes))


# ---------------------------------------------------------------------------------------------
# Import


class _CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_code(value: Any) -> str:
    # A TTHC code typed into a number cell loses its trailing zeros (1.001190 → 1.00119): national
    # codes have six decimals, so a number is written back with six.
    if isinstance(value, float) and 0 < value < 10 and not value.is_integer():
        return f"{value:.6f}"
    return _text(value)


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _CellError("Phải là số nguyên.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).replace(".", "").replace(" ", "") if isinstance(value, str) else ""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise _CellError(f"“{value}” không phải số nguyên.")


def _parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _CellError("Phải là số.")
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    try:
        return Decimal(_text(value).replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise _CellError(f"“{value}” không phải số.") from exc


def _parse_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise _CellError(f"“{value}” không phải ngày hợp lệ; dùng dạng dd/mm/yyyy.")


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    folded = fold(_text(value))
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise _CellError(f"“{value}” không hợp lệ; ghi “{YES}” hoặc “{NO}”.")


def _parse_choice(value: Any, choices: dict[str, str]) -> str:
    text = _text(value)
    if text in choices:
        return text
    folded = fold(text)
    for code, label in choices.items():
        if folded in (fold(label), fold(code)):
            return code
    raise _CellError(f"“{text}” không hợp lệ; chọn một trong: {', '.join(choices.values())}.")


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in str(value).splitlines() if line.strip()]


def _parse(column: Column, value: Any) -> Any:
    kind = column.kind
    if kind == "code":
        return _parse_code(value)
    if kind == "int":
        return _parse_int(value)
    if kind == "decimal":
        return str(_parse_decimal(value))
    if kind == "date":
        return _parse_date(value)
    if kind == "bool":
        return _parse_bool(value)
    if kind == "choice":
        return _parse_choice(value, column.choices)
    if kind == "choices":
        return [_parse_choice(line, column.choices) for line in _lines(value)]
    if kind == "list":
        return _lines(value)
    if kind == "json":
        try:
            return json.loads(str(value))
        except json.JSONDecodeError as exc:
            raise _CellError(f"Không phải JSON hợp lệ: {exc.msg} (vị trí {exc.pos}).") from exc
    return _text(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _put(target: dict[str, Any], key: tuple[str, ...], value: Any) -> None:
    for part in key[:-1]:
        target = target.setdefault(part, {})
    target[key[-1]] = value


@dataclass
class _Sheet:
    name: str
    columns: dict[int, Column]  # 0-based position → column
    rows: list[tuple[int, tuple[Any, ...]]]


@dataclass
class WorkbookSource:
    """The document read from a workbook and where each part of it came from."""

    document: dict[str, Any]
    version_rows: dict[tuple[int, int], int] = field(default_factory=dict)
    procedure_rows: dict[int, int] = field(default_factory=dict)
    child_rows: dict[tuple[int, int, str, int], int] = field(default_factory=dict)

    def locate(self, loc: Loc) -> dict[str, Any]:
        """Sheet, row and column of a problem found in the document."""
        detail: dict[str, Any] = {"sheet": SHEET_PROCEDURES, "row": None}
        if len(loc) < 2 or loc[0] != "procedures" or not isinstance(loc[1], int):
            return detail
        i = loc[1]
        procedures = self.document.get("procedures", [])
        if i < len(procedures):
            detail["procedure"] = procedures[i].get("code")
        rest = loc[2:]
        if len(rest) >= 2 and rest[0] == "versions" and isinstance(rest[1], int):
            j = rest[1]
            versions = procedures[i].get("versions", []) if i < len(procedures) else []
            if j < len(versions):
                detail["version"] = versions[j].get("version")
            detail["row"] = self.version_rows.get((i, j))
            inner = rest[2:]
            if inner and inner[0] in CHILD_SHEETS:
                sheet = CHILD_SHEETS[str(inner[0])]
                detail["sheet"] = sheet
                if len(inner) >= 2 and isinstance(inner[1], int):
                    detail["row"] = self.child_rows.get((i, j, str(inner[0]), inner[1]))
                    detail["column"] = _header_for(COLUMNS[sheet], tuple(str(x) for x in inner[2:3]))
                else:
                    first = [
                        r
                        for (a, b, part, _), r in self.child_rows.items()
                        if (a, b, part) == (i, j, inner[0])
                    ]
                    detail["row"] = min(first) if first else self.version_rows.get((i, j))
                    if not first:
                        detail["sheet"] = SHEET_PROCEDURES
            else:
                detail["column"] = _header_for(
                    PROCEDURE_COLUMNS, tuple(str(x) for x in inner if isinstance(x, str))
                )
        else:
            detail["row"] = self.procedure_rows.get(i)
            detail["column"] = _header_for(
                PROCEDURE_COLUMNS, tuple(str(x) for x in rest if isinstance(x, str))
            )
        return {k: v for k, v in detail.items() if v is not None or k == "row"}


def _header_for(columns: tuple[Column, ...], key: tuple[str, ...]) -> str | None:
    for length in range(len(key), 0, -1):
        for column in columns:
            if column.key == key[:length]:
                return column.header
    return None


def _read_sheets(source: str | Path | IO[bytes]) -> dict[str, _Sheet]:
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DomainError("Tệp không phải bảng tính Excel (.xlsx) hợp lệ.", code="import_invalid") from exc
    problems: list[dict[str, Any]] = []
    sheets: dict[str, _Sheet] = {}
    try:
        by_folded = {fold(name): name for name in wb.sheetnames}
        for name in SHEETS:
            actual = by_folded.get(fold(name))
            if actual is None:
                problems.append(
                    {"sheet": name, "row": None, "problem": f"Thiếu trang “{name}” trong tệp Excel."}
                )
                continue
            rows = list(wb[actual].iter_rows(values_only=True))
            header = rows[0] if rows else ()
            known = {fold(c.header): c for c in COLUMNS[name]}
            positions: dict[int, Column] = {}
            for index, title in enumerate(header):
                if _blank(title):
                    continue
                column = known.get(fold(str(title)))
                if column is None:
                    problems.append(
                        {
                            "sheet": name,
                            "row": 1,
                            "column": str(title),
                            "problem": f"Cột “{title}” không có trong định dạng danh mục.",
                        }
                    )
                    continue
                positions[index] = column
            present = {c.header for c in positions.values()}
            for column in COLUMNS[name]:
                if column.required and column.header not in present:
                    problems.append(
                        {
                            "sheet": name,
                            "row": 1,
                            "column": column.header,
                            "problem": f"Thiếu cột bắt buộc “{column.header}”.",
                        }
                    )
            data_rows = [
                (number, row)
                for number, row in enumerate(rows[1:], start=2)
                if any(not _blank(value) for value in row)
            ]
            sheets[name] = _Sheet(name, positions, data_rows)
    finally:
        wb.close()
    if problems:
        raise invalid_import(problems)
    return sheets


def _row_values(
    sheet: _Sheet, number: int, row: tuple[Any, ...], problems: list[dict[str, Any]]
) -> dict[Column, Any]:
    values: dict[Column, Any] = {}
    for index, column in sheet.columns.items():
        raw = row[index] if index < len(row) else None
        if _blank(raw):
            if column.required:
                problems.append(
                    {
                        "sheet": sheet.name,
                        "row": number,
                        "column": column.header,
                        "problem": "Không được để trống.",
                    }
                )
            continue
        try:
            values[column] = _parse(column, raw)
        except _CellError as exc:
            problems.append(
                {"sheet": sheet.name, "row": number, "column": column.header, "problem": str(exc)}
            )
    return values


def read_workbook(source: str | Path | IO[bytes]) -> WorkbookSource:
    """The interchange document held by a workbook; raises ``DomainError`` naming sheet, row and column."""
    sheets = _read_sheets(source)
    problems: list[dict[str, Any]] = []
    procedures: list[dict[str, Any]] = []
    result = WorkbookSource({"format": "motcua.catalogue", "version": 1, "procedures": procedures})
    by_code: dict[str, int] = {}
    versions: dict[tuple[str, int], tuple[int, int]] = {}
    procedure_values: dict[int, tuple[int, dict[tuple[str, ...], Any]]] = {}

    sheet = sheets[SHEET_PROCEDURES]
    for number, row in sheet.rows:
        values = _row_values(sheet, number, row, problems)
        code, version = values.get(KEY_COLUMNS[0]), values.get(KEY_COLUMNS[1])
        if code is None or version is None:
            continue
        p_values = {c.key: v for c, v in values.items() if c.scope == "p" and c.key != ("code",)}
        if code not in by_code:
            by_code[code] = len(procedures)
            procedures.append({"code": code, "name": "", "versions": []})
            result.procedure_rows[by_code[code]] = number
            procedure_values[by_code[code]] = (number, p_values)
            for key, value in p_values.items():
                _put(procedures[-1], key, value)
        else:
            first_row, first_values = procedure_values[by_code[code]]
            for column in PROCEDURE_COLUMNS:
                if (
                    column.scope == "p"
                    and column.key != ("code",)
                    and p_values.get(column.key) != first_values.get(column.key)
                ):
                    problems.append(
                        {
                            "sheet": sheet.name,
                            "row": number,
                            "column": column.header,
                            "problem": f"Khác với dòng {first_row} của cùng thủ tục {code}; "
                            "thông tin chung của thủ tục phải giống nhau ở mọi dòng.",
                        }
                    )
        i = by_code[code]
        if (code, version) in versions:
            problems.append(
                {
                    "sheet": sheet.name,
                    "row": number,
                    "column": KEY_COLUMNS[1].header,
                    "problem": f"Phiên bản {version} của thủ tục {code} đã có ở dòng "
                    f"{result.version_rows[versions[(code, version)]]}.",
                }
            )
            continue
        item: dict[str, Any] = {"version": version}
        for column, value in values.items():
            if column.scope == "item":
                _put(item, column.key, value)
        for part in CHILD_SHEETS:
            item[part] = []
        j = len(procedures[i]["versions"])
        procedures[i]["versions"].append(item)
        versions[(code, version)] = (i, j)
        result.version_rows[(i, j)] = number

    for part, name in CHILD_SHEETS.items():
        sheet = sheets[name]
        for number, row in sheet.rows:
            values = _row_values(sheet, number, row, problems)
            code, version = values.get(KEY_COLUMNS[0]), values.get(KEY_COLUMNS[1])
            if code is None or version is None:
                continue
            target = versions.get((code, version))
            if target is None:
                problems.append(
                    {
                        "sheet": name,
                        "row": number,
                        "column": KEY_COLUMNS[0].header,
                        "problem": (
                            f"Không có dòng phiên bản {version} của thủ tục {code} "
                            f"ở trang “{SHEET_PROCEDURES}”."
                        ),
                    }
                )
                continue
            child: dict[str, Any] = {}
            for column, value in values.items():
                if column.scope == "item":
                    _put(child, column.key, value)
            i, j = target
            children = procedures[i]["versions"][j][part]
            result.child_rows[(i, j, part, len(children))] = number
            children.append(child)

    if problems:
        raise invalid_import(problems)
    for p in procedures:
        p["name"] = _procedure_name(p["versions"])
    return result


def _procedure_name(versions: list[dict[str, Any]]) -> str:
    published = [v for v in versions if v.get("status") == ProcedureVersion.Status.PUBLISHED]
    pool = published or versions
    best = max(pool, key=lambda v: (str(v.get("effective_from", "")), v["version"]), default=None)
    return str(best.get("name", "")) if best else ""


def import_workbook(source: str | Path | IO[bytes], *, dry_run: bool = False) -> ImportReport:
    """Import a catalogue workbook through the same validation as a JSON document."""
    workbook = read_workbook(source)
    locate: Callable[[Loc], dict[str, Any]] = workbook.locate
    return import_catalogue(workbook.document, dry_run=dry_run, locate=locate)
