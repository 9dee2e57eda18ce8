"""Database reads of the TT 01/2018 scores: minimal tuples in, ``tt01`` scorecards out.

    compute(date(2026, 1, 1), date(2026, 3, 31), unit="pab") -> tt01.TT01Result

Population: the scope's dossiers that reached Đã xử lý xong / Đã trả kết quả (9/10) in the period
(their terminal moment — ``finished_at``, else ``returned_at`` — in it). They are read in batches through
``selectors.dossier_page`` (the 766 engine's reads: one query and four side queries per 2,000 dossiers);
each batch adds three queries (display columns, consultations, event actors). Units, officers and the
procedures in force: one query each. Never a query per dossier.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from motcua.catalogue.models import ProcedureVersion
from motcua.core.models import OrgUnit, User
from motcua.core.rules import rule_value
from motcua.dossiers.models import Consultation, Dossier, DossierEvent
from motcua.evaluation import formulas, ontime, selectors, tt01
from motcua.evaluation.formulas import DossierFacts, Period
from motcua.evaluation.index766 import period_of

RULE_KEY = "evaluation.tt01"
PAGE = 2000


def bands_on(day: date) -> tt01.Bands:
    return tt01.parse_bands(rule_value(RULE_KEY, day))


def completed_in(period: Period) -> Q:
    moment = Q(finished_at__gte=period.start_at, finished_at__lt=period.end_exclusive) | Q(
        finished_at__isnull=True, returned_at__gte=period.start_at, returned_at__lt=period.end_exclusive
    )
    return Q(national_status__in=(9, 10)) & moment


@dataclass
class _Extra:
    delivery: str
    receiving_unit_id: int
    procedure_id: int


def _batch_extras(ids: list[int]) -> tuple[dict[int, _Extra], dict[int, list[Any]], dict[int, set[int]]]:
    extras: dict[int, _Extra] = {}
    handlers: dict[int, set[int]] = defaultdict(set)
    rows = (
        Dossier.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "result_delivery", "receiving_unit_id", "procedure_id", "assignee_id")
    )
    for pk, delivery, receiving, procedure, assignee in rows:
        extras[pk] = _Extra(delivery, receiving, procedure)
        if assignee is not None:
            handlers[pk].add(assignee)
    for pk, actor in (
        DossierEvent.objects.filter(dossier_id__in=ids, actor__isnull=False)
        .order_by()
        .values_list("dossier_id", "actor_id")
        .distinct()
    ):
        handlers[pk].add(actor)
    consultations: dict[int, list[Any]] = defaultdict(list)
    for pk, due, answered in Consultation.objects.filter(dossier_id__in=ids).values_list(
        "dossier_id", "due_at", "answered_at"
    ):
        consultations[pk].append((due, answered))
    return extras, consultations, handlers


def score_dossier(
    d: DossierFacts,
    period: Period,
    version: formulas.VersionFacts | None,
    calendars: formulas.CalendarFor,
    extra: _Extra,
    consultations: list[Any],
    handlers: set[int],
    basis: ontime.Basis = ontime.Basis.NATIONAL,
) -> tt01.DossierScore:
    # 1: the on-time verdict of 766 2.1 (``timeliness``, rule ``timeliness.basis_766``): the statutory
    # due, never an apology's new date
    t = formulas.on_time(d, period, version, calendars, basis)
    s1 = tt01.compare(t.effective_end, t.due) if t.due is not None and t.effective_end is not None else None
    # 2: the competent unit's own time is the whole time (s1); each consulted unit's answer against its
    # deadline; the dossier scores as its slowest unit ❓
    end = t.end or period.end_at
    s2 = tt01.worst([s1, *(tt01.compare(answered or end, cdue) for cdue, answered in consultations)])
    return tt01.DossierScore(
        id=d.id,
        code=d.code,
        unit_id=d.unit_id,
        handlers=tuple(sorted(handlers)),
        s1=s1,
        s2=s2,
        s3=tt01.score_contacts(len(d.supplements)),
        s4=tt01.score_agencies(d.channel, extra.delivery),
        s7=tt01.score_attitude(s1, None),
        online=d.channel == formulas.ONLINE,
    )


def _scores(
    scope: selectors.ScopeFilter, period: Period
) -> tuple[list[tt01.DossierScore], dict[int, _Extra]]:
    versions = selectors.versions()
    calendars = selectors.Calendars(period.end)
    basis = ontime.basis_766(period.end)
    population = completed_in(period)
    out: list[tt01.DossierScore] = []
    all_extras: dict[int, _Extra] = {}
    after: tuple[datetime, int] | None = None
    while True:
        batch = selectors.dossier_page(scope, period, population, after, PAGE)
        if batch:
            extras, consultations, handlers = _batch_extras([d.id for d in batch])
            all_extras.update(extras)
            for d in batch:
                out.append(
                    score_dossier(
                        d,
                        period,
                        versions.get(d.version_id),
                        calendars,
                        extras[d.id],
                        consultations.get(d.id, []),
                        handlers.get(d.id, set()),
                        basis,
                    )
                )
        if len(batch) < PAGE:
            return out, all_extras
        last = batch[-1]
        assert last.received_at is not None
        after = (last.received_at, last.id)


def _unit_facts(
    dossiers: list[tt01.DossierScore], extras: dict[int, _Extra], day: date
) -> dict[int, tt01.UnitFacts]:
    unit_ids = {d.unit_id for d in dossiers}
    receiving_ids = {e.receiving_unit_id for e in extras.values()}
    units = {
        row[0]: row
        for row in OrgUnit.objects.filter(pk__in=unit_ids | receiving_ids).values_list(
            "pk", "code", "name", "kind", "is_one_stop", "path"
        )
    }
    # the unit's TTHC list: procedures in force it implements (one query for every unit)
    assigned: dict[int, dict[int, str]] = defaultdict(dict)
    for unit_id, procedure_id, level in (
        ProcedureVersion.objects.in_force(day)
        .filter(implementing_units__in=unit_ids)
        .order_by("-effective_from")
        .values_list("implementing_units", "procedure_id", "online_level")
    ):
        assigned[unit_id].setdefault(procedure_id, level)
    by_unit: dict[int, list[tt01.DossierScore]] = defaultdict(list)
    for d in dossiers:
        by_unit[d.unit_id].append(d)
    facts = {}
    for unit_id, rows in by_unit.items():
        pk, code, name, kind, _one_stop, _path = units[unit_id]
        procedures: dict[int, bool] = {}
        through = True
        for d in rows:
            extra = extras[d.id]
            own = extra.receiving_unit_id == unit_id
            procedures[extra.procedure_id] = procedures.get(extra.procedure_id, True) and own
            through = through and bool(units[extra.receiving_unit_id][4])
        listed = assigned.get(unit_id, {})
        facts[unit_id] = tt01.UnitFacts(
            unit_id=pk,
            code=code,
            name=name,
            kind=kind,
            procedures=len(procedures),
            procedures_in_one_stop=sum(procedures.values()),
            all_through_one_stop=through,
            versions_in_force=len(listed),
            versions_online=sum(1 for level in listed.values() if level in ("full", "partial")),
        )
    return facts


def compute(period_from: date, period_to: date, unit: OrgUnit | str | None = None) -> tt01.TT01Result:
    """Per-unit and per-officer TT 01/2018 scorecards for the period and scope (the competent unit's
    subtree; None: the province)."""
    period = period_of(period_from, period_to)
    if isinstance(unit, str):
        unit = selectors.find_unit(unit)
    scope = selectors.scope_filter(unit, None)
    bands = bands_on(period.end)
    with transaction.atomic():
        dossiers, extras = _scores(scope, period)
        facts = _unit_facts(dossiers, extras, period.end)
    by_unit: dict[int, list[tt01.DossierScore]] = defaultdict(list)
    by_officer: dict[int, list[tt01.DossierScore]] = defaultdict(list)
    for d in dossiers:
        by_unit[d.unit_id].append(d)
        for officer in d.handlers:
            by_officer[officer].append(d)
    units = sorted(
        (tt01.unit_card(facts[u], rows, bands) for u, rows in by_unit.items()), key=lambda c: (c.name, c.code)
    )
    people = {
        pk: (username, full_name)
        for pk, username, full_name in User.objects.filter(pk__in=list(by_officer)).values_list(
            "pk", "username", "full_name"
        )
    }
    officers = sorted(
        (
            tt01.officer_card(pk, people[pk][0], people[pk][1] or people[pk][0], rows, bands)
            for pk, rows in by_officer.items()
            if pk in people
        ),
        key=lambda c: (c.name, c.code),
    )
    return tt01.TT01Result(
        period_label=period.label,
        period_from=period.start.isoformat(),
        period_to=period.end.isoformat(),
        scope_label=unit.name if unit else "Toàn tỉnh",
        units=tuple(units),
        officers=tuple(officers),
        notes=(
            "Hồ sơ được chấm: đã xử lý xong hoặc đã trả kết quả trong kỳ.",
            tt01.ASSUMED_NO_COMPLAINTS,
            tt01.MISSING_COMPLAINTS,
        ),
    )
