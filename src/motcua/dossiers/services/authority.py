"""Who may do what on a dossier, and what its situation would refuse now.

``_authorise`` is step 1 of every use case (the role × action × step table of ``rules`` on the user's
standing: receiving, competent, current step's and consulted units); ``action_options``,
``actions_for`` and ``refusal`` answer the screens and the API with the same checks the use cases
make, so that nothing is offered that would be refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from motcua.catalogue.models import WorkflowStep
from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, User
from motcua.core.permissions import active_assignments
from motcua.core.rules import rule_value
from motcua.dossiers import rules
from motcua.dossiers.models import Consultation, Dossier
from motcua.dossiers.rules import (
    ACTION_LABELS,
    Action,
    DossierConflict,
    DossierForbidden,
    DossierNotFound,
    Side,
)
from motcua.dossiers.services._base import (
    _PENDING_REFUSAL,
    _calendar,
    _consultation_pending,
    _current,
    _held,
    _iso,
    _no_earlier_step,
    _no_next_step,
    _online_mode,
    _role_label,
    _steps_remaining,
    _vn,
    earlier_steps,
    next_step,
    step_unit,
    workflow_steps,
)
from motcua.dossiers.services.intake_checks import _unstaffed_now
from motcua.workdays.domain import to_local
from motcua.workdays.services import calendar_for

# -- standing and authorisation --------------------------------------------------------------------


@dataclass
class _Standing:
    """What a user holds on each side of one dossier, and the role its current step names."""

    sides: dict[Side, set[str]]
    visible: bool
    step_role: str | None = None


def _standing(user: User, dossier: Dossier, *, consulted: Sequence[OrgUnit] | None = None) -> _Standing:
    """``consulted``: the consulted units that matter for this action (``None``: all of them)."""
    assignments = active_assignments(user)
    sides: dict[Side, set[str]] = {
        Side.RECEIVING: _held(assignments, dossier.receiving_unit),
        Side.COMPETENT: _held(assignments, dossier.competent_unit),
        Side.STEP: set(),
        Side.CONSULTED: set(),
    }
    step = dossier.current_step
    step_roles: set[str] = set()
    if step is not None:
        step_roles = _held(assignments, step_unit(step, dossier))
        sides[Side.STEP] = {step.role} & step_roles
    for unit in consulted or ():
        sides[Side.CONSULTED] |= _held(assignments, unit)
    visible = bool(sides[Side.RECEIVING] or sides[Side.COMPETENT] or step_roles or sides[Side.CONSULTED]) or (
        dossier.assignee_id is not None and dossier.assignee_id == user.pk
    )
    if assignments and (consulted is None or not visible):
        # Staff of a consulted unit see the dossier (they must read it to answer).
        held_there: set[str] = set()
        for consultation in dossier.consultations.select_related("unit"):
            held_there |= _held(assignments, consultation.unit)
        visible = visible or bool(held_there)
        if consulted is None:
            sides[Side.CONSULTED] = held_there
    return _Standing(sides, visible, step.role if step is not None else None)


def _forbidden(dossier: Dossier, action: Action, standing: _Standing) -> DossierForbidden:
    step = dossier.current_step
    if (
        step is not None
        and Side.STEP in rules.permitted(action, step.role, step.role)
        and any(rules.permitted(action, role) for held in standing.sides.values() for role in held)
    ):
        # The role may take this action, but not while the dossier waits at someone else's step.
        return DossierForbidden(
            f"Hồ sơ {dossier.code} đang chờ ở bước “{step.name}” ({_role_label(step.role)}); "
            f"chỉ người giữ bước này mới được “{ACTION_LABELS[action].lower()}”.",
            details={"action": action.value, "step": step.code},
        )
    return DossierForbidden(
        f"Bạn không có quyền “{ACTION_LABELS[action].lower()}” đối với hồ sơ {dossier.code}.",
        details={"action": action.value},
    )


def _authorise(user: User, dossier: Dossier, action: Action, *, consulted: Sequence[OrgUnit] = ()) -> None:
    """404 at once for a dossier the user cannot see; a refusal of the role × action × step table is
    raised by ``_check_version`` (after the version check)."""
    standing = _standing(user, dossier, consulted=consulted)
    if not standing.visible:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {dossier.code}.")
    if not rules.may(action, standing.sides, standing.step_role):
        setattr(dossier, _PENDING_REFUSAL, _forbidden(dossier, action, standing))


def action_options(
    user: User, dossier: Dossier, *, at: datetime | None = None
) -> dict[Action, DomainError | None]:
    """Every action the role × action × step table allows ``user`` on ``dossier`` in its state, with the
    refusal its situation would meet now (``None``: it will be accepted, given valid input)."""
    standing = _standing(user, dossier)
    if not standing.visible:
        return {}
    allowed = rules.allowed_actions(dossier.state, standing.sides, standing.step_role)
    if not allowed:
        return {}
    moment = at or timezone.now()
    steps = workflow_steps(dossier.procedure_version_id)
    return {action: _blocker(user, dossier, action, steps=steps, at=moment) for action in allowed}


def actions_for(user: User, dossier: Dossier) -> list[Action]:
    """The actions ``user`` may take on ``dossier`` now: allowed by the table and not refused by the
    dossier's situation (for the screens and the API: offer nothing that will be refused)."""
    return [action for action, refusal in action_options(user, dossier).items() if refusal is None]


def refusal(user: User, dossier: Dossier, action: Action) -> DomainError | None:
    """Why the use case would refuse ``user`` this ``action`` now, beyond its state and version: not
    visible (404), not allowed by the role × action × step table (403, naming the step the dossier waits
    at), or refused by the dossier's situation (409); ``None`` when it would be accepted."""
    standing = _standing(user, dossier)
    if not standing.visible:
        return DossierNotFound(f"Không tìm thấy hồ sơ có mã {dossier.code}.")
    if not rules.may(action, standing.sides, standing.step_role):
        return _forbidden(dossier, action, standing)
    return _blocker(
        user, dossier, action, steps=workflow_steps(dossier.procedure_version_id), at=timezone.now()
    )


# -- the dossier's situation (the checks that need no input) ---------------------------------------


def _blocker(
    user: User, dossier: Dossier, action: Action, *, steps: Sequence[WorkflowStep], at: datetime
) -> DomainError | None:
    """The refusal the dossier's situation gives ``action`` at ``at`` (the use case's own checks that
    need no input), or ``None``: ``actions_for`` offers only what the use cases accept."""
    current = _current(steps, dossier)
    if action is Action.HAND_OVER:
        return _no_next_step(steps) if next_step(steps, current) is None else None
    if action is Action.SEND_BACK:
        return _no_earlier_step(dossier) if not earlier_steps(steps, current) else None
    if action is Action.ASSIGN:
        return (
            None
            if current is not None
            else DossierConflict("Hồ sơ không ở bước xử lý nào để phân công.", code="dossier_no_step")
        )
    if action is Action.MARK_RESULT_READY:
        remaining = next_step(steps, current)
        return _steps_remaining(remaining) if remaining is not None else _consultation_pending(dossier)
    if action is Action.RECEIVE_SUPPLEMENT:
        if not dossier.supplements.filter(received_at__isnull=True).exists():
            return DossierConflict("Hồ sơ không có yêu cầu bổ sung nào đang chờ.", code="supplement_not_open")
        return None
    if action is Action.ANSWER_CONSULTATION:
        return (
            None
            if answerable_consultations(user, dossier)
            else DossierConflict(
                "Không có yêu cầu xin ý kiến nào đang chờ đơn vị của bạn trả lời.",
                code="consultation_not_open",
            )
        )
    if action is Action.ACCEPT_ONLINE:
        return _unstaffed_now(dossier, steps, at)
    if action is Action.REQUEST_SUPPLEMENT:
        return _supplement_window_closed(dossier, at)
    if action is Action.REFUSE_AFTER_APPRAISAL:
        return _refusal_after_due(dossier, at)
    if action is Action.RESET_DUE:
        return _due_reset_refused(dossier, at)
    if action is Action.REPLACE_RESULT and not dossier.result_code:
        return DossierConflict(
            "Hồ sơ chưa có kết quả điện tử để thu hồi và cấp lại.", code="no_electronic_result"
        )
    return None


def answerable_consultations(user: User, dossier: Dossier) -> list[Consultation]:
    """The open consultations of the user's units whose turn has come (sequential ones answer in order)."""
    assignments = active_assignments(user)
    answering = {role for role, sides in rules.PERMISSIONS[Action.ANSWER_CONSULTATION].items() if sides}
    consultations = list(dossier.consultations.select_related("unit").order_by("batch", "order"))
    found = []
    for c in consultations:
        if c.answered_at is not None or not (_held(assignments, c.unit) & answering):
            continue
        if c.mode == Consultation.Mode.SEQUENTIAL and any(
            o.batch == c.batch and o.order < c.order and o.answered_at is None for o in consultations
        ):
            continue
        found.append(c)
    return found


def _supplement_window_closed(dossier: Dossier, at: datetime) -> DossierConflict | None:
    """NĐ 61/2018 Điều 19.4: the processing unit asks for a supplement within the window after receipt
    (the check of ``request_supplement``)."""
    if dossier.received_at is None:
        return None
    receipt_day = to_local(dossier.received_at).date()
    window = int(rule_value("dossiers.supplement_window_working_days", receipt_day))
    end = rules.supplement_window_end(
        calendar_for(dossier.competent_unit, receipt_day),
        dossier.received_at,
        window,
        online_mode=_online_mode(dossier),
    )
    if at <= end:
        return None
    return DossierConflict(
        f"Đã quá thời hạn yêu cầu bổ sung hồ sơ (hạn cuối {_vn(end)}; NĐ 61/2018/NĐ-CP Điều 19.4). "
        "Nếu hồ sơ không đủ điều kiện, hãy từ chối giải quyết và nêu rõ lý do.",
        code="supplement_window_closed",
        details={"window_end": _iso(end), "working_days": window},
    )


def _refusal_after_due(dossier: Dossier, at: datetime) -> DossierConflict | None:
    """A refusal after appraisal only within the time limit (the check of ``refuse_after_appraisal``)."""
    limit = dossier.appointment_at
    if limit is None or at <= limit:
        return None
    return DossierConflict(
        f"Chỉ được từ chối giải quyết trong thời hạn giải quyết (NĐ 61/2018/NĐ-CP Điều 19); hồ sơ đã "
        f"quá hạn từ {_vn(limit)}. Hãy xin lỗi, hẹn lại ngày trả hoặc dừng xử lý.",
        code="refusal_after_due",
    )


def _due_reset_refused(dossier: Dossier, at: datetime) -> DossierConflict | None:
    """Apology at most ``dossiers.max_due_resets`` times and in time (the checks of ``reset_due``)."""
    today = to_local(at).date()
    done = dossier.due_resets.count()
    limit = int(rule_value("dossiers.max_due_resets", today))
    if done >= limit:
        return DossierConflict(
            f"Hồ sơ đã được hẹn lại ngày trả kết quả {done} lần; chỉ được hẹn lại {limit} lần "
            "(NĐ 61/2018/NĐ-CP Điều 19.9).",
            code="due_reset_limit",
        )
    due = dossier.appointment_at
    min_days = int(rule_value("dossiers.apology_min_working_days", today))
    if due is None or not rules.apology_in_time(_calendar(dossier, at), at, due, min_days):
        return DossierConflict(
            f"Phiếu xin lỗi và hẹn lại ngày trả phải gửi chậm nhất {min_days} ngày làm việc trước hạn "
            f"trả ({_vn(due)}; NĐ 61/2018/NĐ-CP Điều 19.9); nay đã quá thời điểm đó.",
            code="due_reset_too_late",
        )
    return None
