"""One-stop figures filled from the dossier store (TT 01/2018 Điều 11: intake and processing figures).

``one_stop_figures(unit, start, end)`` counts, in one query, the dossiers whose **competent
(processing) unit** is ``unit`` or a unit below it (``OrgUnit.path``) — so that adding up the units'
reports gives the province's total without counting a dossier twice (❓ the receiving one-stop unit
could be meant instead; motcua reports where the dossier is resolved). The window is the period's
cut-off window in local time: 00:00 on the first day to 24:00 on the last day.

| Key | Figure |
|---|---|
| ``received`` | received in the window (``received_at``; refused at intake or never received: excluded) |
| ``received_online`` / ``_counter`` / ``_post`` | of those, by channel (``KenhThucHien`` 2 / 1 / 3) |
| ``carried_over`` | received before the window, not finished before it (kỳ trước chuyển sang) |
| ``resolved`` | finished in the window with a result (national status 9 or 10, ``finished_at`` in it) |
| ``resolved_late`` | of those, late by the on-time verdict (``dossiers.timeliness``, as 766 2.1 reads it) |
| ``resolved_on_time`` | the others (before or on time) |
| ``pending`` | received by the end of the window and not finished by then (đang giải quyết) |
| ``pending_overdue`` | of those, late by the same verdict at the end of the window |
| ``pending_on_schedule`` | the others |
| ``on_time_rate`` | resolved_on_time ÷ resolved × 100 (2 decimals; none when nothing was resolved) |
| ``online_share`` | received_online ÷ received × 100 (2 decimals; none when nothing was received) |

The verdicts are those of the 766 index (rule ``timeliness.basis_766``), so the report's on-time rate
and the index's agree on the same dossiers (❓ the report form's own definition is not held).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from motcua.core.models import OrgUnit
from motcua.dossiers.models import Dossier
from motcua.evaluation import ontime
from motcua.evaluation.formulas import Period
from motcua.reporting.values import round2
from motcua.workdays.domain import TZ

KEYS = (
    "received",
    "received_online",
    "received_counter",
    "received_post",
    "carried_over",
    "resolved",
    "resolved_on_time",
    "resolved_late",
    "pending",
    "pending_on_schedule",
    "pending_overdue",
    "on_time_rate",
    "online_share",
)
KEY_LABELS = {
    "received": "Hồ sơ tiếp nhận trong kỳ",
    "received_online": "Tiếp nhận trực tuyến",
    "received_counter": "Tiếp nhận trực tiếp",
    "received_post": "Tiếp nhận qua bưu chính công ích",
    "carried_over": "Kỳ trước chuyển sang",
    "resolved": "Đã giải quyết",
    "resolved_on_time": "Giải quyết trước hạn, đúng hạn",
    "resolved_late": "Giải quyết quá hạn",
    "pending": "Đang giải quyết",
    "pending_on_schedule": "Đang giải quyết trong hạn",
    "pending_overdue": "Đang giải quyết quá hạn",
    "on_time_rate": "Tỷ lệ giải quyết đúng hạn (%)",
    "online_share": "Tỷ lệ hồ sơ trực tuyến (%)",
}
NOT_RECEIVED = (1, 3)  # Mới đăng ký, Không được tiếp nhận
RESOLVED = (9, 10)


def _rate(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return format(round2(Decimal(part) * 100 / Decimal(whole)), "f")


def one_stop_figures(unit: OrgUnit, start: date, end: date) -> dict[str, Any]:
    begin = datetime.combine(start, time.min, tzinfo=TZ)
    stop = datetime.combine(end + timedelta(days=1), time.min, tzinfo=TZ)
    in_window = Q(received_at__gte=begin, received_at__lt=stop)
    resolved = Q(national_status__in=RESOLVED, finished_at__gte=begin, finished_at__lt=stop)
    open_at_end = Q(received_at__lt=stop) & (Q(finished_at__isnull=True) | Q(finished_at__gte=stop))
    counts = (
        Dossier.objects.filter(competent_unit__path__startswith=unit.path, received_at__isnull=False)
        .exclude(national_status__in=NOT_RECEIVED)
        .aggregate(
            received=Count("pk", filter=in_window),
            received_online=Count("pk", filter=in_window & Q(channel=2)),
            received_counter=Count("pk", filter=in_window & Q(channel=1)),
            received_post=Count("pk", filter=in_window & Q(channel=3)),
            carried_over=Count(
                "pk",
                filter=Q(received_at__lt=begin) & (Q(finished_at__isnull=True) | Q(finished_at__gte=begin)),
            ),
            resolved=Count("pk", filter=resolved),
            pending=Count("pk", filter=open_at_end),
        )
    )
    figures: dict[str, Any] = {k: int(v or 0) for k, v in counts.items()}
    # late or not: the one on-time verdict (``dossiers.timeliness``), as 766 2.1 reads it
    scope = Q(competent_unit__path__startswith=unit.path)
    period = Period(start, end)
    basis = ontime.basis_766(end)
    n, good = ontime.counts(ontime.finished(scope, period, basis))
    figures["resolved_late"] = n - good
    n, good = ontime.counts(ontime.open_at(scope, period, basis))
    figures["pending_overdue"] = n - good
    figures["resolved_on_time"] = figures["resolved"] - figures["resolved_late"]
    figures["pending_on_schedule"] = figures["pending"] - figures["pending_overdue"]
    figures["on_time_rate"] = _rate(figures["resolved_on_time"], figures["resolved"])
    figures["online_share"] = _rate(figures["received_online"], figures["received"])
    return {k: figures[k] for k in KEYS}


def prefill_values(period: Any, unit: OrgUnit) -> dict[str, Any]:
    """Indicator code → the figure computed from the dossiers, for the definition's indicators that
    name a ``prefill_key`` (definitions with ``prefill = one_stop``); {} otherwise."""
    from motcua.reporting.models import Indicator

    if period.definition.prefill != "one_stop":
        return {}
    keys = list(
        Indicator.objects.filter(definition_id=period.definition_id)
        .exclude(prefill_key="")
        .values_list("code", "prefill_key")
    )
    if not keys:
        return {}
    figures = one_stop_figures(unit, period.start, period.end)
    return {code: figures[key] for code, key in keys if key in figures}
