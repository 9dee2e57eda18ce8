"""Completion of a task's period: a unit's request, the office's decision, or the office's own record."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from motcua.core import audit
from motcua.core.errors import Conflict, NotFound
from motcua.core.models import User
from motcua.directives.models import CompletionRequest, Decision, Part
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
from motcua.directives.services.occurrences import ensure_occurrences, sync_occurrence


def request_completion(
    by: User,
    directive_id: int,
    *,
    completed_on: date,
    note: str = "",
    occurrence_id: int | None = None,
    part_id: int | None = None,
    now: datetime | None = None,
) -> CompletionRequest:
    """A lead unit asks the office to confirm its part of the task (this occurrence) is done on
    ``completed_on``."""
    moment, today = _now(now), _today(now)
    directive, access = _as_lead(by, directive_id)
    if completed_on > today:
        raise InvalidInput("Ngày hoàn thành không được sau ngày hôm nay.")
    if completed_on < directive.document.issued_on:
        raise InvalidInput(
            "Ngày hoàn thành không được trước ngày ban hành văn bản "
            f"({directive.document.issued_on:%d/%m/%Y})."
        )
    body = _text(note, "kết quả thực hiện", required=False)
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, occurrence_id)
        part = _acting_part(occurrence, access, part_id)
        _part_not_done(part)
        if part.completions.filter(status=Decision.PENDING).exists():
            raise Conflict("Đơn vị đang có đề nghị xác nhận hoàn thành chờ Văn phòng duyệt.")
        request = CompletionRequest.objects.create(
            occurrence=occurrence,
            part=part,
            unit_id=part.unit_id,
            requested_by=by,
            requested_at=moment,
            completed_on=completed_on,
            note=body,
        )
        part.completion_requested_at = moment
        part.save(update_fields=["completion_requested_at"])
        sync_occurrence(occurrence)
        audit.record(
            "directives.request_completion",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"Đề nghị xác nhận hoàn thành nhiệm vụ {directive.number} ({directive.document.number}), "
                f"{part.unit.name}"
            ),
            data={
                "occurrence": occurrence.pk,
                "part": part.pk,
                "request": request.pk,
                "completed_on": completed_on,
            },
        )
    return request


def _complete_part(part: Part, completed_on: date, moment: datetime) -> None:
    part.completed_on, part.completed_at, part.progress = completed_on, moment, 100
    part.completion_requested_at = None
    part.save(update_fields=["completed_on", "completed_at", "progress", "completion_requested_at"])


def decide_completion(
    by: User, request_id: int, *, approve: bool, note: str = "", now: datetime | None = None
) -> CompletionRequest:
    """The office approves a unit's completion (its part is done on the date the unit gave; the
    occurrence is complete when every part is) or returns it with a reason."""
    moment, today = _now(now), _today(now)
    request = CompletionRequest.objects.select_related("occurrence").filter(pk=request_id).first()
    if request is None:
        raise NotFound("Không tìm thấy đề nghị xác nhận hoàn thành.")
    directive = _directive(request.occurrence.directive_id)
    _as_office(by, directive)
    reason = _text(note, "lý do trả lại", required=not approve)
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, request.occurrence_id)
        request = CompletionRequest.objects.select_for_update().get(pk=request_id)
        if request.status != Decision.PENDING:
            raise Conflict("Đề nghị này đã được xử lý.")
        if request.part_id is None:
            raise Conflict("Đề nghị này không gắn với phần việc của đơn vị nào; đơn vị hãy gửi lại đề nghị.")
        part = _locked_part(occurrence, request.part_id)
        request.status = Decision.APPROVED if approve else Decision.RETURNED
        request.decided_by, request.decided_at, request.decision_note = by, moment, reason
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            _complete_part(part, request.completed_on, moment)
        else:
            part.completion_requested_at = None
            part.save(update_fields=["completion_requested_at"])
        if sync_occurrence(occurrence):
            ensure_occurrences(directive, today)  # a recurring task moves to its next period
        audit.record(
            "directives.approve_completion" if approve else "directives.return_completion",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"{'Duyệt' if approve else 'Trả lại'} đề nghị hoàn thành nhiệm vụ {directive.number} "
                f"({directive.document.number}), {part.unit.name}"
            ),
            data={"occurrence": occurrence.pk, "part": part.pk, "request": request.pk, "note": reason},
        )
    return request


def record_completion(
    by: User,
    directive_id: int,
    *,
    completed_on: date,
    note: str,
    occurrence_id: int | None = None,
    part_id: int | None = None,
    now: datetime | None = None,
) -> list[CompletionRequest]:
    """The office records that a unit's part (``part_id``), or every part not completed yet, was done
    on ``completed_on`` — from a written report of the unit. Kept as approved requests of the office,
    with its note. Returns the records."""
    moment, today = _now(now), _today(now)
    directive = _directive(directive_id)
    _as_office(by, directive)
    if completed_on > today:
        raise InvalidInput("Ngày hoàn thành không được sau ngày hôm nay.")
    if completed_on < directive.document.issued_on:
        raise InvalidInput(
            "Ngày hoàn thành không được trước ngày ban hành văn bản "
            f"({directive.document.issued_on:%d/%m/%Y})."
        )
    body = _text(note, "căn cứ ghi nhận hoàn thành (văn bản, báo cáo của đơn vị)")
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, occurrence_id)
        _not_done(occurrence)
        if part_id is not None:
            parts = [_locked_part(occurrence, part_id)]
            _part_not_done(parts[0])
        else:
            parts = list(
                Part.objects.select_for_update()
                .select_related("unit")
                .filter(occurrence=occurrence, completed_on__isnull=True)
                .order_by("unit__path")
            )
            if not parts:
                raise Conflict("Kỳ này chưa có đơn vị chủ trì nào để ghi nhận (hãy đối chiếu tên cơ quan).")
        records = []
        for part in parts:
            for pending in part.completions.select_for_update().filter(status=Decision.PENDING):
                pending.status, pending.decided_by, pending.decided_at = Decision.APPROVED, by, moment
                pending.decision_note = body
                pending.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
            records.append(
                CompletionRequest.objects.create(
                    occurrence=occurrence,
                    part=part,
                    unit_id=part.unit_id,
                    requested_by=by,
                    requested_at=moment,
                    completed_on=completed_on,
                    note=body,
                    status=Decision.APPROVED,
                    decided_by=by,
                    decided_at=moment,
                )
            )
            _complete_part(part, completed_on, moment)
        if sync_occurrence(occurrence):
            ensure_occurrences(directive, today)
        audit.record(
            "directives.record_completion",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"Ghi nhận hoàn thành nhiệm vụ {directive.number} ({directive.document.number}) ngày "
                f"{completed_on:%d/%m/%Y}: {len(parts)} đơn vị"
            ),
            data={"occurrence": occurrence.pk, "parts": [p.pk for p in parts], "completed_on": completed_on},
        )
    return records
