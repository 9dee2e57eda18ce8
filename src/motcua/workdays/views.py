"""Staff screens of the working calendar (/can-bo/lich/): the year's days off and make-up days, and a
due-date calculator."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.core.models import Role
from motcua.core.params import legacy_names
from motcua.core.permissions import has_role
from motcua.workdays.domain import TZ, CalendarError, compute_due
from motcua.workdays.forms import DueForm
from motcua.workdays.services import calendar_for

MONTHS = [
    _("Tháng 1"),
    _("Tháng 2"),
    _("Tháng 3"),
    _("Tháng 4"),
    _("Tháng 5"),
    _("Tháng 6"),
    _("Tháng 7"),
    _("Tháng 8"),
    _("Tháng 9"),
    _("Tháng 10"),
    _("Tháng 11"),
    _("Tháng 12"),
]
# Column heads of the month grids, Monday first (Thứ Hai … Chủ nhật).
WEEKDAYS = [
    pgettext_lazy("weekday, short", "T2"),
    pgettext_lazy("weekday, short", "T3"),
    pgettext_lazy("weekday, short", "T4"),
    pgettext_lazy("weekday, short", "T5"),
    pgettext_lazy("weekday, short", "T6"),
    pgettext_lazy("weekday, short", "T7"),
    pgettext_lazy("weekday, short", "CN"),
]


def _year_grid(
    year: int,
) -> tuple[list[dict[str, Any]], list[tuple[date, str]], list[tuple[date, str]]]:
    cal = calendar_for(None, date(year, 1, 1))
    days_off = dict(cal.days_off(year))
    extra = dict(cal.extra_working_days(year))
    months = []
    for month in range(1, 13):
        weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        cells: list[dict[str, Any]] = []
        for week in weeks:
            for day in week:
                if day.month != month:
                    cells.append({"blank": True})
                    continue
                kind = (
                    "off"
                    if day in days_off
                    else "extra"
                    if day in extra
                    else "wkend"
                    if day.weekday() >= 5
                    else ""
                )
                cells.append({"day": day, "kind": kind, "title": days_off.get(day) or extra.get(day) or ""})
        months.append({"name": MONTHS[month - 1], "cells": cells})
    return months, sorted(days_off.items()), sorted(extra.items())


@legacy_names(nam="year")
@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    status = 200
    if not 2000 <= year <= 2100:
        year, status = today.year, 400
    months, days_off, extra = _year_grid(year)
    form = DueForm(
        initial={
            "received": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None),
            "unit": "working_days",
        }
    )
    return render(
        request,
        "workdays/calendar.html",
        {
            "year": year,
            "months": months,
            "days_off": days_off,
            "extra": extra,
            "form": form,
            "weekdays": WEEKDAYS,
            "can_edit": has_role(request.user, [Role.ADMINISTRATOR]),  # type: ignore[arg-type]
            "bad_year": status == 400,
        },
        status=status,
    )


@login_required
def due_calculator(request: HttpRequest) -> HttpResponse:
    form = DueForm(request.POST or None)
    context: dict[str, object] = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        received = form.cleaned_data["received"].astimezone(TZ)
        office = form.cleaned_data["office"]
        try:
            deadline = compute_due(
                calendar_for(office, received.date()),
                received,
                form.cleaned_data["limit"],
                form.cleaned_data["unit"],
            )
            context["deadline"] = {
                "effective_received": deadline.effective_received.astimezone(TZ),
                "due": deadline.due.astimezone(TZ),
            }
        except CalendarError as exc:
            form.add_error("limit", str(exc))
            status = 400
    elif request.method == "POST":
        status = 400
    template = "workdays/_due_result.html" if request.htmx else "workdays/due.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)
