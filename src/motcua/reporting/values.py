"""Indicator values: parsing what people type or put in a cell, and aggregating across units.

Pure Python (no Django). A value is stored in JSON as an ``int`` (integer), a string holding a decimal
("12.5"; decimal and percent — never a float), or a string (text). ``None`` means "not given".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

MAX_TEXT = 2000
MAX_ABS = Decimal("1e15")


class ValueType(StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"
    TEXT = "text"


class Aggregation(StrEnum):
    SUM = "sum"
    AVERAGE = "average"
    WEIGHTED_AVERAGE = "weighted_average"
    MIN = "min"
    MAX = "max"
    NONE = "none"


class ValueProblem(ValueError):
    """The message says what is wrong with the value (the caller adds the place)."""


TYPE_WORDS = {
    ValueType.INTEGER: "số nguyên",
    ValueType.DECIMAL: "số",
    ValueType.PERCENT: "tỷ lệ phần trăm (0–100)",
    ValueType.TEXT: "văn bản",
}

_NUMBER_RE = re.compile(r"[+-]?[0-9][0-9., ]*")


def _number_text(text: str) -> Decimal:
    """``1.234`` / ``1 234`` (thousands), ``12,5`` (Vietnamese decimal comma), ``12.5``, ``1.234,5``."""
    raw = text.strip().replace("\u00a0", " ")
    if raw.endswith("%"):
        raw = raw[:-1].strip()
    if not _NUMBER_RE.fullmatch(raw):
        raise ValueProblem(f"“{text.strip()}” không phải là số")
    raw = raw.replace(" ", "")
    if "," in raw and "." in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif "," in raw:
        raw = raw.replace(",", ".") if raw.count(",") == 1 else raw.replace(",", "")
    elif raw.count(".") > 1 or re.fullmatch(r"[+-]?[1-9]\d{0,2}\.\d{3}", raw):
        # 1.234 is one thousand two hundred and thirty-four in Vietnamese writing.
        raw = raw.replace(".", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueProblem(f"“{text.strip()}” không phải là số") from None
    return value


def parse(raw: Any, value_type: ValueType | str, *, allow_negative: bool = False) -> int | str | None:
    """The stored form of ``raw`` (a typed string, or a cell value: int, float, Decimal, str, None)."""
    kind = ValueType(value_type)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if kind is ValueType.TEXT:
        text = str(raw).strip()
        if len(text) > MAX_TEXT:
            raise ValueProblem(f"văn bản dài quá {MAX_TEXT} ký tự")
        return text
    if isinstance(raw, bool):
        raise ValueProblem(f"phải là {TYPE_WORDS[kind]}")
    if isinstance(raw, int | float | Decimal):
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        number = _number_text(raw)
    else:
        raise ValueProblem(f"phải là {TYPE_WORDS[kind]}")
    if not number.is_finite() or abs(number) >= MAX_ABS:
        raise ValueProblem("số quá lớn")
    if number < 0 and not allow_negative:
        raise ValueProblem(f"không được âm (nhận được {_show(number)})")
    if kind is ValueType.INTEGER:
        if number != number.to_integral_value():
            raise ValueProblem(f"phải là số nguyên (nhận được {_show(number)})")
        return int(number)
    if kind is ValueType.PERCENT and not Decimal(0) <= number <= Decimal(100):
        raise ValueProblem(f"tỷ lệ phần trăm phải từ 0 đến 100 (nhận được {_show(number)})")
    return _show(number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize())


def _show(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def as_decimal(value: int | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def round2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def aggregate(
    values: Sequence[int | str | None],
    value_type: ValueType | str,
    rule: Aggregation | str,
    weights: Sequence[int | str | None] | None = None,
) -> int | str | None:
    """One indicator across units (``values`` and ``weights`` in the same unit order).

    sum: Σ; average: the arithmetic mean of the units that gave a value; weighted_average:
    Σ vᵢ·wᵢ ÷ Σ wᵢ over the units that gave both (the weight is another indicator, e.g. the number of
    dossiers behind a rate); min / max; none: not aggregated. Missing values are skipped, never read as
    0; nothing given → ``None``. Averages are rounded half-up to 2 decimals; a sum of integers stays
    an integer.
    """
    kind, how = ValueType(value_type), Aggregation(rule)
    if kind is ValueType.TEXT or how is Aggregation.NONE:
        return None
    numbers = [as_decimal(v) for v in values]
    present = [n for n in numbers if n is not None]
    if not present:
        return None
    result: Decimal
    if how is Aggregation.SUM:
        result = sum(present, Decimal(0))
    elif how is Aggregation.MIN:
        result = min(present)
    elif how is Aggregation.MAX:
        result = max(present)
    elif how is Aggregation.AVERAGE:
        result = round2(sum(present, Decimal(0)) / len(present))
    else:
        pairs = _pairs(numbers, weights or [])
        total_weight = sum((w for _, w in pairs), Decimal(0))
        if not pairs or total_weight == 0:
            return None
        result = round2(sum((v * w for v, w in pairs), Decimal(0)) / total_weight)
    if kind is ValueType.INTEGER and how in (Aggregation.SUM, Aggregation.MIN, Aggregation.MAX):
        return int(result)
    return _show(result)


def _pairs(
    numbers: Iterable[Decimal | None], weights: Sequence[int | str | None]
) -> list[tuple[Decimal, Decimal]]:
    pairs = []
    for value, weight in zip(numbers, weights, strict=False):
        w = as_decimal(weight)
        if value is not None and w is not None:
            pairs.append((value, w))
    return pairs


def display(value: int | str | None, value_type: ValueType | str) -> str:
    """Vietnamese display: 1.234 and 12,5 (the stored form stays machine-readable)."""
    if value is None or value == "":
        return ""
    kind = ValueType(value_type)
    if kind is ValueType.TEXT:
        return str(value)
    number = as_decimal(value)
    if number is None:
        return str(value)
    whole, _, fraction = _show(number).partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    text = sign + ".".join(groups) + ("," + fraction if fraction else "")
    return text + (" %" if kind is ValueType.PERCENT else "")
