"""Invariants of the deadline engine that must hold for any receipt moment and any small limit.

Receipt moments are drawn from 2024–2028 on the statutory calendar, biased towards the edges that
break deadline code: window openings and closings, the cut-off, midnight, each ± one second.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from motcua.workdays.domain import (
    TZ,
    Calendar,
    LimitUnit,
    add_working_seconds,
    compute_due,
    due_after_pauses,
    working_seconds_between,
)

CALENDAR = Calendar.statutory()
DAY_UNITS = [LimitUnit.WORKING_DAYS, LimitUnit.CALENDAR_DAYS, LimitUnit.CALENDAR_MONTHS, LimitUnit.SAME_DAY]

_EDGES = [time(0), time(7, 30), time(11, 30), time(13, 30), time(15), time(17), time(23, 59, 59)]
_EDGE_TIMES = [
    (datetime.combine(date.min, t) + timedelta(seconds=delta)).time()
    for t in _EDGES
    for delta in (-1, 0, 1)
    if not (t == time(0) and delta < 0) and not (t == time(23, 59, 59) and delta > 0)
]

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
times = st.one_of(st.sampled_from(_EDGE_TIMES), st.times())
moments = st.builds(lambda d, t: datetime.combine(d, t, tzinfo=TZ), days, times)
whole_limits = st.integers(min_value=0, max_value=40)
# Quarter hours and odd seconds both: limits are stored as decimals of an hour.
hour_limits = st.one_of(
    st.integers(min_value=0, max_value=60).map(lambda q: Decimal(q) / 4),
    st.decimals(min_value=0, max_value=30, places=4),
)
seconds = st.integers(min_value=0, max_value=20 * 27_000)


def _inside_a_window(moment: datetime) -> bool:
    return any(opening <= moment <= closing for opening, closing in CALENDAR.windows(moment.date()))


@given(moments, whole_limits, st.sampled_from(DAY_UNITS))
def test_day_based_due_is_a_close_of_a_working_day_never_before_receipt(
    received: datetime, limit: int, unit: LimitUnit
) -> None:
    deadline = compute_due(CALENDAR, received, limit, unit)
    assert deadline.due >= received
    assert deadline.effective_received >= received
    assert CALENDAR.is_working_day(deadline.due.date())
    assert deadline.due == CALENDAR.closing(deadline.due.date())


@given(moments, hour_limits)
def test_working_hours_due_lies_in_a_window_never_before_receipt(received: datetime, hours: Decimal) -> None:
    deadline = compute_due(CALENDAR, received, hours, LimitUnit.WORKING_HOURS)
    assert received <= deadline.effective_received <= deadline.due
    assert CALENDAR.is_working_day(deadline.due.date())
    assert _inside_a_window(deadline.due)
    assert _inside_a_window(deadline.effective_received)
    # The whole limit, rounded to the second, is spent inside office windows.
    expected = int((hours * 3600).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    assert working_seconds_between(CALENDAR, received, deadline.due) == expected


@given(moments, seconds, seconds)
def test_adding_working_time_in_two_steps_equals_adding_it_at_once(start: datetime, a: int, b: int) -> None:
    halfway = add_working_seconds(CALENDAR, start, a)
    assert add_working_seconds(CALENDAR, halfway, b) == add_working_seconds(CALENDAR, start, a + b)


@given(moments, seconds)
def test_working_seconds_between_undoes_add_working_seconds(start: datetime, s: int) -> None:
    # Stated for starts inside a window in the brief; it holds for any start.
    end = add_working_seconds(CALENDAR, start, s)
    assert working_seconds_between(CALENDAR, start, end) == s


@given(moments, moments, moments)
def test_working_seconds_are_additive_over_consecutive_intervals(
    a: datetime, b: datetime, c: datetime
) -> None:
    a, b, c = sorted((a, b, c))
    assert working_seconds_between(CALENDAR, a, b) + working_seconds_between(
        CALENDAR, b, c
    ) == working_seconds_between(CALENDAR, a, c)


@given(moments, whole_limits, whole_limits, st.sampled_from(DAY_UNITS))
def test_more_days_never_give_an_earlier_due(received: datetime, n: int, m: int, unit: LimitUnit) -> None:
    small, large = sorted((n, m))
    assert (
        compute_due(CALENDAR, received, small, unit).due <= compute_due(CALENDAR, received, large, unit).due
    )


@given(moments, hour_limits, hour_limits)
def test_more_hours_never_give_an_earlier_due(received: datetime, x: Decimal, y: Decimal) -> None:
    small, large = sorted((x, y))
    unit = LimitUnit.WORKING_HOURS
    assert (
        compute_due(CALENDAR, received, small, unit).due <= compute_due(CALENDAR, received, large, unit).due
    )


@given(moments, moments, whole_limits, st.sampled_from([*DAY_UNITS, LimitUnit.WORKING_HOURS]))
def test_a_later_receipt_never_gives_an_earlier_due(
    first: datetime, second: datetime, limit: int, unit: LimitUnit
) -> None:
    early, late = sorted((first, second))
    assert compute_due(CALENDAR, early, limit, unit).due <= compute_due(CALENDAR, late, limit, unit).due


@given(
    moments,
    whole_limits,
    st.sampled_from([*DAY_UNITS, LimitUnit.WORKING_HOURS]),
    st.lists(st.integers(min_value=0, max_value=30 * 24 * 3600), max_size=3),
)
def test_zero_length_pauses_change_nothing_in_shift_mode(
    received: datetime, limit: int, unit: LimitUnit, offsets: list[int]
) -> None:
    pauses: list[tuple[datetime, datetime | None]] = [
        (received + timedelta(seconds=o), received + timedelta(seconds=o)) for o in offsets
    ]
    assert due_after_pauses(CALENDAR, received, limit, unit, pauses, "shift") == compute_due(
        CALENDAR, received, limit, unit
    )


@given(
    moments,
    whole_limits,
    st.integers(min_value=0, max_value=20 * 24 * 3600),
    st.integers(min_value=0, max_value=10 * 24 * 3600),
)
def test_a_pause_never_brings_the_due_date_forward(
    received: datetime, limit: int, offset: int, length: int
) -> None:
    start = received + timedelta(seconds=offset)
    pause: list[tuple[datetime, datetime | None]] = [(start, start + timedelta(seconds=length))]
    plain = compute_due(CALENDAR, received, limit, LimitUnit.WORKING_DAYS)
    # Restart is compute_due from the pause end, a later receipt; shift only adds time.
    for mode in ("shift", "restart"):
        paused = due_after_pauses(CALENDAR, received, limit, LimitUnit.WORKING_DAYS, pause, mode)
        assert paused.due >= plain.due


def _minutes(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


@st.composite
def fixed_calendars(draw: st.DrawFn) -> Calendar:
    """Any office: one to three windows, any cut-off, scattered days off and worked weekend days."""
    edges = sorted(draw(st.sets(st.integers(min_value=0, max_value=24 * 60 - 1), min_size=2, max_size=6)))
    if len(edges) % 2:
        edges = edges[:-1]
    hours = [[_minutes(edges[i]), _minutes(edges[i + 1])] for i in range(0, len(edges), 2)]
    near = st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 3, 31))
    holidays = draw(st.sets(near, max_size=20))
    weekends = draw(st.sets(near.filter(lambda d: d.weekday() >= 5), max_size=6)) - holidays
    cutoff = _minutes(draw(st.integers(min_value=0, max_value=24 * 60 - 1)))
    return Calendar.from_json(
        {
            "holidays": sorted(d.isoformat() for d in holidays),
            "extra_working_days": sorted(d.isoformat() for d in weekends),
            "office_hours": hours,
            "cutoff": cutoff,
        }
    )


near_moments = st.builds(
    lambda d, t: datetime.combine(d, t, tzinfo=TZ),
    st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 2, 28)),
    st.times(),
)


@given(fixed_calendars(), near_moments, whole_limits, st.sampled_from(DAY_UNITS), hour_limits)
def test_invariants_hold_for_any_office_configuration(
    calendar: Calendar, received: datetime, limit: int, unit: LimitUnit, hours: Decimal
) -> None:
    deadline = compute_due(calendar, received, limit, unit)
    assert received <= deadline.effective_received <= deadline.due
    assert deadline.due == calendar.closing(deadline.due.date())

    by_hours = compute_due(calendar, received, hours, LimitUnit.WORKING_HOURS)
    assert received <= by_hours.effective_received <= by_hours.due
    assert any(
        opening <= by_hours.due <= closing for opening, closing in calendar.windows(by_hours.due.date())
    )
    expected = int((hours * 3600).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    assert working_seconds_between(calendar, received, by_hours.due) == expected
