"""Checks of the import's raw input that come before the field checks: bytes, characters, nesting.

A line that passes them can be stored anywhere motcua stores text (PostgreSQL refuses NUL in text
and ``jsonb``; a lone surrogate cannot even be encoded to UTF-8), and every problem is found in pass 1,
naming the line and the field, before anything is written (docs/dossiers-import.md §5):

- ``decode``: the line's bytes must be UTF-8 (a byte-order mark is allowed at the start of the file);
- ``DECODER``: JSON without ``NaN``, ``Infinity`` or numbers beyond a float's range;
- ``check_value``: every string of the parsed line, keys included, must be free of NUL, lone
  surrogates (``"\\ud800"`` escapes) and control characters other than tab and line breaks (LF, or
  CR LF); lists and objects may nest at most ``MAX_DEPTH`` levels (the line's own object is level 1).

Pure Python, no Django.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 20
BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# Anything that needs a closer look: a backslash (an escape in the JSON text, which may stand for any
# character), a C1 control or DEL, a surrogate (a ``str`` source can hold one). A line without any of
# them holds no forbidden character: JSON itself rejects raw C0 controls inside strings.
_SUSPECT = re.compile(r"[\\\x7f-\x9f\ud800-\udfff]")
# Forbidden in a string: C0 controls but tab, LF and a CR before LF; DEL and C1 controls; surrogates.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]|\r(?!\n)")


class LineProblem(Exception):
    """A problem of one line: ``field`` names where (``(dòng)`` for the line itself)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def decode(raw: bytes, *, first: bool = False) -> str:
    """The text of one line of the file; ``LineProblem`` when it is not UTF-8."""
    if first:
        if raw.startswith(BOM):
            raw = raw[len(BOM) :]
        elif raw.startswith(_UTF16_BOMS):
            raise LineProblem("(dòng)", "tệp mã hóa UTF-16; cần lưu lại dạng UTF-8.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.end]
        column = len(raw[: exc.start].decode("utf-8", errors="replace")) + 1
        raise LineProblem(
            "(dòng)",
            f"không phải văn bản UTF-8 hợp lệ: byte {' '.join(f'0x{b:02X}' for b in bad)} ở cột {column}.",
        ) from None


def _constant(name: str) -> Any:
    raise LineProblem("(dòng)", f"{name} không phải giá trị JSON hợp lệ.")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise LineProblem("(dòng)", f"số {text[:30]} quá lớn.")
    return value


# ``json.loads`` but refusing what JSON does not have and no store keeps: NaN, Infinity, a number too
# large for a float (Python reads 1e400 as infinity). An integer of more than 4,300 digits raises
# ``ValueError`` (Python's limit).
DECODER = json.JSONDecoder(parse_constant=_constant, parse_float=_float)


def suspect(text: str) -> bool:
    """Whether a line's text needs ``check_value`` (cheap; false for most lines)."""
    return _SUSPECT.search(text) is not None


def describe(char: str) -> str:
    """A forbidden character as the messages name it."""
    code = ord(char)
    if code == 0:
        return "ký tự NUL (U+0000)"
    if 0xD800 <= code <= 0xDFFF:
        return f"nửa cặp thay thế (surrogate) đứng riêng U+{code:04X}, không phải ký tự Unicode hợp lệ"
    return f"ký tự điều khiển U+{code:04X}"


def bad_text(text: str) -> str | None:
    """What is wrong with one string (``None``: nothing)."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    return f"chứa {describe(found.group()[0])} ở vị trí {found.start() + 1}."


def check_value(obj: Any) -> tuple[str, str] | None:
    """The first problem of a parsed line as ``(field, message)``, else ``None``. ``field`` is the
    path of the value (``GhiChu``, ``TaiLieuNop[2].TenTepDinhKem``, 1-based like the other messages)."""
    # iterative: a line nested deeper than the limit is reported, never recursed into
    stack: list[tuple[Any, str, int]] = [(obj, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            problem = bad_text(value)
            if problem is not None:
                return path or "(dòng)", problem
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return path or "(dòng)", f"lồng nhau quá {MAX_DEPTH} cấp (mảng, đối tượng JSON)."
            children: list[tuple[Any, str, int]] = []
            if isinstance(value, dict):
                for key, item in value.items():
                    where = f"{path}.{key}" if path else str(key)
                    problem = bad_text(key)
                    if problem is not None:
                        return (path or "(dòng)"), f"tên trường {key!r} {problem}"
                    children.append((item, where, depth + 1))
            else:
                for i, item in enumerate(value, 1):
                    children.append((item, f"{path}[{i}]", depth + 1))
            stack.extend(reversed(children))  # report the first problem in the line's order
    return None
