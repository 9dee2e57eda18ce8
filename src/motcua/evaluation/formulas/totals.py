"""The fold: the whole index (indicators, groups, total) in one pass over the dossiers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from motcua.dossiers.timeliness import Basis
from motcua.evaluation.formulas.facts import CalendarFor, DossierFacts, Period, Scope, VersionFacts
from motcua.evaluation.formulas.info import INFO, LINEAR, NO_FORMULA, UNIT_SCOPE
from motcua.evaluation.formulas.judges import DOSSIER_JUDGES, PROCEDURE_JUDGES, Activity
from motcua.evaluation.formulas.reasons import REASONS, reason_label
from motcua.evaluation.formulas.results import (
    GroupResult,
    Index766Result,
    IndicatorResult,
    ReasonCount,
    round2,
    score,
)
from motcua.evaluation.formulas.timely import limit_unit, on_time, terminal_moment
from motcua.evaluation.weights import IndicatorWeight, Weights
from motcua.workdays.domain import LimitUnit, working_seconds_between

# -- the fold ------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """How many of an indicator's population fall under each reason code."""

    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def numerator(self) -> int:
        return sum(n for code, n in self.reasons.items() if REASONS[code][1])

    @property
    def denominator(self) -> int:
        return sum(self.reasons.values())


@dataclass
class Duration:
    """2.2: total and count of processing times (one TTHC)."""

    total: Fraction = Fraction(0)
    count: int = 0
    unit: str = ""


def processing_time(
    d: DossierFacts, version: VersionFacts | None, calendar_for: CalendarFor
) -> tuple[Fraction, str] | None:
    """2.2: from receipt to Đã xử lý xong, in the procedure's time unit (see INFO["2.2"])."""
    end = terminal_moment(d)
    if d.received_at is None or end is None or not d.completed:
        return None
    unit = None if version is None else limit_unit(version.time_limit_unit)
    if unit in (LimitUnit.CALENDAR_DAYS, LimitUnit.CALENDAR_MONTHS):
        return Fraction(int((end - d.received_at).total_seconds()), 86_400), "ngày"
    calendar = calendar_for(d.unit_id)
    seconds = working_seconds_between(calendar, d.received_at, end)
    if unit is LimitUnit.WORKING_HOURS:
        return Fraction(seconds, 3600), "giờ làm việc"
    return Fraction(seconds, calendar.seconds_per_day), "ngày làm việc"


def procedures_in_scope(
    in_force: Sequence[VersionFacts], assigned: frozenset[int] | None, activity: Activity
) -> list[VersionFacts]:
    """The scope's procedures: all in force (province, one procedure), or for a unit those assigned to
    its subtree plus those with dossiers of the subtree in the period (assumed, INFO["1.3"])."""
    if assigned is None:
        return list(in_force)
    return [p for p in in_force if p.procedure_id in assigned or p.procedure_id in activity.dossiers]


def evaluate(
    weights: Weights,
    period: Period,
    dossiers: Iterable[DossierFacts],
    in_force: Sequence[VersionFacts],
    versions: Mapping[int, VersionFacts],
    calendar_for: CalendarFor,
    *,
    assigned: frozenset[int] | None = None,
    scope: Scope | None = None,
    single_procedure: bool = False,
    basis: Basis = Basis.NATIONAL,
) -> Index766Result:
    """The whole index in one pass over ``dossiers``.

    ``dossiers``: every dossier of the scope received on or before the period's last day and not ended
    before its first day (a superset is fine: the rules filter), with the received-in-period facts
    filled for those received in the period. ``in_force``: the procedure versions in force at the end
    of the period (of the province, or of the one procedure); ``assigned``: for a unit scope, the
    procedures assigned to its subtree. ``versions``: every version a dossier may refer to, by id.
    """
    tallies: dict[str, Tally] = {code: Tally() for code in ("2.1", *DOSSIER_JUDGES, *PROCEDURE_JUDGES)}
    on_time_counts = tallies["2.1"].reasons
    judges = [(tallies[code].reasons, judge) for code, judge in DOSSIER_JUDGES.items()]
    activity = Activity()
    duration = Duration()
    start, end = period.start_at, period.end_exclusive
    version_of = versions.get
    # The hot loop of a province-year (a quarter of a million dossiers): plain local names, reason codes.
    for d in dossiers:
        version = version_of(d.version_id)
        verdict = on_time(d, period, version, calendar_for, basis)
        if verdict.counted:
            on_time_counts[verdict.reason] += 1
        received = d.received_at
        if received is None or received < start or received >= end:
            continue
        for counts, judge in judges:
            found = judge(d, version)
            if found is not None:
                counts[found] += 1
        activity.add(d)
        if single_procedure:
            spent = processing_time(d, version, calendar_for)
            if spent is not None:
                duration.total += spent[0]
                duration.count += 1
                duration.unit = spent[1]
    procedures = procedures_in_scope(in_force, assigned, activity)
    for code, pjudge in PROCEDURE_JUDGES.items():
        tally = tallies[code]
        for p in procedures:
            found = pjudge(p, activity)
            if found is not None:
                tally.reasons[found] += 1
    unit_scope = assigned is not None
    groups = []
    for g in weights.groups:
        results = tuple(
            _result(w, g.code, tallies.get(w.code), duration, single_procedure, tallies["2.1"], unit_scope)
            for w in g.indicators
        )
        groups.append(
            GroupResult(g.code, g.name, sum((r.points for r in results), Decimal("0.00")), g.max, results)
        )
    return Index766Result(
        period,
        scope or Scope(),
        sum((g.points for g in groups), Decimal("0.00")),
        weights.max,
        tuple(groups),
    )


_UNIT_WEIGHT = IndicatorWeight("", "", Decimal(100), None)


def _breakdown(tally: Tally) -> tuple[ReasonCount, ...]:
    rows = [ReasonCount(code, reason_label(code), REASONS[code][1], n) for code, n in tally.reasons.items()]
    rows.sort(key=lambda r: (not r.counts, -r.count, r.code))
    return tuple(rows)


def _pct(value: Fraction) -> str:
    return f"{round2(value)}%".replace(".", ",")


def _against(tally: Tally) -> Fraction:
    """The exact share (%) of a tally's population that counts against it; 0 for an empty one."""
    if not tally.denominator:
        return Fraction(0)
    return Fraction((tally.denominator - tally.numerator) * 100, tally.denominator)


def _satisfaction(
    w: IndicatorWeight, base: dict[str, Any], disliked: Tally, on_time: Tally, assumptions: tuple[str, ...]
) -> IndicatorResult:
    """5.4: 100% − (the late rate of 2.1 + the rate of the period's dossiers rated "không hài lòng"),
    each rate exact, the difference never below 0; saturation at the weight's target (90%)."""
    if not on_time.denominator and not disliked.denominator:
        rate, points = score(0, 0, w)
        late = unhappy = Fraction(0)
    else:
        late, unhappy = _against(on_time), _against(disliked)
        exact = max(Fraction(0), Fraction(100) - late - unhappy)
        target = Fraction(w.target) if w.target is not None else Fraction(100)
        top = Fraction(w.max)
        rate, points = round2(exact), round2(top if exact >= target else top * exact / target)
    notes = (  # Vietnamese text: a decimal comma, as the screens show rates
        f"Tỷ lệ hồ sơ trễ hạn (theo chỉ số 2.1): {_pct(late)}.",
        f"Tỷ lệ hồ sơ bị đánh giá không hài lòng: {_pct(unhappy)} "
        f"({disliked.denominator - disliked.numerator}/{disliked.denominator} hồ sơ tiếp nhận trong kỳ).",
    )
    return IndicatorResult(
        **base,
        points=points,
        rate=rate,
        numerator=disliked.numerator,
        denominator=disliked.denominator,
        missing=False,
        assumed=bool(assumptions),
        assumptions=assumptions,
        reasons=_breakdown(disliked),
        notes=notes,
    )


def _result(
    w: IndicatorWeight,
    group: str,
    tally: Tally | None,
    duration: Duration,
    single_procedure: bool,
    on_time: Tally,
    unit_scope: bool,
) -> IndicatorResult:
    info = INFO.get(w.code)
    assumptions = tuple(info.assumptions) if info else ()
    if unit_scope and info is not None and info.subject == "procedure" and not info.missing:
        assumptions = (*assumptions, UNIT_SCOPE)
    base: dict[str, Any] = {
        "code": w.code,
        "name": w.name,
        "group": group,
        "max": w.max,
        "target": w.target,
        "subject": info.subject if info else "",
        "formula": info.formula if info else "",
        "source": info.source if info else "",
    }
    if info is None or info.missing:
        return IndicatorResult(
            **base,
            points=Decimal("0.00"),
            rate=None,
            numerator=None,
            denominator=None,
            missing=True,
            assumed=bool(assumptions),
            assumptions=assumptions,
            missing_reason=info.missing if info else NO_FORMULA,
        )
    if w.code == "2.2":
        value = None if not duration.count else round2(duration.total / duration.count)
        notes = () if single_procedure else ("Chỉ tính khi chọn một thủ tục (--procedure).",)
        return IndicatorResult(
            **base,
            points=Decimal("0.00"),
            rate=None,
            numerator=duration.count if single_procedure else None,
            denominator=None,
            missing=False,
            assumed=True,
            assumptions=assumptions,
            notes=notes,
            value=value,
            value_unit=duration.unit if single_procedure else "",
        )
    assert tally is not None
    if w.code == "5.4":
        return _satisfaction(w, base, tally, on_time, assumptions)
    if w.target is None and w.max > 0:
        assumptions = (*assumptions, LINEAR)
    rate, points = score(tally.numerator, tally.denominator, w)
    return IndicatorResult(
        **base,
        points=points,
        rate=rate,
        numerator=tally.numerator,
        denominator=tally.denominator,
        missing=False,
        assumed=bool(assumptions),
        assumptions=assumptions,
        reasons=_breakdown(tally),
    )
