"""Adapter of the national reporting system (Hệ thống thông tin báo cáo quốc gia), channel ``baocao``.

❓ The national system's real interface is not held by motcua: an **assumed** HTTP JSON exchange
(docs/reporting.md), to be replaced by one speaking the real protocol:

- ``POST {REPORTING_ENDPOINT}`` with the ``NopBaoCao`` message (built by ``reporting.adapter.message``),
  ``Idempotency-Key`` (the receiver answers a repeat with the first receipt) and
  ``Authorization: Bearer {REPORTING_TOKEN}`` when that setting is set;
- 2xx → delivered, with the receipt ``MaTiepNhan``; 502/503/504 or no answer → the system is
  unreachable; other 5xx, 408, 429 → a temporary error; other 4xx → the message is refused.
"""

from __future__ import annotations

from django.conf import settings

from motcua.integrations.http import JsonClient, Unreachable, status_outcome
from motcua.integrations.registry import Envelope, Outcome


class ReportingAdapter:
    def __init__(self, endpoint: str, token: str = "", *, timeout: float = 10.0) -> None:
        self.client = JsonClient(endpoint, timeout=timeout)
        self.token = token

    def send(self, message: Envelope) -> Outcome:
        headers = {"Idempotency-Key": message.idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            reply = self.client.post("", message.payload, headers)
        except Unreachable as exc:
            return Outcome("unavailable", f"Không kết nối được hệ thống báo cáo: {exc}")
        if reply.status == 401:  # a wrong token: refused for good, as this adapter always did
            return Outcome("rejected", reply.text())
        failed = status_outcome(reply, "Hệ thống báo cáo")
        if failed is not None:
            return failed
        return Outcome("delivered", receipt=str(reply.body.get("MaTiepNhan", ""))[:120])

    def close(self) -> None:
        self.client.close()


def from_settings() -> ReportingAdapter | None:
    if not settings.REPORTING_ENDPOINT:
        return None
    return ReportingAdapter(settings.REPORTING_ENDPOINT, settings.REPORTING_TOKEN)
