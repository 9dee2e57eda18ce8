"""Fees and financial obligations (NĐ 61/2018 Điều 22): the request to pay and its confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from motcua.core.errors import Conflict
from motcua.core.models import User
from motcua.dossiers import rules
from motcua.dossiers.models import Dossier, DossierFee
from motcua.dossiers.rules import Action, InvalidDossierInput
from motcua.dossiers.services._base import (
    FeeInput,
    _attributed,
    _check_version,
    _load,
    _transaction,
    workflow_steps,
)
from motcua.dossiers.services._pipeline import _apply, _record
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


GATEWAY_LABEL = "Cổng thanh toán trực tuyến"


# Before the dossier is received, only what the procedure collects at submission can be paid.
BEFORE_RECEIPT = frozenset({rules.State.SUBMITTED, rules.State.INTAKE_SUPPLEMENT})


def owed_now(dossier: Dossier) -> list[DossierFee]:
    """The fee lines the applicant can pay now, the one rule for the portal's offer, the payment order
    and its confirmation: every unpaid line while the dossier waits for payment (state 6); before it is
    received (states 1 and 5 at intake), the unpaid lines of the fees the procedure asks to be paid at
    submission (``catalogue.Fee.pay_first``) with an amount — the other fee lines of the catalogue are
    cases the officer settles at intake (on time or late, at the counter or online)."""
    unpaid = DossierFee.objects.filter(dossier_id=dossier.pk, paid=False).order_by("id")
    if dossier.state == rules.State.AWAITING_PAYMENT:
        return list(unpaid)
    if dossier.state in BEFORE_RECEIPT:
        first = unpaid.filter(collect_at=DossierFee.CollectAt.INTAKE, catalogue_fee__pay_first=True)
        return [f for f in first if (f.amount_vnd or 0) > 0]
    return []


def confirm_online_payment(code: str, *, receipt_ref: str, amount_vnd: int) -> Dossier:
    """The payment gateway confirmed that the applicant paid online what the dossier owes now
    (``owed_now``): those lines are marked paid online with the transaction's reference. A dossier
    waiting for payment (state 6) continues — the transition of ``confirm_payment`` —; one not yet
    received keeps its state and records the payment (``pay_online``). Attributed to the gateway (a
    system actor, no staff user). ``amount_vnd`` must be what those lines add up to; a dossier with
    nothing to pay is refused (``Conflict``), so a late or repeated notification never moves it."""
    with _transaction():
        dossier = _load(code)
        lines = owed_now(dossier)
        if not lines:
            raise Conflict(
                f"Hồ sơ {code} hiện không có khoản nào chờ thanh toán.", code="not_awaiting_payment"
            )
        owed = sum(int(f.amount_vnd or 0) for f in lines)
        if owed != amount_vnd:
            raise InvalidDossierInput(
                f"Số tiền đã thanh toán ({amount_vnd:,} đ) khác số phải nộp ({owed:,} đ).".replace(",", "."),
                code="amount_mismatch",
            )
        action = (
            Action.CONFIRM_PAYMENT if dossier.state == rules.State.AWAITING_PAYMENT else Action.PAY_ONLINE
        )
        to_state = rules.next_state(dossier.state, action)
        at = timezone.now()
        ref = receipt_ref.strip()[:100]
        paid = DossierFee.objects.filter(pk__in=[f.pk for f in lines], paid=False).update(
            paid=True, paid_at=at, paid_online=True, receipt_ref=ref
        )
        steps = workflow_steps(dossier.procedure_version_id)
        with _attributed(None, GATEWAY_LABEL):
            _apply(
                dossier,
                action,
                by=None,
                actor_label=GATEWAY_LABEL,
                at=at,
                to_state=to_state,
                step=dossier.current_step,
                due_at=dossier.due_at,
                data={"lines_paid": paid, "receipt_ref": ref, "online": True, "amount_vnd": amount_vnd},
                steps=steps,
                extra_fields={"paid_online": True},
            )
        return dossier


def set_computed_fee(dossier: Dossier, *, catalogue_fee_id: int, amount_vnd: Decimal) -> int:
    """The amount of a fee known only once the work is done (a certification's per-page fee: pages ×
    copies, less the budget's share) becomes the amount of the dossier's unpaid line of that catalogue
    fee — what the receipt, the payment and the national record then show. Runs in the caller's
    transaction, which holds the dossier's row (``documents.certified.certify_copy``). Returns the lines
    changed (0 when the line is paid already or the procedure lists no such fee)."""
    if amount_vnd < 0 or amount_vnd != amount_vnd.to_integral_value():
        raise InvalidDossierInput("Số tiền phải là số đồng nguyên, không âm.", code="fee_invalid")
    return DossierFee.objects.filter(dossier=dossier, catalogue_fee_id=catalogue_fee_id, paid=False).update(
        amount_vnd=amount_vnd
    )
