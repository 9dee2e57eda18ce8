"""Writes of the KPI set: ``refresh`` (computed values) and ``enter_value`` (manual entry)."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from motcua.core.audit import record
from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, User
from motcua.core.permissions import PermissionDenied
from motcua.dashboard.access import access_for
from motcua.dashboard.models import Indicator, IndicatorValue, ValueEntry
from motcua.dashboard.sources import SOURCES

MONTHS = 13


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def last_months(today: date, count: int) -> list[date]:
    """The first days of the ``count`` months ending with ``today``'s, oldest first."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _store(indicator: Indicator, month: date, unit: OrgUnit | None, value: Decimal | None) -> None:
    IndicatorValue.objects.update_or_create(
        indicator=indicator,
        month=month,
        unit=unit,
        defaults={"value": value, "computed_at": timezone.now(), "note": indicator.get_source_display()},
    )


def refresh(indicator: Indicator, month: date, *, units: bool = True) -> int:
    """Compute the month's value of the province (and of each unit of the source) and store it;
    idempotent. Manual indicators are left alone. Returns the number of values stored. The values
    that changed are audited, one entry per indicator and month (none when nothing changed)."""
    if indicator.source == Indicator.Source.MANUAL:
        return 0
    source = SOURCES[indicator.source]
    month = month.replace(day=1)
    end = month_end(month)
    stored = 0
    with transaction.atomic():
        before = {
            v.unit_id: _cents(v.value)
            for v in IndicatorValue.objects.filter(indicator=indicator, month=month)
        }
        changes: list[list[object]] = []

        def store(unit: OrgUnit | None, value: Decimal | None) -> None:
            key = unit.pk if unit else None
            if key not in before or before[key] != _cents(value):
                changes.append([key, before.get(key), _cents(value)])
            _store(indicator, month, unit, value)

        store(None, source.compute(indicator, month, end, None))
        stored += 1
        if units:
            for unit in source.units(indicator, end):
                value = source.compute(indicator, month, end, unit)
                if value is None and unit.pk not in before:
                    continue
                store(unit, value)
                stored += 1
        if changes:
            record(
                "dashboard.refresh",
                object_type="dashboard.indicator",
                object_id=indicator.pk,
                summary=f"{indicator.code} tháng {month:%m/%Y}: {len(changes)} giá trị thay đổi"[:255],
                data={"month": month.isoformat(), "changes": changes},
            )
    return stored


def refresh_recent(today: date | None = None, months: int = MONTHS, *, units: bool = True) -> int:
    """The periodic job: every active indicator over the last ``months`` months."""
    today = today or timezone.localdate()
    stored = 0
    for indicator in Indicator.objects.filter(active=True):
        for month in last_months(today, months):
            stored += refresh(indicator, month, units=units)
    return stored


def enter_value(
    by: User, indicator: Indicator, month: date, unit: OrgUnit | None, value: Decimal, note: str = ""
) -> IndicatorValue:
    """Manual entry by the office (a supervisor or administrator at the province or its office)."""
    if not access_for(by).is_office:
        raise PermissionDenied("Chỉ Văn phòng UBND (giám sát, quản trị cấp tỉnh) được nhập giá trị chỉ số.")
    if indicator.source != Indicator.Source.MANUAL:
        raise DomainError(
            "Chỉ số này được tính tự động từ nguồn số liệu, không nhập thủ công.", code="not_manual"
        )
    if month.replace(day=1) > timezone.localdate():
        raise DomainError("Không nhập giá trị cho tháng chưa đến.", code="future_month")
    month = month.replace(day=1)
    moment = timezone.now()
    with transaction.atomic():
        current = (
            IndicatorValue.objects.select_for_update()
            .filter(indicator=indicator, month=month, unit=unit)
            .first()
        )
        previous = current.value if current else None
        row, _ = IndicatorValue.objects.update_or_create(
            indicator=indicator,
            month=month,
            unit=unit,
            defaults={"value": value, "note": note, "computed_at": moment, "entered_by": by},
        )
        # The history keeps every entry: a new value never silently replaces the one before it.
        entry = ValueEntry.objects.create(
            indicator=indicator,
            month=month,
            unit=unit,
            value=value,
            previous=previous,
            note=note,
            entered_at=moment,
            entered_by=by,
        )
        record(
            "dashboard.enter_value",
            object_type="dashboard.indicator",
            object_id=indicator.pk,
            summary=(
                f"{indicator.code} tháng {month:%m/%Y}"
                + (f" ({unit.name})" if unit else "")
                + f": {_cents(previous) if previous is not None else '—'} → {_cents(value)}"
            )[:255],
            data={
                "entry": entry.pk,
                "month": month.isoformat(),
                "unit": unit.pk if unit else None,
                "value": _cents(value),
                "previous": _cents(previous),
                "note": note,
            },
        )
    return row
