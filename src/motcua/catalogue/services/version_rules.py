"""The rules of one version that need no other row: online level, dates, time allocated to the steps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from motcua.catalogue import rules
from motcua.catalogue.models import ProcedureVersion, WorkflowStep
from motcua.catalogue.schema import StepDoc
from motcua.catalogue.services.problems import Problem
from motcua.core.rules import rule_value

# ---------------------------------------------------------------------------------------------
# Working hours per day (rule ``workdays.office_hours``)


def hours_per_day_on(day: date) -> Decimal:
    """Length of the default office day in force on ``day``, in hours (7.5 for 07:30–11:30, 13:30–17:00)."""
    minutes = 0
    for start, end in rule_value("workdays.office_hours", day):
        h1, m1 = (int(x) for x in start.split(":"))
        h2, m2 = (int(x) for x in end.split(":"))
        minutes += (h2 * 60 + m2) - (h1 * 60 + m1)
    return Decimal(minutes) / Decimal(60)


def _steps_for_rules(steps: Iterable[StepDoc | WorkflowStep]) -> list[rules.Step]:
    return [
        rules.Step(
            code=s.code,
            order=int(s.order),
            allotted_hours=Decimal(s.allotted_hours),
            parallel_group=s.parallel_group or "",
        )
        for s in steps
    ]


def check_version_rules(
    *,
    status: str,
    online_level: str,
    online_partial_reason: str,
    time_limit_value: Decimal,
    time_limit_unit: str,
    effective_from: date,
    effective_to: date | None,
    steps: Sequence[StepDoc | WorkflowStep],
    hours_per_day: Decimal | None = None,
) -> list[Problem]:
    """The rules of one version that need no other row (locations relative to the version)."""
    problems: list[Problem] = []
    if online_level == ProcedureVersion.OnlineLevel.PARTIAL and not online_partial_reason.strip():
        problems.append(
            Problem(("online_partial_reason",), "Thủ tục chỉ cung cấp trực tuyến một phần phải ghi rõ lý do.")
        )
    if effective_to is not None and effective_to <= effective_from:
        problems.append(
            Problem(
                ("effective_to",),
                f"Ngày hết hiệu lực ({effective_to:%d/%m/%Y}) phải sau "
                f"ngày hiệu lực ({effective_from:%d/%m/%Y}).",
            )
        )
    per_day = hours_per_day if hours_per_day is not None else hours_per_day_on(effective_from)
    result = rules.check_allocation(
        time_limit_value,
        time_limit_unit,
        _steps_for_rules(steps),
        published=status == ProcedureVersion.Status.PUBLISHED,
        hours_per_day=per_day,
    )
    problems.extend(result.problems)
    return problems


def _overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from < (b_to or date.max) and b_from < (a_to or date.max)


def _range_text(start: date, end: date | None) -> str:
    return f"từ {start:%d/%m/%Y}" + (f" đến trước {end:%d/%m/%Y}" if end else " (không thời hạn)")
