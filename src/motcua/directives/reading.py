"""A plan from the bytes of an uploaded or given file: ``.docx`` (Word) or ``.txt`` (the plain-text
export). Pure Python; every refusal is a ``PlanError`` with a Vietnamese message."""

from __future__ import annotations

from motcua.directives.docx_reader import read_docx
from motcua.directives.planparse import Plan, PlanError, parse_text

MAX_PLAN_BYTES = 20 * 1024 * 1024
SUFFIXES = (".docx", ".txt")


def read_plan(data: bytes, name: str) -> Plan:
    lowered = name.lower()
    if not lowered.endswith(SUFFIXES):
        raise PlanError(f"Tệp “{name}”: chỉ nhận kế hoạch dạng Word (.docx) hoặc văn bản (.txt).")
    if len(data) > MAX_PLAN_BYTES:
        raise PlanError(f"Tệp “{name}” quá lớn (tối đa {MAX_PLAN_BYTES // (1024 * 1024)} MB).")
    if lowered.endswith(".docx"):
        return read_docx(data, name)
    if not data.strip():
        raise PlanError(f"Tệp “{name}” rỗng.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PlanError(f"Tệp “{name}” không phải văn bản UTF-8 (dòng {line}).") from exc
    return parse_text(text)
