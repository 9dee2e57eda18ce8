"""Leadership dashboard of the QĐ 766 index (/can-bo/danh-gia/) and the page of each indicator.

Every figure comes from ``evaluation.cache`` (the index computed once per state of the data), never from
a computation per view. A user sees the units of their roles (``core.permissions.scope``): a ward
officer their ward, a province leader or supervisor the whole province. A unit outside the scope is
"not found" (404), a user without any role is refused (403); a bad period is a 400 with the field's
Vietnamese message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motcua.core import permissions, refcache
from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, User
from motcua.core.params import legacy_names
from motcua.evaluation import charts, tasks
from motcua.evaluation.cache import RANKED_KINDS, Board, RankRow, Snapshot, all_units, clamp, last_months
from motcua.evaluation.formulas import INFO, Index766Result, IndicatorResult, Period
from motcua.evaluation.index766 import drill_down

PROVINCE = "tinh"  # the ``unit`` value of the whole province
PAGE_SIZE = 50
MAX_DAYS = 2 * 366  # a custom period of at most two years
FIRST_YEAR = 2015
# The key rates of the first screen (domain.md §3): on time, online share, digitised, paid online,
# satisfaction (missing until ratings exist).
KEY_RATES = ("2.1", "3.3", "4.2", "3.6", "5.4")

PERIOD_KINDS = [
    ("thang", gettext_lazy("Tháng")),
    ("quy", gettext_lazy("Quý")),
    ("6-thang", gettext_lazy("6 tháng đầu năm")),
    ("9-thang", gettext_lazy("9 tháng")),
    ("nam", gettext_lazy("Năm")),
    ("tuy-chon", gettext_lazy("Tùy chọn (từ ngày đến ngày)")),
]


# -- scope -------------------------------------------------------------------------------------------


class NoRole(DomainError):
    status = 403
    code = "no_role"


class UnitOutOfScope(DomainError):
    status = 404
    code = "unit_out_of_scope"


@dataclass
class Access:
    """What one user may look at: the whole province or some units (and the choices of the filter)."""

    scope: permissions.Scope
    units: list[OrgUnit]
    province: bool
    choices: list[OrgUnit]
    default: OrgUnit | None

    def resolve(self, code: str) -> OrgUnit | None:
        """The unit of a ``unit`` value ("" → the user's top unit, "tinh" → the province)."""
        code = (code or "").strip()
        if not code:
            return self.default
        if code == PROVINCE:
            if self.province:
                return None
            raise UnitOutOfScope(_("Bạn chỉ xem được số liệu các đơn vị trong phạm vi mình phụ trách."))
        for unit in self.units:
            if unit.code == code or unit.eid_code == code:
                if self.scope.covers(unit):
                    return unit
                break
        raise UnitOutOfScope(_("Không có đơn vị mã “%(code)s” trong phạm vi của bạn.") % {"code": code[:40]})

    def code(self, unit: OrgUnit | None) -> str:
        return PROVINCE if unit is None else unit.code


def access_for(user: User, today: date | None = None) -> Access:
    """The user's scope, whatever the role: the dashboard is read-only."""
    today = today or timezone.localdate()
    scope = permissions.scope(user)
    if scope.empty:
        raise NoRole(_("Trang này dành cho cán bộ được phân công tại một cơ quan, đơn vị."))
    units = all_units()
    active = [u for u in units if u.valid_from <= today and (u.valid_to is None or u.valid_to > today)]
    covered = [u for u in active if scope.covers(u)]
    roots = [u for u in active if u.parent_id is None]
    province = bool(roots) and all(scope.covers(u) for u in roots)
    covered_ids = {u.pk for u in covered}
    tops = [u for u in covered if u.parent_id not in covered_ids]
    choices = [u for u in covered if u in tops or u.kind in RANKED_KINDS]
    default = None if province else (min(tops, key=lambda u: (len(u.path), u.path)) if tops else None)
    if not province and default is None:
        # only ended units in scope: their own dossiers stay visible
        ended = sorted((u for u in units if scope.covers(u)), key=lambda u: (len(u.path), u.path))
        if not ended:
            raise NoRole(_("Trang này dành cho cán bộ được phân công tại một cơ quan, đơn vị."))
        default = ended[0]
        choices = ended
    return Access(scope, units, province, choices, default)


# -- the period filter --------------------------------------------------------------------------------


def _int_field(label: Any, low: int, high: int) -> forms.IntegerField:
    message = _("%(label)s phải là số từ %(low)s đến %(high)s.") % {"label": label, "low": low, "high": high}
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


class PeriodForm(forms.Form):
    """``?period=thang&year=2026&month=3`` … or ``?period=tuy-chon&start=01/03/2026&end=31/03/2026``.

    ``cleaned_data`` adds ``span`` (the period, cut at today) and ``whole`` (the period as chosen)."""

    period = forms.ChoiceField(label=gettext_lazy("Kỳ"), choices=PERIOD_KINDS, required=False)
    year = _int_field(gettext_lazy("Năm"), FIRST_YEAR, 2100)
    month = _int_field(gettext_lazy("Tháng"), 1, 12)
    quarter = _int_field(gettext_lazy("Quý"), 1, 4)
    start = forms.DateField(
        label=gettext_lazy("Từ ngày"),
        required=False,
        error_messages={"invalid": gettext_lazy("Ngày phải có dạng dd/mm/yyyy, ví dụ 01/03/2026.")},
    )
    end = forms.DateField(
        label=gettext_lazy("Đến ngày"),
        required=False,
        error_messages={"invalid": gettext_lazy("Ngày phải có dạng dd/mm/yyyy, ví dụ 31/03/2026.")},
    )
    unit = forms.CharField(label=gettext_lazy("Đơn vị"), required=False, max_length=60)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        today = self.today
        kind = data.get("period") or "thang"
        year = data.get("year") or today.year
        month = data.get("month") or today.month
        quarter = data.get("quarter") or (today.month - 1) // 3 + 1
        data.update(period=kind, year=year, month=month, quarter=quarter)
        if kind == "tuy-chon":
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                raise forms.ValidationError(
                    _("Kỳ tùy chọn cần cả ngày bắt đầu và ngày kết thúc (dd/mm/yyyy).")
                )
            if end < start:
                raise forms.ValidationError(
                    _("Ngày kết thúc (%(end)s) trước ngày bắt đầu (%(start)s).")
                    % {"end": end.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")}
                )
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(_("Kỳ tùy chọn dài tối đa 2 năm."))
            period = Period(start, end)
        elif kind == "quy":
            period = Period.quarter(year, quarter)
        elif kind == "6-thang":
            period = Period.first_months(year, 6)
        elif kind == "9-thang":
            period = Period.first_months(year, 9)
        elif kind == "nam":
            period = Period.year(year)
        else:
            period = Period.month(year, month)
        if period.start > today:
            raise forms.ValidationError(
                _("Kỳ đánh giá bắt đầu ngày %(start)s, chưa đến; hãy chọn một kỳ đã bắt đầu.")
                % {"start": period.start.strftime("%d/%m/%Y")}
            )
        data["span"] = clamp(period, today)
        data["whole"] = period
        return data


def _errors(form: forms.Form) -> list[str]:
    out = [str(e) for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name != "__all__":
            out += [f"{form.fields[name].label}: {e}" for e in errors]
    return out


# -- context -------------------------------------------------------------------------------------------


def _label(period: Period, whole: Period) -> str:
    if period == whole:
        return period.label
    return _("%(label)s (đến hết ngày %(day)s)") % {
        "label": whole.label,
        "day": period.end.strftime("%d/%m/%Y"),
    }


def _query(form: PeriodForm, unit_code: str | None, **extra: Any) -> str:
    data = form.cleaned_data
    params: dict[str, Any] = {"period": data["period"]}
    if data["period"] == "tuy-chon":
        params.update(start=data["start"].strftime("%d/%m/%Y"), end=data["end"].strftime("%d/%m/%Y"))
    elif data["period"] == "thang":
        params.update(year=data["year"], month=data["month"])
    elif data["period"] == "quy":
        params.update(year=data["year"], quarter=data["quarter"])
    else:
        params["year"] = data["year"]
    if unit_code is not None:
        params["unit"] = unit_code
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params)


def _rate_card(i: IndicatorResult) -> dict[str, Any]:
    return {
        "i": i,
        "pct": charts.pct(i.rate),
        "target_pct": charts.pct(i.target) if i.target is not None else None,
        "css": "none" if i.missing else charts.level(i.rate, i.target or 100),
    }


def _group_rows(result: Index766Result) -> list[dict[str, Any]]:
    return [
        {"g": g, "pct": charts.pct(g.points, g.max), "css": charts.level(g.points, g.max)}
        for g in result.groups
    ]


def _rank_rows(
    rows: tuple[RankRow, ...], by_points: tuple[RankRow, ...], by_rate: tuple[RankRow, ...]
) -> list[dict[str, Any]]:
    points_rank = {r.unit_id: n for n, r in enumerate(by_points, 1)}
    rate_rank = {r.unit_id: n for n, r in enumerate(by_rate, 1)}
    return [
        {
            "r": r,
            "points_rank": points_rank[r.unit_id],
            "rate_rank": rate_rank[r.unit_id] if r.on_time_rate is not None else None,
            "points_pct": charts.pct(r.points),
            "rate_pct": charts.pct(r.on_time_rate),
            "css": charts.level(r.points),
            "rate_css": charts.level(r.on_time_rate),
        }
        for r in rows
    ]


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "staff/forbidden.html", {"message": message}, status=403)


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "evaluation/dashboard/not_found.html", {"message": message}, status=404)


def _setup(request: HttpRequest) -> tuple[Access, PeriodForm, date] | HttpResponse:
    today = timezone.localdate()
    try:
        access = access_for(request.user, today)  # type: ignore[arg-type]
    except NoRole as exc:
        return _forbidden(request, exc.message)
    form = PeriodForm(request.GET, today=today)
    return access, form, today


def _filter_context(access: Access, form: PeriodForm, unit: OrgUnit | None, today: date) -> dict[str, Any]:
    data = form.cleaned_data if form.is_valid() else {}
    return {
        "form": form,
        "kinds": PERIOD_KINDS,
        "kind": data.get("period") or form.data.get("period") or "thang",
        "years": list(range(today.year, FIRST_YEAR - 1, -1)),
        "months": list(range(1, 13)),
        "quarters": [(1, "I"), (2, "II"), (3, "III"), (4, "IV")],
        "access": access,
        "unit": unit,
        "unit_code": access.code(unit),
        "values": {
            "year": data.get("year") or today.year,
            "month": data.get("month") or today.month,
            "quarter": data.get("quarter") or (today.month - 1) // 3 + 1,
            "start": data["start"].strftime("%d/%m/%Y") if data.get("start") else form.data.get("start", ""),
            "end": data["end"].strftime("%d/%m/%Y") if data.get("end") else form.data.get("end", ""),
        },
    }


def _resolve(request: HttpRequest, access: Access, form: PeriodForm) -> OrgUnit | HttpResponse | None:
    try:
        return access.resolve(form.data.get("unit", ""))
    except UnitOutOfScope as exc:
        return _not_found(request, exc.message)


# The names of the first release, kept working for bookmarks (``core.params``).
PERIOD_LEGACY = {
    "ky": "period",
    "nam": "year",
    "thang": "month",
    "quy": "quarter",
    "tu": "start",
    "den": "end",
    "don_vi": "unit",
}


@legacy_names(**PERIOD_LEGACY, xep="sort")
@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    setup = _setup(request)
    if isinstance(setup, HttpResponse):
        return setup
    access, form, today = setup
    unit = _resolve(request, access, form)
    if isinstance(unit, HttpResponse):
        return unit
    context = _filter_context(access, form, unit, today)
    if not form.is_valid():
        context["errors"] = _errors(form)
        return render(request, "evaluation/dashboard/index.html", context, status=400)
    period: Period = form.cleaned_data["span"]
    board = Board(access.units)
    months = last_months(period.end, today)
    periods = [*months, period] if period not in months else months
    with refcache.pinned():  # the reference-data token is read once for every key of the page
        board.load_stamps(periods, unit)
        # the period asked is exact; the trend's other months and the ranking may show their last
        # computation while the background task brings them up to date (evaluation/cache.py)
        ranking = board.ranking(period, unit, may_lag=True)
        context_months = [p for p in months if p != period]
        snapshots = dict(zip(periods, board.snapshots(periods, unit, may_lag=context_months), strict=True))
    tasks.refresh_later(board)
    snap: Snapshot = snapshots[period]
    result = snap.result
    trend_rows = [(p, snapshots[p].result.points, snapshots[p].result.indicator("2.1")) for p in months]
    trend = charts.trend([(p, pts, i.rate) for p, pts, i in trend_rows], result.max)
    order = "dung-han" if request.GET.get("sort") == "dung-han" else "diem"
    by_rate = ranking.by_on_time
    shown = by_rate if order == "dung-han" else ranking.rows
    context.update(
        {
            "snap": snap,
            "lag_since": board.lag_since(),
            "result": result,
            "period": period,
            "period_label": _label(period, form.cleaned_data["whole"]),
            "gauge": charts.gauge(result.points, result.max),
            "groups": _group_rows(result),
            "rates": [_rate_card(result.indicator(code)) for code in KEY_RATES],
            "trend": trend,
            "trend_rows": trend_rows,
            "ranking": _rank_rows(shown, ranking.rows, by_rate),
            "order": order,
            "query": _query(form, access.code(unit)),
            "period_query": _query(form, None),
            "export_from": period.start.isoformat(),
            "export_to": period.end.isoformat(),
        }
    )
    return render(request, "evaluation/dashboard/index.html", context)


@legacy_names(**PERIOD_LEGACY, tat_ca="all", sau="page")
@login_required
@require_GET
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    setup = _setup(request)
    if isinstance(setup, HttpResponse):
        return setup
    access, form, today = setup
    if code not in INFO:
        return _not_found(request, _("Không có chỉ số mã “%(code)s”.") % {"code": code[:20]})
    unit = _resolve(request, access, form)
    if isinstance(unit, HttpResponse):
        return unit
    context = _filter_context(access, form, unit, today)
    context["code"] = code
    if not form.is_valid():
        context["errors"] = _errors(form)
        return render(request, "evaluation/dashboard/indicator.html", context, status=400)
    period: Period = form.cleaned_data["span"]
    snap = Board(access.units).snapshot(period, unit)
    try:
        found = snap.result.indicator(code)
    except KeyError:
        return _not_found(
            request, _("Chỉ số “%(code)s” không có trong bảng trọng số đang áp dụng.") % {"code": code}
        )
    include = "all" if request.GET.get("all") == "1" else "against"
    cursor = request.GET.get("page") or None
    try:
        page = drill_down(
            code, period.start, period.end, unit=unit, cursor=cursor, limit=PAGE_SIZE, include=include
        )
    except DomainError as exc:
        context["errors"] = [exc.message]
        return render(
            request,
            "evaluation/dashboard/indicator.html",
            context,
            status=exc.status if exc.status != 422 else 400,
        )
    query = _query(form, access.code(unit))
    top = max((r.count for r in found.reasons), default=0)
    context.update(
        {
            "snap": snap,
            "i": found,
            "card": _rate_card(found),
            "period": period,
            "period_label": _label(period, form.cleaned_data["whole"]),
            "reasons": [{"r": r, "pct": charts.pct(r.count, top)} for r in found.reasons],
            "page": page,
            "include": include,
            "query": query,
            "first_url": "?" + _query(form, access.code(unit), all="1" if include == "all" else None),
            "next_url": "?"
            + _query(
                form,
                access.code(unit),
                all="1" if include == "all" else None,
                page=page.next_cursor,
            )
            if page.next_cursor
            else "",
            "paged": bool(cursor),
            "export_from": period.start.isoformat(),
            "export_to": period.end.isoformat(),
        }
    )
    return render(request, "evaluation/dashboard/indicator.html", context)
