"""Processing along the internal workflow (NĐ 61/2018 Điều 19): hand-over to the next step, send-back
to an earlier one, and assignment of the current step's handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from motcua.catalogue.models import WorkflowStep
from motcua.core.models import User
from motcua.core.permissions import active_assignments
from motcua.dossiers import rules
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action, DossierConflict, InvalidDossierInput, State
from motcua.dossiers.services._base import (
    _calendar,
    _check_version,
    _current,
    _held,
    _iso,
    _label,
    _load,
    _no_earlier_step,
    _no_next_step,
    _step_seconds,
    _step_timing,
    _transaction,
    earlier_steps,
    next_step,
    step_unit,
    workflow_steps,
)
from motcua.dossiers.services._pipeline import _record
from motcua.dossiers.services.authority import _authorise
from motcua.workdays.domain import Calendar, working_seconds_between


def hand_over(
    code: str, *, by: User, expected_version: int, assignee: User | None = None, note: str = ""
) -> Dossier:
    """Pass the dossier to the next step of the internal workflow, optionally naming who handles it.

    The time spent on the step being closed is recorded against its allotted hours (Mẫu 05).
    """
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.HAND_OVER)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.HAND_OVER)
        steps = workflow_steps(dossier.procedure_version_id)
        current = _current(steps, dossier)
        target = next_step(steps, current)
        if target is None:
            raise _no_next_step(steps)
        if assignee is not None:
            _require_assignee(assignee, target, dossier)
        _move(
            dossier,
            Action.HAND_OVER,
            by=by,
            to_state=to_state,
            steps=steps,
            current=current,
            target=target,
            assignee=assignee,
            extra={"note": note.strip()},
            summary=f"Chuyển hồ sơ {dossier.code} sang bước “{target.name}”",
        )
        return dossier


def send_back(
    code: str,
    *,
    by: User,
    expected_version: int,
    reason: str,
    to_step: str | None = None,
    assignee: User | None = None,
) -> Dossier:
    """Return the dossier to an earlier step of the internal workflow (trả lại bước trước), with the
    reason: to the previous processing step, or to the earlier step ``to_step`` names.

    The step goes back to ``assignee`` when given, else to whoever finished it last if they still hold
    its role, else to every holder of the step's role. The time spent on the step being left is
    recorded like a hand-over's (Mẫu 05); the earlier step's own clock starts again.
    """
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.SEND_BACK)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.SEND_BACK)
        why = rules.require_text(reason, "reason", "lý do trả lại")
        steps = workflow_steps(dossier.procedure_version_id)
        current = _current(steps, dossier)
        earlier = earlier_steps(steps, current)
        if not earlier:
            raise _no_earlier_step(dossier)
        if to_step:
            target = next((s for s in earlier if s.code == to_step), None)
            if target is None:
                raise InvalidDossierInput(
                    f"“{to_step[:40]}” không phải một bước trước bước hiện tại của quy trình; "
                    "chọn một trong: " + ", ".join(f"“{s.name}”" for s in earlier) + ".",
                    code="step_invalid",
                    details={"field": "to_step"},
                )
        else:
            target = earlier[0]
        if assignee is not None:
            _require_assignee(assignee, target, dossier)
        else:
            previous = _last_handler(dossier, target)
            unit = step_unit(target, dossier)
            if (
                previous is not None
                and unit is not None
                and target.role in _held(active_assignments(previous), unit)
            ):
                assignee = previous
        _move(
            dossier,
            Action.SEND_BACK,
            by=by,
            to_state=to_state,
            steps=steps,
            current=current,
            target=target,
            assignee=assignee,
            extra={"reason": why},
            summary=f"Trả hồ sơ {dossier.code} về bước “{target.name}”: {why[:120]}",
        )
        return dossier


def assign(code: str, *, by: User, expected_version: int, assignee: User, note: str = "") -> Dossier:
    """A leader names (or changes) who handles the current step (NĐ 61/2018 Điều 19.1)."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.ASSIGN)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.ASSIGN)
        step = dossier.current_step
        if step is None:
            raise DossierConflict("Hồ sơ không ở bước xử lý nào để phân công.", code="dossier_no_step")
        _require_assignee(assignee, step, dossier)
        at = timezone.now()
        _record(
            dossier,
            Action.ASSIGN,
            by=by,
            at=at,
            to_state=to_state,
            step=step,
            due_at=dossier.due_at,
            data={"assignee_id": assignee.pk, "note": note.strip()},
            summary=f"Phân công {_label(assignee)} xử lý hồ sơ {dossier.code}",
        )
        return dossier


# -- moving between steps --------------------------------------------------------------------------


def _move(
    dossier: Dossier,
    action: Action,
    *,
    by: User,
    to_state: State,
    steps: Sequence[WorkflowStep],
    current: WorkflowStep | None,
    target: WorkflowStep,
    assignee: User | None,
    extra: dict[str, Any],
    summary: str,
) -> None:
    """Move the dossier from ``current`` to ``target`` (hand-over or send-back): the time spent on the
    step being left is recorded (Mẫu 05) and the target step's own clock starts."""
    at = timezone.now()
    calendar = _calendar(dossier, at)
    _record(
        dossier,
        action,
        by=by,
        at=at,
        to_state=to_state,
        step=target,
        due_at=dossier.due_at,
        data={
            "from_step": current.code if current else "",
            "to_step": target.code,
            **extra,
            "assignee_id": assignee.pk if assignee else None,
            "closed_step": _closed_step(calendar, dossier, current, at),
            **_step_timing(calendar, target, at),
        },
        steps=steps,
        summary=summary,
    )


def _closed_step(
    calendar: Calendar, dossier: Dossier, current: WorkflowStep | None, at: datetime
) -> dict[str, Any] | None:
    """The working time spent on the step being left, against its allotted hours (Mẫu 05)."""
    if current is None or dossier.step_started_at is None:
        return None
    spent = working_seconds_between(calendar, dossier.step_started_at, at)
    allotted = _step_seconds(current)
    return {
        "code": current.code,
        "started_at": _iso(dossier.step_started_at),
        "working_seconds": spent,
        "allotted_seconds": allotted,
        "result": rules.step_result(spent, allotted),
    }


def _last_handler(dossier: Dossier, step: WorkflowStep) -> User | None:
    """Who finished ``step`` last (the actor of the latest hand-over out of it), if still active."""
    event = (
        dossier.events.filter(action=Action.HAND_OVER.value, data__from_step=step.code)
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    actor = event.actor if event is not None else None
    return actor if actor is not None and actor.is_active else None


def _require_assignee(assignee: User, step: WorkflowStep, dossier: Dossier) -> None:
    unit = step_unit(step, dossier)
    if not assignee.is_active or unit is None or step.role not in _held(active_assignments(assignee), unit):
        raise InvalidDossierInput(
            f"{_label(assignee)} không giữ vai trò “{step.get_role_display()}” tại "
            f"{unit.name if unit else 'đơn vị của bước'}, nên không thể được giao bước “{step.name}”.",
            code="assignee_invalid",
            details={"assignee": assignee.pk, "step": step.code},
        )
