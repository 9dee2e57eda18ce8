"""Where indicator values come from: a small registry of source functions.

Each source is ``(indicator, period_from, period_to, unit) -> Decimal | None`` (unit None: the
province) and a list of the units it has values for. Rates are percentages rounded to 2 decimals;
``None`` means "no data" (for instance no dossier finished in the month).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone

from motcua.core.models import OrgUnit
from motcua.dashboard.models import Indicator, IndicatorValue

Compute = Callable[[Indicator, date, date, OrgUnit | None], Decimal | None]
UnitsOf = Callable[[Indicator, date], list[OrgUnit]]

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Source:
    compute: Compute
    units: UnitsOf


def rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(CENT, ROUND_HALF_UP)


def top_units(indicator: Indicator, day: date) -> list[OrgUnit]:
    """The agencies and local governments under the province (the units the 766 index ranks)."""
    from motcua.evaluation import cache

    return cache.ranked_units(None, day, cache.all_units())


def no_units(indicator: Indicator, day: date) -> list[OrgUnit]:
    return []


# -- dossier statistics ------------------------------------------------------------------------------


def dossiers(
    indicator: Indicator, period_from: date, period_to: date, unit: OrgUnit | None
) -> Decimal | None:
    """``received`` (dossiers received in the period), ``online_share`` (% of them submitted online),
    ``on_time_rate`` (% of the dossiers that ended with a result in the period that were on time, by
    the verdict of ``dossiers.timeliness`` as 766 indicator 2.1 reads it)."""
    from motcua.dossiers.models import Channel, Dossier
    from motcua.evaluation.formulas import Period

    period = Period(period_from, period_to)
    qs = Dossier.objects.all()
    if unit is not None:
        qs = qs.filter(competent_unit__path__startswith=unit.path)
    key = indicator.source_key
    if key in {"received", "online_share"}:
        received = qs.filter(received_at__gte=period.start_at, received_at__lt=period.end_exclusive)
        counts = received.aggregate(n=Count("pk"), online=Count("pk", filter=Q(channel=Channel.ONLINE)))
        if key == "received":
            return Decimal(counts["n"])
        return rate(counts["online"], counts["n"])
    if key == "on_time_rate":
        # the dossiers that ended with a result in the period, judged as 766 2.1 judges them
        from motcua.evaluation import ontime

        scope = Q() if unit is None else Q(competent_unit__path__startswith=unit.path)
        n, good = ontime.counts(ontime.finished(scope, period, ontime.basis_766(period.end)))
        return rate(good, n)
    raise ValueError(f"unknown dossier statistic {key!r}")


# -- the 766 index (cached) ----------------------------------------------------------------------------


def index766(
    indicator: Indicator, period_from: date, period_to: date, unit: OrgUnit | None
) -> Decimal | None:
    """``points`` (total points of the index) or ``rate_2_1`` (indicator 2.1, the on-time rate), read
    through ``evaluation.cache`` (computed once per state of the data)."""
    from motcua.evaluation import cache
    from motcua.evaluation.formulas import Period

    today = timezone.localdate()
    if period_from > today:
        return None
    period = cache.clamp(Period(period_from, period_to), today)
    board = cache.Board()
    result = board.snapshot(period, unit).result
    if indicator.source_key == "points":
        return result.points.quantize(CENT, ROUND_HALF_UP)
    if indicator.source_key == "rate_2_1":
        found = result.indicator("2.1").rate
        return None if found is None else Decimal(found).quantize(CENT, ROUND_HALF_UP)
    raise ValueError(f"unknown 766 value {indicator.source_key!r}")


# -- task tracking -----------------------------------------------------------------------------------


def directives(
    indicator: Indicator, period_from: date, period_to: date, unit: OrgUnit | None
) -> Decimal | None:
    """``overdue``: task occurrences overdue at the end of the period (or today): due before that day
    and not completed by it. ``on_time_share``: % of the occurrences due in the period (up to today)
    that were completed by their due date. A unit's values count its own parts of the tasks it leads
    (a task led by several units has one part per unit). Both read ``directives.selectors``, where
    "task completed" is defined once."""
    from motcua.directives import selectors

    today = timezone.localdate()
    as_of = min(period_to, today)
    if period_from > today:
        return None
    if indicator.source_key == "overdue":
        return Decimal(selectors.overdue_count(as_of, unit))
    if indicator.source_key == "on_time_share":
        n, on_time = selectors.on_time_counts(period_from, as_of, unit)
        return rate(on_time, n)
    raise ValueError(f"unknown task statistic {indicator.source_key!r}")


# -- reported indicators -----------------------------------------------------------------------------


def _report_key(indicator: Indicator) -> tuple[str, str]:
    definition, _, code = indicator.source_key.partition(":")
    return definition, code


def _number(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)
    except ArithmeticError:
        return None


def reporting(
    indicator: Indicator, period_from: date, period_to: date, unit: OrgUnit | None
) -> Decimal | None:
    """The accepted value of a reporting indicator (``source_key`` = "DEFINITION:code") for the monthly
    period of ``period_from``'s month: a unit's accepted report, or for the province the office's last
    accepted aggregate, else the accepted unit reports added up by the indicator's rule."""
    from motcua.reporting import selectors
    from motcua.reporting.models import AggregateReport, ReportPeriod, Submission

    definition, code = _report_key(indicator)
    key = f"{period_from.year}-M{period_from.month:02d}"
    period = (
        ReportPeriod.objects.filter(definition__code=definition, key=key).select_related("definition").first()
    )
    if period is None:
        return None
    if unit is not None:
        submission = (
            Submission.objects.filter(period=period, unit=unit, state=Submission.State.ACCEPTED)
            .select_related("current")
            .first()
        )
        if submission is None or submission.current is None:
            return None
        return _number(submission.current.values.get(code))
    accepted = AggregateReport.objects.filter(period=period).order_by("-number").first()
    if accepted is not None:
        return _number(accepted.values.get(code))
    result = selectors.aggregate(period)
    if not result.units:
        return None
    return _number(result.values.get(code))


def reporting_units(indicator: Indicator, day: date) -> list[OrgUnit]:
    from motcua.reporting.models import ReportDefinition

    definition = ReportDefinition.objects.filter(code=_report_key(indicator)[0]).first()
    if definition is None:
        return []
    return list(definition.reporting_units.order_by("path"))


# -- manual entry ------------------------------------------------------------------------------------


def manual(indicator: Indicator, period_from: date, period_to: date, unit: OrgUnit | None) -> Decimal | None:
    """The value the office entered for the month (``IndicatorValue`` with ``entered_by``)."""
    row = IndicatorValue.objects.filter(
        indicator=indicator, month=period_from.replace(day=1), unit=unit, entered_by__isnull=False
    ).first()
    return row.value if row else None


SOURCES: dict[str, Source] = {
    Indicator.Source.DOSSIERS: Source(dossiers, top_units),
    Indicator.Source.INDEX766: Source(index766, top_units),
    Indicator.Source.DIRECTIVES: Source(directives, top_units),
    Indicator.Source.REPORTING: Source(reporting, reporting_units),
    Indicator.Source.MANUAL: Source(manual, no_units),
}
