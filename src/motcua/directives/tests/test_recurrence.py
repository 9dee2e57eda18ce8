"""Recurring deadlines: the occurrences of an RRULE (pure)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.directives import recurrence
from motcua.directives.recurrence import RecurrenceError

YEARLY_30_9 = "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=30"


def test_one_occurrence_per_year_after_the_document():
    assert recurrence.occurrences(YEARLY_30_9, date(2022, 12, 7), date(2026, 11, 27)) == [
        date(2023, 9, 30),
        date(2024, 9, 30),
        date(2025, 9, 30),
        date(2026, 9, 30),
    ]
    assert recurrence.next_after(YEARLY_30_9, date(2022, 12, 7), date(2026, 11, 27)) == date(2027, 9, 30)
    # A plan signed before 30/9 is due that same year.
    assert recurrence.occurrences(YEARLY_30_9, date(2022, 3, 1), date(2022, 12, 31)) == [date(2022, 9, 30)]


def test_the_last_day_of_each_quarter_and_of_each_month():
    quarters = "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
    assert recurrence.occurrences(quarters, date(2023, 1, 1), date(2023, 12, 31)) == [
        date(2023, 3, 31),
        date(2023, 6, 30),
        date(2023, 9, 30),
        date(2023, 12, 31),
    ]
    monthly = "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert recurrence.occurrences(monthly, date(2024, 1, 15), date(2024, 3, 31)) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
    ]


def test_a_day_that_does_not_exist_is_skipped():
    assert recurrence.occurrences("FREQ=MONTHLY;BYMONTHDAY=30", date(2023, 1, 1), date(2023, 3, 31)) == [
        date(2023, 1, 30),
        date(2023, 3, 30),
    ]


def test_interval():
    every_other = "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=10"
    assert recurrence.occurrences(every_other, date(2023, 1, 1), date(2023, 6, 30)) == [
        date(2023, 1, 10),
        date(2023, 3, 10),
        date(2023, 5, 10),
    ]
    assert recurrence.parse(every_other).text() == every_other


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=FR",
        "FREQ=YEARLY;BYMONTHDAY=30",
        "FREQ=YEARLY;BYMONTH=13;BYMONTHDAY=1",
        "FREQ=MONTHLY",
        "nonsense",
        "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3",
    ],
)
def test_unsupported_rules_are_refused(rule):
    with pytest.raises(RecurrenceError):
        recurrence.parse(rule)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (YEARLY_30_9, "ngày 30/9 hằng năm"),
        ("FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1", "ngày cuối tháng 3, 6, 9, 12, hằng năm"),
        ("FREQ=MONTHLY;BYMONTHDAY=25", "ngày 25 hằng tháng"),
    ],
)
def test_vietnamese_wording(rule, text):
    assert recurrence.describe(rule) == text


@given(
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    start=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    span=st.integers(0, 3000),
)
def test_occurrences_are_the_dates_of_the_rule_in_order(month, day, start, span):
    rule = f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={day}"
    until = start + timedelta(days=span)
    found = recurrence.occurrences(rule, start, until)
    assert found == sorted(set(found))
    assert all(start < d <= until and (d.month, d.day) == (month, day) for d in found)
    # Nothing is missed: every matching day in the range is there.
    expected = [
        date(y, month, day)
        for y in range(start.year, until.year + 1)
        if day
        <= [
            31,
            29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28,
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ][month - 1]
        and start < date(y, month, day) <= until
    ]
    assert found == expected
    following = recurrence.next_after(rule, start, until)
    assert following is None or (following > until and (following.month, following.day) == (month, day))
