"""Report periods and their cut-off windows (thời gian chốt số liệu) — pure Python, no Django.

NĐ 09/2019/NĐ-CP Điều 12, as mirrored by provincial regulations (domain.md §7 🟡): a period's figures
run from the 15th of the month before it to the 14th of its last month.

| Period | ``nd09`` (15 → 14) | ``calendar`` |
|---|---|---|
| month M | 15/(M−1) – 14/M | 1/M – last day of M |
| quarter Q | 15 of the month before the quarter – 14 of its last month | the quarter's months |
| 6 months | 15/12 of the previous year – 14/06 | 1/1 – 30/6 |
| 9 months | 15/12 of the previous year – 14/09 (provincial addition) | 1/1 – 30/9 |
| year | 15/12 of the previous year – 14/12 | 1/1 – 31/12 |

A period is named by its kind, year and number (month 1–12, quarter 1–4, 1 for the others). Ad hoc
reports (đột xuất) have no computed window: the office gives the dates.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Periodicity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    NINE_MONTHS = "nine_months"
    YEAR = "year"
    AD_HOC = "ad_hoc"


class CutoffRule(StrEnum):
    ND09 = "nd09"  # 15th of the previous month → 14th (NĐ 09/2019 Điều 12)
    CALENDAR = "calendar"  # calendar months


CUTOFF_RULES = tuple(r.value for r in CutoffRule)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Window:
    periodicity: Periodicity
    year: int
    number: int
    start: date
    end: date

    @property
    def label(self) -> str:
        return label(self.periodicity, self.year, self.number)

    @property
    def key(self) -> str:
        """A stable short name: ``2026-M03``, ``2026-Q1``, ``2026-H1``, ``2026-9T``, ``2026-Y``."""
        p = self.periodicity
        if p is Periodicity.MONTH:
            return f"{self.year}-M{self.number:02d}"
        if p is Periodicity.QUARTER:
            return f"{self.year}-Q{self.number}"
        if p is Periodicity.HALF_YEAR:
            return f"{self.year}-H1"
        if p is Periodicity.NINE_MONTHS:
            return f"{self.year}-9T"
        if p is Periodicity.YEAR:
            return f"{self.year}-Y"
        return f"{self.year}-DX{self.number}"


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(periodicity: Periodicity, number: int) -> tuple[int, int]:
    """The first and last month of a period."""
    if periodicity is Periodicity.MONTH:
        if not 1 <= number <= 12:
            raise PeriodError(f"Tháng phải từ 1 đến 12, nhận được {number}.")
        return number, number
    if periodicity is Periodicity.QUARTER:
        if not 1 <= number <= 4:
            raise PeriodError(f"Quý phải từ 1 đến 4, nhận được {number}.")
        return 3 * number - 2, 3 * number
    if number != 1:
        raise PeriodError(f"Kỳ {periodicity.value} chỉ có số 1, nhận được {number}.")
    last = {Periodicity.HALF_YEAR: 6, Periodicity.NINE_MONTHS: 9, Periodicity.YEAR: 12}.get(periodicity)
    if last is None:
        raise PeriodError("Báo cáo đột xuất không có kỳ tính sẵn: hãy nhập ngày bắt đầu và kết thúc.")
    return 1, last


def window(periodicity: Periodicity | str, rule: CutoffRule | str, year: int, number: int) -> Window:
    """The cut-off window of one period."""
    p = Periodicity(periodicity)
    r = CutoffRule(rule)
    first, last = _months(p, number)
    if r is CutoffRule.CALENDAR:
        start, end = date(year, first, 1), _last_day(year, last)
    else:
        before = date(year, first, 1) - timedelta(days=1)  # a day of the month before the period
        start, end = date(before.year, before.month, 15), date(year, last, 14)
    return Window(p, year, number, start, end)


def label(periodicity: Periodicity | str, year: int, number: int) -> str:
    p = Periodicity(periodicity)
    if p is Periodicity.MONTH:
        return f"Tháng {number}/{year}"
    if p is Periodicity.QUARTER:
        return f"Quý {ROMAN[number]}/{year}"
    if p is Periodicity.HALF_YEAR:
        return f"6 tháng đầu năm {year}"
    if p is Periodicity.NINE_MONTHS:
        return f"9 tháng năm {year}"
    if p is Periodicity.YEAR:
        return f"Năm {year}"
    return f"Đột xuất số {number}/{year}"


def numbers(periodicity: Periodicity | str) -> range:
    """The period numbers of a year."""
    p = Periodicity(periodicity)
    if p is Periodicity.MONTH:
        return range(1, 13)
    if p is Periodicity.QUARTER:
        return range(1, 5)
    return range(1, 2)


def reference_day(periodicity: Periodicity | str, year: int, number: int) -> date:
    """The first day of the period's last month: the day whose rule version decides the cut-off."""
    return date(year, _months(Periodicity(periodicity), number)[1], 1)


RuleSource = CutoffRule | str | Callable[[date], str]


def windows_between(
    periodicity: Periodicity | str, rule: RuleSource, first_day: date, today: date
) -> list[Window]:
    """Every period whose window ends on or after ``first_day`` and starts on or before ``today``
    (the period being collected today is included), oldest first. Ad hoc: none.

    ``rule`` is a cut-off rule, or a function of the period's reference day giving the rule in force
    (``reporting.cutoff`` is versioned)."""
    p = Periodicity(periodicity)
    if p is Periodicity.AD_HOC or today < first_day:
        return []
    found: list[Window] = []
    # A window may start in the previous year (15/12), so look one year further on both sides.
    for year in range(first_day.year - 1, today.year + 2):
        for number in numbers(p):
            chosen = rule(reference_day(p, year, number)) if callable(rule) else rule
            w = window(p, chosen, year, number)
            if w.end >= first_day and w.start <= today:
                found.append(w)
    return found
