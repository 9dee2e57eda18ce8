"""Staffing of the workflow steps: a step whose role nobody holds leaves its dossiers stuck."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.utils import timezone

from motcua.catalogue.models import ProcedureVersion, WorkflowStep
from motcua.catalogue.schema import StepDoc
from motcua.core import staffing
from motcua.core.models import OrgUnit, Role

# ---------------------------------------------------------------------------------------------
# Staffing of the workflow: a step whose role nobody holds leaves its dossiers stuck


def staffing_warnings(
    code: str,
    number: int,
    *,
    steps: Iterable[StepDoc | WorkflowStep],
    implementing: Sequence[OrgUnit],
    fixed_units: dict[str, OrgUnit] | None = None,
    effective_from: date,
    effective_to: date | None,
    on: date | None = None,
) -> list[str]:
    """One sentence per workflow step whose role no active account holds, on the day the version
    applies (today, or its first day if later), at a unit that would perform it: each implementing unit
    for a step of the competent unit, the step's own unit for a fixed one. (One-stop steps depend on
    where the dossier is received; intake checks them.) Intake refuses those units with the same news
    (``dossiers.services``)."""
    today = on or timezone.localdate()
    if effective_to is not None and effective_to <= today:
        return []
    day = max(today, effective_from)
    plan: list[tuple[str, str, list[OrgUnit]]] = []
    for step in steps:
        if step.is_consultation or step.unit_mode == WorkflowStep.UnitMode.ONE_STOP:
            continue
        if step.unit_mode == WorkflowStep.UnitMode.FIXED:
            unit = step.unit if isinstance(step, WorkflowStep) else (fixed_units or {}).get(step.unit or "")
            units = [unit] if unit is not None else []
        else:
            units = list(implementing)
        if units:
            plan.append((step.name, step.role, units))
    held = staffing.staffed([(role, unit) for _, role, units in plan for unit in units], day)
    warnings = []
    for name, role, units in plan:
        missing = [u for u in units if (role, u.pk) not in held]
        if not missing:
            continue
        shown = ", ".join(u.name for u in missing[:3])
        more = f" và {len(missing) - 3} đơn vị khác" if len(missing) > 3 else ""
        label = Role(role).label if role in Role.values else role
        warnings.append(
            f"Thủ tục {code} phiên bản {number}: bước “{name}” do {str(label).lower()} thực hiện, nhưng ngày "
            f"{day:%d/%m/%Y} chưa có ai giữ vai trò này tại {shown}{more}. Hồ sơ giao cho "
            f"{'các đơn vị này' if len(missing) > 1 else 'đơn vị này'} sẽ không được tiếp nhận cho đến khi "
            "có người được phân công."
        )
    return warnings


def version_staffing_warnings(version: ProcedureVersion, *, on: date | None = None) -> list[str]:
    """``staffing_warnings`` of a stored version (the admin screen says them after saving)."""
    return staffing_warnings(
        version.procedure.code,
        version.version,
        steps=list(version.workflow_steps.select_related("unit")),
        implementing=list(version.implementing_units.all()),
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        on=on,
    )
