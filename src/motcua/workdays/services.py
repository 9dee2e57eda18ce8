"""The calendar a unit works by on a given day, built from the statutory holidays and our tables.

Whose calendar: the competent unit's — the province-wide overrides plus those of the unit and of the
units above it (the nearest wins on the same day); office hours from the nearest unit that has
them, else the province default, else the rule ``workdays.office_hours``; the cut-off from the rule
``workdays.cutoff`` in force on that day. Every deadline in motcua goes through ``calendar_for``.
"""

from __future__ import annotations

from datetime import date, time

from django.db import DatabaseError
from django.utils import timezone

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


def overrides_for(unit: OrgUnit | None = None) -> CalendarOverrides:
    chain = _unit_chain(unit)
    rank = {u.pk: i for i, u in enumerate(chain)}
    rows = CalendarOverride.objects.filter(unit__isnull=True) | CalendarOverride.objects.filter(
        unit__in=[u.pk for u in chain]
    )
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


def office_hours_for(unit: OrgUnit | None, on: date) -> OfficeHours | None:
    for candidate in [*_unit_chain(unit), None]:
        row = (
            OfficeHours.objects.filter(unit=candidate, effective_from__lte=on)
            .order_by("-effective_from")
            .first()
        )
        if row is not None:
            return row
    return None


def calendar_for(unit: OrgUnit | None = None, on: date | None = None) -> Calendar:
    day = on or timezone.localdate()
    hours = office_hours_for(unit, day)
    windows = hours.windows if hours else rule_value("workdays.office_hours", day)
    return Calendar.statutory(
        overrides=overrides_for(unit),
        office_hours=_windows(windows),
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
