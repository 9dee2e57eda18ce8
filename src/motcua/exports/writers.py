"""Write a table to CSV (UTF-8 with BOM, so Excel opens Vietnamese text correctly) or to XLSX.

Values are typed by their column: dates and moments become real Excel dates shown as dd/mm/yyyy
(local time, Asia/Ho_Chi_Minh), numbers stay numbers. Text that a spreadsheet would read as a
formula (=, +, -, @ at the start) is neutralised: CSV gets a leading apostrophe, XLSX a text cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from motcua.exports.registry import Column
from motcua.workdays.domain import to_local

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Progress = Callable[[int], None]


def _local_naive(value: datetime) -> datetime:
    return to_local(value).replace(tzinfo=None) if value.tzinfo else value


def text_value(value: Any, column: Column) -> str:
    """The CSV text of one value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime):
        return _local_naive(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal | float) and column.type == "percent":
        return f"{value:.2f}"
    text = str(value)
    if column.type == "text" and text.startswith(FORMULA_START):
        return "'" + text
    return text


def write_csv(
    out: IO[bytes], columns: Sequence[Column], rows: Iterable[Sequence[Any]], progress: Progress | None = None
) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([c.header for c in columns])
    count = 0
    for row in rows:
        writer.writerow([text_value(v, c) for v, c in zip(row, columns, strict=True)])
        count += 1
        if progress and count % 500 == 0:
            progress(count)
    text.flush()
    text.detach()
    return count


def write_xlsx(
    out: IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    about: Sequence[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="0B2545")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v, c) for v, c in zip(row, columns, strict=True)])
        count += 1
        if progress and count % 500 == 0:
            progress(count)
    if count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    info = book.create_sheet(title="Thông tin")
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80
    for label, value in [("Bảng", title), *about, ("Số dòng", str(count))]:
        info.append([label, value])
    book.save(out)
    return count


def _xlsx_cell(sheet: Any, value: Any, column: Column) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_local_naive(value))
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
        if column.type == "percent":
            cell.number_format = "0.00"
        return cell
    text = str(value)
    cell = WriteOnlyCell(sheet, value=text)
    if text.startswith("="):
        cell.data_type = "s"  # never a formula
    return cell


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return (cleaned or "Dữ liệu")[:31]
