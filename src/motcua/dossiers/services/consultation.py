"""Consultation between units (liên thông, NĐ 61/2018 Điều 19): the request, each with its own
deadline, and the consulted unit's answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from motcua.core.models import User
from motcua.dossiers import boxcache, rules
from motcua.dossiers.models import Channel, Consultation, Dossier
from motcua.dossiers.rules import Action, DossierConflict, DossierNotFound, InvalidDossierInput
from motcua.dossiers.services._base import (
    ConsultationTarget,
    _calendar,
    _check_version,
    _iso,
    _load,
    _transaction,
    _vn,
)
from motcua.dossiers.services._pipeline import _record
from motcua.dossiers.services.authority import _authorise
from motcua.workdays.domain import to_local


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
        boxcache.touch_units(t.unit.pk for t in targets)  # their "to answer" boxes
        ids = list(
            Consultation.objects.filter(dossier=dossier, batch=batch)
            .order_by("order")
            .values_list("pk", flat=True)
        )
        _record(
            dossier,
            Action.REQUEST_CONSULTATION,
            by=by,
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
        boxcache.touch_units([consultation.unit_id])
        _record(
            dossier,
            Action.ANSWER_CONSULTATION,
            by=by,
            at=at,
            to_state=to_state,
            step=dossier.current_step,
            due_at=dossier.due_at,
            data={
                "consultation_id": consultation.pk,
                "unit": consultation.unit.code,
                "late": at > consultation.due_at,
            },
            summary=f"{consultation.unit.name} trả lời xin ý kiến về hồ sơ {dossier.code}",
        )
        return dossier
