"""A dossier's time, as the staff screens show it: its clock, its overall time and each step's time.

Selectors over what is already loaded (the dossier row, its events, its supplement requests, the
workflow's steps and a calendar); they return numbers — working seconds, moments, codes — and the
screens put them in words.

- ``read_clock``: time left or overdue now, by the on-time verdict of ``dossiers.timeliness`` in the
  late-list reading (``dossiers.ontime.judge_now``);
- ``overall``: office time used since the receipt (the waits for a supplement not counted) and left;
- ``step_times``: each workflow step the dossier went through, against its allotted hours — the
  per-step control sheet (Mẫu 05, Phiếu kiểm soát quá trình giải quyết hồ sơ).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from motcua.catalogue.models import WorkflowStep
from motcua.core.models import User
from motcua.dossiers import rules
from motcua.dossiers.models import Dossier, DossierEvent, Supplement
from motcua.dossiers.ontime import judge_now
from motcua.dossiers.rules import Action, State
from motcua.dossiers.timeliness import Basis, Wait
from motcua.workdays.domain import Calendar, working_seconds_between

# -- small readings of the events ------------------------------------------------------------------


def parse_moment(value: Any) -> datetime | None:
    """A moment stored in an event's data (ISO text), or ``None``."""
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def action_of(event: DossierEvent) -> Action | None:
    """The event's action; ``None`` for an action this version of the code does not know."""
    return action_name(event.action)


def action_name(name: str) -> Action | None:
    """The action stored as ``name``; ``None`` for one this version of the code does not know."""
    try:
        return Action(name)
    except ValueError:
        return None


# -- the clock -------------------------------------------------------------------------------------


class ClockState(StrEnum):
    NOT_RECEIVED = "not_received"  # submitted online, not yet received: no clock
    NO_DUE = "no_due"  # refused at intake, or nothing to compare with
    PAUSED = "paused"  # waiting for the citizen's supplement
    DONE = "done"  # ended on time
    LATE = "late"  # ended late: ``seconds`` late
    OVER = "over"  # running and overdue: ``seconds`` over
    SOON = "soon"  # running, due by the soon-due threshold: ``seconds`` left
    OK = "ok"  # running: ``seconds`` left


@dataclass(frozen=True)
class ClockReading:
    state: ClockState
    seconds: int = 0  # working seconds left (ok, soon) or late (over, late)


def read_clock(
    dossier: Dossier,
    calendar: Calendar,
    now: datetime,
    soon: datetime,
    waits: tuple[Wait, ...] = (),
    basis: Basis | None = None,
) -> ClockReading:
    """The dossier's clock now. ``soon``: the soon-due threshold; ``waits``: its supplement requests
    (needed only for a dossier that has ended); ``basis``: the late-list reading, when the caller has
    read it once for a list (else read for ``now``)."""
    state = State(dossier.state)
    if state in (State.SUBMITTED, State.INTAKE_SUPPLEMENT):
        return ClockReading(ClockState.NOT_RECEIVED)
    if dossier.due_at is None or state is State.REFUSED_AT_INTAKE:
        return ClockReading(ClockState.NO_DUE)
    if state is State.AWAITING_SUPPLEMENT:
        return ClockReading(ClockState.PAUSED)
    t = judge_now(dossier, now, waits, basis)
    due = t.compared_due
    if due is None:
        return ClockReading(ClockState.NO_DUE)
    if t.ended:
        if t.on_time:
            return ClockReading(ClockState.DONE)
        return ClockReading(ClockState.LATE, working_seconds_between(calendar, due, t.effective_end))
    if not t.on_time:
        return ClockReading(ClockState.OVER, working_seconds_between(calendar, due, now))
    left = working_seconds_between(calendar, now, due)
    return ClockReading(ClockState.SOON if due <= soon else ClockState.OK, left)


# -- the overall time ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overall:
    start: datetime  # the receipt the limit counts from
    used: int  # working seconds used, the waits for a supplement not counted
    left: int | None  # working seconds left; None when the clock has stopped or the due has passed
    running: bool  # the clock runs (``rules.CLOCK_RUNNING``)


def overall(
    dossier: Dossier,
    events: Iterable[DossierEvent],
    supplements: Iterable[Supplement],
    calendar: Calendar,
    now: datetime,
) -> Overall | None:
    """Office time used since the receipt and left before the due; ``None`` before the receipt or
    without a due."""
    start = None
    for event in events:
        if event.action in (Action.RECEIVE_AT_COUNTER, Action.ACCEPT_ONLINE):
            start = parse_moment((event.data or {}).get("effective_received")) or event.at
    if start is None or dossier.due_at is None:
        return None
    end = dossier.finished_at or now
    used = working_seconds_between(calendar, start, end)
    for s in supplements:
        pause_end = min(s.received_at or end, end)
        used -= working_seconds_between(calendar, max(s.requested_at, start), pause_end)
    running = State(dossier.state) in rules.CLOCK_RUNNING
    left = (
        working_seconds_between(calendar, now, dossier.due_at) if running and now < dossier.due_at else None
    )
    return Overall(start=start, used=max(0, used), left=left, running=running)


# -- the steps -------------------------------------------------------------------------------------

# The events that close a supplement request of a received dossier (the step's clock runs again).
SUPPLEMENT_ARRIVED = frozenset({Action.RECEIVE_SUPPLEMENT, Action.SUPPLEMENT_ONLINE})
RUNNING = "running"  # the result of the step in progress while within its allotted time


@dataclass(frozen=True)
class StepTime:
    """One step the dossier went through: ``result`` is ``rules.step_result``'s (early, on_time,
    late), or ``RUNNING`` for the step in progress within its time (``late`` once past it)."""

    code: str
    step: WorkflowStep | None
    started: datetime
    ended: datetime | None  # None: the step in progress
    spent: int  # working seconds, the waits for a supplement not counted
    allotted: int  # working seconds
    result: str
    by: str  # who closed the step, or who holds the step in progress


@dataclass
class _Open:
    code: str
    step: WorkflowStep | None
    started: datetime
    clock_start: datetime
    allotted: int


def step_times(
    events: Iterable[DossierEvent],
    steps: Sequence[WorkflowStep],
    calendar: Calendar,
    now: datetime,
    assignee: User | None = None,
) -> list[StepTime]:
    """Each workflow step the dossier went through (events in order), with its time against the
    allotted hours: the service's own measure when the closing event recorded it, else measured here
    (the clock of a step stops while waiting for a supplement and restarts when it arrives).
    ``assignee``: who holds the step in progress."""
    by_code = {s.code: s for s in steps}
    rows: list[StepTime] = []
    current: _Open | None = None
    paused_at: datetime | None = None
    for event in events:
        data = event.data or {}
        action = action_of(event)
        if current is not None and event.step_code != current.code:
            closed = data.get("closed_step") if action in (Action.HAND_OVER, Action.SEND_BACK) else None
            if isinstance(closed, dict) and closed.get("code") == current.code:
                spent, allotted = int(closed["working_seconds"]), int(closed["allotted_seconds"])
                result = str(closed.get("result", ""))
            else:
                spent = working_seconds_between(calendar, current.clock_start, paused_at or event.at)
                allotted = current.allotted
                result = rules.step_result(spent, allotted)
            rows.append(
                StepTime(
                    current.code,
                    current.step,
                    current.started,
                    event.at,
                    spent,
                    allotted,
                    result,
                    event.actor_label,
                )
            )
            current = None
        if action is Action.REQUEST_SUPPLEMENT:
            paused_at = event.at
        if action in SUPPLEMENT_ARRIVED:
            paused_at = None
        if event.step_code and current is None:
            step = by_code.get(event.step_code)
            started = parse_moment(data.get("step_started_at")) or event.at
            allotted = int(Decimal(step.allotted_hours) * 3600) if step else 0
            current = _Open(event.step_code, step, started, started, allotted)
        elif current is not None and action in SUPPLEMENT_ARRIVED:
            current.clock_start = parse_moment(data.get("step_started_at")) or event.at
    if current is not None:
        spent = working_seconds_between(calendar, current.clock_start, paused_at or now)
        by = (assignee.full_name or assignee.username) if assignee else ""
        result = RUNNING if spent <= current.allotted else "late"
        rows.append(
            StepTime(current.code, current.step, current.started, None, spent, current.allotted, result, by)
        )
    return rows


__all__ = [
    "RUNNING",
    "ClockReading",
    "ClockState",
    "Overall",
    "StepTime",
    "action_of",
    "overall",
    "parse_moment",
    "read_clock",
    "step_times",
]
