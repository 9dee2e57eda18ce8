"""The QĐ 766 formulas — pure Python, no Django: plain records in, indicator results out.

The database is read by ``evaluation/selectors.py`` into the frozen records below (``DossierFacts``,
``VersionFacts``); ``evaluate`` folds them into an ``Index766Result`` in one pass; ``judge_dossier`` /
``judge_procedure`` and ``explain`` give the drill-down of one indicator (which dossiers or procedures
count against it, and why). Formulas, sources and assumptions: docs/rules.md §8 and domain.md §3.

Which module holds what (each imports only the ones above it; every name is re-exported here):

- ``facts``: the status codes, ``Period``, the records (``DossierFacts``, ``VersionFacts``, ``Scope``);
- ``timely``: indicator 2.1, the on-time verdict (``on_time``, ``history``, the legal limit);
- ``reasons``: the reason codes (``REASONS``) and ``Verdict``;
- ``judges``: one judge per dossier or procedure indicator, ``Activity``;
- ``info``: what each indicator is (``INFO``: formula, source, assumptions, missing inputs);
- ``results``: the saturation rule (``score``) and the result records (indicator, group, index);
- ``totals``: ``evaluate``, the whole index in one pass;
- ``drilldown``: ``judge_dossier`` / ``judge_procedure`` and their Vietnamese explanations.

Conventions:

- A period is a range of local dates (Asia/Ho_Chi_Minh), both ends included: it starts at 00:00:00 on
  its first day and ends at 23:59:59 on its last (``Period``).
- "Received in the period" (``NgayTiepNhan`` in the period) is the population of every dossier
  indicator except 2.1, which has its own (received on or before the last day and not ended before
  the first).
- The rate is a percentage rounded half-up to 2 decimals, ``None`` when the denominator is 0. Points
  follow the saturation rule of domain.md §3.2 on the exact (unrounded) rate, then are rounded half-up
  to 2 decimals; a group's points are the sum of its indicators' rounded points.
- Inputs held only by other systems are ``missing`` (0 points, never invented); formulas that are not
  in the sources are flagged ``assumed`` with the assumption spelled out.
"""

from __future__ import annotations

from motcua.evaluation.formulas.drilldown import explain, explain_procedure, judge_dossier, judge_procedure
from motcua.evaluation.formulas.facts import (
    COMPLETED,
    NOT_RECEIVED,
    ONLINE,
    PAID_ONLINE,
    SEVEN_COMPONENTS,
    STOPPED,
    CalendarFor,
    DossierFacts,
    Period,
    Scope,
    SupplementFacts,
    VersionFacts,
)
from motcua.evaluation.formulas.info import INFO, LINEAR, NO_FORMULA, UNIT_SCOPE, IndicatorInfo
from motcua.evaluation.formulas.judges import (
    DOSSIER_JUDGES,
    PROCEDURE_JUDGES,
    Activity,
    DossierJudge,
    ProcedureJudge,
    uses_population_data,
)
from motcua.evaluation.formulas.reasons import REASONS, V, Verdict, reason_label
from motcua.evaluation.formulas.results import (
    ONE,
    GroupResult,
    Index766Result,
    IndicatorResult,
    ReasonCount,
    round2,
    score,
)
from motcua.evaluation.formulas.timely import (
    OnTime,
    history,
    legal_due,
    legal_limit,
    limit_unit,
    on_time,
    terminal_moment,
)
from motcua.evaluation.formulas.totals import Duration, Tally, evaluate, procedures_in_scope, processing_time

__all__ = [
    "COMPLETED",
    "DOSSIER_JUDGES",
    "INFO",
    "LINEAR",
    "NOT_RECEIVED",
    "NO_FORMULA",
    "ONE",
    "ONLINE",
    "PAID_ONLINE",
    "PROCEDURE_JUDGES",
    "REASONS",
    "SEVEN_COMPONENTS",
    "STOPPED",
    "UNIT_SCOPE",
    "Activity",
    "CalendarFor",
    "DossierFacts",
    "DossierJudge",
    "Duration",
    "GroupResult",
    "Index766Result",
    "IndicatorInfo",
    "IndicatorResult",
    "OnTime",
    "Period",
    "ProcedureJudge",
    "ReasonCount",
    "Scope",
    "SupplementFacts",
    "Tally",
    "V",
    "Verdict",
    "VersionFacts",
    "evaluate",
    "explain",
    "explain_procedure",
    "history",
    "judge_dossier",
    "judge_procedure",
    "legal_due",
    "legal_limit",
    "limit_unit",
    "on_time",
    "procedures_in_scope",
    "processing_time",
    "reason_label",
    "round2",
    "score",
    "terminal_moment",
    "uses_population_data",
]
