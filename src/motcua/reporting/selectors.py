"""Reads of reporting, scoped by role × unit (``reporting.access``) and tuned per screen.

Every list is a fixed number of queries whatever its length (tests count them): a reporting unit
sees its own reports; the receiving office sees the reports sent to it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from motcua.core.errors import Forbidden, NotFound
from motcua.core.models import OrgUnit
from motcua.reporting import status as st
from motcua.reporting.access import Access
from motcua.reporting.models import (
    AggregateReport,
    Indicator,
    ReportDefinition,
    ReportPeriod,
    Submission,
    SubmissionVersion,
)
from motcua.reporting.values import aggregate as aggregate_values

MY_PERIODS = 60  # rows of "my reports": the most recent periods


def _received_q(access: Access) -> Q:
    return access.viewer.q("receiving_unit") if access.sees_received else Q(pk__in=[])


def visible_definitions(access: Access) -> QuerySet[ReportDefinition]:
    """Definitions the person receives (or watches) or reports for."""
    condition = _received_q(access)
    if access.acting_ids:
        condition |= Q(reporting_units__in=list(access.acting_ids))
    return ReportDefinition.objects.filter(condition).distinct()


@dataclass
class DefinitionRow:
    definition: ReportDefinition
    units: int
    receives: bool
    reports: bool
    latest: ReportPeriod | None = None


def definitions(access: Access) -> list[DefinitionRow]:
    """The definitions list: three queries."""
    qs = (
        visible_definitions(access)
        .select_related("receiving_unit")
        .annotate(n_units=Count("reporting_units", distinct=True))
        .order_by("code")
    )
    rows = list(qs)
    ids = [d.pk for d in rows]
    mine = set(
        ReportDefinition.reporting_units.through.objects.filter(
            reportdefinition_id__in=ids, orgunit_id__in=list(access.acting_ids)
        ).values_list("reportdefinition_id", flat=True)
    )
    latest: dict[int, ReportPeriod] = {}
    for p in ReportPeriod.objects.filter(definition_id__in=ids).order_by("definition_id", "-end"):
        latest.setdefault(p.definition_id, p)
    return [
        DefinitionRow(
            definition=d,
            units=d.n_units,
            receives=access.views_received(d.receiving_unit),
            reports=d.pk in mine,
            latest=latest.get(d.pk),
        )
        for d in rows
    ]


def definition_for(access: Access, pk: int) -> ReportDefinition:
    d = visible_definitions(access).select_related("receiving_unit").filter(pk=pk).first()
    if d is None:
        raise NotFound("Không có chế độ báo cáo này (hoặc bạn không được xem).")
    return d


@dataclass
class PeriodRow:
    period: ReportPeriod
    counts: dict[str, int]
    total: int


def periods_of(definition: ReportDefinition, today: date) -> list[PeriodRow]:
    """The periods of a definition with the count of units in each status: three queries."""
    units = definition.reporting_units.count()
    plist = list(ReportPeriod.objects.filter(definition=definition).order_by("-end"))
    states: dict[int, Counter[str]] = {p.pk: Counter() for p in plist}
    for period_id, state, n in (
        Submission.objects.filter(period__definition=definition)
        .values_list("period_id", "state")
        .annotate(n=Count("pk"))
    ):
        states[period_id][state] += n
    rows = []
    for p in plist:
        counts: Counter[str] = Counter()
        for state, n in states[p.pk].items():
            counts[st.status(state if state != "draft" else None, p.end, p.deadline, today).value] += n
        counts[st.status(None, p.end, p.deadline, today).value] += units - sum(states[p.pk].values())
        rows.append(PeriodRow(p, {s.value: counts.get(s.value, 0) for s in st.ORDER}, units))
    return rows


def period_for(access: Access, pk: int) -> ReportPeriod:
    p = (
        ReportPeriod.objects.select_related("definition__receiving_unit")
        .filter(pk=pk, definition__in=visible_definitions(access))
        .first()
    )
    if p is None:
        raise NotFound("Không có kỳ báo cáo này (hoặc bạn không được xem).")
    return p


@dataclass
class UnitRow:
    unit: OrgUnit
    submission: Submission | None
    status: st.Status

    @property
    def version(self) -> SubmissionVersion | None:
        return self.submission.current if self.submission else None


def unit_rows(access: Access, period: ReportPeriod, today: date) -> list[UnitRow]:
    """Every reporting unit of the period with its status (the receiving office's view), or only the
    person's own units (a reporting unit's view): two queries."""
    units = period.definition.reporting_units.order_by("path")
    if not access.views_received(period.definition.receiving_unit):
        units = units.filter(pk__in=list(access.acting_ids))
    unit_list = list(units.only("id", "code", "name", "short_name", "path"))
    subs = {
        s.unit_id: s
        for s in Submission.objects.filter(period=period, unit__in=[u.pk for u in unit_list]).select_related(
            "current"
        )
    }
    rows = []
    for u in unit_list:
        s = subs.get(u.pk)
        state = s.state if s and s.state != "draft" else None
        rows.append(UnitRow(u, s, st.status(state, period.end, period.deadline, today)))
    return rows


@dataclass
class MyRow:
    period: ReportPeriod
    unit: OrgUnit
    submission: Submission | None
    status: st.Status


def my_reports(access: Access, today: date, *, definition_id: int | None = None) -> list[MyRow]:
    """The person's units' reports, most recent periods first: three queries."""
    if not access.acting_ids:
        return []
    through = ReportDefinition.reporting_units.through
    pairs = through.objects.filter(orgunit_id__in=list(access.acting_ids), reportdefinition__active=True)
    if definition_id:
        pairs = pairs.filter(reportdefinition_id=definition_id)
    by_definition: dict[int, list[OrgUnit]] = {}
    for pair in pairs.select_related("orgunit").order_by("orgunit__path"):
        by_definition.setdefault(pair.reportdefinition_id, []).append(pair.orgunit)
    if not by_definition:
        return []
    plist = list(
        ReportPeriod.objects.filter(definition_id__in=list(by_definition), start__lte=today)
        .select_related("definition")
        .order_by("-end", "definition__code")[:MY_PERIODS]
    )
    unit_ids = {u.pk for units in by_definition.values() for u in units}
    subs = {
        (s.period_id, s.unit_id): s
        for s in Submission.objects.filter(period__in=plist, unit_id__in=unit_ids).select_related("current")
    }
    rows = []
    for p in plist:
        for u in by_definition[p.definition_id]:
            s = subs.get((p.pk, u.pk))
            state = s.state if s and s.state != "draft" else None
            rows.append(MyRow(p, u, s, st.status(state, p.end, p.deadline, today)))
    return rows


def unit_for(access: Access, period: ReportPeriod, code: str) -> OrgUnit:
    unit = period.definition.reporting_units.filter(code=code).first()
    if unit is None:
        raise NotFound("Đơn vị này không thuộc diện gửi báo cáo này.")
    if not (access.acts_for(unit.pk) or access.views_received(period.definition.receiving_unit)):
        raise Forbidden("Bạn không được xem báo cáo của đơn vị này.")
    return unit


def submission_of(period: ReportPeriod, unit: OrgUnit) -> Submission | None:
    return Submission.objects.filter(period=period, unit=unit).select_related("current", "decided_by").first()


def versions_of(submission: Submission | None) -> list[SubmissionVersion]:
    if submission is None:
        return []
    return list(submission.versions.select_related("submitted_by", "created_by").order_by("-number"))


# -- aggregation -------------------------------------------------------------------------------------


@dataclass
class AggregateResult:
    indicators: list[Indicator]
    units: list[OrgUnit]
    per_unit: dict[int, dict[str, Any]]  # unit id → values
    values: dict[str, Any]
    missing: list[OrgUnit] = field(default_factory=list)


def aggregate(period: ReportPeriod) -> AggregateResult:
    """The accepted unit reports of the period, added up by each indicator's rule: three queries.

    Only **accepted** reports count: a report waiting for the office or returned for correction is
    listed as missing, never half-counted."""
    indicators = list(
        Indicator.objects.filter(definition_id=period.definition_id)
        .select_related("form", "weight")
        .order_by("form__position", "position", "id")
    )
    all_units = list(period.definition.reporting_units.order_by("path").only("id", "code", "name", "path"))
    accepted = {
        s.unit_id: s.current.values if s.current else {}
        for s in Submission.objects.filter(period=period, state=Submission.State.ACCEPTED).select_related(
            "current"
        )
    }
    units = [u for u in all_units if u.pk in accepted]
    values: dict[str, Any] = {}
    for ind in indicators:
        column = [accepted[u.pk].get(ind.code) for u in units]
        weights = [accepted[u.pk].get(ind.weight.code) for u in units] if ind.weight else None
        values[ind.code] = aggregate_values(column, ind.value_type, ind.aggregation, weights)
    return AggregateResult(
        indicators=indicators,
        units=units,
        per_unit={u.pk: accepted[u.pk] for u in units},
        values=values,
        missing=[u for u in all_units if u.pk not in accepted],
    )


def aggregates_of(period: ReportPeriod) -> list[AggregateReport]:
    return list(period.aggregates.select_related("accepted_by").order_by("-number"))
