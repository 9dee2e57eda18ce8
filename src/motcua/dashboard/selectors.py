"""Reads of the KPI screens: a fixed number of queries whatever the number of indicators and values."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from motcua.core.errors import NotFound
from motcua.core.models import OrgUnit
from motcua.dashboard import charts
from motcua.dashboard.models import Indicator, IndicatorValue, ValueEntry
from motcua.dashboard.services import last_months

TREND = 12


def meets(indicator: Indicator, value: Decimal | None) -> bool | None:
    """Does the value meet the target (None: no target or no value)?"""
    if value is None or indicator.target is None:
        return None
    if indicator.direction == Indicator.Direction.LOWER:
        return value <= indicator.target
    return value >= indicator.target


def state(indicator: Indicator, value: Decimal | None) -> str:
    """A CSS class: met, missed or none."""
    met = meets(indicator, value)
    return "none" if met is None else "met" if met else "missed"


@dataclass
class Card:
    indicator: Indicator
    months: list[date]
    values: dict[date, Decimal | None] = field(default_factory=dict)

    @property
    def latest(self) -> tuple[date, Decimal] | None:
        for month in reversed(self.months):
            value = self.values.get(month)
            if value is not None:
                return month, value
        return None

    @property
    def latest_value(self) -> Decimal | None:
        found = self.latest
        return found[1] if found else None

    @property
    def latest_month(self) -> date | None:
        found = self.latest
        return found[0] if found else None

    @property
    def state(self) -> str:
        return state(self.indicator, self.latest_value)

    @property
    def chart(self) -> charts.Chart:
        return charts.columns(
            [(m, self.values.get(m), state(self.indicator, self.values.get(m))) for m in self.months],
            self.indicator.target,
        )

    @property
    def spark(self) -> charts.Chart:
        return charts.columns(
            [(m, self.values.get(m), state(self.indicator, self.values.get(m))) for m in self.months],
            self.indicator.target,
            small=True,
        )

    @property
    def rows(self) -> list[tuple[date, Decimal | None, str]]:
        return [
            (m, self.values.get(m), state(self.indicator, self.values.get(m))) for m in reversed(self.months)
        ]


def indicators(public_only: bool = False) -> QuerySet[Indicator]:
    qs = Indicator.objects.filter(active=True)
    return qs.filter(public=True) if public_only else qs


def cards(today: date, unit: OrgUnit | None, *, public_only: bool = False) -> list[Card]:
    """One card per indicator with the last 12 months of ``unit`` (None: the province): two queries."""
    months = last_months(today, TREND)
    found = list(indicators(public_only))
    by_id = {i.pk: Card(i, months) for i in found}
    values = IndicatorValue.objects.filter(
        indicator_id__in=list(by_id), month__gte=months[0], month__lte=months[-1]
    )
    values = values.filter(unit__isnull=True) if unit is None else values.filter(unit=unit)
    for indicator_id, month, value in values.values_list("indicator_id", "month", "value"):
        by_id[indicator_id].values[month] = value
    return [by_id[i.pk] for i in found]


def indicator(code: str) -> Indicator:
    found = Indicator.objects.filter(code=code, active=True).first()
    if found is None:
        raise NotFound("Không tìm thấy chỉ số điều hành.")
    return found


@dataclass
class UnitTable:
    months: list[date]
    rows: list[tuple[OrgUnit, list[tuple[Decimal | None, str]]]]


def by_unit(ind: Indicator, today: date, unit_ids: frozenset[int] | None, count: int = 6) -> UnitTable:
    """The values of each unit over the last ``count`` months (``unit_ids`` None: every unit)."""
    months = last_months(today, count)
    qs = IndicatorValue.objects.filter(
        indicator=ind, unit__isnull=False, month__gte=months[0]
    ).select_related("unit")
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    table: dict[int, dict[date, Decimal | None]] = defaultdict(dict)
    units: dict[int, OrgUnit] = {}
    for row in qs:
        assert row.unit is not None
        units[row.unit.pk] = row.unit
        table[row.unit.pk][row.month] = row.value
    rows = [
        (units[uid], [(table[uid].get(m), state(ind, table[uid].get(m))) for m in months])
        for uid in sorted(units, key=lambda u: units[u].path)
    ]
    return UnitTable(months, rows)


def entries(ind: Indicator, limit: int = 24) -> list[ValueEntry]:
    """The latest manual entries of an indicator, newest first, for the office (who alone may enter
    values and sees every unit): the history that keeps each replaced value."""
    return list(
        ValueEntry.objects.filter(indicator=ind)
        .select_related("unit", "entered_by")
        .order_by("-entered_at", "-id")[:limit]
    )
