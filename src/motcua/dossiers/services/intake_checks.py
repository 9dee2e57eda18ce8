"""What intake checks before a dossier exists (NĐ 61/2018 Điều 17).

The procedure version in force, the receiving and competent units, the workflow's staffing (also
checked again when an online dossier is accepted), the applicant's identity, the documents handed in
against the procedure's components, and the fees the dossier starts with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from motcua.catalogue import cache as catalogue_cache
from motcua.catalogue import fees
from motcua.catalogue.models import Component, Procedure, WorkflowStep
from motcua.core import staffing
from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.core.models import Organisation, OrgUnit, Person, User
from motcua.dossiers import scans
from motcua.dossiers.models import Channel, Dossier, DossierComponent, DossierFee, ResultDelivery
from motcua.dossiers.rules import InvalidDossierInput
from motcua.dossiers.services._base import Applicant, ComponentInput, _role_label
from motcua.workdays.domain import to_local

# -- version, units, result delivery ---------------------------------------------------------------


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


def _check_delivery(value: str) -> None:
    if value not in ResultDelivery.values:
        raise InvalidDossierInput(
            f"Hình thức nhận kết quả không hợp lệ: {value!r}.", code="result_delivery_invalid"
        )


# -- the workflow's staffing -----------------------------------------------------------------------


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


# -- applicant, documents and fees -----------------------------------------------------------------


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
    found: catalogue_cache.VersionBundle,
    given: Sequence[ComponentInput],
    channel: int,
    *,
    by: User | None = None,
    at: datetime | None = None,
) -> list[DossierComponent]:
    """The dossier's documents; a file is stored under its hash (``dossiers.scans``) — digitised by
    ``by`` at ``at`` when received at the counter (not online)."""
    catalogue = {c.pk: c for c in found.components}
    rows: list[DossierComponent] = []
    files: list[tuple[DossierComponent, Any]] = []
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
                digitised=item.digitised,
                reused=item.reused,
            )
        )
        if item.file:
            files.append((rows[-1], item.file))
    missing = missing_components(found.components, ticked, channel)
    if missing:
        raise InvalidDossierInput(
            "Hồ sơ chưa đủ thành phần bắt buộc: "
            + "; ".join(" hoặc ".join(name[:80] for name in names) for names in missing)
            + ".",
            code="components_missing",
            details={"missing": [" hoặc ".join(names) for names in missing]},
        )
    for row, upload in files:  # stored once the input is accepted
        fields = scans.stored(upload, by=by, at=at or timezone.now(), digitised=channel != Channel.ONLINE)
        for name, value in fields.items():
            setattr(row, name, value)
    return rows


def _fees(
    found: catalogue_cache.VersionBundle, exemptions: Mapping[int, str] | None = None
) -> list[DossierFee]:
    """The dossier's fee lines from the version's fees; ``exemptions`` (catalogue fee id → the code of one
    of its ``exemption_rules``) waives that share of a line, kept on the line (``exemption``)."""
    chosen = dict(exemptions or {})
    unknown = set(chosen) - {f.pk for f in found.fees}
    if unknown:
        raise InvalidDossierInput(
            "Khoản phí, lệ phí được miễn, giảm không thuộc thủ tục này.", code="fee_invalid"
        )
    lines = []
    for f in found.fees:
        line = DossierFee(catalogue_fee=f, name=f.name, kind=f.kind, amount_vnd=f.amount_vnd)
        code = chosen.get(f.pk, "")
        if code:
            rule = fees.exemption(f, code)
            if rule is None:
                raise InvalidDossierInput(
                    f"“{f.name}” không có trường hợp miễn, giảm “{code}”.", code="fee_exemption_invalid"
                )
            line.exemption = rule
            line.amount_vnd = fees.exempted(f.amount_vnd, int(str(rule["percent"])))
        lines.append(line)
    return lines
