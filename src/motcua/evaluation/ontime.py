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

The reading in force, the supplement waits and the verdict on one dossier now are the dossiers app's
(``dossiers.ontime``: the dossier page and the staff boxes read them too); they are re-exported here,
so that every measure reads them from one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from motcua.dossiers.ontime import (
    ENDED,
    RULE_766,
    RULE_LATE_LIST,
    basis_766,
    basis_late_list,
    history_of,
    judge_now,
    waits_from,
    waits_of,
)
from motcua.dossiers.timeliness import Basis, Timeliness, judge
from motcua.evaluation import formulas, selectors
from motcua.evaluation.formulas import COMPLETED, DossierFacts, Period


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


def counts(judged: Iterator[Judged]) -> tuple[int, int]:
    """(how many, how many on time)."""
    n = good = 0
    for j in judged:
        n += 1
        good += j.verdict.on_time
    return n, good


__all__ = [
    "ENDED",
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
