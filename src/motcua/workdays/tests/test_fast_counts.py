"""Working-time arithmetic by per-year prefix counts (issue 11) gives what the day-by-day walk gives.

The walk (``_reference``) is the engine as it was before; here it is the oracle, for random calendars
(statutory with random overrides, or fixed lists with a Tết-like block of days off and now and then a
whole year off), random office windows and moments over 2015–2035 in any time zone. Then hand-worked
cases on the statutory calendar with the province hours 07:30–11:30 and 13:30–17:00 (27,000 s a day).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.workdays.domain import (
    TZ,
    Calendar,
    CalendarError,
    CalendarOverrides,
    YearRules,
    add_working_seconds,
    compute_due,
    working_seconds_between,
)

from . import _reference as ref

FIRST, LAST = date(2015, 1, 1), date(2035, 12, 31)
STATUTORY = Calendar.statutory()
STATUTORY_DAYS_OFF = [d for year in range(2015, 2036) for d, _ in STATUTORY.days_off(year)]
TIMEZONES: list[Any] = [None, TZ, UTC, timezone(timedelta(hours=-5)), ZoneInfo("Europe/Paris")]

span_days = st.dates(min_value=FIRST, max_value=LAST)
saturdays_and_sundays = span_days.map(lambda d: d + timedelta(days=5 - d.weekday()) if d.weekday() < 5 else d)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


def _clock(seconds: int) -> time:
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


@st.composite
def office_hours(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    """One to three windows at second precision, anywhere in the day."""
    edges = sorted(draw(st.sets(st.integers(min_value=0, max_value=86_399), min_size=2, max_size=6)))
    if len(edges) % 2:
        edges = edges[:-1]
    return tuple((_clock(edges[i]), _clock(edges[i + 1])) for i in range(0, len(edges), 2))


@st.composite
def statutory_calendars(draw: st.DrawFn) -> Calendar:
    days_off = draw(st.sets(span_days, max_size=25))
    working = draw(
        st.sets(st.one_of(saturdays_and_sundays, st.sampled_from(STATUTORY_DAYS_OFF)), max_size=25)
    )
    cancelled = draw(st.sets(st.sampled_from(STATUTORY_DAYS_OFF), max_size=10))
    overrides = CalendarOverrides(
        days_off=dict.fromkeys(days_off, "Nghỉ"),
        working_days=dict.fromkeys(working - days_off, "Làm bù"),
        cancelled_days_off=dict.fromkeys(cancelled - days_off, "Không nghỉ"),
    )
    return Calendar.statutory(overrides, draw(office_hours()), draw(st.times()))


@st.composite
def fixed_calendars(draw: st.DrawFn) -> Calendar:
    holidays = draw(st.sets(span_days, max_size=40))
    block_start = draw(span_days)
    holidays |= {block_start + timedelta(days=i) for i in range(draw(st.integers(0, 40)))}
    year_off = draw(st.one_of(st.none(), st.integers(min_value=2016, max_value=2034)))
    if year_off is not None:
        day = date(year_off, 1, 1)
        while day.year == year_off:
            holidays.add(day)
            day += timedelta(days=1)
    extra = draw(st.sets(saturdays_and_sundays, max_size=25)) - holidays
    return Calendar.fixed(holidays, extra, draw(office_hours()), draw(st.times()))


calendars = st.one_of(statutory_calendars(), fixed_calendars())


# A moment is drawn before its calendar is known: a day, a time zone (None: naive, read as Vietnamese
# time) and either any clock time or one second around the ``edge``-th of the calendar's window edges,
# cut-off and midnight, so that every drawn office lands moments on its own openings and closings.
MomentSpec = tuple[date, Any, time | None, int, int]
moment_specs: st.SearchStrategy[MomentSpec] = st.tuples(
    span_days,
    st.sampled_from(TIMEZONES),
    st.one_of(st.none(), st.times()),
    st.integers(min_value=0, max_value=7),
    st.sampled_from([-1, 0, 1]),
)


def moment(calendar: Calendar, spec: MomentSpec) -> datetime:
    day, zone, clock, edge, delta = spec
    if clock is None:
        edges = [t for window in calendar.office_hours for t in window] + [calendar.cutoff, time(0)]
        clock = (datetime.combine(FIRST, edges[edge % len(edges)]) + timedelta(seconds=delta)).time()
    local = datetime.combine(day, clock, tzinfo=TZ)
    return local.replace(tzinfo=None) if zone is None else local.astimezone(zone)


def day_or_moment(calendar: Calendar, spec: date | MomentSpec) -> date:
    return spec if isinstance(spec, date) else moment(calendar, spec)


days_or_moments: st.SearchStrategy[date | MomentSpec] = st.one_of(span_days, moment_specs)


def outcome(call: Callable[[], object]) -> tuple[object, ...]:
    """The value, or the error's type and message: the fast path must fail exactly like the walk."""
    try:
        return ("value", call())
    except (CalendarError, OverflowError) as error:
        return ("error", type(error), str(error))


# -- the fast versions agree with the walk ---------------------------------------------------------


@given(calendars, days_or_moments, days_or_moments)
def test_working_days_between_matches_the_walk(
    calendar: Calendar, first: date | MomentSpec, second: date | MomentSpec
) -> None:
    a, b = day_or_moment(calendar, first), day_or_moment(calendar, second)
    assert calendar.working_days_between(a, b) == ref.working_days_between(calendar, a, b)
    assert calendar.working_days_between(b, a) == ref.working_days_between(calendar, b, a)


@given(calendars, moment_specs, moment_specs)
def test_working_seconds_between_matches_the_walk(
    calendar: Calendar, first: MomentSpec, second: MomentSpec
) -> None:
    a, b = moment(calendar, first), moment(calendar, second)
    assert working_seconds_between(calendar, a, b) == ref.working_seconds_between(calendar, a, b)
    assert working_seconds_between(calendar, b, a) == ref.working_seconds_between(calendar, b, a)


@given(calendars, days_or_moments, st.one_of(st.integers(0, 30), st.integers(0, 2600)))
def test_add_working_days_matches_the_walk(calendar: Calendar, spec: date | MomentSpec, n: int) -> None:
    day = day_or_moment(calendar, spec)
    assert outcome(lambda: calendar.add_working_days(day, n)) == outcome(
        lambda: ref.add_working_days(calendar, day, n)
    )


@given(
    calendars,
    moment_specs,
    st.one_of(st.integers(0, 3), st.integers(0, 3000)),
    st.floats(min_value=0, max_value=1),
    st.sampled_from([-1, 0, 1]),
)
def test_add_working_seconds_matches_the_walk(
    calendar: Calendar, spec: MomentSpec, whole_days: int, part: float, nudge: int
) -> None:
    # Whole office days plus a part of one, one second either side: limits that end at a close.
    start = moment(calendar, spec)
    per_day = calendar.seconds_per_day
    seconds = max(0, whole_days * per_day + round(part * per_day) + nudge)
    assert outcome(lambda: add_working_seconds(calendar, start, seconds)) == outcome(
        lambda: ref.add_working_seconds(calendar, start, seconds)
    )


# -- hand-worked ------------------------------------------------------------------------------------


def test_friday_evening_to_thursday_morning() -> None:
    # Fri 27/11/2026 16:10–17:00 = 50 min = 3,000 s; Mon 30/11, Tue 01/12, Wed 02/12 are whole days:
    # 3 × 27,000 = 81,000 s; Thu 03/12 07:30–09:00 = 1.5 h = 5,400 s. 3,000 + 81,000 + 5,400 = 89,400.
    start, end = vn(2026, 11, 27, 16, 10), vn(2026, 12, 3, 9)
    assert working_seconds_between(STATUTORY, start, end) == 89_400
    # The same two moments written in UTC (09:10Z and 02:00Z) are the same office time.
    in_utc = datetime(2026, 11, 27, 9, 10, tzinfo=UTC), datetime(2026, 12, 3, 2, tzinfo=UTC)
    assert working_seconds_between(STATUTORY, *in_utc) == 89_400
    # And adding it back lands on Thursday 09:00.
    assert add_working_seconds(STATUTORY, start, 89_400) == end


def test_start_after_end_counts_nothing() -> None:
    assert working_seconds_between(STATUTORY, vn(2026, 12, 3, 9), vn(2026, 11, 27, 16, 10)) == 0
    assert STATUTORY.working_days_between(date(2026, 12, 3), date(2026, 11, 27)) == 0


def test_moments_on_a_sunday_and_in_the_lunch_break() -> None:
    # Sun 29/11/2026 10:00 → Mon 30/11 09:00: only Monday 07:30–09:00 = 5,400 s.
    assert working_seconds_between(STATUTORY, vn(2026, 11, 29, 10), vn(2026, 11, 30, 9)) == 5_400
    # Mon 30/11 12:00 → 14:00: the lunch break is not worked, 13:30–14:00 = 1,800 s.
    assert working_seconds_between(STATUTORY, vn(2026, 11, 30, 12), vn(2026, 11, 30, 14)) == 1_800


def test_across_new_year() -> None:
    # Thu 31/12/2026 15:00–17:00 = 7,200 s; Fri 01/01/2027 is Tết Dương lịch, then a weekend;
    # Mon 04/01 07:30–08:30 = 3,600 s. 7,200 + 3,600 = 10,800.
    assert working_seconds_between(STATUTORY, vn(2026, 12, 31, 15), vn(2027, 1, 4, 8, 30)) == 10_800
    # Working days 30/12/2026 + 3: Thu 31/12 (1), Fri 01/01 off, weekend, Mon 04/01 (2), Tue 05/01 (3).
    assert STATUTORY.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)


def test_january_and_february_2027_with_tet() -> None:
    # January 2027 starts on a Friday: 31 days hold 5 Fridays and 4 of each other weekday, so
    # 4 × 4 + 5 = 21 weekdays, less Fri 01/01 = 20. February 2027 is four whole weeks from Monday:
    # 20 weekdays, less Tết on Thu 4, Fri 5, Mon 8, Tue 9, Wed 10 = 15. 20 + 15 = 35.
    assert STATUTORY.working_days_between(date(2026, 12, 31), date(2027, 2, 28)) == 35
    # Wed 03/02/2027 16:00–17:00 = 3,600 s; 04–10/02 all off; Thu 11/02 07:30–08:00 = 1,800 s.
    assert working_seconds_between(STATUTORY, vn(2027, 2, 3, 16), vn(2027, 2, 11, 8)) == 5_400


def test_a_worked_saturday_counts_as_a_whole_day() -> None:
    worked = Calendar.statutory(CalendarOverrides(working_days={date(2026, 12, 5): "Làm bù"}))
    start, end = vn(2026, 12, 4, 16), vn(2026, 12, 7, 8, 30)
    # Fri 04/12 16:00–17:00 = 3,600; Sat 05/12 whole = 27,000; Mon 07/12 07:30–08:30 = 3,600 → 34,200.
    assert working_seconds_between(worked, start, end) == 34_200
    # Without the override the Saturday is off: 3,600 + 3,600.
    assert working_seconds_between(STATUTORY, start, end) == 7_200
    assert worked.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 5)


def test_an_overdue_row_from_2022() -> None:
    # 04/08/2022 10:15 → Mon 07/12/2026 09:40 over 1,586 days: the fast count equals the walk, and
    # is made of Thursday 10:15–11:30 and 13:30–17:00 (4,500 + 12,600), Monday 07:30–09:40 (7,800)
    # and the whole days in between.
    start, end = vn(2022, 8, 4, 10, 15), vn(2026, 12, 7, 9, 40)
    whole = STATUTORY.working_days_between(date(2022, 8, 4), date(2026, 12, 6))
    assert whole == ref.working_days_between(STATUTORY, date(2022, 8, 4), date(2026, 12, 6))
    assert working_seconds_between(STATUTORY, start, end) == 4_500 + 12_600 + 7_800 + whole * 27_000


def test_counting_asks_the_rules_for_the_same_years_as_the_walk() -> None:
    asked: list[int] = []

    def rules(year: int) -> YearRules:
        asked.append(year)
        return YearRules(days_off={}, extra_working_days={})

    # (31/12/2021, 07/12/2026] starts on 01/01/2022: 2021 is never needed.
    Calendar(rules).working_days_between(date(2021, 12, 31), date(2026, 12, 7))
    assert asked == [2022, 2023, 2024, 2025, 2026]


def test_the_index_changes_neither_equality_nor_hash() -> None:
    used, fresh = Calendar.statutory(), Calendar.statutory()
    used.working_days_between(date(2015, 1, 1), date(2035, 12, 31))
    assert used == fresh
    assert hash(used) == hash(fresh)


def test_ten_years_without_a_working_day_is_reported_like_the_walk() -> None:
    decade = [date(2030, 1, 1) + timedelta(days=i) for i in range((date(2041, 1, 1) - date(2030, 1, 1)).days)]
    calendar = Calendar.fixed(holidays=decade)
    # Mon 31/12/2029 is the last working day; nothing for more than 3,700 days after it.
    with pytest.raises(CalendarError, match="31/12/2029"):
        calendar.add_working_days(date(2029, 12, 28), 2)
    assert outcome(lambda: calendar.add_working_days(date(2029, 12, 28), 2)) == outcome(
        lambda: ref.add_working_days(calendar, date(2029, 12, 28), 2)
    )
    # Counting is not searching: it simply finds no working day in the decade.
    assert calendar.working_days_between(date(2029, 12, 31), date(2041, 1, 1)) == 1  # Tue 01/01/2041


def test_the_end_of_the_calendar_overflows_like_the_walk() -> None:
    calendar = Calendar.fixed()
    # Wed 29/12/9999 + 3 working days: Thu 30, Fri 31, then past the last date Python knows.
    with pytest.raises(OverflowError):
        calendar.add_working_days(date(9999, 12, 29), 3)
    assert calendar.add_working_days(date(9999, 12, 29), 2) == date(9999, 12, 31)
    # compute_due turns the overflow into a message for the clerk.
    with pytest.raises(CalendarError, match="vượt quá lịch"):
        compute_due(calendar, datetime(9999, 12, 20, 9, tzinfo=TZ), 30, "working_days")
