"""The only write path of dossiers: one function per use case, each one transaction.

Every use case runs the same pipeline inside ``transaction.atomic()``:

1. permission — the user's roles on the relevant side of the dossier (receiving one-stop unit,
   competent unit, current step's unit, consulted unit), from ``core.permissions``; a dossier the
   user cannot see at all is reported as not found (existence is not revealed);
2. transition — ``rules.next_state`` (the table);
3. optimistic concurrency — the caller's ``expected_version`` must equal ``lock_version``, and the
   write is ``UPDATE … WHERE lock_version = expected`` (0 rows → ``StaleDossier``, HTTP 409);
4. validation of the input and of the legal rules (supplement window, apology once and in time…);
5. mutate the projection columns through ``projection.apply`` (the same fold ``rebuild`` uses);
6. append one ``DossierEvent`` (its ``seq`` is the new ``lock_version``);
7. one ``core.audit.record`` entry;
8. one outbox row (``DongBoHoSoMC``) for the national portal;
with the deadlines computed by the ``workdays`` engine on the competent unit's calendar.

Any refusal raises a ``DomainError`` subclass from ``rules`` before anything is written, or rolls the
whole transaction back: nothing is half-stored.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from motcua.catalogue import cache as catalogue_cache
from motcua.catalogue.models import Component, Procedure, ProcedureVersion, WorkflowStep
from motcua.core import audit, fastsql, refcache, staffing
from motcua.core.errors import DomainError
from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.core.models import Organisation, OrgUnit, Person, Role, RoleAssignment, User
from motcua.core.permissions import active_assignments
from motcua.core.rules import rule_value
from motcua.core.text import fold
from motcua.dossiers import projection, rules
from motcua.dossiers.models import (
    Channel,
    Consultation,
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DueReset,
    ResultDelivery,
    Supplement,
)
from motcua.dossiers.rules import (
    ACTION_LABELS,
    STALE_MESSAGE,
    Action,
    DossierConflict,
    DossierForbidden,
    DossierNotFound,
    InvalidDossierInput,
    Side,
    StaleDossier,
    State,
)
from motcua.dossiers.sync import TOPIC_DONG_BO, dong_bo_ho_so_mc
from motcua.integrations.outbox import enqueue
from motcua.workdays.domain import (
    Calendar,
    CalendarError,
    add_working_seconds,
    compute_due,
    due_after_pauses,
    to_local,
    working_seconds_between,
)
from motcua.workdays.services import calendar_for

Applicant = Person | Organisation


# -- inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentInput:
    """One document handed in: a component of the procedure (``component_id``) or a free-text one."""

    component_id: int | None = None
    name: str = ""
    kind: str = DossierComponent.Kind.ORIGINAL
    quantity: int = 1
    received: bool = True
    file: File[Any] | None = None
    digitised: bool = False
    reused: bool = False


@dataclass(frozen=True)
class FeeInput:
    """A fee or financial obligation the applicant must pay (``request_payment``)."""

    name: str
    amount_vnd: Decimal | int | None
    kind: str = DossierFee.Kind.OBLIGATION


@dataclass(frozen=True)
class ConsultationTarget:
    """A unit asked for its opinion, with its own deadline in working days."""

    unit: OrgUnit
    working_days: int


# -- small helpers ---------------------------------------------------------------------------------

DOSSIER_RELATED = (
    "procedure",
    "procedure__field",
    "procedure_version",
    "receiving_unit",
    "competent_unit",
    "current_step",
    "current_step__unit",
    "assignee",
    "applicant_person",
    "applicant_organisation",
)


def _load(code: str) -> Dossier:
    try:
        return Dossier.objects.select_related(*DOSSIER_RELATED).get(code=code)
    except Dossier.DoesNotExist:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.") from None


def _label(user: User) -> str:
    return str(user.full_name or user.get_username())[:150]


def _applicant_label(applicant: Applicant) -> str:
    if isinstance(applicant, Person):
        return f"Công dân {applicant.full_name} ({applicant.citizen_id})"[:150]
    return f"Tổ chức {applicant.name} ({applicant.tax_code})"[:150]


@contextlib.contextmanager
def _attributed(user: User | None, label: str) -> Iterator[None]:
    """Attribute the audit entry to ``user`` (keeping the client address the middleware recorded)."""
    current = audit.current_actor()
    if user is not None and current.user_id == user.pk:
        yield
        return
    with audit.acting_as(user, label=label, ip=current.ip):
        yield


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else to_local(moment).isoformat()


def _vn(moment: datetime | None) -> str:
    return "" if moment is None else f"{to_local(moment):%H:%M %d/%m/%Y}"


def _covers(assignment: RoleAssignment, unit: OrgUnit) -> bool:
    if assignment.unit_id == unit.pk:
        return True
    return assignment.include_subunits and unit.path.startswith(assignment.unit.path)


def _held(assignments: Sequence[RoleAssignment], unit: OrgUnit | None) -> set[str]:
    if unit is None:
        return set()
    return {a.role for a in assignments if _covers(a, unit)}


def _roles_at(user: User, unit: OrgUnit) -> set[str]:
    """``_held(active_assignments(user), unit)`` in one hand-written query (intake's only check):
    the roles valid today of assignments at ``unit`` or, including subunits, at a unit above it.

    The query also brings the reference-data token (``refcache.adopt``), which the use case would
    otherwise read with a query of its own."""
    if not user.is_authenticated or not user.is_active:
        return set()
    day = timezone.localdate()
    quote = connection.ops.quote_name
    assignments, units = quote(RoleAssignment._meta.db_table), quote(OrgUnit._meta.db_table)
    with fastsql.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT ra.role, {refcache.token_sql()} "  # noqa: S608
            f"FROM {assignments} ra JOIN {units} a ON a.id = ra.unit_id "
            "WHERE ra.user_id = %s AND ra.valid_from <= %s AND (ra.valid_to IS NULL OR ra.valid_to > %s) "
            "AND (ra.unit_id = %s OR (ra.include_subunits AND substr(%s, 1, length(a.path)) = a.path))",
            [user.pk, day, day, unit.pk, unit.path],
        )
        rows = cursor.fetchall()
    if rows:
        refcache.adopt(rows[0][1])
    return {role for role, _ in rows}


def step_unit(step: WorkflowStep, dossier: Dossier) -> OrgUnit | None:
    """The unit that performs ``step`` for ``dossier``."""
    if step.unit_mode == WorkflowStep.UnitMode.ONE_STOP:
        return dossier.receiving_unit
    if step.unit_mode == WorkflowStep.UnitMode.FIXED:
        return step.unit
    return dossier.competent_unit


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


# A refusal found by ``_authorise`` waits on the dossier object until ``_check_version``: a stale
# ``expected_version`` is reported first (409 ``dossier_stale``), whatever the permission outcome. Nothing
# is written before ``_check_version`` raises it, and ``_apply`` refuses to write while one is pending.
_PENDING_REFUSAL = "_motcua_pending_refusal"


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


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


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


def _check_version(dossier: Dossier, expected_version: int) -> None:
    """The caller's version must be the dossier's; then any refusal ``_authorise`` left is raised."""
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise InvalidDossierInput(
            "Thiếu phiên bản hồ sơ đang xem (expected_version); hãy tải lại hồ sơ.",
            code="expected_version_invalid",
        )
    if expected_version != dossier.lock_version:
        raise StaleDossier(
            STALE_MESSAGE,
            details={"expected_version": expected_version, "current_version": dossier.lock_version},
        )
    _raise_pending(dossier)


def _raise_pending(dossier: Dossier) -> None:
    refusal = getattr(dossier, _PENDING_REFUSAL, None)
    if refusal is not None:
        raise refusal


@contextlib.contextmanager
def _transaction() -> Iterator[None]:
    """The use case's transaction; the reference data (calendars, rules, catalogue) is read from the
    process cache, checked against the generation token once (``core.refcache``)."""
    with transaction.atomic(), refcache.pinned():
        yield


def workflow_steps(version_id: int) -> list[WorkflowStep]:
    """The version's workflow steps by order, with their fixed unit (from the catalogue cache)."""
    return list(catalogue_cache.bundle(version_id).steps)


def _return_step(steps: Sequence[WorkflowStep]) -> WorkflowStep | None:
    """The closing "return the result" step at the one-stop unit, when the workflow ends with one."""
    if len(steps) >= 2 and steps[-1].unit_mode == WorkflowStep.UnitMode.ONE_STOP:
        return steps[-1]
    return None


def _processing_steps(steps: Sequence[WorkflowStep]) -> list[WorkflowStep]:
    """Steps a dossier is handed through: consultation steps are run by ``request_consultation``."""
    closing = _return_step(steps)
    return [s for s in steps if not s.is_consultation and s is not closing]


def next_step(steps: Sequence[WorkflowStep], current: WorkflowStep | None) -> WorkflowStep | None:
    candidates = _processing_steps(steps)
    if current is None:
        return candidates[0] if candidates else None
    return next((s for s in candidates if s.order > current.order), None)


def earlier_steps(steps: Sequence[WorkflowStep], current: WorkflowStep | None) -> list[WorkflowStep]:
    """The processing steps before ``current`` that ``send_back`` may return a dossier to, nearest first."""
    if current is None:
        return []
    return [s for s in reversed(_processing_steps(steps)) if s.order < current.order]


def _current(steps: Sequence[WorkflowStep], dossier: Dossier) -> WorkflowStep | None:
    return next((s for s in steps if s.pk == dossier.current_step_id), None)


def _no_next_step(steps: Sequence[WorkflowStep]) -> DossierConflict:
    return DossierConflict(
        "Hồ sơ đang ở bước xử lý cuối cùng của quy trình nội bộ; khi có kết quả, hãy chuyển trả kết quả."
        if steps
        else "Thủ tục chưa có quy trình nội bộ nên không có bước để chuyển.",
        code="dossier_no_next_step",
    )


def _no_earlier_step(dossier: Dossier) -> DossierConflict:
    return DossierConflict(
        f"Hồ sơ {dossier.code} đang ở bước đầu của quy trình nội bộ; không có bước trước để trả lại.",
        code="dossier_no_earlier_step",
    )


def _steps_remaining(step: WorkflowStep) -> DossierConflict:
    return DossierConflict(
        f"Hồ sơ còn bước “{step.name}” chưa thực hiện; hãy chuyển bước trước khi trả kết quả.",
        code="dossier_steps_remaining",
    )


def _consultation_pending(dossier: Dossier) -> DossierConflict | None:
    pending = dossier.consultations.filter(answered_at__isnull=True).select_related("unit").first()
    if pending is None:
        return None
    return DossierConflict(
        f"{pending.unit.name} chưa trả lời xin ý kiến (hạn {_vn(pending.due_at)}).",
        code="consultation_pending",
    )


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


def _step_seconds(step: WorkflowStep) -> int:
    return int((Decimal(step.allotted_hours) * 3600).to_integral_value())


def _step_timing(calendar: Calendar, step: WorkflowStep | None, at: datetime) -> dict[str, Any]:
    if step is None:
        return {"step_started_at": None, "step_due_at": None}
    return {
        "step_started_at": _iso(at),
        "step_due_at": _iso(add_working_seconds(calendar, at, _step_seconds(step))),
    }


def _calendar(dossier_or_unit: Dossier | OrgUnit, at: datetime) -> Calendar:
    unit = dossier_or_unit.competent_unit if isinstance(dossier_or_unit, Dossier) else dossier_or_unit
    return calendar_for(unit, to_local(at).date())


def _online_mode(dossier: Dossier) -> str | None:
    """The receipt rule of online dossiers in force on the receipt day (None for paper dossiers)."""
    if dossier.channel != Channel.ONLINE or dossier.received_at is None:
        return None
    return str(rule_value("workdays.online_received", to_local(dossier.received_at).date()))


def _require_assignee(assignee: User, step: WorkflowStep, dossier: Dossier) -> None:
    unit = step_unit(step, dossier)
    if not assignee.is_active or unit is None or step.role not in _held(active_assignments(assignee), unit):
        raise InvalidDossierInput(
            f"{_label(assignee)} không giữ vai trò “{step.get_role_display()}” tại "
            f"{unit.name if unit else 'đơn vị của bước'}, nên không thể được giao bước “{step.name}”.",
            code="assignee_invalid",
            details={"assignee": assignee.pk, "step": step.code},
        )


# -- creation: validation of units, version, applicant and components ------------------------------


def _version_in_force(procedure: Procedure, day: date) -> catalogue_cache.VersionBundle:
    """The version in force on ``day`` with its units, components, fees and steps (cached)."""
    found = catalogue_cache.bundle_in_force(procedure.pk, day)
    if found is None:
        raise InvalidDossierInput(
            f"Thủ tục {procedure.code} không có phiên bản đang có hiệu lực ngày {day:%d/%m/%Y}.",
            code="procedure_not_in_force",
        )
    return found


def _check_units(
    found: catalogue_cache.VersionBundle, receiving: OrgUnit, competent: OrgUnit, day: date
) -> None:
    if not receiving.is_one_stop:
        raise InvalidDossierInput(
            f"{receiving.name} không có Bộ phận Một cửa nên không tiếp nhận hồ sơ.",
            code="receiving_unit_invalid",
        )
    for unit in (receiving, competent):
        if not unit.is_active_on(day):
            raise InvalidDossierInput(
                f"{unit.name} không còn hoạt động ngày {day:%d/%m/%Y}.", code="unit_inactive"
            )
    allowed = found.implementing_units
    # Intake regardless of administrative boundary: any one-stop unit receives, but the dossier is
    # routed only to a unit that implements the procedure (or one below it).
    if allowed and not any(competent.pk == u.pk or competent.path.startswith(u.path) for u in allowed):
        raise InvalidDossierInput(
            f"{competent.name} không phải đơn vị thực hiện thủ tục {found.version.procedure.code}.",
            code="competent_unit_invalid",
        )


def _performer(step: WorkflowStep, receiving: OrgUnit, competent: OrgUnit) -> OrgUnit | None:
    """The unit that performs ``step`` for a dossier received at ``receiving`` for ``competent``."""
    if step.unit_mode == WorkflowStep.UnitMode.ONE_STOP:
        return receiving
    if step.unit_mode == WorkflowStep.UnitMode.FIXED:
        return step.unit
    return competent


def unstaffed_step(
    steps: Sequence[WorkflowStep], receiving: OrgUnit, competent: OrgUnit, day: date
) -> tuple[WorkflowStep, OrgUnit] | None:
    """The first workflow step (consultations aside) whose role no active account holds on ``day`` in
    the unit that would perform it: a dossier sent there would wait at that step for ever. One query."""
    plan = [(s, u) for s in steps if not s.is_consultation and (u := _performer(s, receiving, competent))]
    if not plan:
        return None
    held = staffing.staffed([(s.role, u) for s, u in plan], day)
    return next(((s, u) for s, u in plan if (s.role, u.pk) not in held), None)


def _unstaffed_error(
    step: WorkflowStep, unit: OrgUnit, receiving: OrgUnit, procedure_code: str, day: date
) -> InvalidDossierInput:
    field = (
        "receiving_unit"
        if unit.pk == receiving.pk and step.unit_mode == WorkflowStep.UnitMode.ONE_STOP
        else "competent_unit"
    )
    return InvalidDossierInput(
        f"{unit.name} chưa có ai giữ vai trò “{_role_label(step.role)}” để thực hiện bước “{step.name}” của "
        f"thủ tục {procedure_code} ngày {day:%d/%m/%Y}, nên chưa thể nhận hồ sơ giao cho đơn vị này. "
        "Hãy chọn đơn vị giải quyết khác, hoặc đề nghị quản trị hệ thống phân công người giữ vai trò đó.",
        code="step_unstaffed",
        details={"field": field, "step": step.code, "role": step.role, "unit": unit.code},
    )


def _unstaffed_now(
    dossier: Dossier, steps: Sequence[WorkflowStep], at: datetime
) -> InvalidDossierInput | None:
    """Accepting an online dossier checks the workflow's staffing again, on the day of acceptance."""
    day = to_local(at).date()
    gap = unstaffed_step(steps, dossier.receiving_unit, dossier.competent_unit, day)
    if gap is None:
        return None
    return _unstaffed_error(*gap, dossier.receiving_unit, dossier.procedure.code, day)


def _check_staffed(
    found: catalogue_cache.VersionBundle, receiving: OrgUnit, competent: OrgUnit, day: date
) -> None:
    """Intake refuses a competent unit where a step of the workflow has nobody to do it."""
    gap = unstaffed_step(found.steps, receiving, competent, day)
    if gap is not None:
        raise _unstaffed_error(*gap, receiving, found.version.procedure.code, day)


def _applicant_snapshot(applicant: Applicant) -> dict[str, Any]:
    if applicant is None or applicant.pk is None:
        raise InvalidDossierInput("Cần chọn chủ hồ sơ đã có trong hệ thống.", code="applicant_required")
    try:
        if isinstance(applicant, Person):
            number = parse_citizen_id(applicant.citizen_id, birth_date=applicant.birth_date).number
            return {
                "applicant_person": applicant,
                "applicant_name": applicant.full_name,
                "applicant_id_number": number,
            }
        if isinstance(applicant, Organisation):
            return {
                "applicant_organisation": applicant,
                "applicant_name": applicant.name,
                "applicant_id_number": normalise_tax_code(applicant.tax_code),
            }
    except IdentityError as exc:
        raise InvalidDossierInput(str(exc), code="applicant_id_invalid") from exc
    raise InvalidDossierInput("Chủ hồ sơ phải là công dân hoặc tổ chức.", code="applicant_required")


# The catalogue's submission channel codes (``Component.channels``) of the dossier channels.
CHANNEL_CODES: dict[int, str] = {Channel.COUNTER: "direct", Channel.POST: "postal", Channel.ONLINE: "online"}


def missing_components(components: Sequence[Component], ticked: set[int], channel: int) -> list[list[str]]:
    """The required documents (role *nộp*) of the channel not handed in, each as the names that would do:
    a component that applies to another channel only is not asked (the paper form at the counter, the
    e-form online), and of alternatives (one ``alternative_group``) any one will do."""
    code = CHANNEL_CODES[channel]
    missing: list[list[str]] = []
    groups: dict[str, list[Component]] = {}
    for c in components:
        if not (c.required and c.role == c.Role.SUBMIT and c.applies_to(code)):
            continue
        if c.alternative_group:
            groups.setdefault(c.alternative_group, []).append(c)
        elif c.pk not in ticked:
            missing.append([c.name])
    for members in groups.values():
        if not any(m.pk in ticked for m in members):
            missing.append([m.name for m in members])
    return missing


def _components(
    found: catalogue_cache.VersionBundle, given: Sequence[ComponentInput], channel: int
) -> list[DossierComponent]:
    catalogue = {c.pk: c for c in found.components}
    rows: list[DossierComponent] = []
    ticked: set[int] = set()
    kinds = set(DossierComponent.Kind.values)
    for item in given:
        component = None
        if item.component_id is not None:
            component = catalogue.get(item.component_id)
            if component is None:
                raise InvalidDossierInput(
                    f"Giấy tờ #{item.component_id} không thuộc thành phần hồ sơ của thủ tục này.",
                    code="component_unknown",
                )
            if item.received:
                ticked.add(component.pk)
        name = (item.name or (component.name if component else "")).strip()
        if not name:
            raise InvalidDossierInput("Giấy tờ nộp thêm phải có tên.", code="component_name_required")
        kind = (
            item.kind if component is None or item.kind != DossierComponent.Kind.ORIGINAL else component.kind
        )
        if kind not in kinds or item.quantity < 1:
            raise InvalidDossierInput(
                f"Giấy tờ “{name[:60]}”: loại bản hoặc số lượng không hợp lệ.", code="component_invalid"
            )
        rows.append(
            DossierComponent(
                catalogue_component=component,
                name=name,
                kind=kind,
                quantity=item.quantity,
                received=item.received,
                file=item.file,
                digitised=item.digitised,
                reused=item.reused,
            )
        )
    missing = missing_components(found.components, ticked, channel)
    if missing:
        raise InvalidDossierInput(
            "Hồ sơ chưa đủ thành phần bắt buộc: "
            + "; ".join(" hoặc ".join(name[:80] for name in names) for names in missing)
            + ".",
            code="components_missing",
            details={"missing": [" hoặc ".join(names) for names in missing]},
        )
    return rows


def _fees(found: catalogue_cache.VersionBundle) -> list[DossierFee]:
    return [
        DossierFee(catalogue_fee=f, name=f.name, kind=f.kind, amount_vnd=f.amount_vnd) for f in found.fees
    ]


# -- dossier codes: an atomic daily sequence per receiving unit ----------------------------------


def _next_sequence(unit: OrgUnit, day: date) -> int:
    """The next serial number of ``unit`` on ``day``; never repeats under concurrency.

    One statement, ``INSERT … ON CONFLICT (unit, day) DO UPDATE SET last_value = last_value + 1
    RETURNING last_value`` (PostgreSQL and SQLite ≥ 3.35): the first receipt of the day inserts the
    row, the others increment it. The row stays locked until the transaction ends, so a concurrent
    receipt waits and then gets the next number; a rolled-back receipt spends none. SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers.
    """
    meta = DailySequence._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    unit_col, day_col, value_col = (quote(meta.get_field(n).column) for n in ("unit", "day", "last_value"))
    with fastsql.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({unit_col}, {day_col}, {value_col}) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT ({unit_col}, {day_col}) DO UPDATE SET {value_col} = {table}.{value_col} + 1 "
            f"RETURNING {value_col}",
            [unit.pk, day],
        )
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - the statement always returns the row it wrote
        raise DossierConflict("Không cấp được số thứ tự hồ sơ; hãy thử lại.", code="dossier_sequence_busy")
    return int(row[0])


def next_code(unit: OrgUnit, at: datetime) -> str:
    """A new dossier code at ``unit`` (rule ``dossiers.code_format`` in force on the day)."""
    day = to_local(at).date()
    fmt = str(rule_value("dossiers.code_format", day))
    rules.sequence_width(fmt)  # a malformed format fails before a number is spent
    return rules.format_code(
        fmt, unit_code=unit.eid_code or unit.code, day=day, sequence=_next_sequence(unit, day)
    )


# -- the pipeline's write half ---------------------------------------------------------------------


def _step_ids(steps: Sequence[WorkflowStep]) -> dict[str, int]:
    return {s.code: s.pk for s in steps}


def _summary(action: Action, dossier: Dossier) -> str:
    return f"{ACTION_LABELS[action]}: hồ sơ {dossier.code}"


def _finish(
    dossier: Dossier,
    event: DossierEvent,
    *,
    action: Action,
    summary: str | None = None,
    audit_data: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
) -> None:
    """Steps 7–8: one audit entry and one outbox row (``body``: the record, when already built)."""
    audit.record(
        f"dossier.{action.value}",
        object_type="dossiers.dossier",
        object_id=dossier.code,
        summary=summary or _summary(action, dossier),
        data={
            "seq": event.seq,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "national_status": event.national_status,
            "step": event.step_code,
            "due_at": _iso(event.due_at),
            **(audit_data if audit_data is not None else event.data),
        },
    )
    enqueue(
        TOPIC_DONG_BO,
        dossier.code,
        body if body is not None else dong_bo_ho_so_mc(dossier, updating=event.seq > 1),
        idempotency_key=f"{TOPIC_DONG_BO}:{dossier.code}:{event.seq}",
    )


def _apply(
    dossier: Dossier,
    action: Action,
    *,
    by: User | None,
    actor_label: str,
    at: datetime,
    to_state: State,
    step: WorkflowStep | None,
    due_at: datetime | None,
    data: dict[str, Any],
    steps: Sequence[WorkflowStep],
    extra_fields: dict[str, Any] | None = None,
    summary: str | None = None,
) -> DossierEvent:
    """Steps 5–8 for an existing dossier: guarded UPDATE, event, audit, outbox."""
    _raise_pending(dossier)  # a refusal of ``_authorise`` never reaches the write
    before = projection.stored(dossier)
    facts = projection.EventFacts(
        seq=dossier.lock_version + 1,
        action=action.value,
        at=at,
        to_state=to_state.value,
        national_status=rules.national_status(to_state),
        step_code=step.code if step else "",
        due_at=due_at,
        data=data,
    )
    after = projection.apply(before, facts, _step_ids(steps))
    changes = {name: getattr(after, name) for name in projection.PROJECTED_FIELDS}
    changes.update(extra_fields or {})
    expected = dossier.lock_version
    updated = Dossier.objects.filter(pk=dossier.pk, lock_version=expected).update(
        **changes, lock_version=expected + 1, updated_at=at
    )
    if updated != 1:
        raise StaleDossier(STALE_MESSAGE, details={"expected_version": expected})
    for name, value in changes.items():
        setattr(dossier, name, value)
    dossier.lock_version = expected + 1
    dossier.updated_at = at
    if step is not None:
        dossier.current_step = step
    event = DossierEvent.objects.create(
        dossier=dossier,
        seq=facts.seq,
        at=at,
        actor=by,
        actor_label=actor_label,
        action=action.value,
        from_state=before.state,
        to_state=facts.to_state,
        national_status=facts.national_status,
        step_code=facts.step_code,
        data=data,
        due_at=due_at,
    )
    _finish(dossier, event, action=action, summary=summary)
    return event


def _create(
    *,
    action: Action,
    by: User | None,
    actor_label: str,
    at: datetime,
    fields: dict[str, Any],
    to_state: State,
    step: WorkflowStep | None,
    due_at: datetime | None,
    data: dict[str, Any],
    steps: Sequence[WorkflowStep],
    components: Sequence[DossierComponent],
    fees: Sequence[DossierFee],
) -> Dossier:
    facts = projection.EventFacts(
        seq=1,
        action=action.value,
        at=at,
        to_state=to_state.value,
        national_status=rules.national_status(to_state),
        step_code=step.code if step else "",
        due_at=due_at,
        data=data,
    )
    after = projection.apply(projection.Projection(), facts, _step_ids(steps))
    dossier = Dossier(
        **fields,
        **{name: getattr(after, name) for name in projection.PROJECTED_FIELDS},
        lock_version=1,
    )
    dossier.applicant_name_folded = fold(dossier.applicant_name)
    event = DossierEvent(
        dossier=dossier,
        seq=1,
        at=at,
        actor=by,
        actor_label=actor_label,
        action=action.value,
        from_state="",
        to_state=facts.to_state,
        national_status=facts.national_status,
        step_code=facts.step_code,
        data=data,
        due_at=due_at,
    )
    # The dossier models have no signal receivers (AUDIT_BY_SERVICE): the dossier, its components, fees
    # and first event are plain INSERTs — one statement on PostgreSQL (``fastsql`` stores file
    # uploads and ``auto_now`` dates like ``save()`` does).
    fastsql.insert_family(dossier, [(components, "dossier"), (fees, "dossier"), ([event], "dossier")])
    if step is not None:
        dossier.current_step = step
    # A new dossier has exactly these components and fees and no supplement: the record is built from
    # the objects just written instead of reading them back.
    _finish(
        dossier,
        event,
        action=action,
        body=dong_bo_ho_so_mc(dossier, updating=False, components=components, fees=fees, supplements=()),
    )
    return dossier


def receipt_deadline(
    calendar: Calendar, version: ProcedureVersion, received: datetime, online_mode: str | None
) -> tuple[datetime, datetime]:
    """(effective receipt moment, due moment) of a dossier received at ``received``.

    The one computation used by the intake services and by the intake screen's preview."""
    clock, start = rules.receipt_clock(calendar, received, online_mode=online_mode)
    try:
        deadline = compute_due(clock, start, version.time_limit_value, version.time_limit_unit)
    except CalendarError as exc:
        raise InvalidDossierInput(str(exc), code="time_limit_invalid") from exc
    return deadline.effective_received, deadline.due


def _limit(version: ProcedureVersion) -> dict[str, Any]:
    return {"value": str(version.time_limit_value.normalize()), "unit": version.time_limit_unit}


# -- use cases: intake (NĐ 61/2018 Điều 17) --------------------------------------------------------


def submit_online(
    *,
    applicant: Applicant,
    procedure: Procedure,
    receiving_unit: OrgUnit,
    competent_unit: OrgUnit,
    components: Sequence[ComponentInput] = (),
    result_delivery: str = ResultDelivery.ONLINE,
    extra: dict[str, Any] | None = None,
) -> Dossier:
    """An applicant submits online (state 1 "Mới đăng ký"); the clock starts only at acceptance."""
    with _transaction():
        at = timezone.now()
        day = to_local(at).date()
        to_state = rules.next_state(None, Action.SUBMIT_ONLINE)
        found = _version_in_force(procedure, day)
        version = found.version
        if version.online_level == ProcedureVersion.OnlineLevel.NONE:
            raise InvalidDossierInput(
                f"Thủ tục {procedure.code} không cung cấp dịch vụ công trực tuyến.",
                code="procedure_not_online",
            )
        _check_units(found, receiving_unit, competent_unit, day)
        _check_staffed(found, receiving_unit, competent_unit, day)
        applicant_fields = _applicant_snapshot(applicant)
        rows = _components(found, components, Channel.ONLINE)
        _check_delivery(result_delivery)
        label = _applicant_label(applicant)
        with _attributed(None, label):
            return _create(
                action=Action.SUBMIT_ONLINE,
                by=None,
                actor_label=label,
                at=at,
                fields={
                    "code": next_code(receiving_unit, at),
                    "procedure": version.procedure,
                    "procedure_version": version,
                    "receiving_unit": receiving_unit,
                    "competent_unit": competent_unit,
                    "channel": Channel.ONLINE,
                    "result_delivery": result_delivery,
                    "submitted_at": at,
                    "extra": extra or {},
                    **applicant_fields,
                },
                to_state=to_state,
                step=None,
                due_at=None,
                data={"channel": int(Channel.ONLINE), "components": len(rows)},
                steps=(),
                components=rows,
                fees=_fees(found),
            )


def _check_delivery(value: str) -> None:
    if value not in ResultDelivery.values:
        raise InvalidDossierInput(
            f"Hình thức nhận kết quả không hợp lệ: {value!r}.", code="result_delivery_invalid"
        )


def receive_at_counter(
    *,
    by: User,
    applicant: Applicant,
    procedure: Procedure,
    receiving_unit: OrgUnit,
    competent_unit: OrgUnit,
    components: Sequence[ComponentInput],
    channel: int = Channel.COUNTER,
    result_delivery: str = ResultDelivery.COUNTER,
    extra: dict[str, Any] | None = None,
) -> Dossier:
    """The one-stop officer receives a complete paper dossier (at the counter or by post): state 2.

    Checks the required components are ticked and the applicant's ID number, gives the next code of
    the receiving unit's day, and computes the due moment on the competent unit's calendar with the
    15:00 cut-off (NĐ 61/2018 Điều 17–18).
    """
    with _transaction():
        at = timezone.now()
        day = to_local(at).date()
        if not rules.may(Action.RECEIVE_AT_COUNTER, {Side.RECEIVING: _roles_at(by, receiving_unit)}):
            raise DossierForbidden(
                f"Bạn không phải cán bộ một cửa của {receiving_unit.name}.",
                details={"action": "receive_at_counter"},
            )
        to_state = rules.next_state(None, Action.RECEIVE_AT_COUNTER)
        if channel not in (Channel.COUNTER, Channel.POST):
            raise InvalidDossierInput(
                "Hồ sơ tiếp nhận tại Bộ phận Một cửa phải nộp trực tiếp hoặc qua bưu chính.",
                code="channel_invalid",
            )
        found = _version_in_force(procedure, day)
        version = found.version
        _check_units(found, receiving_unit, competent_unit, day)
        _check_staffed(found, receiving_unit, competent_unit, day)
        applicant_fields = _applicant_snapshot(applicant)
        rows = _components(found, components, channel)
        _check_delivery(result_delivery)
        calendar = _calendar(competent_unit, at)
        effective, due = receipt_deadline(calendar, version, at, None)
        steps = list(found.steps)
        first = next_step(steps, None)
        with _attributed(by, _label(by)):
            return _create(
                action=Action.RECEIVE_AT_COUNTER,
                by=by,
                actor_label=_label(by),
                at=at,
                fields={
                    "code": next_code(receiving_unit, at),
                    "procedure": version.procedure,
                    "procedure_version": version,
                    "receiving_unit": receiving_unit,
                    "competent_unit": competent_unit,
                    "channel": channel,
                    "result_delivery": result_delivery,
                    "submitted_at": at,
                    "extra": extra or {},
                    **applicant_fields,
                },
                to_state=to_state,
                step=first,
                due_at=due,
                data={
                    "channel": int(channel),
                    "received_at": _iso(at),
                    "effective_received": _iso(effective),
                    "limit": _limit(version),
                    "components": len(rows),
                    "assignee_id": None,
                    **_step_timing(calendar, first, at),
                },
                steps=steps,
                components=rows,
                fees=_fees(found),
            )


def accept_online(code: str, *, by: User, expected_version: int) -> Dossier:
    """The intake officer accepts an online dossier (1 → 2). The clock starts now; outside office hours
    it starts at the next opening (rule ``workdays.online_received``)."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.ACCEPT_ONLINE)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.ACCEPT_ONLINE)
        at = timezone.now()
        mode = str(rule_value("workdays.online_received", to_local(at).date()))
        calendar = _calendar(dossier, at)
        effective, due = receipt_deadline(calendar, dossier.procedure_version, at, mode)
        steps = workflow_steps(dossier.procedure_version_id)
        unstaffed = _unstaffed_now(dossier, steps, at)
        if unstaffed is not None:
            raise unstaffed
        first = next_step(steps, None)
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.ACCEPT_ONLINE,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=first,
                due_at=due,
                data={
                    "received_at": _iso(at),
                    "effective_received": _iso(effective),
                    "online_received": mode,
                    "limit": _limit(dossier.procedure_version),
                    "assignee_id": None,
                    **_step_timing(calendar, first, at),
                },
                steps=steps,
            )
        return dossier


def refuse_at_intake(code: str, *, by: User, expected_version: int, reasons: str) -> Dossier:
    """Refuse an online dossier at intake (state 3, Mẫu 03): it never counts as received."""
    return _simple(
        code,
        Action.REFUSE_AT_INTAKE,
        by=by,
        expected_version=expected_version,
        data_for=lambda d: {"reasons": rules.require_text(reasons, "reasons", "lý do từ chối tiếp nhận")},
    )


def _simple(
    code: str,
    action: Action,
    *,
    by: User,
    expected_version: int,
    data_for: Callable[[Dossier], dict[str, Any]],
    checks: Callable[[Dossier, datetime], None] | None = None,
) -> Dossier:
    """An ending (refusal, stop, withdrawal): the state changes, the step and assignee are cleared."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, action)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, action)
        at = timezone.now()
        if checks is not None:
            checks(dossier, at)
        data = {**data_for(dossier), "assignee_id": None}
        steps = workflow_steps(dossier.procedure_version_id)
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                action,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=None,
                due_at=dossier.due_at,
                data=data,
                steps=steps,
            )
        return dossier


# -- use cases: processing along the workflow (Điều 19) --------------------------------------------


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
    with _attributed(by, _label(by)):
        _apply(
            dossier,
            action,
            by=by,
            actor_label=_label(by),
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
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.ASSIGN,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=step,
                due_at=dossier.due_at,
                data={"assignee_id": assignee.pk, "note": note.strip()},
                steps=workflow_steps(dossier.procedure_version_id),
                summary=f"Phân công {_label(assignee)} xử lý hồ sơ {dossier.code}",
            )
        return dossier


# -- supplements: the clock stops and restarts (Điều 19.4) -----------------------------------------


def request_supplement(
    code: str, *, by: User, expected_version: int, items: Sequence[str], reasons: str
) -> Dossier:
    """The processing unit asks for a supplement (Mẫu 02), within the window after receipt."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.REQUEST_SUPPLEMENT)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.REQUEST_SUPPLEMENT)
        wanted = rules.require_items(items, "items", "các giấy tờ cần bổ sung")
        why = rules.require_text(reasons, "reasons", "lý do yêu cầu bổ sung")
        at = timezone.now()
        assert dossier.received_at is not None
        receipt_day = to_local(dossier.received_at).date()
        window = int(rule_value("dossiers.supplement_window_working_days", receipt_day))
        end = rules.supplement_window_end(
            calendar_for(dossier.competent_unit, receipt_day),
            dossier.received_at,
            window,
            online_mode=_online_mode(dossier),
        )
        if at > end:
            raise DossierConflict(
                f"Đã quá thời hạn yêu cầu bổ sung hồ sơ: cơ quan giải quyết chỉ được yêu cầu bổ sung trong "
                f"{window} ngày làm việc kể từ khi tiếp nhận (hạn cuối {_vn(end)}; NĐ 61/2018/NĐ-CP "
                "Điều 19.4). Nếu hồ sơ không đủ điều kiện, hãy từ chối giải quyết và nêu rõ lý do.",
                code="supplement_window_closed",
                details={"window_end": _iso(end), "working_days": window},
            )
        supplement = Supplement.objects.create(
            dossier=dossier,
            requested_at=at,
            requested_by=by,
            items=wanted,
            reasons=why,
            due_before=dossier.due_at,
        )
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.REQUEST_SUPPLEMENT,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=dossier.current_step,
                due_at=dossier.due_at,
                data={"supplement_id": supplement.pk, "items": wanted, "reasons": why},
                steps=workflow_steps(dossier.procedure_version_id),
            )
        return dossier


def receive_supplement(
    code: str,
    *,
    by: User,
    expected_version: int,
    note: str = "",
    components: Sequence[ComponentInput] = (),
) -> Dossier:
    """The complete supplement arrives: the clock runs again, per ``workdays.supplement_mode`` in force
    on this day — ``restart`` counts the whole limit again from now (with the cut-off), ``shift`` moves
    the due moment later by the office time spent waiting."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.RECEIVE_SUPPLEMENT)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.RECEIVE_SUPPLEMENT)
        at = timezone.now()
        supplements = list(dossier.supplements.order_by("requested_at", "id"))
        open_ = [s for s in supplements if s.received_at is None]
        if not open_:
            raise DossierConflict("Hồ sơ không có yêu cầu bổ sung nào đang chờ.", code="supplement_not_open")
        current = open_[-1]
        mode = str(rule_value("workdays.supplement_mode", to_local(at).date()))
        assert dossier.received_at is not None
        calendar = _calendar(dossier, at)
        clock, start = rules.receipt_clock(calendar, dossier.received_at, online_mode=_online_mode(dossier))
        pauses = [(max(s.requested_at, start), max(s.received_at or at, start)) for s in supplements]
        version = dossier.procedure_version
        try:
            deadline = due_after_pauses(
                clock, start, version.time_limit_value, version.time_limit_unit, pauses, mode
            )
        except CalendarError as exc:
            raise InvalidDossierInput(str(exc), code="time_limit_invalid") from exc
        current.received_at = at
        current.received_by = by
        current.received_note = note.strip()
        current.mode = mode
        current.due_after = deadline.due
        current.save(update_fields=["received_at", "received_by", "received_note", "mode", "due_after"])
        rows = _supplement_components(dossier, current, components)
        steps = workflow_steps(dossier.procedure_version_id)
        step = dossier.current_step
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.RECEIVE_SUPPLEMENT,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=step,
                due_at=deadline.due,
                data={
                    "supplement_id": current.pk,
                    "mode": mode,
                    "due_before": _iso(dossier.due_at),
                    "due_after": _iso(deadline.due),
                    "paused_from": _iso(current.requested_at),
                    "components": rows,
                    # the current step's own clock starts again too
                    **_step_timing(calendar, step, at),
                },
                steps=steps,
            )
        return dossier


def _supplement_components(dossier: Dossier, supplement: Supplement, given: Sequence[ComponentInput]) -> int:
    count = 0
    for item in given:
        name = item.name.strip()
        if item.component_id is not None:
            component = dossier.procedure_version.components.filter(pk=item.component_id).first()
            if component is None:
                raise InvalidDossierInput(
                    f"Giấy tờ #{item.component_id} không thuộc thành phần hồ sơ của thủ tục này.",
                    code="component_unknown",
                )
            name = name or component.name
        else:
            component = None
        if not name:
            raise InvalidDossierInput("Giấy tờ bổ sung phải có tên.", code="component_name_required")
        DossierComponent.objects.create(
            dossier=dossier,
            supplement=supplement,
            catalogue_component=component,
            name=name,
            kind=item.kind,
            quantity=max(1, item.quantity),
            received=item.received,
            file=item.file,
            digitised=item.digitised,
            reused=item.reused,
        )
        count += 1
    return count


# -- fees and financial obligations (Điều 22) ------------------------------------------------------


def request_payment(
    code: str, *, by: User, expected_version: int, items: Sequence[FeeInput], note: str = ""
) -> Dossier:
    """Ask the applicant to pay fees or a financial obligation (state 6)."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.REQUEST_PAYMENT)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.REQUEST_PAYMENT)
        if not items:
            raise InvalidDossierInput("Phải ghi ít nhất một khoản phải nộp.", code="items_required")
        lines: list[DossierFee] = []
        for item in items:
            name = item.name.strip()
            amount = None if item.amount_vnd is None else Decimal(item.amount_vnd)
            if not name or (amount is not None and (amount < 0 or amount != amount.to_integral_value())):
                raise InvalidDossierInput(
                    f"Khoản phải nộp “{name or '(không tên)'}”: cần tên và số tiền nguyên, không âm.",
                    code="fee_invalid",
                )
            if item.kind not in DossierFee.Kind.values:
                raise InvalidDossierInput(f"Loại khoản thu không hợp lệ: {item.kind!r}.", code="fee_invalid")
            lines.append(
                DossierFee(
                    dossier=dossier,
                    name=name,
                    kind=item.kind,
                    amount_vnd=amount,
                    collect_at=DossierFee.CollectAt.RESULT,
                )
            )
        DossierFee.objects.bulk_create(lines)
        at = timezone.now()
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.REQUEST_PAYMENT,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=dossier.current_step,
                due_at=dossier.due_at,
                data={
                    "fees": [
                        {"name": f.name, "amount_vnd": None if f.amount_vnd is None else int(f.amount_vnd)}
                        for f in lines
                    ],
                    "note": note.strip(),
                },
                steps=workflow_steps(dossier.procedure_version_id),
            )
        return dossier


def confirm_payment(
    code: str, *, by: User, expected_version: int, receipt_ref: str = "", online: bool = False
) -> Dossier:
    """Record that every outstanding fee line has been paid; processing continues."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.CONFIRM_PAYMENT)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.CONFIRM_PAYMENT)
        at = timezone.now()
        paid = DossierFee.objects.filter(dossier=dossier, paid=False).update(
            paid=True, paid_at=at, paid_online=online, receipt_ref=receipt_ref.strip()[:100]
        )
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.CONFIRM_PAYMENT,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=dossier.current_step,
                due_at=dossier.due_at,
                data={"lines_paid": paid, "receipt_ref": receipt_ref.strip()[:100], "online": online},
                steps=workflow_steps(dossier.procedure_version_id),
                extra_fields={"paid_online": dossier.paid_online or online},
            )
        return dossier


# -- consultation (liên thông, Điều 19) -----------------------------------------------------------


def request_consultation(
    code: str,
    *,
    by: User,
    expected_version: int,
    targets: Sequence[ConsultationTarget],
    question: str,
    mode: str | None = None,
) -> Dossier:
    """Ask other units for their opinion, each with its own deadline.

    Electronic (online) dossiers go to every unit at once (parallel); paper dossiers pass from one unit
    to the next in the order given (sequential), so each next deadline counts from the previous one.
    """
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.REQUEST_CONSULTATION)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.REQUEST_CONSULTATION)
        text = rules.require_text(question, "question", "nội dung xin ý kiến")
        chosen = mode or (rules.PARALLEL if dossier.channel == Channel.ONLINE else rules.SEQUENTIAL)
        at = timezone.now()
        day = to_local(at).date()
        units = [t.unit for t in targets]
        if len({u.pk for u in units}) != len(units):
            raise InvalidDossierInput(
                "Mỗi đơn vị chỉ được hỏi một lần trong một lần xin ý kiến.",
                code="consultation_units_duplicate",
            )
        for unit in units:
            if unit.pk == dossier.competent_unit_id or not unit.is_active_on(day):
                raise InvalidDossierInput(
                    f"Không thể xin ý kiến {unit.name}: "
                    "đơn vị là cơ quan giải quyết hoặc không còn hoạt động.",
                    code="consultation_unit_invalid",
                )
        calendar = _calendar(dossier, at)
        dues = rules.consultation_dues(calendar, at, [t.working_days for t in targets], chosen)
        batch = dossier.lock_version + 1
        rows = Consultation.objects.bulk_create(
            [
                Consultation(
                    dossier=dossier,
                    unit=t.unit,
                    mode=chosen,
                    order=i,
                    batch=batch,
                    question=text,
                    working_days=t.working_days,
                    requested_at=at,
                    requested_by=by,
                    due_at=due,
                )
                for i, (t, due) in enumerate(zip(targets, dues, strict=True), start=1)
            ]
        )
        ids = list(
            Consultation.objects.filter(dossier=dossier, batch=batch)
            .order_by("order")
            .values_list("pk", flat=True)
        )
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.REQUEST_CONSULTATION,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=dossier.current_step,
                due_at=dossier.due_at,
                data={
                    "mode": chosen,
                    "question": text,
                    "consultations": [
                        {
                            "id": pk,
                            "unit": r.unit.code,
                            "order": r.order,
                            "working_days": r.working_days,
                            "due_at": _iso(r.due_at),
                        }
                        for pk, r in zip(ids, rows, strict=True)
                    ],
                },
                steps=workflow_steps(dossier.procedure_version_id),
            )
        return dossier


def answer_consultation(
    code: str, consultation_id: int, *, by: User, expected_version: int, answer: str
) -> Dossier:
    """A consulted unit answers. In sequential mode the units answer in their order."""
    with _transaction():
        dossier = _load(code)
        consultation = (
            Consultation.objects.select_related("unit").filter(pk=consultation_id, dossier=dossier).first()
        )
        if consultation is None:
            raise DossierNotFound(
                "Không tìm thấy yêu cầu xin ý kiến này của hồ sơ.", code="consultation_not_found"
            )
        _authorise(by, dossier, Action.ANSWER_CONSULTATION, consulted=[consultation.unit])
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.ANSWER_CONSULTATION)
        text = rules.require_text(answer, "answer", "nội dung ý kiến")
        if consultation.answered_at is not None:
            raise DossierConflict(
                f"{consultation.unit.name} đã trả lời lúc {_vn(consultation.answered_at)}.",
                code="consultation_answered",
            )
        if consultation.mode == Consultation.Mode.SEQUENTIAL:
            waiting = (
                Consultation.objects.filter(
                    dossier=dossier,
                    batch=consultation.batch,
                    order__lt=consultation.order,
                    answered_at__isnull=True,
                )
                .select_related("unit")
                .first()
            )
            if waiting is not None:
                raise DossierConflict(
                    f"Hồ sơ lấy ý kiến lần lượt: {waiting.unit.name} chưa trả lời "
                    "nên chưa đến lượt đơn vị này.",
                    code="consultation_out_of_order",
                )
        at = timezone.now()
        consultation.answered_at = at
        consultation.answered_by = by
        consultation.answer = text
        consultation.save(update_fields=["answered_at", "answered_by", "answer"])
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.ANSWER_CONSULTATION,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=dossier.current_step,
                due_at=dossier.due_at,
                data={
                    "consultation_id": consultation.pk,
                    "unit": consultation.unit.code,
                    "late": at > consultation.due_at,
                },
                steps=workflow_steps(dossier.procedure_version_id),
                summary=f"{consultation.unit.name} trả lời xin ý kiến về hồ sơ {dossier.code}",
            )
        return dossier


# -- endings: refusal, stop, withdrawal ------------------------------------------------------------


def refuse_after_appraisal(code: str, *, by: User, expected_version: int, reasons: str) -> Dossier:
    """Refuse to grant after appraisal (Phiếu từ chối giải quyết): only within the time limit."""

    def within_limit(dossier: Dossier, at: datetime) -> None:
        # the window runs to the date given to the citizen (an apology's new date, else the due)
        limit = dossier.appointment_at
        if limit is not None and at > limit:
            raise DossierConflict(
                f"Chỉ được từ chối giải quyết trong thời hạn giải quyết (NĐ 61/2018/NĐ-CP Điều 19); hồ sơ đã "
                f"quá hạn từ {_vn(limit)}. Hãy xin lỗi, hẹn lại ngày trả hoặc dừng xử lý.",
                code="refusal_after_due",
            )

    return _simple(
        code,
        Action.REFUSE_AFTER_APPRAISAL,
        by=by,
        expected_version=expected_version,
        checks=within_limit,
        data_for=lambda d: {"reasons": rules.require_text(reasons, "reasons", "lý do từ chối giải quyết")},
    )


def stop(code: str, *, by: User, expected_version: int, reasons: str) -> Dossier:
    """Stop processing (state 8, Thông báo dừng giải quyết hồ sơ), also to close a withdrawal request."""
    return _simple(
        code,
        Action.STOP,
        by=by,
        expected_version=expected_version,
        data_for=lambda d: {"reasons": rules.require_text(reasons, "reasons", "lý do dừng xử lý")},
    )


def withdraw(
    code: str,
    *,
    expected_version: int,
    reason: str,
    by: User | None = None,
    applicant: Applicant | None = None,
) -> Dossier:
    """The citizen asks to withdraw the dossier (state 7): through the portal (``applicant``) or on paper
    at the counter, recorded by the one-stop officer (``by``)."""
    if (by is None) == (applicant is None):
        raise InvalidDossierInput(
            "Rút hồ sơ phải do chính chủ hồ sơ hoặc cán bộ một cửa ghi nhận.", code="withdraw_actor_required"
        )
    if by is not None:
        return _simple(
            code,
            Action.WITHDRAW,
            by=by,
            expected_version=expected_version,
            data_for=lambda d: {
                "reason": rules.require_text(reason, "reason", "lý do rút hồ sơ"),
                "by_applicant": False,
            },
        )
    assert applicant is not None
    with _transaction():
        dossier = _load(code)
        own = (isinstance(applicant, Person) and dossier.applicant_person_id == applicant.pk) or (
            isinstance(applicant, Organisation) and dossier.applicant_organisation_id == applicant.pk
        )
        if not own:
            raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.")
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.WITHDRAW)
        why = rules.require_text(reason, "reason", "lý do rút hồ sơ")
        label = _applicant_label(applicant)
        with _attributed(None, label):
            _apply(
                dossier,
                Action.WITHDRAW,
                by=None,
                actor_label=label,
                at=timezone.now(),
                to_state=to_state,
                step=None,
                due_at=dossier.due_at,
                data={"reason": why, "by_applicant": True, "assignee_id": None},
                steps=workflow_steps(dossier.procedure_version_id),
            )
        return dossier


# -- apology and a new date (Điều 19.9) ------------------------------------------------------------


def reset_due(
    code: str, *, by: User, expected_version: int, reason: str, new_due: datetime | date
) -> Dossier:
    """Apologise and set a new due date (Mẫu 04): at most ``dossiers.max_due_resets`` times, at least
    ``dossiers.apology_min_working_days`` working days before the due moment; the reason and a later
    date are required. The new date is the one promised to the citizen (``promised_at``); the statutory
    due (``due_at``) is unchanged, so the apology explains the delay and does not excuse it."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.RESET_DUE)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.RESET_DUE)
        why = rules.require_text(reason, "reason", "lý do chậm trả kết quả")
        at = timezone.now()
        today = to_local(at).date()
        old_due = dossier.appointment_at
        assert old_due is not None
        done = dossier.due_resets.count()
        limit = int(rule_value("dossiers.max_due_resets", today))
        if done >= limit:
            raise DossierConflict(
                f"Hồ sơ đã được hẹn lại ngày trả kết quả {done} lần; chỉ được hẹn lại {limit} lần "
                "(NĐ 61/2018/NĐ-CP Điều 19.9).",
                code="due_reset_limit",
            )
        calendar = _calendar(dossier, at)
        min_days = int(rule_value("dossiers.apology_min_working_days", today))
        if not rules.apology_in_time(calendar, at, old_due, min_days):
            raise DossierConflict(
                f"Phiếu xin lỗi và hẹn lại ngày trả phải gửi chậm nhất {min_days} ngày làm việc trước hạn "
                f"trả ({_vn(old_due)}; NĐ 61/2018/NĐ-CP Điều 19.9); nay đã quá thời điểm đó.",
                code="due_reset_too_late",
            )
        if isinstance(new_due, datetime):
            if timezone.is_naive(new_due):
                raise InvalidDossierInput("Ngày hẹn mới phải kèm múi giờ.", code="new_due_invalid")
            target = new_due
        else:
            try:
                target = calendar.closing(new_due)
            except CalendarError as exc:
                raise InvalidDossierInput(str(exc), code="new_due_invalid") from exc
        if target <= old_due:
            raise InvalidDossierInput(
                f"Ngày hẹn mới ({_vn(target)}) phải sau hạn hiện tại ({_vn(old_due)}).",
                code="new_due_not_later",
            )
        DueReset.objects.create(
            dossier=dossier,
            ordinal=done + 1,
            reason=why,
            old_due=old_due,
            new_due=target,
            recorded_at=at,
            by=by,
        )
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.RESET_DUE,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=dossier.current_step,
                due_at=dossier.due_at,
                data={"reason": why, "old_due": _iso(old_due), "new_due": _iso(target), "ordinal": done + 1},
                steps=workflow_steps(dossier.procedure_version_id),
                summary=f"Xin lỗi, hẹn lại ngày trả hồ sơ {dossier.code}: {_vn(target)}",
            )
        return dossier


# -- result and return (Điều 19–20) ---------------------------------------------------------------


def mark_result_ready(code: str, *, by: User, expected_version: int, note: str = "") -> Dossier:
    """The result is signed and issued (state 9); the dossier goes to the return step of the one-stop."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.MARK_RESULT_READY)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.MARK_RESULT_READY)
        steps = workflow_steps(dossier.procedure_version_id)
        remaining = next_step(steps, _current(steps, dossier))
        if remaining is not None:
            raise _steps_remaining(remaining)
        pending = _consultation_pending(dossier)
        if pending is not None:
            raise pending
        at = timezone.now()
        calendar = _calendar(dossier, at)
        closing = _return_step(steps)
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.MARK_RESULT_READY,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=closing,
                due_at=dossier.due_at,
                data={"assignee_id": None, "note": note.strip(), **_step_timing(calendar, closing, at)},
                steps=steps,
            )
        return dossier


def return_result(
    code: str, *, by: User, expected_version: int, notified: bool = False, note: str = ""
) -> Dossier:
    """Hand the result to the applicant (state 10). Early return is encouraged (Điều 20); whether the
    applicant was told in advance is recorded."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.RETURN_RESULT)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.RETURN_RESULT)
        at = timezone.now()
        early = dossier.appointment_at is not None and at < dossier.appointment_at
        with _attributed(by, _label(by)):
            _apply(
                dossier,
                Action.RETURN_RESULT,
                by=by,
                actor_label=_label(by),
                at=at,
                to_state=to_state,
                step=None,
                due_at=dossier.due_at,
                data={"early": early, "notified": bool(notified), "note": note.strip(), "assignee_id": None},
                steps=workflow_steps(dossier.procedure_version_id),
            )
        return dossier


__all__ = [
    "ComponentInput",
    "ConsultationTarget",
    "FeeInput",
    "accept_online",
    "action_options",
    "actions_for",
    "answer_consultation",
    "assign",
    "confirm_payment",
    "hand_over",
    "mark_result_ready",
    "next_code",
    "receive_at_counter",
    "receive_supplement",
    "refusal",
    "refuse_after_appraisal",
    "refuse_at_intake",
    "request_consultation",
    "request_payment",
    "request_supplement",
    "reset_due",
    "return_result",
    "send_back",
    "step_unit",
    "stop",
    "submit_online",
    "withdraw",
]
