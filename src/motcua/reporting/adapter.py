"""Sending accepted aggregated reports to the national reporting system (Hệ thống thông tin báo cáo
Chính phủ / quốc gia; TT 01/2018 Điều 17 requires the connection).

❓ The national system's real interface is not held by motcua: the message below is an **assumed**
HTTP JSON shape (docs/reporting.md), to be replaced by an adapter speaking the real protocol. The
outbox row (topic ``baocao.NopBaoCao``) is written in the same transaction as the acceptance
(``services.accept_aggregate``); ``send_pending`` delivers it at least once:

- ``POST {REPORTING_ENDPOINT}`` with ``Content-Type: application/json``, ``Idempotency-Key`` (the
  outbox key: the receiver answers a repeat with the first receipt, so a re-send never duplicates) and
  ``Authorization: Bearer {REPORTING_TOKEN}`` when that setting is set (both settings come from the
  environment variables of the same names);
- 2xx → delivered, the receipt id (``MaTiepNhan``) is kept on the aggregated report;
- 4xx (except 408 and 429) → the message is wrong: ``dead`` at once, with the receiver's error;
- 5xx, 408, 429, a timeout or a refused connection → retried with exponential back-off
  (30 s, 1 min, 2 min … at most 1 h), ``dead`` after ``MAX_ATTEMPTS``.

A message is claimed by a conditional update (its ``next_attempt_at`` moved forward by a lease), so two
senders running at once never post the same message together.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.core import audit
from motcua.integrations.models import OutboxMessage
from motcua.reporting.models import AggregateReport, Indicator

TOPIC = "baocao.NopBaoCao"
MESSAGE_VERSION = "1.0"
MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
LEASE = timedelta(minutes=5)
PERIOD_KIND = {
    "month": "thang",
    "quarter": "quy",
    "half_year": "6thang",
    "nine_months": "9thang",
    "year": "nam",
    "ad_hoc": "dotxuat",
}


def message(report: AggregateReport) -> dict[str, Any]:
    """The assumed ``NopBaoCao`` message of an aggregated report (❓ shape, docs/reporting.md)."""
    period = report.period
    definition = period.definition
    unit = definition.receiving_unit
    forms: dict[int, dict[str, Any]] = {}
    indicators = (
        Indicator.objects.filter(definition=definition)
        .select_related("form")
        .order_by("form__position", "position")
    )
    for ind in indicators:
        form = forms.setdefault(ind.form_id, {"KyHieu": ind.form.code, "Ten": ind.form.name, "ChiTieu": []})
        form["ChiTieu"].append(
            {
                "Ma": ind.code,
                "Ten": ind.name,
                "DonViTinh": ind.unit_of_measure,
                "KieuDuLieu": ind.value_type,
                "CachTongHop": ind.aggregation,
                "GiaTri": report.values.get(ind.code),
            }
        )
    by = report.accepted_by
    return {
        "PhienBanThongDiep": MESSAGE_VERSION,
        "MaBaoCao": definition.code,
        "TenBaoCao": definition.name,
        "CanCuPhapLy": definition.legal_basis,
        "KyBaoCao": {
            "MaKy": period.key,
            "TenKy": period.label,
            "LoaiKy": PERIOD_KIND.get(definition.periodicity, definition.periodicity),
            "Nam": period.year,
            "So": period.number,
            "TuNgay": period.start.isoformat(),
            "DenNgay": period.end.isoformat(),
            "HanGui": period.deadline.isoformat(),
        },
        "DonViGui": {"MaDinhDanh": unit.eid_code or "", "MaNoiBo": unit.code, "Ten": unit.name},
        "PhienBan": report.number,
        "DonViTongHop": list(report.units),
        "SoDonViTongHop": len(report.units),
        "BieuMau": list(forms.values()),
        "ThoiDiemChot": report.accepted_at.isoformat(),
        "NguoiChot": (by.full_name or by.username) if by else "",
        "BamNoiDung": f"sha256:{report.content_hash}",
    }


@dataclass
class Response:
    status: int
    body: dict[str, Any]


Poster = Callable[[str, bytes, dict[str, str], float], Response]


def http_post(url: str, data: bytes, headers: dict[str, str], timeout: float) -> Response:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 — configured endpoint
            return Response(reply.status, _json(reply.read()))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, _json(exc.read()))


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"MoTa": raw[:200].decode("utf-8", "replace")}
    return body if isinstance(body, dict) else {"GiaTri": body}


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return min(BASE_DELAY * int(2 ** max(attempts - 1, 0)), MAX_DELAY)


@dataclass
class DeliveryReport:
    delivered: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"delivered": self.delivered, "retrying": self.retrying, "dead": self.dead}


def configured_endpoint() -> str:
    """The national system's address (setting ``REPORTING_ENDPOINT``), or "" when there is none."""
    return str(settings.REPORTING_ENDPOINT).strip()


def _claim(msg: OutboxMessage, moment: datetime) -> bool:
    return (
        OutboxMessage.objects.filter(
            pk=msg.pk, status=OutboxMessage.Status.PENDING, next_attempt_at=msg.next_attempt_at
        ).update(next_attempt_at=moment + LEASE)
        == 1
    )


def send_pending(
    endpoint: str,
    *,
    now: datetime | None = None,
    limit: int = 100,
    timeout: float = 10.0,
    token: str | None = None,
    post: Poster = http_post,
) -> DeliveryReport:
    """Post every pending ``baocao.NopBaoCao`` message that is due, oldest first (one pass)."""
    moment = now or timezone.now()
    bearer = settings.REPORTING_TOKEN if token is None else token
    report = DeliveryReport()
    due = list(
        OutboxMessage.objects.filter(
            topic=TOPIC, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=moment
        ).order_by("id")[:limit]
    )
    for msg in due:
        if not _claim(msg, moment):
            continue  # another sender has it
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": msg.idempotency_key,
            "Accept": "application/json",
        }
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        data = json.dumps(msg.payload, ensure_ascii=False).encode("utf-8")
        try:
            reply = post(endpoint, data, headers, timeout)
        except (OSError, urllib.error.URLError) as exc:  # refused, reset, timeout
            reply = Response(0, {"MoTa": f"{exc.__class__.__name__}: {exc}"})
        attempts = msg.attempts + 1
        with transaction.atomic():
            if 200 <= reply.status < 300:
                receipt = str(reply.body.get("MaTiepNhan", ""))[:80]
                OutboxMessage.objects.filter(pk=msg.pk).update(
                    status=OutboxMessage.Status.DELIVERED,
                    attempts=attempts,
                    delivered_at=moment,
                    last_error="",
                )
                AggregateReport.objects.filter(idempotency_key=msg.idempotency_key).update(
                    receipt_id=receipt, delivered_at=moment
                )
                audit.record(
                    "reporting.delivered",
                    object_type="integrations.outboxmessage",
                    object_id=msg.pk,
                    summary=f"Đã gửi {msg.key} (mã tiếp nhận {receipt})",
                )
                report.delivered.append(msg.idempotency_key)
                continue
            error = f"HTTP {reply.status}: {reply.body.get('MaLoi', '')} {reply.body.get('MoTa', '')}".strip()
            permanent = 400 <= reply.status < 500 and reply.status not in (408, 429)
            if permanent or attempts >= MAX_ATTEMPTS:
                OutboxMessage.objects.filter(pk=msg.pk).update(
                    status=OutboxMessage.Status.DEAD, attempts=attempts, last_error=error[:2000]
                )
                audit.record(
                    "reporting.dead_letter",
                    object_type="integrations.outboxmessage",
                    object_id=msg.pk,
                    summary=f"Không gửi được {msg.key}: {error}"[:255],
                )
                report.dead.append(msg.idempotency_key)
            else:
                OutboxMessage.objects.filter(pk=msg.pk).update(
                    attempts=attempts, last_error=error[:2000], next_attempt_at=moment + backoff(attempts)
                )
                report.retrying.append(msg.idempotency_key)
    return report
