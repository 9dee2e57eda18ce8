"""The 766 index for the dashboard: computed once per state of the data, kept in Django's cache.

``compute()`` reads every dossier of the period (about 0.9 s for a province-month, 6 s for a
province-year at a million dossiers), so the screens never call it directly. They call ``snapshot``,
``ranking`` and ``trend`` here, which look the result up under a key made of

- the period (local dates) and the scope (unit id, or the whole province; procedure id),
- a digest of the weight and target table in force on the period's last day (rule
  ``evaluation.index766``) and the reference-data generation token (``core.refcache``: the catalogue,
  calendars, units and rule versions the formulas read),
- a **data stamp**: for the dossiers that the period's index reads (received before its end and not
  ended before its start, of the scope's units) their number, latest ``updated_at`` and the sum of
  their ``lock_version`` — every use case and every import changes one of them. One grouped query
  gives the stamps of many periods and units at once (``stamps``).

A change of any dossier of the scope gives a new key, so the next view shows it. The dashboard's
*context* — the months of the trend other than the one asked and the ranking of the units — may lag:
when its key is missing, the last value computed for the same period and scope (kept under a key
without the stamp, ``_latest_key``) is shown with the time it was computed, and the background task
``evaluation.refresh_dashboard`` computes the new one (once: a cache flag keeps a burst of views from
queueing it again). The figure asked for and the indicator pages are always exact. Outbox deliveries
(indicator 1.4) do not touch the dossier row: the periodic job ``evaluation.precompute`` rewrites the
last 13 months of the province and of its top units every hour, which bounds that lag to an hour
(docs/evaluation.md, "Dashboard").

``compute_many`` evaluates a scope and each of its ranked units in **one** read of the dossiers (the
pure ``formulas.evaluate`` per unit over the rows of its subtree), so the ranking of a hundred units
costs one province pass, not a hundred.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core import refcache
from motcua.core.models import OrgUnit
from motcua.core.rules import rule_value
from motcua.dossiers.models import Dossier
from motcua.evaluation import formulas, ontime, selectors
from motcua.evaluation.formulas import Index766Result, Period, Scope
from motcua.evaluation.index766 import RULE_KEY, period_of, weights_on

VERSION = 1  # of the cached values' shape
TIMEOUT = 40 * 24 * 3600  # keys of older data stamps are never asked again and expire
TREND_MONTHS = 12
REFRESH_FLAG_SECONDS = 15 * 60  # a refresh that did not finish by then may be queued again
# The units ranked below a scope: the competent agencies and local governments (not the divisions
# inside them, not the province's office or service centre).
RANKED_KINDS = frozenset(
    {
        OrgUnit.Kind.DEPARTMENT,
        OrgUnit.Kind.WARD,
        OrgUnit.Kind.COMMUNE,
        OrgUnit.Kind.SPECIAL_ZONE,
        OrgUnit.Kind.DISTRICT,
    }
)

Stamp = tuple[int, str, int]  # dossiers, latest updated_at (ISO), sum of lock_version
EMPTY_STAMP: Stamp = (0, "", 0)


@dataclass(frozen=True)
class Snapshot:
    """One computed index and when it was computed."""

    result: Index766Result
    computed_at: datetime


@dataclass(frozen=True)
class RankRow:
    unit_id: int
    unit_code: str
    unit_name: str
    points: Decimal
    on_time_rate: Decimal | None
    on_time_numerator: int
    on_time_denominator: int
    received: int  # dossiers received in the period (denominator of 3.3)
    groups: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True)
class Ranking:
    rows: tuple[RankRow, ...]  # by total points, best first
    computed_at: datetime

    @property
    def by_on_time(self) -> tuple[RankRow, ...]:
        """By the on-time rate (2.1), best first; units without dossiers last."""
        return tuple(
            sorted(
                self.rows,
                key=lambda r: (r.on_time_rate is None, -(r.on_time_rate or 0), r.unit_name),
            )
        )


# -- units ---------------------------------------------------------------------------------------------


def _active(unit: OrgUnit, day: date) -> bool:
    return unit.valid_from <= day and (unit.valid_to is None or unit.valid_to > day)


def all_units() -> list[OrgUnit]:
    """Every unit (a province has a few hundred): one query, shared by a request's look-ups."""
    return list(
        OrgUnit.objects.only(
            "id", "code", "name", "short_name", "kind", "parent_id", "path", "valid_from", "valid_to"
        ).order_by("path")
    )


def subtree_ids(root: OrgUnit | None, units: Sequence[OrgUnit]) -> tuple[int, ...] | None:
    if root is None:
        return None
    return tuple(u.pk for u in units if u.path.startswith(root.path))


def ranked_units(root: OrgUnit | None, day: date, units: Sequence[OrgUnit]) -> list[OrgUnit]:
    """The units ranked below ``root`` on ``day``: its active children of a ranked kind (for the
    province, those of the active top units); a unit without such children is ranked alone."""
    parents = {root.pk} if root else {u.pk for u in units if u.parent_id is None and _active(u, day)}
    found = [u for u in units if u.parent_id in parents and u.kind in RANKED_KINDS and _active(u, day)]
    if not found and root is not None:
        found = [root]
    return sorted(found, key=lambda u: u.name)


def _owners(ranked: Sequence[OrgUnit], units: Sequence[OrgUnit]) -> dict[int, tuple[int, ...]]:
    """unit id → the ranked units whose subtree holds it (several when ranked units are nested)."""
    owners: dict[int, list[int]] = defaultdict(list)
    for r in ranked:
        for u in units:
            if u.path.startswith(r.path):
                owners[u.pk].append(r.pk)
    return {pk: tuple(found) for pk, found in owners.items()}


# -- data stamps -----------------------------------------------------------------------------------------


def _population(period: Period) -> Q:
    """The dossiers the index of ``period`` reads (a superset: statuses are filtered by the rules)."""
    return Q(received_at__lt=period.end_exclusive) & (
        Q(finished_at__isnull=True) | Q(finished_at__gte=period.start_at)
    )


def stamps(
    periods: Sequence[Period], unit_ids: tuple[int, ...] | None, procedure_id: int | None = None
) -> list[dict[int, Stamp]]:
    """For each period, the stamp of each competent unit (id → stamp): one grouped query."""
    if not periods:
        return []
    where = Q()
    if unit_ids is not None:
        where &= Q(competent_unit_id__in=unit_ids)
    if procedure_id is not None:
        where &= Q(procedure_id=procedure_id)
    first = min(p.start_at for p in periods)
    last = max(p.end_exclusive for p in periods)
    where &= Q(received_at__lt=last) & (Q(finished_at__isnull=True) | Q(finished_at__gte=first))
    aggregates: dict[str, Any] = {}
    for i, period in enumerate(periods):
        condition = _population(period)
        aggregates[f"n{i}"] = Count("id", filter=condition)
        aggregates[f"u{i}"] = Max("updated_at", filter=condition)
        aggregates[f"l{i}"] = Sum("lock_version", filter=condition)
    rows = Dossier.objects.filter(where).order_by().values("competent_unit_id").annotate(**aggregates)
    found: list[dict[int, Stamp]] = [{} for _ in periods]
    row: dict[str, Any]
    for row in rows:  # type: ignore[assignment]
        for i in range(len(periods)):
            if row[f"n{i}"]:
                moment = row[f"u{i}"]
                found[i][row["competent_unit_id"]] = (
                    row[f"n{i}"],
                    moment.isoformat() if moment else "",
                    int(row[f"l{i}"] or 0),
                )
    return found


def roll_up(by_unit: dict[int, Stamp], ids: Iterable[int] | None) -> Stamp:
    chosen = by_unit.values() if ids is None else [by_unit[i] for i in ids if i in by_unit]
    count, latest, locks = 0, "", 0
    for n, moment, lv in chosen:
        count += n
        latest = max(latest, moment)
        locks += lv
    return (count, latest, locks)


# -- keys --------------------------------------------------------------------------------------------


def _weights_digest(day: date) -> str:
    value = rule_value(RULE_KEY, day)
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _scope(kind: str, period: Period, unit_id: int | None, procedure_id: int | None) -> list[str]:
    return [
        kind,
        period.start.isoformat(),
        period.end.isoformat(),
        str(unit_id or "all"),
        str(procedure_id or "-"),
    ]


def _latest_key(kind: str, period: Period, unit_id: int | None, procedure_id: int | None) -> str:
    """The last value computed for a period and scope, whatever the state of the data then."""
    return f"motcua:eval766:v{VERSION}:latest:{':'.join(_scope(kind, period, unit_id, procedure_id))}"


Entry = tuple[str, Period, int | None, int | None, Stamp]  # kind, period, unit id, procedure id, stamp


def _put(values: Sequence[tuple[Entry, Any]]) -> None:
    """Cache each value under its exact key and under its latest key (one ``set_many``)."""
    out: dict[str, Any] = {}
    for (kind, period, unit_id, procedure_id, stamp), value in values:
        out[_key(kind, period, unit_id, procedure_id, stamp)] = value
        out[_latest_key(kind, period, unit_id, procedure_id)] = value
    cache.set_many(out, TIMEOUT)


def _key(kind: str, period: Period, unit_id: int | None, procedure_id: int | None, stamp: Stamp) -> str:
    parts = [
        *_scope(kind, period, unit_id, procedure_id),
        _weights_digest(period.end),
        refcache.token(),
        json.dumps(stamp),
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"motcua:eval766:v{VERSION}:{kind}:{digest}"


# -- computing -----------------------------------------------------------------------------------------


def _assigned(day: date, ids: Iterable[int]) -> list[tuple[int, int]]:
    """(procedure id, implementing unit id) of the versions in force implemented by these units."""
    return list(
        ProcedureVersion.objects.in_force(day)
        .filter(implementing_units__in=list(ids))
        .values_list("procedure_id", "implementing_units")
        .distinct()
    )


def _scope_label(unit: OrgUnit | None, procedure: Procedure | None) -> Scope:
    return Scope(
        unit_code=unit.code if unit else "",
        unit_name=unit.name if unit else "",
        procedure_code=procedure.code if procedure else "",
        procedure_name=procedure.name if procedure else "",
    )


def compute_many(
    period: Period,
    root: OrgUnit | None,
    ranked: Sequence[OrgUnit],
    units: Sequence[OrgUnit],
    procedure: Procedure | None = None,
) -> tuple[Index766Result, dict[int, Index766Result]]:
    """The index of ``root`` (None: the province) and of each ranked unit, from one read of the
    dossiers. Each unit's result equals ``index766.compute(…, unit=that unit)`` (tested)."""
    procedure_id = procedure.pk if procedure else None
    ids = subtree_ids(root, units)
    scope = selectors.ScopeFilter(ids, procedure_id)
    weights = weights_on(period.end)
    basis = ontime.basis_766(period.end)
    owners = _owners(ranked, units)
    buckets: dict[int, list[formulas.DossierFacts]] = {r.pk: [] for r in ranked}
    everything: list[formulas.DossierFacts] = []
    with transaction.atomic():
        all_versions = selectors.versions(procedure_id)
        in_force = selectors.in_force(all_versions, period.end, procedure_id)
        calendars = selectors.Calendars(period.end)
        for d in selectors.index_dossiers(scope, period):
            everything.append(d)
            for rid in owners.get(d.unit_id, ()):
                buckets[rid].append(d)
        assigned_root: frozenset[int] | None = None
        assigned: dict[int, set[int]] = defaultdict(set)
        wanted = ids if ids is not None else tuple(owners)
        pairs = _assigned(period.end, wanted) if wanted else []
        if ids is not None:
            assigned_root = frozenset(p for p, _ in pairs)
        for procedure_pk, unit_pk in pairs:
            for rid in owners.get(unit_pk, ()):
                assigned[rid].add(procedure_pk)

        def run(
            rows: list[formulas.DossierFacts], chosen: frozenset[int] | None, label: Scope
        ) -> Index766Result:
            return formulas.evaluate(
                weights,
                period,
                rows,
                in_force,
                all_versions,
                calendars,
                assigned=chosen,
                scope=label,
                single_procedure=procedure_id is not None,
                basis=basis,
            )

        root_result = run(everything, assigned_root, _scope_label(root, procedure))
        per_unit: dict[int, Index766Result] = {}
        for r in ranked:
            if root is not None and r.pk == root.pk:
                per_unit[r.pk] = root_result
            else:
                per_unit[r.pk] = run(buckets[r.pk], frozenset(assigned[r.pk]), _scope_label(r, procedure))
    return root_result, per_unit


def _rank_row(unit: OrgUnit, result: Index766Result) -> RankRow:
    on_time = result.indicator("2.1")
    online = result.indicator("3.3")
    return RankRow(
        unit_id=unit.pk,
        unit_code=unit.code,
        unit_name=unit.name,
        points=result.points,
        on_time_rate=on_time.rate,
        on_time_numerator=on_time.numerator or 0,
        on_time_denominator=on_time.denominator or 0,
        received=online.denominator or 0,
        groups=tuple((g.code, g.points) for g in result.groups),
    )


def _rank(ranked: Sequence[OrgUnit], per_unit: dict[int, Index766Result], at: datetime) -> Ranking:
    rows = [_rank_row(u, per_unit[u.pk]) for u in ranked]
    rows.sort(key=lambda r: (-r.points, r.on_time_rate is None, -(r.on_time_rate or 0), r.unit_name))
    return Ranking(tuple(rows), at)


# -- the dashboard's reads ------------------------------------------------------------------------------


class Board:
    """The cached reads of one request: the units and the data stamps are read once and shared.

    ``lagging`` lists what was shown from an earlier state of the data (``may_lag``); the view hands it
    to ``tasks.refresh_later`` so the background task computes it."""

    def __init__(self, units: Sequence[OrgUnit] | None = None) -> None:
        self.units = list(units) if units is not None else all_units()
        self._stamps: dict[tuple[Period, int | None, int | None], dict[int, Stamp]] = {}
        self.lagging: list[
            tuple[str, Period, int | None, datetime]
        ] = []  # kind, period, unit id, computed at

    def load_stamps(
        self, periods: Sequence[Period], unit: OrgUnit | None, procedure: Procedure | None = None
    ) -> list[dict[int, Stamp]]:
        """The stamps of the scope's competent units for each period (one query for those not read)."""
        uid, pid = (unit.pk if unit else None), (procedure.pk if procedure else None)
        missing = [p for p in dict.fromkeys(periods) if (p, uid, pid) not in self._stamps]
        if missing:
            found = stamps(missing, subtree_ids(unit, self.units), pid)
            for period, by_unit in zip(missing, found, strict=True):
                self._stamps[(period, uid, pid)] = by_unit
        return [self._stamps[(p, uid, pid)] for p in periods]

    def snapshot(self, period: Period, unit: OrgUnit | None, procedure: Procedure | None = None) -> Snapshot:
        return self.snapshots([period], unit, procedure)[0]

    def snapshots(
        self,
        periods: Sequence[Period],
        unit: OrgUnit | None,
        procedure: Procedure | None = None,
        may_lag: Collection[Period] = (),
    ) -> list[Snapshot]:
        """The index of each period for one scope: one stamp query, one cache read, and a computation
        only for the periods whose data changed since they were last computed — except those of
        ``may_lag`` that were computed before: their last value is shown and noted in ``lagging``."""
        procedure_id = procedure.pk if procedure else None
        uid = unit.pk if unit else None
        ids = subtree_ids(unit, self.units)
        by_period = self.load_stamps(periods, unit, procedure)
        entries: list[Entry] = [
            ("index", p, uid, procedure_id, roll_up(s, ids)) for p, s in zip(periods, by_period, strict=True)
        ]
        with refcache.pinned():  # one read of the generation token for all the keys
            keys = [_key(*e) for e in entries]
        lag = [p for p in dict.fromkeys(periods) if p in may_lag]
        found = cache.get_many(
            list(dict.fromkeys([*keys, *(_latest_key("index", p, uid, procedure_id) for p in lag)]))
        )
        out: list[Snapshot] = []
        fresh: dict[str, tuple[Entry, Snapshot]] = {}
        for period, key, entry in zip(periods, keys, entries, strict=True):
            snap = found.get(key) or (fresh[key][1] if key in fresh else None)
            if not isinstance(snap, Snapshot) and period in may_lag:
                snap = found.get(_latest_key("index", period, uid, procedure_id))
                if isinstance(snap, Snapshot):
                    self.lagging.append(("index", period, uid, snap.computed_at))
            if not isinstance(snap, Snapshot):
                result, _ = compute_many(period, unit, (), self.units, procedure)
                snap = Snapshot(result, timezone.now())
                fresh[key] = (entry, snap)
            out.append(snap)
        if fresh:
            _put(list(fresh.values()))
        return out

    def ranking(self, period: Period, root: OrgUnit | None, may_lag: bool = False) -> Ranking:
        """The ranked units below ``root`` for the period (computed with the root's own index); with
        ``may_lag``, the last ranking computed is shown while the data has changed since."""
        unit_stamps = self.load_stamps([period], root)[0]
        ids = subtree_ids(root, self.units)
        stamp = roll_up(unit_stamps, ids)
        uid = root.pk if root else None
        with refcache.pinned():
            key = _key("rank", period, uid, None, stamp)
        wanted = [key, _latest_key("rank", period, uid, None)] if may_lag else [key]
        found = cache.get_many(wanted)
        if isinstance(found.get(key), Ranking):
            return found[key]
        latest = found.get(wanted[-1]) if may_lag else None
        if isinstance(latest, Ranking):
            self.lagging.append(("rank", period, uid, latest.computed_at))
            return latest
        ranked = ranked_units(root, period.end, self.units)
        return store(period, root, ranked, self.units, stamp, unit_stamps)[1]

    def lag_since(self) -> datetime | None:
        """When the oldest value shown from an earlier state of the data was computed (None: all exact)."""
        return min((at for *_, at in self.lagging), default=None)

    def lagging_work(self) -> list[list[Any]]:
        """What ``refresh`` should compute: [kind, first day, last day, unit id or 0], sorted."""
        return [
            list(w)
            for w in sorted(
                {(k, p.start.isoformat(), p.end.isoformat(), u or 0) for k, p, u, _ in self.lagging}
            )
        ]


def refresh(work: Sequence[Sequence[Any]], flag: str = "") -> int:
    """The background task's body: compute and cache each (kind, start, end, unit id) that a view
    showed lagging. Returns the number of values computed."""
    board = Board()
    by_id = {u.pk: u for u in board.units}
    done = 0
    try:
        for kind, start, end, unit_id in work:
            period = period_of(date.fromisoformat(start), date.fromisoformat(end))
            unit = by_id.get(unit_id) if unit_id else None
            if unit_id and unit is None:
                continue  # the unit was removed since
            if kind == "rank":
                board.ranking(period, unit)
            else:
                board.snapshots([period], unit)
            done += 1
    finally:
        if flag:
            cache.delete(flag)
    return done


def store(
    period: Period,
    root: OrgUnit | None,
    ranked: Sequence[OrgUnit],
    units: Sequence[OrgUnit],
    stamp: Stamp | None = None,
    unit_stamps: dict[int, Stamp] | None = None,
    also: Sequence[OrgUnit] = (),
) -> tuple[Snapshot, Ranking]:
    """Compute a scope and its ranked units in one pass and cache all of them: the scope's index,
    each unit's index (under the unit's own key) and the ranking. ``also``: more units whose index
    is cached (not ranked), e.g. today's units for a month before they were formed."""
    ids = subtree_ids(root, units)
    if unit_stamps is None:
        unit_stamps = stamps([period], ids)[0]
    if stamp is None:
        stamp = roll_up(unit_stamps, ids)
    at = timezone.now()
    chosen = list({u.pk: u for u in [*ranked, *also]}.values())
    root_result, per_unit = compute_many(period, root, chosen, units)
    ranking = _rank(ranked, per_unit, at)
    uid = root.pk if root else None
    values: list[tuple[Entry, Any]] = [
        (("rank", period, uid, None, stamp), ranking),
        (("index", period, uid, None, stamp), Snapshot(root_result, at)),
    ]
    for r in chosen:
        unit_stamp = roll_up(unit_stamps, subtree_ids(r, units))
        values.append((("index", period, r.pk, None, unit_stamp), Snapshot(per_unit[r.pk], at)))
        if [u.pk for u in ranked_units(r, period.end, units)] == [r.pk]:
            # the unit's own dashboard ranks it alone (a ward, a department without ranked units)
            values.append((("rank", period, r.pk, None, unit_stamp), _rank([r], per_unit, at)))
    _put(values)
    return Snapshot(root_result, at), ranking


# -- periods ---------------------------------------------------------------------------------------------


def clamp(period: Period, today: date) -> Period:
    """A period that has not ended is computed up to today (an open dossier is judged as of tonight,
    not as of a day that has not come)."""
    if period.end > today >= period.start:
        return period_of(period.start, today)
    return period


def last_months(end: date, today: date, count: int = TREND_MONTHS) -> list[Period]:
    """The ``count`` months ending with ``end``'s month, oldest first, the current one up to today."""
    year, month = end.year, end.month
    out = []
    for _ in range(count):
        out.append(clamp(Period.month(year, month), today))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return [p for p in reversed(out) if p.start <= today]


def precompute(today: date | None = None, months: int = TREND_MONTHS + 1) -> int:
    """The periodic job: the last ``months`` months of the province and of its ranked units (and
    each top unit's own ranking), recomputed and cached. Returns the number of periods computed."""
    today = today or timezone.localdate()
    units = all_units()
    periods = last_months(today, today, months)
    by_period = stamps(periods, None)
    current = ranked_units(None, today, units)
    for period, unit_stamps in zip(periods, by_period, strict=True):
        ranked = ranked_units(None, period.end, units)
        store(period, None, ranked, units, unit_stamps=unit_stamps, also=current)
    return len(periods)
