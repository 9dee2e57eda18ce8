"""Reconciliation with the national public service portal: the sync rate per unit and month, and the
dossiers whose state the portal does not hold.

The population and the verdict are those of 766 indicator 1.4 (the dossiers received in the month,
``selectors.index_dossiers``; ``dossiers.syncstate.verdict``): the rate shown here is the indicator's
rate, by construction — a test keeps the two screens equal. A *difference* is a dossier of the month that
is not synchronised (waiting, failed, never sent) or whose latest change the portal has not
acknowledged yet; for each the page shows the local national status beside the last one the portal
acknowledged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from motcua.core.models import OrgUnit
from motcua.dossiers import syncstate
from motcua.dossiers.sync import TOPIC_DONG_BO
from motcua.evaluation import latelist, selectors
from motcua.evaluation.formulas.facts import Period
from motcua.integrations.models import OutboxMessage


@dataclass
class UnitRate:
    unit_id: int | None
    name: str
    received: int = 0
    synced: int = 0
    waiting: int = 0
    failed: int = 0
    missing: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Synchronised ÷ received, in percent with two decimals (as the 766 indicators)."""
        if not self.received:
            return None
        return (Decimal(100 * self.synced) / self.received).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def count(self, verdict: str) -> None:
        self.received += 1
        if verdict in syncstate.SYNCED:
            self.synced += 1
        elif verdict == "sync_pending":
            self.waiting += 1
        elif verdict == "sync_failed":
            self.failed += 1
        else:
            self.missing += 1


@dataclass(frozen=True)
class Difference:
    code: str
    unit_name: str
    verdict: str
    local_status: int
    acknowledged_status: int | None  # TrangThaiHoSo of the last record the portal acknowledged
    failing: bool  # a message of it failed (retrying or dead)


@dataclass
class Reconciliation:
    period: Period
    total: UnitRate
    units: list[UnitRate]
    differences: list[Difference] = field(default_factory=list)
    more: int = 0  # differences beyond those listed


def month_period(month: date) -> Period:
    """The whole month of ``month`` (the dossiers received in it)."""
    first = month.replace(day=1)
    return Period(first, latelist.month_end(first))


def _open_records() -> dict[str, bool]:
    """The dossiers with a record the portal has not acknowledged: code → failing (retrying or dead).
    Reads only the open rows (the partial index ``outbox_open_key``)."""
    found: dict[str, bool] = {}
    rows = (
        OutboxMessage.objects.filter(
            topic=TOPIC_DONG_BO, status__in=(OutboxMessage.Status.PENDING, OutboxMessage.Status.DEAD)
        )
        .order_by()
        .values_list("key", "status", "attempts")
    )
    for key, status, attempts in rows.iterator(chunk_size=5000):
        found[key] = found.get(key, False) or status == OutboxMessage.Status.DEAD or attempts > 0
    return found


def _acknowledged(codes: list[str]) -> dict[str, int]:
    """The national status in the last record the portal acknowledged, for a few dossiers."""
    found: dict[str, int] = {}
    rows = (
        OutboxMessage.objects.filter(
            topic=TOPIC_DONG_BO, key__in=codes, status=OutboxMessage.Status.DELIVERED
        )
        .order_by("key", "id")
        .values_list("key", "payload")
    )
    for key, payload in rows:
        try:
            found[key] = int(payload["data"][0]["TrangThaiHoSo"])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return found


def reconcile(month: date, root: OrgUnit | None, *, limit: int = 200) -> Reconciliation:
    """The month's sync rate under ``root`` (its whole subtree; the province when ``None``), per
    competent unit, and the first ``limit`` differences (oldest received first)."""
    period = month_period(month)
    scope = selectors.scope_filter(root, None)
    open_records = _open_records()
    total = UnitRate(root.pk if root else None, root.name if root else "")
    per_unit: dict[int, UnitRate] = defaultdict(lambda: UnitRate(None, ""))
    found: list[tuple[datetime, str, str, int, int, bool]] = []
    with transaction.atomic():
        for f in selectors.index_dossiers(scope, period):
            if f.received_at is None or f.received_at < period.start_at:
                continue  # carried over from before the month: not in the population
            verdict = syncstate.verdict(f.sync_status, f.imported)
            total.count(verdict)
            rate = per_unit[f.unit_id]
            rate.unit_id = f.unit_id
            rate.count(verdict)
            lagging = f.code in open_records
            if verdict not in syncstate.SYNCED or lagging:
                found.append((f.received_at, f.code, verdict, f.unit_id, f.national_status, lagging))
    names: dict[int | None, str] = dict(
        OrgUnit.objects.filter(pk__in=list(per_unit)).values_list("pk", "name")
    )
    units = sorted(
        per_unit.values(),
        key=lambda r: (r.rate if r.rate is not None else Decimal(101), names.get(r.unit_id, "")),
    )
    for r in units:
        r.name = names.get(r.unit_id, "")
    found.sort(key=lambda x: (x[0], x[1]))
    shown = found[:limit]
    acknowledged = _acknowledged([x[1] for x in shown])
    differences = [
        Difference(
            code=code,
            unit_name=names.get(unit_id, ""),
            verdict=verdict,
            local_status=status,
            acknowledged_status=acknowledged.get(code),
            failing=open_records.get(code, False) or verdict == "sync_failed",
        )
        for _, code, verdict, unit_id, status, _lagging in shown
    ]
    return Reconciliation(period, total, units, differences, max(0, len(found) - limit))


def difference_codes(month: date, root: OrgUnit | None) -> list[str]:
    """Every difference of the month under ``root`` (for the one-click resend)."""
    result = reconcile(month, root, limit=10**9)
    return [d.code for d in result.differences]
