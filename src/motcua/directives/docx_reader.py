"""A plan from a Word ``.docx`` file (python-docx): its task table and the lines around it. No Django.

The task table is the first table whose first row is a task-table header (see
``planparse.header_columns``); a table that follows it with the same number of columns and no header
continues it (Word splits long tables when people edit them). Merged cells repeat their text in each
column they span, as in the plain-text export, so both go through ``planparse.parse_rows``. A cell's
paragraphs are joined with line breaks. Places are "bảng T, hàng R" (counted from 1, header included).
"""

from __future__ import annotations

import io
import zipfile
from typing import IO, Any

from motcua.directives.planparse import (
    NOT_A_PLAN,
    Column,
    Plan,
    PlanError,
    Row,
    document_info,
    header_columns,
    parse_rows,
)


def _cell_text(cell: Any) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


def _row_cells(row: Any) -> list[str]:
    return [_cell_text(c) for c in row.cells]


def _open(source: bytes | IO[bytes], name: str) -> Any:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    data = source if isinstance(source, bytes) else source.read()
    if not data:
        raise PlanError(f"Tệp “{name}” rỗng.")
    if not data.startswith(b"PK"):
        hint = " (tệp .doc cũ: hãy lưu lại dạng .docx)" if data.startswith(b"\xd0\xcf\x11\xe0") else ""
        raise PlanError(f"Tệp “{name}” không phải tài liệu Word .docx{hint}.")
    try:
        return Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PlanError(f"Tệp “{name}” không đọc được như tài liệu Word .docx: {exc}.") from exc
    except Exception as exc:  # lxml errors on a damaged part, etc.
        raise PlanError(f"Tệp “{name}” bị hỏng, không đọc được: {type(exc).__name__}.") from exc


def read_docx(source: bytes | IO[bytes], name: str = "tệp .docx") -> Plan:
    document = _open(source, name)
    columns: dict[Column, int] | None = None
    width = 0
    rows: list[Row] = []
    for t_index, table in enumerate(document.tables, start=1):
        try:
            table_rows = list(table.rows)
        except Exception as exc:
            raise PlanError(f"Bảng {t_index} của tệp “{name}” bị hỏng: {type(exc).__name__}.") from exc
        if not table_rows:
            continue
        first = _row_cells(table_rows[0])
        found = header_columns(first)
        if found is not None and columns is None:
            columns, width = found, len(first)
            body = enumerate(table_rows[1:], start=2)
        elif columns is not None and found is None and len(first) == width:
            body = enumerate(table_rows, start=1)  # the table continues after a break
        else:
            if columns is not None:
                break  # another table after the task table
            continue
        for r_index, row in body:
            rows.append(Row(f"bảng {t_index}, hàng {r_index}", tuple(_row_cells(row))))
    if columns is None:
        raise PlanError(NOT_A_PLAN)
    text = "\n".join(p.text for p in document.paragraphs)
    info = document_info(text)
    return Plan(info, parse_rows(rows, columns, reference=info.issued_on))
