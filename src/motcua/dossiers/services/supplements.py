"""Supplements (NĐ 61/2018 Điều 19.4): the request stops the clock, the complete supplement restarts or
shifts it (rule ``workdays.supplement_mode``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone

from motcua.core.models import User
from motcua.core.rules import rule_value
from motcua.dossiers import rules, scans
from motcua.dossiers.models import Dossier, DossierComponent, Supplement
from motcua.dossiers.rules import Action, DossierConflict, DossierNotFound, InvalidDossierInput
from motcua.dossiers.services._base import (
    Applicant,
    ComponentInput,
    _calendar,
    _check_version,
    _iso,
    _load,
    _online_mode,
    _step_timing,
    _transaction,
    _vn,
    owned_by,
    workflow_steps,
)
from motcua.dossiers.services._pipeline import _record
from motcua.dossiers.services.authority import _authorise
from motcua.workdays.domain import CalendarError, due_after_pauses, to_local
from motcua.workdays.services import calendar_for


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
        _record(
            dossier,
            Action.REQUEST_SUPPLEMENT,
            by=by,
            at=at,
            to_state=to_state,
            step=dossier.current_step,
            due_at=dossier.due_at,
            data={"supplement_id": supplement.pk, "items": wanted, "reasons": why},
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
    """The complete supplement arrives at the counter or the processing unit: the clock runs again, per
    ``workdays.supplement_mode`` in force on this day — ``restart`` counts the whole limit again from
    now (with the cut-off), ``shift`` moves the due moment later by the office time spent waiting."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.RECEIVE_SUPPLEMENT)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.RECEIVE_SUPPLEMENT)
        _close_supplement(
            dossier, Action.RECEIVE_SUPPLEMENT, to_state, by=by, note=note, components=components
        )
        return dossier


def _close_supplement(
    dossier: Dossier,
    action: Action,
    to_state: rules.State,
    *,
    by: User | Applicant,
    note: str,
    components: Sequence[ComponentInput],
) -> None:
    """The open supplement request of a received dossier is answered: the request closed, the due
    recomputed after the waiting, the documents kept, the event written."""
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
    officer = by if isinstance(by, User) else None
    current.received_at = at
    current.received_by = officer
    current.received_note = note.strip()
    current.mode = mode
    current.due_after = deadline.due
    current.save(update_fields=["received_at", "received_by", "received_note", "mode", "due_after"])
    rows = _supplement_components(dossier, current, components, by=officer, at=at)
    steps = workflow_steps(dossier.procedure_version_id)
    step = dossier.current_step
    _record(
        dossier,
        action,
        by=by,
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
            **({"note": note.strip()} if note.strip() and officer is None else {}),
            # the current step's own clock starts again too
            **_step_timing(calendar, step, at),
        },
        steps=steps,
    )


def request_intake_supplement(
    code: str, *, by: User, expected_version: int, items: Sequence[str], reasons: str
) -> Dossier:
    """The intake officer finds an online dossier incomplete and asks for a supplement before accepting
    it (NĐ 61/2018 Điều 17; Mẫu 02). The dossier is not received: no clock runs and no supplement wait
    is counted later; the applicant supplements online and the dossier comes back to be accepted."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.REQUEST_INTAKE_SUPPLEMENT)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.REQUEST_INTAKE_SUPPLEMENT)
        wanted = rules.require_items(items, "items", "các giấy tờ cần bổ sung")
        why = rules.require_text(reasons, "reasons", "lý do yêu cầu bổ sung")
        _record(
            dossier,
            Action.REQUEST_INTAKE_SUPPLEMENT,
            by=by,
            at=timezone.now(),
            to_state=to_state,
            step=None,
            due_at=None,
            data={"items": wanted, "reasons": why},
        )
        return dossier


def open_request(dossier: Dossier) -> tuple[list[str], str] | None:
    """What the applicant is asked to supplement now (items, reasons), or ``None``: before acceptance
    the intake officer's request (the last such event), after it the processing unit's open request."""
    if dossier.state == rules.State.INTAKE_SUPPLEMENT:
        event = dossier.events.filter(action=Action.REQUEST_INTAKE_SUPPLEMENT).order_by("-seq").first()
        if event is None:
            return None
        data = event.data or {}
        return [str(i) for i in data.get("items") or []], str(data.get("reasons", ""))
    if dossier.state == rules.State.AWAITING_SUPPLEMENT:
        found = dossier.supplements.filter(received_at__isnull=True).order_by("-requested_at", "-id").first()
        return None if found is None else ([str(i) for i in found.items], found.reasons)
    return None


def supplement_online(
    code: str,
    *,
    applicant: Applicant,
    expected_version: int,
    components: Sequence[ComponentInput],
    note: str = "",
) -> Dossier:
    """The applicant answers a supplement request on the portal with the documents asked for. Before
    acceptance the dossier goes back to the intake officer's box (state 1); after it, the request is
    closed and the clock runs again exactly as when the supplement is handed in at the counter."""
    with _transaction():
        dossier = _load(code)
        if not owned_by(dossier, applicant):
            raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.")
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.SUPPLEMENT_ONLINE)
        if not components:
            raise InvalidDossierInput(
                "Hãy đính kèm ít nhất một giấy tờ bổ sung.", code="supplement_components_required"
            )
        if len(note) > 2000:
            raise InvalidDossierInput("Ghi chú dài quá: tối đa 2.000 ký tự.", code="note_too_long")
        if dossier.state == rules.State.AWAITING_SUPPLEMENT:
            _close_supplement(
                dossier, Action.SUPPLEMENT_ONLINE, to_state, by=applicant, note=note, components=components
            )
            return dossier
        at = timezone.now()
        rows = _supplement_components(dossier, None, components, by=None, at=at)
        _record(
            dossier,
            Action.SUPPLEMENT_ONLINE,
            by=applicant,
            at=at,
            to_state=to_state,
            step=None,
            due_at=None,
            data={"components": rows, **({"note": note.strip()} if note.strip() else {})},
        )
        return dossier


def _supplement_components(
    dossier: Dossier,
    supplement: Supplement | None,
    given: Sequence[ComponentInput],
    *,
    by: User | None,
    at: datetime,
) -> int:
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
            reused=item.reused,
            **(
                scans.stored(item.file, by=by, at=at, digitised=by is not None)
                if item.file
                else {"digitised": item.digitised}
            ),
        )
        count += 1
    return count
