"""Does an internal workflow fit the procedure's time limit? Pure Python, no Django import.

The published time limit (thời hạn giải quyết) is converted into a budget of working hours, and the
internal workflow template (quy trình nội bộ) must not allot more than that budget:

- steps run one after the other in ``order``; steps sharing a ``parallel_group`` run at the same
  time (consultation of other units), so a group costs the time of its longest step;
- budget = hours per working day × working days, where ``working_days`` N → N days,
  ``same_day`` → 1 day, ``working_hours`` H → H hours, ``calendar_days`` N → the fewest
  Monday–Friday days that N consecutive days can hold, 5·⌊N/7⌋ + max(0, N mod 7 − 2) (10 days
  starting on a Friday hold only 6), and ``calendar_months`` N → 20 × N days (February's minimum).
  Holidays are ignored: the budget is a planning check, the deadline engine counts the real calendar.

The default office day is 07:30–11:30 + 13:30–17:00, i.e. 7.5 hours (rule ``workdays.office_hours``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from motcua.workdays.domain import LimitUnit

Loc = tuple[str | int, ...]
Number = Decimal | int | float | str

DEFAULT_HOURS_PER_DAY = Decimal("7.5")
WORKING_DAYS_PER_MONTH = 20


UNIT_LABELS: dict[LimitUnit, str] = {
    LimitUnit.WORKING_DAYS: "ngày làm việc",
    LimitUnit.WORKING_HOURS: "giờ làm việc",
    LimitUnit.CALENDAR_DAYS: "ngày",
    LimitUnit.CALENDAR_MONTHS: "tháng",
    LimitUnit.SAME_DAY: "trong ngày",
}


@dataclass(frozen=True)
class Step:
    """What the allocation check needs to know about one workflow step."""

    code: str
    order: int
    allotted_hours: Decimal
    parallel_group: str = ""


@dataclass(frozen=True)
class Problem:
    """One problem, located by a path relative to the procedure version (e.g. ``("workflow", 2, "code")``)."""

    loc: Loc
    message: str


@dataclass(frozen=True)
class AllocationResult:
    total_hours: Decimal
    budget_hours: Decimal | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def to_decimal(value: Number) -> Decimal:
    """Decimal from a number without binary-float noise (0.1 → Decimal("0.1"))."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def format_hours(value: Decimal) -> str:
    """Vietnamese number format: ``22.50`` → ``22,5``; ``75.00`` → ``75``."""
    text = f"{value.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def parse_unit(unit: str) -> LimitUnit | None:
    try:
        return LimitUnit(unit)
    except ValueError:
        return None


def check_time_limit(value: Number, unit: str) -> list[Problem]:
    """Problems with the time limit itself: unknown unit, negative value, fractions outside hours."""
    problems: list[Problem] = []
    limit_unit = parse_unit(unit)
    if limit_unit is None:
        known = ", ".join(u.value for u in LimitUnit)
        return [
            Problem(
                ("time_limit", "unit"), f"Đơn vị thời hạn “{unit}” không hợp lệ; dùng một trong: {known}."
            )
        ]
    amount = to_decimal(value)
    if amount < 0:
        problems.append(Problem(("time_limit", "value"), "Thời hạn giải quyết không được âm."))
    elif limit_unit != LimitUnit.WORKING_HOURS and amount != amount.to_integral_value():
        problems.append(
            Problem(
                ("time_limit", "value"),
                f"Thời hạn {format_hours(amount)} {UNIT_LABELS[limit_unit]} không hợp lệ: "
                "chỉ thời hạn tính bằng giờ làm việc mới được có số lẻ.",
            )
        )
    return problems


def budget_working_days(value: Number, unit: str) -> Decimal:
    """Working days that the time limit guarantees (see the module docstring)."""
    limit_unit = LimitUnit(unit)
    amount = to_decimal(value)
    if limit_unit == LimitUnit.SAME_DAY:
        return Decimal(1)
    if limit_unit == LimitUnit.WORKING_DAYS:
        return amount
    if limit_unit == LimitUnit.CALENDAR_DAYS:
        # The fewest weekdays any N consecutive calendar days hold: 5 per whole week, and of the
        # remaining days at most two can be a weekend.
        days = int(amount)
        return Decimal(5 * (days // 7) + max(0, days % 7 - 2))
    if limit_unit == LimitUnit.CALENDAR_MONTHS:
        return amount * WORKING_DAYS_PER_MONTH
    raise ValueError(f"budget_working_days: {unit} is counted in hours")


def budget_hours(value: Number, unit: str, hours_per_day: Number = DEFAULT_HOURS_PER_DAY) -> Decimal:
    """The time limit as working hours."""
    if LimitUnit(unit) == LimitUnit.WORKING_HOURS:
        return to_decimal(value)
    return budget_working_days(value, unit) * to_decimal(hours_per_day)


def _segments(steps: Sequence[tuple[int, Step]]) -> list[list[tuple[int, Step]]]:
    """Consecutive runs of steps (already sorted): one run per sequential step or parallel group."""
    runs: list[list[tuple[int, Step]]] = []
    for item in steps:
        group = item[1].parallel_group
        if runs and group and runs[-1][0][1].parallel_group == group:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def workflow_total_hours(steps: Iterable[Step]) -> Decimal:
    """Elapsed working hours of the workflow: sequential runs add up, a parallel group counts its maximum."""
    ordered = sorted(enumerate(steps), key=lambda item: item[1].order)
    return sum(
        (max(to_decimal(step.allotted_hours) for _, step in run) for run in _segments(ordered)),
        start=Decimal(0),
    )


def check_allocation(
    value: Number,
    unit: str,
    steps: Sequence[Step],
    *,
    published: bool = False,
    hours_per_day: Number = DEFAULT_HOURS_PER_DAY,
) -> AllocationResult:
    """Check a workflow against the time limit ``value`` ``unit``; every problem is in Vietnamese.

    ``steps`` are given in the order of the document, and problem locations use that index
    (``("workflow", index, field)``).
    """
    problems = check_time_limit(value, unit)
    per_day = to_decimal(hours_per_day)
    if per_day <= 0:
        problems.append(Problem(("hours_per_day",), "Số giờ làm việc trong ngày phải lớn hơn 0."))

    if published and not steps:
        problems.append(
            Problem(("workflow",), "Phiên bản đang công khai phải có quy trình nội bộ (ít nhất một bước).")
        )

    first_index_of_code: dict[str, int] = {}
    for index, step in enumerate(steps):
        if step.code in first_index_of_code:
            problems.append(
                Problem(
                    ("workflow", index, "code"),
                    f"Mã bước “{step.code}” bị trùng với bước thứ "
                    f"{first_index_of_code[step.code] + 1} trong danh sách.",
                )
            )
        else:
            first_index_of_code[step.code] = index
        if to_decimal(step.allotted_hours) <= 0:
            problems.append(
                Problem(
                    ("workflow", index, "allotted_hours"),
                    f"Bước “{step.code}”: thời gian phải lớn hơn 0 giờ.",
                )
            )

    ordered = sorted(enumerate(steps), key=lambda item: item[1].order)
    runs = _segments(ordered)
    seen_groups: dict[str, int] = {}
    for run in runs:
        group = run[0][1].parallel_group
        if not group:
            continue
        if group in seen_groups:
            index, step = run[0]
            problems.append(
                Problem(
                    ("workflow", index, "parallel_group"),
                    f"Nhóm song song “{group}” không liền nhau: bước “{step.code}” (thứ tự {step.order}) "
                    "bị tách khỏi các bước khác cùng nhóm bởi một bước tuần tự. "
                    "Các bước cùng nhóm phải đứng liền nhau theo thứ tự.",
                )
            )
        else:
            seen_groups[group] = run[0][0]
    for previous, current in pairwise(ordered):
        (_, a), (index, b) = previous, current
        if a.order == b.order and not (a.parallel_group and a.parallel_group == b.parallel_group):
            problems.append(
                Problem(
                    ("workflow", index, "order"),
                    f"Bước “{b.code}” và bước “{a.code}” cùng thứ tự {b.order} "
                    "nhưng không cùng nhóm song song.",
                )
            )

    total = sum(
        (max(to_decimal(step.allotted_hours) for _, step in run) for run in runs),
        start=Decimal(0),
    )
    budget: Decimal | None = None
    if not any(p.loc[:1] == ("time_limit",) or p.loc == ("hours_per_day",) for p in problems):
        budget = budget_hours(value, unit, per_day)
        if steps and total > budget:
            problems.append(
                Problem(
                    ("workflow",),
                    _over_budget_message(total, budget, to_decimal(value), LimitUnit(unit), per_day),
                )
            )
    return AllocationResult(total_hours=total, budget_hours=budget, problems=tuple(problems))


def _over_budget_message(
    total: Decimal, budget: Decimal, value: Decimal, unit: LimitUnit, per_day: Decimal
) -> str:
    if unit == LimitUnit.WORKING_HOURS:
        limit = f"{format_hours(value)} giờ làm việc"
    else:
        days = format_hours(budget_working_days(value, unit))
        product = f"{days} ngày làm việc × {format_hours(per_day)} giờ = {format_hours(budget)} giờ làm việc"
        if unit == LimitUnit.WORKING_DAYS:
            limit = product
        elif unit == LimitUnit.SAME_DAY:
            limit = f"trong ngày: {product}"
        else:
            limit = f"{format_hours(value)} {UNIT_LABELS[unit]} ≈ {product}"
    return (
        f"Tổng thời gian các bước quy trình là {format_hours(total)} giờ làm việc, vượt thời hạn giải quyết "
        f"({limit}) {format_hours(total - budget)} giờ."
    )
