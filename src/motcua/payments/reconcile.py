"""The daily reconciliation of online payments with the gateway.

For every online payment started on a day, the gateway is asked (``querydr``) what it holds, and the two
are compared: the status (paid, not paid) and the amount. A payment the gateway took while its
notification and the applicant's return were both lost (the payment still *started* here) is a
difference that ``fix`` settles — applied exactly as the notification would have been (logged as a
*query*, audited, once). Money received for a dossier that no longer waited for it is listed too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from motcua.integrations import registry
from motcua.payments import services
from motcua.payments.models import Payment, PaymentNotice
from motcua.workdays.domain import TZ


@dataclass(frozen=True)
class Line:
    reference: str
    dossier: str
    amount_vnd: int
    local: str  # our status
    gateway: str  # "paid", "not paid", "unknown" (not found), "unreachable"
    gateway_amount: int | None
    matches: bool
    note: str = ""


@dataclass
class Report:
    day: date
    lines: list[Line] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)

    @property
    def paid_here(self) -> int:
        return sum(line.amount_vnd for line in self.lines if line.local == Payment.Status.PAID)

    @property
    def paid_at_gateway(self) -> int:
        return sum(line.gateway_amount or 0 for line in self.lines if line.gateway == "paid")

    @property
    def differences(self) -> list[Line]:
        return [line for line in self.lines if not line.matches]

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "payments": len(self.lines),
            "paid_here_vnd": self.paid_here,
            "paid_at_gateway_vnd": self.paid_at_gateway,
            "differences": [line.__dict__ for line in self.differences],
            "fixed": self.fixed,
        }


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), tzinfo=TZ)
    return start, start + timedelta(days=1)


def daily(day: date, *, fix: bool = False, unit_ids: frozenset[int] | None = None) -> Report:
    """The reconciliation of ``day`` (local date) — of the dossiers of ``unit_ids`` when given; with
    ``fix``, the payments the gateway took but we never heard of are settled."""
    gateway = registry.payment_gateway()
    start, end = day_bounds(day)
    report = Report(day)
    payments = Payment.objects.filter(
        method=Payment.Method.ONLINE, created_at__gte=start, created_at__lt=end
    ).select_related("dossier")
    if unit_ids is not None:
        payments = payments.filter(dossier__competent_unit_id__in=unit_ids)
    try:
        for payment in payments.order_by("created_at", "id"):
            amount = int(payment.amount_vnd)
            if gateway is None:
                report.lines.append(
                    Line(
                        payment.reference,
                        payment.dossier.code,
                        amount,
                        payment.status,
                        "unreachable",
                        None,
                        False,
                        "Chưa cấu hình cổng thanh toán",
                    )
                )
                continue
            try:
                reply = gateway.query(payment.reference, payment.created_at, payment.client_ip or "")
            except registry.QueryFailed as exc:
                state = "unreachable" if exc.unavailable else "unknown"
                # A payment the gateway never heard of was abandoned before paying: nothing to reconcile.
                ok = state == "unknown" and payment.status != Payment.Status.PAID
                report.lines.append(
                    Line(
                        payment.reference,
                        payment.dossier.code,
                        amount,
                        payment.status,
                        state,
                        None,
                        ok,
                        exc.message,
                    )
                )
                continue
            paid_here = payment.status == Payment.Status.PAID
            ok = reply.paid == paid_here and (not reply.paid or reply.amount_vnd == amount)
            note = payment.failure if paid_here and payment.failure else ""
            if not ok and reply.paid and payment.status == Payment.Status.STARTED and fix:
                services.settle(
                    reply,
                    {"reconciliation": day.isoformat(), "reference": payment.reference},
                    source=PaymentNotice.Source.QUERY,
                    ip=None,
                )
                report.fixed.append(payment.reference)
                note = "Đã ghi nhận theo kết quả tra cứu"
            report.lines.append(
                Line(
                    payment.reference,
                    payment.dossier.code,
                    amount,
                    payment.status,
                    "paid" if reply.paid else "not paid",
                    reply.amount_vnd,
                    ok and not note,
                    note,
                )
            )
    finally:
        if gateway is not None:
            gateway.close()
    return report
