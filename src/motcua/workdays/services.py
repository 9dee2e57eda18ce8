"""The calendar a unit works by on a given day, built from the statutory holidays and our tables.

Whose calendar: the competent unit's — the province-wide overrides plus those of the unit and of the
units above it (the nearest wins on the same day); office hours from the nearest unit that has
them, else the province default, else the rule ``workdays.office_hours``; the cut-off from the rule
``workdays.cutoff`` in force on that day. Every deadline in motcua goes through ``calendar_for``.

The tables are read once per generation of the reference data (``core.refcache``): a process keeps
the overrides and office hours of each unit and the calendars built from them until an override,
office hours, a rule version or a unit is saved or deleted anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone

from motcua.core import refcache
from motcua.core.models import OrgUnit
from motcua.core.rules import rule_value
from motcua.workdays.domain import Calendar, CalendarOverrides
from motcua.workdays.models import CalendarOverride, OfficeHours


def _time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def _windows(raw: list[list[str]]) -> tuple[tuple[time, time], ...]:
    return tuple((_time(a), _time(b)) for a, b in raw)


def _unit_chain(unit: OrgUnit | None) -> list[OrgUnit]:
    """The unit and its ancestors, nearest first."""
    if unit is None:
        return []
    return [unit, *reversed(unit.ancestors())]


def _unit_key(unit: OrgUnit | None) -> tuple[int | None, str]:
    return (None, "") if unit is None else (unit.pk, unit.path)


def _load_overrides(chain: Sequence[OrgUnit]) -> CalendarOverrides:
    rank = {u.pk: i for i, u in enumerate(chain)}
    rows = CalendarOverride.objects.filter(Q(unit__isnull=True) | Q(unit__in=[u.pk for u in chain]))
    chosen: dict[date, CalendarOverride] = {}
    for row in rows:
        current = chosen.get(row.date)
        row_rank = rank.get(row.unit_id, len(chain)) if row.unit_id else len(chain) + 1
        if current is None:
            chosen[row.date] = row
            continue
        current_rank = rank.get(current.unit_id, len(chain)) if current.unit_id else len(chain) + 1
        if row_rank < current_rank:
            chosen[row.date] = row
    days_off: dict[date, str] = {}
    working: dict[date, str] = {}
    cancelled: dict[date, str] = {}
    for day, row in chosen.items():
        target = {
            CalendarOverride.Kind.DAY_OFF: days_off,
            CalendarOverride.Kind.WORKING_DAY: working,
            CalendarOverride.Kind.CANCEL_DAY_OFF: cancelled,
        }[CalendarOverride.Kind(row.kind)]
        target[day] = row.name
    return CalendarOverrides(days_off=days_off, working_days=working, cancelled_days_off=cancelled)


def overrides_for(unit: OrgUnit | None = None) -> CalendarOverrides:
    return _load_overrides(_unit_chain(unit))


def _load_office_hours(chain: Sequence[OrgUnit]) -> tuple[tuple[OfficeHours, ...], ...]:
    """The office hours rows of each unit of the chain, then the province default; latest first."""
    rows = list(
        OfficeHours.objects.filter(Q(unit__isnull=True) | Q(unit__in=[u.pk for u in chain])).order_by(
            "-effective_from"
        )
    )
    return tuple(
        tuple(r for r in rows if r.unit_id == (candidate.pk if candidate else None))
        for candidate in [*chain, None]
    )


def _pick_office_hours(levels: tuple[tuple[OfficeHours, ...], ...], on: date) -> OfficeHours | None:
    for rows in levels:
        for row in rows:
            if row.effective_from <= on:
                return row
    return None


def office_hours_for(unit: OrgUnit | None, on: date) -> OfficeHours | None:
    return _pick_office_hours(_load_office_hours(_unit_chain(unit)), on)


def _unit_tables(unit: OrgUnit | None) -> tuple[CalendarOverrides, tuple[tuple[OfficeHours, ...], ...]]:
    """The overrides and office hours that apply to ``unit`` (cached per unit)."""

    def load() -> tuple[CalendarOverrides, tuple[tuple[OfficeHours, ...], ...]]:
        chain = _unit_chain(unit)
        return _load_overrides(chain), _load_office_hours(chain)

    return refcache.lookup(("workdays.unit_tables", *_unit_key(unit)), load)


def _build(unit: OrgUnit | None, day: date) -> Calendar:
    overrides, hours_levels = _unit_tables(unit)
    hours = _pick_office_hours(hours_levels, day)
    windows = _windows(hours.windows if hours else rule_value("workdays.office_hours", day))
    cutoff = _time(rule_value("workdays.cutoff", day))
    # One Calendar object per unit and settings, shared by the days that have the same settings, so
    # that its years of holidays are computed once.
    return refcache.lookup(
        ("workdays.calendar_object", *_unit_key(unit), windows, cutoff),
        lambda: Calendar.statutory(overrides=overrides, office_hours=windows, cutoff=cutoff),
    )


def calendar_for(unit: OrgUnit | None = None, on: date | None = None) -> Calendar:
    day = on or timezone.localdate()
    if unit is not None and unit.pk is None:
        return _build_uncached(unit, day)
    with refcache.pinned():  # one token read for the calendar and the tables and rules under it
        return refcache.lookup(("workdays.calendar", *_unit_key(unit), day), lambda: _build(unit, day))


def _build_uncached(unit: OrgUnit, day: date) -> Calendar:
    chain = _unit_chain(unit)
    hours = _pick_office_hours(_load_office_hours(chain), day)
    return Calendar.statutory(
        overrides=_load_overrides(chain),
        office_hours=_windows(hours.windows if hours else rule_value("workdays.office_hours", day)),
        cutoff=_time(rule_value("workdays.cutoff", day)),
    )


def default_calendar(on: date | None = None) -> tuple[Calendar, bool]:
    """The province calendar, or the statutory one when the database is not migrated yet.

    Returns the calendar and whether the database was used.
    """
    try:
        return calendar_for(None, on), True
    except DatabaseError:
        return Calendar.statutory(), False
