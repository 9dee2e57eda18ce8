"""Adapters of the applicants' notices by phone: SMS through a brandname gateway (channel ``sms``) and
Zalo Official Account template messages (ZNS, channel ``zalo``).

- **Zalo ZNS**: ``POST {ZALO_ZNS_ENDPOINT}`` with the header ``access_token`` (the OA's token) and
  ``{"phone": "84…", "template_id", "template_data": {…}, "tracking_id"}`` → ``{"error": 0, "data":
  {"msg_id"}}``; another ``error`` is a refusal (an unknown number, a template not approved…), except the
  token's expiry (-124, refused access) which waits like an outage until the token is renewed.
- **SMS** ❓ (each brandname provider has its own interface; this is the common shape): ``POST
  {SMS_ENDPOINT}`` with ``Authorization: Bearer {SMS_TOKEN}`` and ``{"brandname", "phone", "message",
  "request_id"}`` → ``{"code": 0, "message_id"}``. The text is without diacritics (one 160-character
  segment, what brandname SMS carry).

The ``tracking_id`` / ``request_id`` is the outbox idempotency key: a provider that de-duplicates by it
sends a repeated notice once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from motcua.integrations.http import JsonClient, Unreachable, status_outcome
from motcua.integrations.registry import Envelope, Outcome

ZNS_TOKEN_ERRORS = (-124, -216)  # access token invalid or expired


class ZaloAdapter:
    def __init__(self, endpoint: str, token: str, template_id: str, *, timeout: float = 10.0) -> None:
        self.client = JsonClient(endpoint, timeout=timeout)
        self.token = token
        self.template_id = template_id

    def send(self, message: Envelope) -> Outcome:
        p = message.payload
        body: dict[str, Any] = {
            "phone": p["phone"],
            "template_id": self.template_id,
            "template_data": p["template_data"],
            "tracking_id": message.idempotency_key,
        }
        try:
            reply = self.client.post("", body, {"access_token": self.token})
        except Unreachable as exc:
            return Outcome("unavailable", f"Không kết nối được Zalo: {exc}")
        failed = status_outcome(reply, "Zalo")
        if failed is not None:
            return failed
        error = reply.body.get("error")
        if error in ZNS_TOKEN_ERRORS:
            return Outcome("unavailable", f"Zalo không nhận mã truy cập của OA: {reply.text()}")
        if error != 0:
            return Outcome("rejected", f"Zalo từ chối: {reply.body.get('message', '')} (mã {error})")
        data = reply.body.get("data") or {}
        return Outcome("delivered", receipt=str(data.get("msg_id", ""))[:120])

    def close(self) -> None:
        self.client.close()


class SmsAdapter:
    def __init__(self, endpoint: str, token: str, brandname: str, *, timeout: float = 10.0) -> None:
        self.client = JsonClient(endpoint, timeout=timeout)
        self.token = token
        self.brandname = brandname

    def send(self, message: Envelope) -> Outcome:
        p = message.payload
        body = {
            "brandname": self.brandname,
            "phone": p["phone"],
            "message": p["text"],
            "request_id": message.idempotency_key,
        }
        try:
            reply = self.client.post("", body, {"Authorization": f"Bearer {self.token}"})
        except Unreachable as exc:
            return Outcome("unavailable", f"Không kết nối được nhà cung cấp SMS: {exc}")
        failed = status_outcome(reply, "Nhà cung cấp SMS")
        if failed is not None:
            return failed
        if reply.body.get("code") != 0:
            return Outcome("rejected", f"Nhà cung cấp SMS từ chối: {reply.body.get('message', '')}")
        return Outcome("delivered", receipt=str(reply.body.get("message_id", ""))[:120])

    def close(self) -> None:
        self.client.close()


def zalo_from_settings() -> ZaloAdapter | None:
    if not settings.ZALO_ZNS_ENDPOINT or not settings.ZALO_ACCESS_TOKEN:
        return None
    return ZaloAdapter(settings.ZALO_ZNS_ENDPOINT, settings.ZALO_ACCESS_TOKEN, settings.ZALO_TEMPLATE_ID)


def sms_from_settings() -> SmsAdapter | None:
    if not settings.SMS_ENDPOINT:
        return None
    return SmsAdapter(settings.SMS_ENDPOINT, settings.SMS_TOKEN, settings.SMS_BRANDNAME)
