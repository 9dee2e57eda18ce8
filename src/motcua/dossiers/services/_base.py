"""What every stage of the dossier use cases shares.

The inputs (``ComponentInput``, ``FeeInput``, ``ConsultationTarget``); loading a dossier and labelling
its actors; the attribution of the audit entry; the transaction and the version check; the roles a user
holds at a unit; the workflow's steps (next, earlier, the closing return step) and their clocks on the
competent unit's calendar.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.db import transaction

from motcua.catalogue import cache as catalogue_cache
from motcua.catalogue.models import WorkflowStep
from motcua.core import audit, refcache
from motcua.core.models import Organisation, OrgUnit, Person, Role, RoleAssignment, User
from motcua.core.rules import rule_value
from motcua.dossiers.models import Channel, Dossier, DossierComponent, DossierFee
from motcua.dossiers.refdata import PEOPLE_RELATED, attach_reference
from motcua.dossiers.rules import (
    STALE_MESSAGE,
    DossierConflict,
    DossierNotFound,
    InvalidDossierInput,
    StaleDossier,
)
from motcua.workdays.domain import Calendar, add_working_seconds, to_local
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


# -- loading, labels, attribution ------------------------------------------------------------------


def _load(code: str) -> Dossier:
    """The dossier to act on, with its people joined and its reference data from the caches
    (``refdata.attach_reference``: the join of all of them cost PostgreSQL 12–21 ms of planning)."""
    try:
        dossier = Dossier.objects.select_related(*PEOPLE_RELATED).get(code=code)
    except Dossier.DoesNotExist:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.") from None
    return attach_reference(dossier)


def owned_by(dossier: Dossier, applicant: Applicant) -> bool:
    """Whether ``applicant`` (a citizen or organisation signed in on the portal) is the dossier's own."""
    if isinstance(applicant, Person):
        return dossier.applicant_person_id is not None and dossier.applicant_person_id == applicant.pk
    return dossier.applicant_organisation_id is not None and dossier.applicant_organisation_id == applicant.pk


def _label(user: User) -> str:
    return str(user.full_name or user.get_username())[:150]


def _applicant_label(applicant: Applicant) -> str:
    if isinstance(applicant, Person):
        return f"Công dân {applicant.full_name} ({applicant.citizen_id})"[:150]
    return f"Tổ chức {applicant.name} ({applicant.tax_code})"[:150]


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


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


# -- roles held at a unit --------------------------------------------------------------------------


def _covers(assignment: RoleAssignment, unit: OrgUnit) -> bool:
    if assignment.unit_id == unit.pk:
        return True
    return assignment.include_subunits and unit.path.startswith(assignment.unit.path)


def _held(assignments: Sequence[RoleAssignment], unit: OrgUnit | None) -> set[str]:
    if unit is None:
        return set()
    return {a.role for a in assignments if _covers(a, unit)}


def step_unit(step: WorkflowStep, dossier: Dossier) -> OrgUnit | None:
    """The unit that performs ``step`` for ``dossier``."""
    if step.unit_mode == WorkflowStep.UnitMode.ONE_STOP:
        return dossier.receiving_unit
    if step.unit_mode == WorkflowStep.UnitMode.FIXED:
        return step.unit
    return dossier.competent_unit


# -- transaction and version check -----------------------------------------------------------------

# A refusal found by ``_authorise`` waits on the dossier object until ``_check_version``: a stale
# ``expected_version`` is reported first (409 ``dossier_stale``), whatever the permission outcome. Nothing
# is written before ``_check_version`` raises it, and ``_apply`` refuses to write while one is pending.
_PENDING_REFUSAL = "_motcua_pending_refusal"


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


# -- the workflow's steps --------------------------------------------------------------------------


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


# -- step clocks and calendars ---------------------------------------------------------------------


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
