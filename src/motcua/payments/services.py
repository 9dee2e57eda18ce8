"""Paying what a dossier owes online: the offer, the start (an order sent to the gateway), and the
gateway's word (notification, return, query) applied once.

- ``offer(code)``: what the applicant can pay online now (``dossiers.services.owed_now``: the unpaid
  lines of a dossier waiting for payment, state 6, or the fees due at submission of an online dossier
  not yet received), when a gateway is configured.
- ``start_online``: a ``Payment`` with a fresh reference for exactly those lines, and the gateway's
  signed address to send the applicant to.
- ``apply_reply``: every word from the gateway is logged (``PaymentNotice``) whatever it says. A missing
  or wrong signature is refused (RspCode 97); an unknown order (01), a different amount (04), an order
  already settled (02 — the same notification twice pays once). A valid payment marks the lines paid
  online and moves the dossier on (``dossiers.services.confirm_online_payment``, attributed to the gateway:
  no staff user), numbers the receipt, and is audited. A dossier that no longer waits for payment keeps
  the money recorded and flagged for the daily reconciliation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.core import audit, fastsql
from motcua.core.errors import DomainError
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.integrations import registry
from motcua.integrations.registry import GatewayReply, PayOrder
from motcua.payments.models import Payment, PaymentNotice, ReceiptSequence
from motcua.workdays.domain import to_local

# The gateway's answer codes to a notification (the signed redirect-and-notify family).
CONFIRMED, NOT_FOUND, ALREADY, BAD_AMOUNT, BAD_SIGNATURE = "00", "01", "02", "04", "97"


class PaymentUnavailable(DomainError):
    status = 503
    code = "payment_unavailable"


@dataclass(frozen=True)
class Offer:
    code: str
    amount_vnd: int
    lines: tuple[tuple[int, str, int], ...]  # (fee line id, name, amount)


def offer(code: str) -> Offer | None:
    """What can be paid online for dossier ``code`` now (``None``: nothing, or no gateway): the lines of
    ``dossiers.services.owed_now``."""
    dossier = Dossier.objects.filter(code=code).only("id", "code", "state").first()
    if dossier is None or registry.payment_gateway() is None:
        return None
    lines = tuple((f.pk, f.name, int(f.amount_vnd or 0)) for f in dossier_services.owed_now(dossier))
    amount = sum(line[2] for line in lines)
    return Offer(code, amount, lines) if amount > 0 else None


def _reference() -> str:
    return f"TT{to_local(timezone.now()):%y%m%d%H%M%S}{secrets.token_hex(3).upper()}"


def start_online(code: str, *, return_url: str, ip: str | None) -> tuple[Payment, str]:
    """A payment of what dossier ``code`` owes, and the gateway address to send the applicant to."""
    gateway = registry.payment_gateway()
    if gateway is None:
        raise PaymentUnavailable("Chưa có cổng thanh toán trực tuyến; vui lòng nộp tại Bộ phận Một cửa.")
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().filter(code=code).first()
        if dossier is None:
            raise DomainError(
                "Hồ sơ này hiện không có khoản nào cần thanh toán.", code="nothing_to_pay", status=409
            )
        lines = [f for f in dossier_services.owed_now(dossier) if (f.amount_vnd or 0) > 0]
        amount = sum(int(f.amount_vnd or 0) for f in lines)
        if not lines:
            raise DomainError(
                "Hồ sơ này hiện không có khoản nào cần thanh toán.", code="nothing_to_pay", status=409
            )
        payment = Payment.objects.create(
            reference=_reference(),
            dossier=dossier,
            amount_vnd=amount,
            lines=[{"id": f.pk, "name": f.name, "amount_vnd": int(f.amount_vnd or 0)} for f in lines],
            gateway=gateway.label,
            client_ip=ip,
        )
        audit.record(
            "payment.started",
            object_type="payments.payment",
            object_id=payment.reference,
            summary=f"Bắt đầu thanh toán trực tuyến {amount:,} đ cho hồ sơ {code}".replace(",", "."),
            data={"dossier": code, "amount_vnd": amount},
        )
    try:
        url = gateway.pay_url(
            PayOrder(
                reference=payment.reference,
                amount_vnd=amount,
                info=f"Thanh toan phi, le phi ho so {code}",
                return_url=return_url,
                ip=ip or "",
                created_at=payment.created_at,
            )
        )
    finally:
        gateway.close()
    return payment, url


def _log(
    source: str, params: dict[str, Any], valid: bool, outcome: str, payment: Payment | None, ip: str | None
) -> None:
    PaymentNotice.objects.create(
        source=source, params=params, valid=valid, outcome=outcome[:255], payment=payment, client_ip=ip
    )


def _receipt_number(dossier: Dossier) -> str:
    year = to_local(timezone.now()).year
    n = fastsql.next_value(ReceiptSequence, {"unit": dossier.competent_unit_id, "year": year})
    return f"{n:07d}/{year}"


def apply_reply(params: dict[str, str], *, source: str, ip: str | None) -> tuple[str, str, Payment | None]:
    """Apply a word from the gateway (see the module): ``(RspCode, message, payment)``."""
    gateway = registry.payment_gateway()
    reply = gateway.verify(params) if gateway is not None else None
    if gateway is not None:
        gateway.close()
    if reply is None:
        with transaction.atomic():
            _log(source, params, False, "Từ chối: thiếu hoặc sai chữ ký", None, ip)
            audit.record(
                "payment.notice_refused",
                object_type="payments.paymentnotice",
                object_id=str(params.get("vnp_TxnRef", ""))[:40],
                summary="Từ chối thông báo thanh toán không có chữ ký hợp lệ",
                data={"source": source, "ip": ip or ""},
            )
        return BAD_SIGNATURE, "Invalid signature", None
    return settle(reply, params, source=source, ip=ip)


def settle(
    reply: GatewayReply, params: dict[str, Any], *, source: str, ip: str | None
) -> tuple[str, str, Payment | None]:
    """Apply a verified word of the gateway on a payment, once (the payment row locked): a notification,
    a return, or a reconciliation's query answer. ``(RspCode, message, payment)``."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(reference=reply.reference).first()
        if payment is None:
            _log(source, params, True, "Không có giao dịch này", None, ip)
            return NOT_FOUND, "Order not found", None
        if int(payment.amount_vnd) != reply.amount_vnd:
            _log(
                source,
                params,
                True,
                f"Số tiền {reply.amount_vnd} khác {int(payment.amount_vnd)}",
                payment,
                ip,
            )
            return BAD_AMOUNT, "Invalid amount", payment
        if payment.status != Payment.Status.STARTED:
            _log(source, params, True, "Đã xử lý trước đó (bỏ qua)", payment, ip)
            return ALREADY, "Order already confirmed", payment
        payment.gateway_status = reply.status
        payment.bank_code = reply.bank_code
        if not reply.paid:
            payment.status = Payment.Status.FAILED
            payment.failure = f"Cổng thanh toán báo không thành công (mã {reply.status})"
            payment.save(update_fields=["status", "failure", "gateway_status", "bank_code"])
            _log(source, params, True, payment.failure, payment, ip)
            return CONFIRMED, "Confirm Success", payment
        dossier = Dossier.objects.get(pk=payment.dossier_id)
        payment.status = Payment.Status.PAID
        payment.paid_at = reply.paid_at or timezone.now()
        payment.transaction_no = reply.transaction_no
        payment.receipt_number = _receipt_number(dossier)
        try:
            dossier_services.confirm_online_payment(
                dossier.code,
                receipt_ref=f"{payment.receipt_number} ({reply.transaction_no})",
                amount_vnd=int(payment.amount_vnd),
            )
        except DomainError as exc:
            payment.failure = f"Đã nhận tiền nhưng chưa ghi vào hồ sơ: {exc.message}"[:255]
        payment.save()
        _log(source, params, True, payment.failure or "Đã ghi nhận thanh toán", payment, ip)
        audit.record(
            "payment.paid",
            object_type="payments.payment",
            object_id=payment.reference,
            summary=(
                f"Đã thanh toán {int(payment.amount_vnd):,} đ hồ sơ {dossier.code}, "
                f"biên lai {payment.receipt_number}"
            ).replace(",", "."),
            data={"transaction_no": reply.transaction_no, "source": source, "applied": not payment.failure},
        )
    return CONFIRMED, "Confirm Success", payment
