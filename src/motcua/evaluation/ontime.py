"""On-time verdicts as the measures read them: the rule in force, the facts from the store.

Every figure that says "on time" or "late" goes through ``dossiers.timeliness.judge``; this module
picks the reading in force (rules ``timeliness.basis_766`` and ``timeliness.basis_late_list``) and
reads the facts (the projection's columns and the supplement requests) in batches:

- ``basis_766(day)``: the reading of 766 indicator 2.1, and of every rate published beside it — the
  KPI on-time rate, the NĐ 09 one-stop prefill and TT 01 scoring;
- ``basis_late_list(day)``: the reading of the monthly late list (NĐ 61/2018), the dossier page and the
  staff boxes (the overdue box filters in SQL with ``dossiers.selectors.overdue_q``, the same test);
- ``finished`` / ``open_at``: the verdicts of the dossiers that ended in a window, or were open at its
  end, for counting.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from motcua.core.rules import rule_value
from motcua.dossiers.models import Dossier, Supplement
from motcua.dossiers.rules import State
from motcua.dossiers.timeliness import Basis, History, Timeliness, Wait, judge
from motcua.evaluation import formulas, selectors
from motcua.evaluation.formulas import COMPLETED, DossierFacts, Period
from motcua.workdays.domain import to_local

# States in which processing has ended (the projection's ``finished_at`` is the end moment).
ENDED = frozenset(
    {State.RESULT_READY, State.RETURNED, State.STOPPED, State.REFUSED_AFTER_APPRAISAL, State.WITHDRAWN}
)

RULE_766 = "timeliness.basis_766"
RULE_LATE_LIST = "timeliness.basis_late_list"


def basis_766(day: date) -> Basis:
    """The reading of the supplement wait for 766 2.1 and the rates published beside it, on ``day``."""
    return Basis(rule_value(RULE_766, day))


def basis_late_list(day: date) -> Basis:
    """The reading for the late list, the dossier page and the staff boxes, on ``day``."""
    return Basis(rule_value(RULE_LATE_LIST, day))


@dataclass(frozen=True, slots=True)
class Judged:
    facts: DossierFacts
    verdict: Timeliness


def _judged(where: Q, as_of: datetime, basis: Basis, calendars: selectors.Calendars) -> Iterator[Judged]:
    versions = selectors.versions()
    for d in selectors.slim_facts(where):
        h = formulas.history(d, versions.get(d.version_id), calendars, basis)
        yield Judged(d, judge(h, basis, as_of))


def finished(scope: Q, period: Period, basis: Basis, *, with_result: bool = True) -> Iterator[Judged]:
    """The dossiers of ``scope`` that ended in ``period`` (with a result: national status 9 or 10 and
    ``finished_at`` in the period), each with its verdict at its end."""
    where = scope & Q(finished_at__gte=period.start_at, finished_at__lt=period.end_exclusive)
    if with_result:
        where &= Q(national_status__in=COMPLETED)
    return _judged(where, period.end_at, basis, selectors.Calendars(period.end))


def open_at(scope: Q, period: Period, basis: Basis) -> Iterator[Judged]:
    """The dossiers of ``scope`` received by the end of ``period`` and not ended by then, each with its
    verdict at the end of the period."""
    stop = period.end_exclusive
    where = scope & Q(received_at__lt=stop) & (Q(finished_at__isnull=True) | Q(finished_at__gte=stop))
    return _judged(where, period.end_at, basis, selectors.Calendars(period.end))


def waits_of(ids: Iterable[int]) -> dict[int, tuple[Wait, ...]]:
    """The supplement requests of some dossiers, by dossier id, in request order (one query)."""
    found: dict[int, list[Wait]] = {}
    for pk, requested, received, before in (
        Supplement.objects.filter(dossier_id__in=list(ids))
        .order_by("dossier_id", "requested_at", "id")
        .values_list("dossier_id", "requested_at", "received_at", "due_before")
    ):
        found.setdefault(pk, []).append(Wait(requested, received, before))
    return {k: tuple(v) for k, v in found.items()}


def waits_from(supplements: Iterable[Supplement]) -> tuple[Wait, ...]:
    """The ``Wait``s of supplement rows already loaded, in request order."""
    rows = sorted(supplements, key=lambda x: (x.requested_at, x.pk))
    return tuple(Wait(x.requested_at, x.received_at, x.due_before) for x in rows)


def history_of(dossier: Dossier, waits: tuple[Wait, ...] = ()) -> History:
    """The ``History`` of one dossier row (its projection columns) and its supplement requests."""
    running = State(dossier.state) not in ENDED
    return History(
        due_at=dossier.due_at,
        end_at=None if running else dossier.finished_at or dossier.returned_at,
        completed=dossier.national_status in COMPLETED,
        waits=waits,
        promised_at=dossier.promised_at,
    )


def judge_now(
    dossier: Dossier, as_of: datetime, waits: tuple[Wait, ...] = (), basis: Basis | None = None
) -> Timeliness:
    """The verdict on one dossier as of ``as_of`` by the late-list reading (the dossier page, lists)."""
    chosen = basis if basis is not None else basis_late_list(to_local(as_of).date())
    return judge(history_of(dossier, waits), chosen, as_of)


def counts(judged: Iterator[Judged]) -> tuple[int, int]:
    """(how many, how many on time)."""
    n = good = 0
    for j in judged:
        n += 1
        good += j.verdict.on_time
    return n, good


__all__ = [
    "RULE_766",
    "RULE_LATE_LIST",
    "Basis",
    "Judged",
    "basis_766",
    "basis_late_list",
    "counts",
    "finished",
    "history_of",
    "judge_now",
    "open_at",
    "waits_from",
    "waits_of",
]
