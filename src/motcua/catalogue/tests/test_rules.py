"""Hand-worked examples of the workflow allocation rule (office day 07:30–11:30 + 13:30–17:00 = 7.5 h)."""

from decimal import Decimal

import pytest

from motcua.catalogue.rules import (
    Step,
    budget_hours,
    budget_working_days,
    check_allocation,
    check_time_limit,
    format_hours,
    workflow_total_hours,
)


def s(code: str, order: int, hours: str | float, group: str = "") -> Step:
    return Step(code=code, order=order, allotted_hours=Decimal(str(hours)), parallel_group=group)


@pytest.mark.parametrize(
    ("value", "unit", "days"),
    [
        (3, "working_days", 3),
        (0, "same_day", 1),
        (15, "calendar_days", 10),  # two weeks hold 10 weekdays; the 15th day may be a Saturday
        (10, "calendar_days", 6),  # Friday + 10 days: Sat..Mon next week holds only 6 weekdays
        (30, "calendar_days", 20),
        (9, "calendar_days", 5),
        (7, "calendar_days", 5),
        (1, "calendar_days", 0),
        (2, "calendar_months", 40),
    ],
)
def test_budget_in_working_days(value, unit, days):
    assert budget_working_days(value, unit) == days


@pytest.mark.parametrize(
    ("value", "unit", "hours"),
    [
        (3, "working_days", Decimal("22.5")),
        (0, "same_day", Decimal("7.5")),
        (4, "working_hours", Decimal("4")),
        (Decimal("1.5"), "working_hours", Decimal("1.5")),
        (15, "calendar_days", Decimal("75")),
        (1, "calendar_months", Decimal("150")),
    ],
)
def test_budget_in_hours_with_the_default_day(value, unit, hours):
    assert budget_hours(value, unit) == hours


def test_budget_follows_the_length_of_the_office_day():
    assert budget_hours(3, "working_days", hours_per_day=8) == 24
    assert budget_hours(4, "working_hours", hours_per_day=8) == 4  # hours are hours whatever the day


def test_parallel_group_counts_its_longest_step():
    steps = [s("a", 1, 2), s("b", 2, 24, "x"), s("c", 3, 16, "x"), s("d", 4, 12)]
    assert workflow_total_hours(steps) == Decimal("38")  # 2 + max(24, 16) + 12


def test_steps_are_summed_in_order_whatever_the_list_order():
    steps = [s("d", 4, 12), s("b", 2, 16, "x"), s("a", 1, 2), s("c", 3, 24, "x")]
    assert workflow_total_hours(steps) == Decimal("38")


def test_workflow_that_uses_the_whole_budget_fits():
    steps = [s("a", 1, 2), s("b", 2, 12), s("c", 3, 6), s("d", 4, 2), s("e", 5, "0.5")]
    result = check_allocation(3, "working_days", steps, published=True)
    assert result.ok
    assert (result.total_hours, result.budget_hours) == (Decimal("22.5"), Decimal("22.5"))


def test_over_budget_names_total_budget_and_excess():
    steps = [s("a", 1, 2), s("b", 2, 12), s("c", 3, 6), s("d", 4, 2), s("e", 5, 1)]
    result = check_allocation(3, "working_days", steps)
    assert not result.ok
    (problem,) = result.problems
    assert problem.loc == ("workflow",)
    assert "23 giờ" in problem.message and "22,5 giờ" in problem.message and "vượt" in problem.message
    assert "0,5 giờ" in problem.message


def test_same_day_fits_in_one_office_day():
    assert check_allocation(0, "same_day", [s("a", 1, "0.5"), s("b", 2, 7)]).ok
    result = check_allocation(0, "same_day", [s("a", 1, 1), s("b", 2, 7)])
    assert "trong ngày" in result.problems[0].message


def test_calendar_days_are_converted_before_checking():
    assert check_allocation(15, "calendar_days", [s("a", 1, 75)]).ok
    assert not check_allocation(15, "calendar_days", [s("a", 1, "75.5")]).ok


def test_duplicate_step_codes():
    result = check_allocation(3, "working_days", [s("a", 1, 1), s("a", 2, 1)])
    assert [p.loc for p in result.problems] == [("workflow", 1, "code")]
    assert "“a” bị trùng" in result.problems[0].message


@pytest.mark.parametrize("hours", [0, -1])
def test_non_positive_hours(hours):
    result = check_allocation(3, "working_days", [s("a", 1, 1), s("b", 2, hours)])
    assert ("workflow", 1, "allotted_hours") in [p.loc for p in result.problems]
    assert "lớn hơn 0 giờ" in result.problems[0].message


def test_published_version_needs_a_workflow_but_a_draft_does_not():
    assert check_allocation(3, "working_days", [], published=False).ok
    result = check_allocation(3, "working_days", [], published=True)
    assert [p.loc for p in result.problems] == [("workflow",)]
    assert "quy trình nội bộ" in result.problems[0].message


def test_parallel_group_must_be_contiguous():
    steps = [s("a", 1, 1, "x"), s("b", 2, 1), s("c", 3, 1, "x")]
    result = check_allocation(3, "working_days", steps)
    assert [p.loc for p in result.problems] == [("workflow", 2, "parallel_group")]
    assert "không liền nhau" in result.problems[0].message
    assert result.total_hours == 3  # each run counts on its own


def test_same_order_outside_a_parallel_group_is_ambiguous():
    result = check_allocation(3, "working_days", [s("a", 1, 1), s("b", 1, 1)])
    assert [p.loc for p in result.problems] == [("workflow", 1, "order")]
    assert check_allocation(3, "working_days", [s("a", 1, 1, "x"), s("b", 1, 1, "x")]).ok


def test_time_limit_rules():
    assert check_time_limit(Decimal("1.5"), "working_hours") == []
    (problem,) = check_time_limit(Decimal("2.5"), "working_days")
    assert problem.loc == ("time_limit", "value") and "giờ làm việc" in problem.message
    (problem,) = check_time_limit(-1, "working_days")
    assert "âm" in problem.message
    (problem,) = check_time_limit(3, "fortnights")
    assert problem.loc == ("time_limit", "unit") and "fortnights" in problem.message


def test_invalid_time_limit_skips_the_budget():
    result = check_allocation(Decimal("2.5"), "working_days", [s("a", 1, 100)])
    assert result.budget_hours is None
    assert [p.loc for p in result.problems] == [("time_limit", "value")]


def test_hours_are_shown_the_vietnamese_way():
    assert format_hours(Decimal("22.50")) == "22,5"
    assert format_hours(Decimal("75.00")) == "75"
    assert format_hours(Decimal("0.25")) == "0,25"
