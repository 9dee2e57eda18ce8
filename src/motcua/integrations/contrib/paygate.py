"""Adapter of an online payment gateway of the signed redirect-and-notify family that Vietnamese
gateways use (the VNPAY-compatible protocol, version 2.1.0).

- **Pay**: the applicant's browser is sent to ``PAYMENT_GATEWAY_URL`` with the order's parameters
  (``vnp_TmnCode``, ``vnp_TxnRef``, ``vnp_Amount`` = amount × 100, ``vnp_OrderInfo``, ``vnp_ReturnUrl``,
  ``vnp_CreateDate``…) sorted by name, URL-encoded, and signed with HMAC-SHA512 under the merchant secret
  (``vnp_SecureHash``).
- **Notify** (server to server, the gateway's IPN) and **return** (the browser back): the same parameters
  signed the same way, with ``vnp_ResponseCode`` / ``vnp_TransactionStatus`` (``00`` = paid),
  ``vnp_TransactionNo``, ``vnp_BankCode``, ``vnp_PayDate``. ``verify`` returns ``None`` for a missing or
  wrong signature.
- **Query** (``querydr``): a signed JSON POST to ``PAYMENT_QUERY_URL``; the answer is signed too.

❓ The national payment platform's (PayGov) own specification is not public; this adapter is for the
gateways of this family and one file: another gateway is another adapter (``MOTCUA_PAYMENT_GATEWAY``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings

from motcua.integrations.http import JsonClient, Unreachable
from motcua.integrations.registry import GatewayReply, PayOrder, QueryFailed
from motcua.workdays.domain import TZ, parse_stamp, stamp

VERSION = "2.1.0"
SIGNATURE = "vnp_SecureHash"


def paid_at(text: str) -> datetime | None:
    """``vnp_PayDate`` (``yyyyMMddHHmmss``, Vietnamese time); ``None`` when it is not one."""
    try:
        return parse_stamp(text)
    except ValueError:
        return None


def canonical(params: dict[str, str]) -> str:
    """The signed text: the ``vnp_`` parameters but the signature, sorted, ``name=value`` URL-encoded."""
    items = sorted(
        (k, v)
        for k, v in params.items()
        if k.startswith("vnp_") and k not in (SIGNATURE, "vnp_SecureHashType")
    )
    return "&".join(f"{k}={quote_plus(str(v))}" for k, v in items if v != "")


def sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode("utf-8"), hashlib.sha512).hexdigest()


class Paygate:
    label = "Cổng thanh toán trực tuyến"

    def __init__(self, pay_url: str, query_url: str, merchant: str, secret: str, *, timeout: float = 10.0):
        self.base = pay_url
        self.merchant = merchant
        self.secret = secret
        self.client = JsonClient(query_url, timeout=timeout) if query_url else None

    def pay_url(self, order: PayOrder) -> str:
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.merchant,
            "vnp_Amount": str(order.amount_vnd * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.reference,
            "vnp_OrderInfo": order.info,
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": order.return_url,
            "vnp_IpAddr": order.ip or "127.0.0.1",
            "vnp_CreateDate": stamp(order.created_at),
            "vnp_ExpireDate": stamp(order.created_at + timedelta(minutes=15)),
        }
        text = canonical(params)
        return f"{self.base}?{text}&{SIGNATURE}={sign(self.secret, text)}"

    def verify(self, params: dict[str, str]) -> GatewayReply | None:
        given = str(params.get(SIGNATURE) or "").lower()
        if not given or not hmac.compare_digest(given, sign(self.secret, canonical(params))):
            return None
        if params.get("vnp_TmnCode") != self.merchant:
            return None
        try:
            amount = int(params.get("vnp_Amount") or "0") // 100
        except ValueError:
            return None
        status = str(params.get("vnp_TransactionStatus") or params.get("vnp_ResponseCode") or "")
        return GatewayReply(
            reference=str(params.get("vnp_TxnRef") or ""),
            amount_vnd=amount,
            paid=params.get("vnp_ResponseCode") == "00" and status == "00",
            status=status,
            transaction_no=str(params.get("vnp_TransactionNo") or ""),
            bank_code=str(params.get("vnp_BankCode") or ""),
            paid_at=paid_at(str(params.get("vnp_PayDate") or "")),
            message=str(params.get("vnp_OrderInfo") or ""),
        )

    def query(self, reference: str, created_at: datetime, ip: str) -> GatewayReply:
        if self.client is None:
            raise QueryFailed(
                "Chưa cấu hình địa chỉ tra cứu giao dịch (PAYMENT_QUERY_URL).", unavailable=True
            )
        request_id = secrets.token_hex(8)
        now = stamp(datetime.now(TZ))
        fields = [
            request_id,
            VERSION,
            "querydr",
            self.merchant,
            reference,
            stamp(created_at),
            now,
            ip or "127.0.0.1",
            f"Tra cứu {reference}",
        ]
        body: dict[str, Any] = dict(zip(QUERY_FIELDS, fields, strict=True))
        body[SIGNATURE] = sign(self.secret, "|".join(fields))
        try:
            reply = self.client.post("", body)
        except Unreachable as exc:
            raise QueryFailed(f"Không kết nối được cổng thanh toán: {exc}", unavailable=True) from None
        answer = {k: str(v) for k, v in reply.body.items()}
        signed = "|".join(answer.get(k, "") for k in ANSWER_FIELDS)
        if reply.status != 200 or not hmac.compare_digest(
            answer.get(SIGNATURE, "").lower(), sign(self.secret, signed)
        ):
            raise QueryFailed(f"Cổng thanh toán trả lời không hợp lệ: {reply.text()}", unavailable=False)
        if answer.get("vnp_ResponseCode") != "00":
            raise QueryFailed(
                f"Cổng thanh toán không tìm thấy giao dịch {reference}: {answer.get('vnp_Message', '')}",
                unavailable=False,
            )
        return GatewayReply(
            reference=answer.get("vnp_TxnRef", ""),
            amount_vnd=int(answer.get("vnp_Amount") or "0") // 100,
            paid=answer.get("vnp_TransactionStatus") == "00",
            status=answer.get("vnp_TransactionStatus", ""),
            transaction_no=answer.get("vnp_TransactionNo", ""),
            bank_code=answer.get("vnp_BankCode", ""),
            paid_at=paid_at(answer.get("vnp_PayDate", "")),
            message=answer.get("vnp_Message", ""),
        )

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


# The fields of a query, in the order they are signed.
QUERY_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
# The fields of a query's answer, in the order they are signed.
ANSWER_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
)


def from_settings() -> Paygate | None:
    if not settings.PAYMENT_GATEWAY_URL or not settings.PAYMENT_SECRET:
        return None
    return Paygate(
        settings.PAYMENT_GATEWAY_URL,
        settings.PAYMENT_QUERY_URL,
        settings.PAYMENT_MERCHANT,
        settings.PAYMENT_SECRET,
    )
