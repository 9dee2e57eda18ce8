"""Public page of the service-quality index (QĐ 766) on the citizen portal: /danh-gia-chat-luong/.

Like the national portal's "Đánh giá chất lượng phục vụ" page: the province's total and six groups for a
month, a quarter or a year, and the units ranked — figures only, never a dossier code or a name. The
figures come from the dashboard's cache (``evaluation.cache``), computed once per state of the data.
Only the last five years can be asked for, so a visitor cannot make the server compute at will.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motcua.core import refcache
from motcua.core.params import legacy_names
from motcua.evaluation import charts
from motcua.evaluation.cache import Board, clamp
from motcua.evaluation.formulas import Period
from motcua.feedback import selectors as ratings

YEARS = 5
KINDS = [("thang", gettext_lazy("Tháng")), ("quy", gettext_lazy("Quý")), ("nam", gettext_lazy("Năm"))]


def last_complete(today: date) -> tuple[date, date]:
    """The last day of the last complete month and of the last complete quarter before ``today``."""
    month_end = today.replace(day=1) - timedelta(days=1)
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return month_end, quarter_start - timedelta(days=1)


class QualityForm(forms.Form):
    """``?period=thang&year=2026&month=3`` (``quy`` with ``quarter``, ``nam`` with ``year`` only).

    ``cleaned_data`` adds ``span`` (the period, cut at today) and ``whole`` (the period as chosen)."""

    period = forms.ChoiceField(choices=KINDS, required=False)
    year = forms.IntegerField(required=False)
    month = forms.IntegerField(required=False, min_value=1, max_value=12)
    quarter = forms.IntegerField(required=False, min_value=1, max_value=4)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            raise forms.ValidationError(_("Kỳ đánh giá không hợp lệ; hãy chọn lại tháng, quý hoặc năm."))
        today = self.today
        kind = data.get("period") or "thang"
        month_end, quarter_end = last_complete(today)
        # Without a choice the page opens on the last complete month (quarter, year), not on the
        # current one whose figures are still nearly empty.
        default_year = {"thang": month_end.year, "quy": quarter_end.year, "nam": today.year - 1}[kind]
        year = data.get("year") or default_year
        if not today.year - YEARS < year <= today.year:
            raise forms.ValidationError(
                _("Chỉ xem được số liệu từ năm %(first)s đến năm %(last)s.")
                % {"first": today.year - YEARS + 1, "last": today.year}
            )
        month = data.get("month") or (month_end.month if year == month_end.year else 12)
        quarter = data.get("quarter") or ((quarter_end.month - 1) // 3 + 1 if year == quarter_end.year else 4)
        if year == today.year and not data.get("month") and month_end.year < year:
            month = today.month  # January: the year has no complete month yet
        if year == today.year and not data.get("quarter") and quarter_end.year < year:
            quarter = 1
        period = (
            Period.year(year)
            if kind == "nam"
            else Period.quarter(year, quarter)
            if kind == "quy"
            else Period.month(year, month)
        )
        if period.start > today:
            raise forms.ValidationError(_("Kỳ đánh giá này chưa bắt đầu."))
        data.update(
            period=kind, year=year, month=month, quarter=quarter, span=clamp(period, today), whole=period
        )
        return data


@legacy_names(ky="period", nam="year", thang="month", quy="quarter")
@require_GET
def quality(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = QualityForm(request.GET, today=today)
    context: dict[str, Any] = {
        "kinds": KINDS,
        "years": list(range(today.year, today.year - YEARS, -1)),
        "months": list(range(1, 13)),
        "quarters": [(1, "I"), (2, "II"), (3, "III"), (4, "IV")],
    }
    if not form.is_valid():
        month_end, _quarter_end = last_complete(today)
        context.update(
            errors=form.non_field_errors(),
            kind="thang",
            values={"year": month_end.year, "month": month_end.month},
        )
        return render(request, "portal/quality.html", context, status=400)
    data = form.cleaned_data
    period: Period = data["span"]
    board = Board()
    with refcache.pinned():  # the reference-data token is read once for both keys
        board.load_stamps([period], None)
        ranking = board.ranking(period, None)
        snap = board.snapshot(period, None)
    result = snap.result
    whole: Period = data["whole"]
    label = whole.label
    if period != whole:
        label = _("%(label)s (đến hết ngày %(day)s)") % {
            "label": label,
            "day": period.end.strftime("%d/%m/%Y"),
        }
    context.update(
        {
            "kind": data["period"],
            "values": data,
            "label": label,
            "snap": snap,
            "result": result,
            "gauge": charts.gauge(result.points, result.max),
            "groups": [
                {"g": g, "pct": charts.pct(g.points, g.max), "css": charts.level(g.points, g.max)}
                for g in result.groups
            ],
            "ranking": [
                {"r": r, "pct": charts.pct(r.points), "css": charts.level(r.points)} for r in ranking.rows
            ],
            "ratings": ratings.summary(period.start_at, period.end_exclusive)[:11],
        }
    )
    return render(request, "portal/quality.html", context)
