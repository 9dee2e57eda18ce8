"""Deadlines: a unit's request for an extension, the office's decision, and the office setting one."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from motcua.core import audit
from motcua.core.errors import Conflict, NotFound
from motcua.core.models import User
from motcua.directives.models import DeadlineChange, Decision, ExtensionRequest
from motcua.directives.services.common import (
    InvalidInput,
    _acting_part,
    _as_lead,
    _as_office,
    _directive,
    _locked_occurrence,
    _locked_part,
    _not_done,
    _now,
    _part_not_done,
    _text,
    _today,
)
from motcua.directives.services.occurrences import sync_occurrence


def request_extension(
    by: User,
    directive_id: int,
    *,
    proposed_due: date,
    reason: str,
    occurrence_id: int | None = None,
    part_id: int | None = None,
    now: datetime | None = None,
) -> ExtensionRequest:
    """A lead unit asks for a later deadline of its own part."""
    moment, today = _now(now), _today(now)
    directive, access = _as_lead(by, directive_id)
    body = _text(reason, "lý do xin gia hạn")
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, occurrence_id)
        part = _acting_part(occurrence, access, part_id)
        _part_not_done(part)
        if part.due_on is None:
            raise InvalidInput("Nhiệm vụ không có thời hạn nên không cần gia hạn.")
        if proposed_due <= part.due_on:
            raise InvalidInput(f"Hạn đề nghị phải sau hạn hiện tại ({part.due_on:%d/%m/%Y}).")
        if proposed_due < today:
            raise InvalidInput("Hạn đề nghị không được trước ngày hôm nay.")
        if part.extensions.filter(status=Decision.PENDING).exists():
            raise Conflict("Đơn vị đang có đề nghị gia hạn chờ Văn phòng duyệt.")
        request = ExtensionRequest.objects.create(
            occurrence=occurrence,
            part=part,
            unit_id=part.unit_id,
            requested_by=by,
            requested_at=moment,
            current_due=part.due_on,
            proposed_due=proposed_due,
            reason=body,
        )
        part.extension_requested_at = moment
        part.save(update_fields=["extension_requested_at"])
        sync_occurrence(occurrence)
        audit.record(
            "directives.request_extension",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"Đề nghị gia hạn nhiệm vụ {directive.number} đến {proposed_due:%d/%m/%Y}, {part.unit.name}"
            ),
            data={
                "occurrence": occurrence.pk,
                "part": part.pk,
                "request": request.pk,
                "proposed_due": proposed_due,
            },
        )
    return request


def decide_extension(
    by: User, request_id: int, *, approve: bool, note: str = "", now: datetime | None = None
) -> ExtensionRequest:
    """The office approves (the unit's deadline moves; the change is kept in the history) or refuses."""
    moment = _now(now)
    request = ExtensionRequest.objects.select_related("occurrence").filter(pk=request_id).first()
    if request is None:
        raise NotFound("Không tìm thấy đề nghị gia hạn.")
    directive = _directive(request.occurrence.directive_id)
    _as_office(by, directive)
    reason = _text(note, "lý do không đồng ý", required=not approve)
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, request.occurrence_id)
        request = ExtensionRequest.objects.select_for_update().get(pk=request_id)
        if request.status != Decision.PENDING:
            raise Conflict("Đề nghị này đã được xử lý.")
        if request.part_id is None:
            raise Conflict("Đề nghị này không gắn với phần việc của đơn vị nào; đơn vị hãy gửi lại đề nghị.")
        part = _locked_part(occurrence, request.part_id)
        request.status = Decision.APPROVED if approve else Decision.REFUSED
        request.decided_by, request.decided_at, request.decision_note = by, moment, reason
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        part.extension_requested_at = None
        fields = ["extension_requested_at"]
        if approve:
            DeadlineChange.objects.create(
                occurrence=occurrence,
                part=part,
                old_due=part.due_on,
                new_due=request.proposed_due,
                changed_at=moment,
                changed_by=by,
                reason=request.reason,
                extension=request,
            )
            part.due_on = request.proposed_due
            fields.append("due_on")
        part.save(update_fields=fields)
        sync_occurrence(occurrence)
        audit.record(
            "directives.approve_extension" if approve else "directives.refuse_extension",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"{'Đồng ý' if approve else 'Không đồng ý'} gia hạn nhiệm vụ {directive.number} "
                f"đến {request.proposed_due:%d/%m/%Y}, {part.unit.name}"
            ),
            data={"occurrence": occurrence.pk, "part": part.pk, "request": request.pk, "note": reason},
        )
    return request


def set_deadline(
    by: User,
    directive_id: int,
    *,
    due: date,
    reason: str,
    occurrence_id: int | None = None,
    part_id: int | None = None,
    now: datetime | None = None,
) -> DeadlineChange:
    """The office sets or changes a deadline itself — e.g. a date for a task "theo tiến độ" once the
    document it waited for is out: for the whole period (every part not completed) or, with
    ``part_id``, for one unit's part. Kept in the deadline history like an extension."""
    moment = _now(now)
    directive = _directive(directive_id)
    _as_office(by, directive)
    body = _text(reason, "căn cứ điều chỉnh thời hạn")
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, occurrence_id)
        _not_done(occurrence)
        part = _locked_part(occurrence, part_id) if part_id is not None else None
        if part is not None:
            _part_not_done(part)
        current = part.due_on if part is not None else occurrence.due_on
        if current == due:
            raise InvalidInput("Thời hạn mới trùng thời hạn hiện tại.")
        if due < directive.document.issued_on:
            raise InvalidInput("Thời hạn không được trước ngày ban hành văn bản.")
        change = DeadlineChange.objects.create(
            occurrence=occurrence,
            part=part,
            old_due=current,
            new_due=due,
            changed_at=moment,
            changed_by=by,
            reason=body,
        )
        if part is not None:
            part.due_on = due
            part.save(update_fields=["due_on"])
        else:
            occurrence.due_on = due
            occurrence.save(update_fields=["due_on"])
            occurrence.parts.filter(completed_on__isnull=True).update(due_on=due)
        sync_occurrence(occurrence)
        scope = f", {part.unit.name}" if part is not None else ""
        audit.record(
            "directives.set_deadline",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"Đặt thời hạn nhiệm vụ {directive.number} ({directive.document.number}): "
                f"{due:%d/%m/%Y}{scope}"
            ),
            data={
                "occurrence": occurrence.pk,
                "part": part.pk if part else None,
                "old": change.old_due,
                "new": due,
            },
        )
    return change
