"""Fees and financial obligations (NĐ 61/2018 Điều 22): the request to pay and its confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from motcua.core.models import User
from motcua.dossiers import rules
from motcua.dossiers.models import Dossier, DossierFee
from motcua.dossiers.rules import Action, InvalidDossierInput
from motcua.dossiers.services._base import FeeInput, _check_version, _load, _transaction
from motcua.dossiers.services._pipeline import _record
from motcua.dossiers.services.authority import _authorise


def request_payment(
    code: str, *, by: User, expected_version: int, items: Sequence[FeeInput], note: str = ""
) -> Dossier:
    """Ask the applicant to pay fees or a financial obligation (state 6)."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.REQUEST_PAYMENT)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.REQUEST_PAYMENT)
        if not items:
            raise InvalidDossierInput("Phải ghi ít nhất một khoản phải nộp.", code="items_required")
        lines: list[DossierFee] = []
        for item in items:
            name = item.name.strip()
            amount = None if item.amount_vnd is None else Decimal(item.amount_vnd)
            if not name or (amount is not None and (amount < 0 or amount != amount.to_integral_value())):
                raise InvalidDossierInput(
                    f"Khoản phải nộp “{name or '(không tên)'}”: cần tên và số tiền nguyên, không âm.",
                    code="fee_invalid",
                )
            if item.kind not in DossierFee.Kind.values:
                raise InvalidDossierInput(f"Loại khoản thu không hợp lệ: {item.kind!r}.", code="fee_invalid")
            lines.append(
                DossierFee(
                    dossier=dossier,
                    name=name,
                    kind=item.kind,
                    amount_vnd=amount,
                    collect_at=DossierFee.CollectAt.RESULT,
                )
            )
        DossierFee.objects.bulk_create(lines)
        at = timezone.now()
        _record(
            dossier,
            Action.REQUEST_PAYMENT,
            by=by,
            at=at,
            to_state=to_state,
            step=dossier.current_step,
            due_at=dossier.due_at,
            data={
                "fees": [
                    {"name": f.name, "amount_vnd": None if f.amount_vnd is None else int(f.amount_vnd)}
                    for f in lines
                ],
                "note": note.strip(),
            },
        )
        return dossier


def confirm_payment(
    code: str, *, by: User, expected_version: int, receipt_ref: str = "", online: bool = False
) -> Dossier:
    """Record that every outstanding fee line has been paid; processing continues."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, Action.CONFIRM_PAYMENT)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, Action.CONFIRM_PAYMENT)
        at = timezone.now()
        paid = DossierFee.objects.filter(dossier=dossier, paid=False).update(
            paid=True, paid_at=at, paid_online=online, receipt_ref=receipt_ref.strip()[:100]
        )
        _record(
            dossier,
            Action.CONFIRM_PAYMENT,
            by=by,
            at=at,
            to_state=to_state,
            step=dossier.current_step,
            due_at=dossier.due_at,
            data={"lines_paid": paid, "receipt_ref": receipt_ref.strip()[:100], "online": online},
            extra_fields={"paid_online": dossier.paid_online or online},
        )
        return dossier
