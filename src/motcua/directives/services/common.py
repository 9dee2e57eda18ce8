"""What every use case shares: the refusals, the clock, and the checks on the person and the task."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from motcua.core.errors import Conflict, DomainError, Forbidden, NotFound
from motcua.core.models import User
from motcua.directives.access import Access, access_for
from motcua.directives.models import Directive, Occurrence, Part
from motcua.workdays.domain import to_local

MAX_TEXT = 20_000


class InvalidInput(DomainError):
    code = "invalid"


class PlanImportError(DomainError):
    code = "invalid_plan"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _today(now: datetime | None) -> date:
    return to_local(_now(now)).date()


# -- the work on a task --------------------------------------------------------------------------------


def _directive(directive_id: int) -> Directive:
    found = (
        Directive.objects.select_related("document", "document__assigning_unit")
        .prefetch_related("units")
        .filter(pk=directive_id)
        .first()
    )
    if found is None:
        raise NotFound("Không tìm thấy nhiệm vụ.")
    return found


def _visible(access: Access, directive: Directive) -> bool:
    if access.sees_all or access.can_decide(directive.document.assigning_unit):
        return True
    collectives = access.member_collectives
    return any(u.unit_id in access.member_ids or u.collective in collectives for u in directive.units.all())


def _locked_occurrence(directive: Directive, occurrence_id: int | None) -> Occurrence:
    target = occurrence_id or directive.current_id
    occurrence = Occurrence.objects.select_for_update().filter(pk=target, directive=directive).first()
    if occurrence is None:
        raise NotFound("Không tìm thấy kỳ thực hiện của nhiệm vụ.")
    return occurrence


def _as_lead(by: User, directive_id: int) -> tuple[Directive, Access]:
    """The person's rights are those of today (their current assignments), also when ``now`` dates a
    record in the past (the demo's history). Which part they act for is checked on the occurrence
    (``_acting_part``)."""
    directive = _directive(directive_id)
    access = access_for(by)
    if not _visible(access, directive):
        raise NotFound("Không tìm thấy nhiệm vụ.")  # existence is not revealed
    return directive, access


LEAD_ONLY = "Chỉ cán bộ của đơn vị chủ trì được báo cáo, đề nghị hoàn thành hoặc gia hạn nhiệm vụ."


def _acting_part(occurrence: Occurrence, access: Access, part_id: int | None) -> Part:
    """The unit's part the person acts for, locked: the one asked for, else their only one."""
    parts = list(
        Part.objects.select_for_update()
        .filter(occurrence=occurrence, unit_id__in=list(access.acting_ids))
        .select_related("unit")
        .order_by("unit__path")
    )
    if part_id is not None:
        chosen = next((p for p in parts if p.pk == part_id), None)
        if chosen is None:
            raise Forbidden("Bạn không làm việc cho đơn vị của phần việc này.")
        return chosen
    if not parts:
        raise Forbidden(LEAD_ONLY)
    if len(parts) > 1:
        raise InvalidInput(
            "Bạn làm việc cho nhiều đơn vị chủ trì nhiệm vụ này ("
            + ", ".join(p.unit.name for p in parts)
            + "): hãy chọn đơn vị."
        )
    return parts[0]


def _as_office(by: User, directive: Directive) -> Access:
    access = access_for(by)
    if not _visible(access, directive):
        raise NotFound("Không tìm thấy nhiệm vụ.")
    if not access.can_decide(directive.document.assigning_unit):
        raise Forbidden("Chỉ Văn phòng UBND (đơn vị theo dõi văn bản) được duyệt hoặc điều chỉnh thời hạn.")
    return access


def _text(value: str, label: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"Vui lòng nhập {label}.")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{label[:1].upper()}{label[1:]} dài quá {MAX_TEXT:,} ký tự.".replace(",", "."))
    return text


def _not_done(occurrence: Occurrence) -> None:
    if occurrence.completed_on is not None:
        raise Conflict("Kỳ này của nhiệm vụ đã được xác nhận hoàn thành.")


def _part_not_done(part: Part) -> None:
    if part.completed_on is not None:
        raise Conflict(f"Phần việc của {part.unit.name} trong kỳ này đã được xác nhận hoàn thành.")


def _locked_part(occurrence: Occurrence, part_id: int) -> Part:
    part = (
        Part.objects.select_for_update()
        .select_related("unit")
        .filter(pk=part_id, occurrence=occurrence)
        .first()
    )
    if part is None:
        raise NotFound("Không tìm thấy phần việc của đơn vị trong kỳ này.")
    return part
