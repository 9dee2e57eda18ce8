"""Problems of a catalogue document and where they are (procedure code, version, field path)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from motcua.catalogue import rules
from motcua.core.errors import DomainError

Loc = rules.Loc
Problem = rules.Problem
Locate = Callable[[Loc], dict[str, Any]]

MAX_DETAILS = 500


# ---------------------------------------------------------------------------------------------
# Problems and where they are


def loc_path(loc: Sequence[str | int]) -> str:
    """``("versions", 0, "workflow", 2, "code")`` → ``versions[0].workflow[2].code``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _item(container: Any, key: str, index: int) -> Any:
    if isinstance(container, dict):
        items = container.get(key)
        if isinstance(items, list) and 0 <= index < len(items):
            return items[index]
    return None


def document_locator(document: Any) -> Locate:
    """Locate problems in a JSON document: procedure code, version number, field path."""

    def locate(loc: Loc) -> dict[str, Any]:
        detail: dict[str, Any] = {}
        if len(loc) >= 2 and loc[0] == "procedures" and isinstance(loc[1], int):
            raw_procedure = _item(document, "procedures", loc[1])
            code = raw_procedure.get("code") if isinstance(raw_procedure, dict) else None
            detail["procedure"] = code if isinstance(code, str) and code else f"(thủ tục thứ {loc[1] + 1})"
            rest = loc[2:]
            if len(rest) >= 2 and rest[0] == "versions" and isinstance(rest[1], int):
                raw_version = _item(raw_procedure, "versions", rest[1])
                number = raw_version.get("version") if isinstance(raw_version, dict) else None
                detail["version"] = number if number is not None else f"(phiên bản thứ {rest[1] + 1})"
            detail["field"] = loc_path(rest)
        else:
            detail["field"] = loc_path(loc)
        return detail

    return locate


def describe_problem(detail: dict[str, Any]) -> str:
    """One line for people: where, then what."""
    where: list[str] = []
    if "sheet" in detail:
        where.append(f"trang “{detail['sheet']}”")
    if detail.get("row") is not None:
        where.append(f"dòng {detail['row']}")
    if detail.get("column"):
        where.append(f"cột “{detail['column']}”")
    if "procedure" in detail:
        where.append(f"thủ tục {detail['procedure']}")
    if detail.get("version") is not None:
        where.append(f"phiên bản {detail['version']}")
    if detail.get("field") and "column" not in detail:
        where.append(f"trường {detail['field']}")
    prefix = ", ".join(where)
    return f"{prefix}: {detail['problem']}" if prefix else str(detail["problem"])


class InvalidCatalogue(DomainError):
    """A document that cannot be imported; ``details`` lists every problem (at most ``MAX_DETAILS``)."""

    code = "import_invalid"

    def __init__(self, details: list[dict[str, Any]]) -> None:
        self.headline = (
            f"Dữ liệu danh mục thủ tục không hợp lệ ({len(details)} lỗi); chưa có thay đổi nào được lưu."
        )
        first = describe_problem(details[0]) if details else ""
        super().__init__(f"{self.headline} Lỗi đầu tiên — {first}", details=details[:MAX_DETAILS])


def invalid_import(details: list[dict[str, Any]]) -> InvalidCatalogue:
    return InvalidCatalogue(details)
