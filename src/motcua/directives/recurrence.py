"""Recurring deadlines ("30/9 hằng năm") as RFC 5545 RRULEs, and their occurrences. Pure Python.

Only the shapes the plan parser writes are supported, which are the shapes Vietnamese plans use:

- ``FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=30`` — a day of the year (30/9 hằng năm); ``BYMONTH`` may list
  several months (``BYMONTH=6,12;BYMONTHDAY=15``: 15/6 và 15/12 hằng năm);
- ``FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1`` — the last day of each quarter (hằng quý);
- ``FREQ=MONTHLY;BYMONTHDAY=15`` — a day of every month (ngày 15 hằng tháng), ``-1`` for the last day;
- ``INTERVAL=n`` with either frequency.

As RFC 5545 says, a day that does not exist in a month (30/2) is skipped, not moved.
The series starts after ``start`` (the date of the document that gave the task): a plan signed on
07/12/2022 with "30/9 hằng năm" is first due on 30/09/2023.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

MAX_YEARS = 200  # a series longer than this is a typing slip, not a plan


class RecurrenceError(ValueError):
    """A recurrence rule motcua cannot read; the message is Vietnamese."""


@dataclass(frozen=True)
class Rule:
    freq: str  # "YEARLY" | "MONTHLY"
    interval: int
    months: tuple[int, ...]  # empty for MONTHLY without BYMONTH: every month
    monthdays: tuple[int, ...]  # 1..31 or -1..-31 (from the end of the month)

    def text(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.months:
            parts.append("BYMONTH=" + ",".join(str(m) for m in self.months))
        parts.append("BYMONTHDAY=" + ",".join(str(d) for d in self.monthdays))
        return ";".join(parts)


def _ints(value: str, key: str, low: int, high: int, *, negative: bool = False) -> tuple[int, ...]:
    out: list[int] = []
    for piece in value.split(","):
        try:
            number = int(piece)
        except ValueError:
            raise RecurrenceError(f"{key} phải là danh sách số nguyên, nhận được “{value}”.") from None
        if not (low <= abs(number) <= high) or (number < 0 and not negative):
            raise RecurrenceError(f"{key}: giá trị {number} nằm ngoài khoảng cho phép.")
        out.append(number)
    return tuple(sorted(set(out)))


def parse(text: str) -> Rule:
    """Read an RRULE (with or without the ``RRULE:`` prefix)."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    fields: dict[str, str] = {}
    for part in body.split(";"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not value:
            raise RecurrenceError(f"Quy tắc lặp “{text}” không đúng dạng KHÓA=GIÁ TRỊ.")
        fields[key.strip().upper()] = value.strip().upper()
    freq = fields.pop("FREQ", "")
    if freq not in {"YEARLY", "MONTHLY"}:
        raise RecurrenceError(f"Quy tắc lặp “{text}”: chỉ hỗ trợ FREQ=YEARLY hoặc FREQ=MONTHLY.")
    interval = _ints(fields.pop("INTERVAL", "1"), "INTERVAL", 1, 100)[0]
    months = _ints(fields.pop("BYMONTH"), "BYMONTH", 1, 12) if "BYMONTH" in fields else ()
    monthdays = (
        _ints(fields.pop("BYMONTHDAY"), "BYMONTHDAY", 1, 31, negative=True) if "BYMONTHDAY" in fields else ()
    )
    if fields:
        raise RecurrenceError(f"Quy tắc lặp “{text}”: không hỗ trợ {', '.join(sorted(fields))}.")
    if freq == "YEARLY" and not months:
        raise RecurrenceError(f"Quy tắc lặp “{text}”: lặp hằng năm cần BYMONTH.")
    if not monthdays:
        raise RecurrenceError(f"Quy tắc lặp “{text}”: cần BYMONTHDAY.")
    return Rule(freq, interval, months, monthdays)


def _day(year: int, month: int, monthday: int) -> date | None:
    last = calendar.monthrange(year, month)[1]
    day = monthday if monthday > 0 else last + 1 + monthday
    return date(year, month, day) if 1 <= day <= last else None


def _periods(rule: Rule, start: date) -> Iterator[list[date]]:
    """The dates of each period (year or month) from ``start``'s period on, in order."""
    if rule.freq == "YEARLY":
        year = start.year
        while year <= start.year + MAX_YEARS:
            yield sorted(
                d for m in rule.months for md in rule.monthdays if (d := _day(year, m, md)) is not None
            )
            year += rule.interval
        return
    index = start.year * 12 + start.month - 1
    end = index + MAX_YEARS * 12
    while index <= end:
        year, month = divmod(index, 12)
        if not rule.months or month + 1 in rule.months:
            yield sorted(d for md in rule.monthdays if (d := _day(year, month + 1, md)) is not None)
        index += rule.interval


def occurrences(rule: Rule | str, start: date, until: date) -> list[date]:
    """Every due date of the series strictly after ``start`` and on or before ``until``."""
    chosen = parse(rule) if isinstance(rule, str) else rule
    out: list[date] = []
    for dates in _periods(chosen, start):
        for d in dates:
            if d > until:
                return out
            if d > start:
                out.append(d)
    return out


def next_after(rule: Rule | str, start: date, after: date) -> date | None:
    """The first due date of the series (which starts after ``start``) strictly after ``after``."""
    chosen = parse(rule) if isinstance(rule, str) else rule
    floor = max(start, after)
    for dates in _periods(chosen, start):
        for d in dates:
            if d > floor:
                return d
    return None


def describe(rule: Rule | str) -> str:
    """Vietnamese wording: "ngày 30/9 hằng năm", "ngày cuối tháng 3, 6, 9, 12 hằng năm"…"""
    chosen = parse(rule) if isinstance(rule, str) else rule
    days = ", ".join("cuối tháng" if d == -1 else f"{d}" for d in chosen.monthdays)
    every = {"YEARLY": "năm", "MONTHLY": "tháng"}[chosen.freq]
    period = f"{chosen.interval} {every} một lần" if chosen.interval != 1 else f"hằng {every}"
    if chosen.freq == "YEARLY":
        if chosen.monthdays == (-1,):
            months = ", ".join(str(m) for m in chosen.months)
            return f"ngày cuối tháng {months}, {period}"
        dates = ", ".join(f"{d}/{m}" for m in chosen.months for d in chosen.monthdays)
        return f"ngày {dates} {period}"
    if chosen.months:
        months = ", ".join(str(m) for m in chosen.months)
        return f"ngày {days} các tháng {months}, {period}"
    return f"ngày {days} {period}" if chosen.monthdays != (-1,) else f"ngày cuối tháng, {period}"
