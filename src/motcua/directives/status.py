"""The status of a task (nhiệm vụ), derived from its dates and progress — pure Python (domain.md §9).

Nothing is stored: the status changes with the calendar. One unit's part of a task occurrence has a
deadline (or none: "Thường xuyên", "theo tiến độ …"), maybe progress reports, maybe an approved
completion date. On a given day its status is the first that applies:

1. completed: *Hoàn thành đúng hạn* when the completion date is on or before the deadline (or there is
   no deadline), otherwise *Hoàn thành quá hạn*;
2. no deadline: *Không thời hạn*;
3. the deadline has passed: *Đang thực hiện quá hạn* (whether or not anything was reported);
4. the deadline is near — at most ``directives.soon_due_working_days`` working days ahead
   (rule in ``core/rules.py``; 5 by default): *Sắp đến hạn*;
5. some progress was reported: *Đang thực hiện trong hạn*;
6. otherwise: *Chưa thực hiện*.

"Near" is counted in working days on the province calendar: the deadline ``due`` is near on ``today``
when the working days in (today, due] are at most N, i.e. when ``due`` is before the (N+1)-th working
day after today (``soon_until``). The selectors compute the same status in SQL with ``soon_until``.

A task occurrence led by several units (one part each) is summarised (``summarise``): it is complete
when every part is — on the last part's completion date, *quá hạn* when any part was completed after
its own deadline; until then its deadline is the earliest deadline among the parts not completed, so a
single late unit makes the task *Đang thực hiện quá hạn*.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from motcua.workdays.domain import Calendar


class Status(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    SOON_DUE = "soon_due"
    NOT_STARTED = "not_started"
    NO_DEADLINE = "no_deadline"


# Vietnamese labels (the views translate them through gettext with the same source strings).
LABELS: dict[Status, str] = {
    Status.DONE_ON_TIME: "Hoàn thành đúng hạn",
    Status.DONE_LATE: "Hoàn thành quá hạn",
    Status.IN_PROGRESS: "Đang thực hiện trong hạn",
    Status.OVERDUE: "Đang thực hiện quá hạn",
    Status.SOON_DUE: "Sắp đến hạn",
    Status.NOT_STARTED: "Chưa thực hiện",
    Status.NO_DEADLINE: "Không thời hạn",
}

# Display order on dashboards: what needs attention first.
ORDER: tuple[Status, ...] = (
    Status.OVERDUE,
    Status.SOON_DUE,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.NO_DEADLINE,
    Status.DONE_ON_TIME,
    Status.DONE_LATE,
)

DONE = frozenset({Status.DONE_ON_TIME, Status.DONE_LATE})


def soon_until(calendar: Calendar, today: date, soon_working_days: int) -> date:
    """The first day that is no longer "near": the (N+1)-th working day after ``today``."""
    return calendar.add_working_days(today, soon_working_days + 1)


def derive(
    *, due: date | None, completed_on: date | None, started: bool, today: date, soon_until: date
) -> Status:
    if completed_on is not None:
        return Status.DONE_ON_TIME if due is None or completed_on <= due else Status.DONE_LATE
    if due is None:
        return Status.NO_DEADLINE
    if due < today:
        return Status.OVERDUE
    if due < soon_until:
        return Status.SOON_DUE
    return Status.IN_PROGRESS if started else Status.NOT_STARTED


@dataclass(frozen=True)
class Summary:
    """What the parts of a task occurrence add up to."""

    completed_on: date | None  # every part completed: the last completion date
    late: bool  # every part completed, and one of them after its own deadline
    next_due: date | None  # not completed: the earliest deadline among the parts not completed


def summarise(parts: Iterable[tuple[date | None, date | None]]) -> Summary:
    """``(deadline, completion date)`` of each unit's part → the occurrence's summary. Without parts
    nothing is complete and there is no deadline."""
    rows = list(parts)
    open_dues = [due for due, done in rows if done is None]
    if rows and len(open_dues) == 0:
        done_days = [done for _, done in rows if done is not None]
        late = any(done is not None and due is not None and done > due for due, done in rows)
        return Summary(max(done_days), late, None)
    dated = [due for due in open_dues if due is not None]
    return Summary(None, False, min(dated) if dated else None)


def derive_summary(summary: Summary, *, started: bool, today: date, soon_until: date) -> Status:
    """The status of a task occurrence from its parts' summary (``derive`` for the unfinished case)."""
    if summary.completed_on is not None:
        return Status.DONE_LATE if summary.late else Status.DONE_ON_TIME
    return derive(
        due=summary.next_due, completed_on=None, started=started, today=today, soon_until=soon_until
    )
