"""Endings and the result (NĐ 61/2018 Điều 19–20): refusal after appraisal, stop, withdrawal; the result
ready, and its return to the applicant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from motcua.core.models import User
from motcua.dossiers import rules
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action, DossierConflict, DossierNotFound, InvalidDossierInput
from motcua.dossiers.services._base import (
    Applicant,
    _calendar,
    _check_version,
    _consultation_pending,
    _current,
    _load,
    _return_step,
    _step_timing,
    _steps_remaining,
    _transaction,
    next_step,
    owned_by,
    workflow_steps,
)
from motcua.dossiers.services._pipeline import _record, _simple
from motcua.dossiers.services.authority import _authorise, _refusal_after_due

# -- endings: refusal, stop, withdrawal ------------------------------------------------------------


def refuse_after_appraisal(code: str, *, by: User, expected_version: int, reasons: str) -> Dossier:
    """Refuse to grant after appraisal (Phiếu từ chối giải quyết): only within the time limit."""

    def within_limit(dossier: Dossier, at: datetime) -> None:
        # the window runs to the date given to the citizen (an apology's new date, else the due)
        refused = _refusal_after_due(dossier, at)
        if refused is not None:
            raise refused

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
        if not owned_by(dossier, applicant):
            raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.")
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.WITHDRAW)
        why = rules.require_text(reason, "reason", "lý do rút hồ sơ")
        _record(
            dossier,
            Action.WITHDRAW,
            by=applicant,
            at=timezone.now(),
            to_state=to_state,
            step=None,
            due_at=dossier.due_at,
            data={"reason": why, "by_applicant": True, "assignee_id": None},
        )
        return dossier


# -- result and return -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRef:
    """The electronic result issued with ``mark_result_ready``: its code (MaKetQua) and permanent
    address (DuongDanTepTinKetQua). Issued and signed by ``documents.results``."""

    code: str
    url: str


def mark_result_ready(
    code: str, *, by: User, expected_version: int, note: str = "", result: ResultRef | None = None
) -> Dossier:
    """The result is signed and issued (state 9); the dossier goes to the return step of the one-stop.
    With ``result`` the electronic result's code and address are set on the dossier (766 4.1, the
    national sync record) in the same transaction."""
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
        _record(
            dossier,
            Action.MARK_RESULT_READY,
            by=by,
            at=at,
            to_state=to_state,
            step=closing,
            due_at=dossier.due_at,
            data={
                "assignee_id": None,
                "note": note.strip(),
                **_step_timing(calendar, closing, at),
                **({"result_code": result.code} if result else {}),
            },
            steps=steps,
            extra_fields={"result_code": result.code, "result_file_url": result.url} if result else None,
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
        _record(
            dossier,
            Action.RETURN_RESULT,
            by=by,
            at=at,
            to_state=to_state,
            step=None,
            due_at=dossier.due_at,
            data={"early": early, "notified": bool(notified), "note": note.strip(), "assignee_id": None},
        )
        return dossier


def replace_result(
    code: str, *, by: User, expected_version: int, result: ResultRef, replaced: str, reason: str
) -> Dossier:
    """The dossier's electronic result ``replaced`` was wrong: the corrected one, ``result``, takes its
    place (its code and address on the dossier and in the national sync record); the state stays. The
    documents app signs the new result and revokes the old one in the same transaction."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.REPLACE_RESULT)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.REPLACE_RESULT)
        why = rules.require_text(reason, "reason", "lý do thu hồi kết quả")
        if not dossier.result_code:
            raise DossierConflict(
                "Hồ sơ chưa có kết quả điện tử để thu hồi và cấp lại.", code="no_electronic_result"
            )
        if dossier.result_code != replaced:
            raise DossierConflict(
                f"Kết quả {replaced} không phải kết quả hiện hành của hồ sơ.", code="result_not_current"
            )
        at = timezone.now()
        _record(
            dossier,
            Action.REPLACE_RESULT,
            by=by,
            at=at,
            to_state=to_state,
            step=dossier.current_step,
            due_at=dossier.due_at,
            data={"result_code": result.code, "replaced": replaced, "reason": why},
            extra_fields={"result_code": result.code, "result_file_url": result.url},
            summary=f"Thu hồi kết quả {replaced}, cấp lại {result.code} (hồ sơ {dossier.code})",
        )
        return dossier
