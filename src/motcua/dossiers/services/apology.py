"""Apology and a new date (NĐ 61/2018 Điều 19.9, Mẫu 04)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from motcua.core.models import User
from motcua.core.rules import rule_value
from motcua.dossiers import rules
from motcua.dossiers.models import Dossier, DueReset
from motcua.dossiers.rules import Action, DossierConflict, InvalidDossierInput
from motcua.dossiers.services._base import _calendar, _check_version, _iso, _load, _transaction, _vn
from motcua.dossiers.services._pipeline import _record
from motcua.dossiers.services.authority import _authorise
from motcua.workdays.domain import CalendarError, to_local


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
        _record(
            dossier,
            Action.RESET_DUE,
            by=by,
            at=at,
            to_state=to_state,
            step=dossier.current_step,
            due_at=dossier.due_at,
            data={"reason": why, "old_due": _iso(old_due), "new_due": _iso(target), "ordinal": done + 1},
            summary=f"Xin lỗi, hẹn lại ngày trả hồ sơ {dossier.code}: {_vn(target)}",
        )
        return dossier
