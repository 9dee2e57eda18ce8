"""The day-by-day working-time arithmetic the engine used before its per-year prefix counts (issue 11).

Slow but plainly right: each function walks the calendar one day at a time through the public
``Calendar.is_working_day``/``next_working_day``/``windows``. Tests only; the fast versions in
``motcua.workdays.domain`` must agree with these for every input, errors included.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from motcua.workdays.domain import Calendar, to_local


def _as_date(day: date) -> date:
    return to_local(day).date() if isinstance(day, datetime) else day


def _seconds_per_day(calendar: Calendar) -> int:
    return sum(
        (datetime.combine(date.min, end) - datetime.combine(date.min, start)) // timedelta(seconds=1)
        for start, end in calendar.office_hours
    )


def working_days_between(calendar: Calendar, start: date, end: date) -> int:
    """How many working days lie in (start, end]; 0 when ``end`` is not after ``start``."""
    current, last = _as_date(start), _as_date(end)
    count = 0
    while current < last:
        current += timedelta(days=1)
        count += calendar.is_working_day(current)
    return count


def add_working_days(calendar: Calendar, day: date, n: int) -> date:
    """The ``n``-th working day after ``day``, one ``next_working_day`` at a time."""
    current = _as_date(day)
    for _ in range(n):
        current = calendar.next_working_day(current)
    return current


def working_seconds_between(calendar: Calendar, start: datetime, end: datetime) -> int:
    """Whole seconds of office time in [start, end], both ends truncated to the second."""
    a, b = to_local(start).replace(microsecond=0), to_local(end).replace(microsecond=0)
    if b <= a:
        return 0
    first, last = a.date(), b.date()
    total = timedelta(0)
    for day in (first, last) if first != last else (first,):
        for opening, closing in calendar.windows(day):
            low, high = max(opening, a), min(closing, b)
            if high > low:
                total += high - low
    full_days = working_days_between(calendar, first, last - timedelta(days=1)) if last > first else 0
    return int(total.total_seconds()) + full_days * _seconds_per_day(calendar)


def add_working_seconds(calendar: Calendar, start: datetime, seconds: int) -> datetime:
    """The first moment by which ``seconds`` of office time have passed since ``start``."""
    moment = to_local(start)
    remaining = timedelta(seconds=seconds)
    day = calendar.working_day_on_or_after(moment.date())
    per_day = timedelta(seconds=_seconds_per_day(calendar))
    while True:
        for opening, closing in calendar.windows(day):
            if closing < moment:
                continue
            begin = max(opening, moment)
            available = closing - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day = calendar.next_working_day(day)
        while remaining > per_day:
            remaining -= per_day
            day = calendar.next_working_day(day)
        moment = calendar.opening(day)
