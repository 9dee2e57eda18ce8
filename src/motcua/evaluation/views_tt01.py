"""Staff page of the TT 01/2018 scores (/can-bo/tt01/): per unit and per officer, for a quarter or a
year, in a unit the person works in (and its sub-units). Export: kinds ``evaluation.tt01_units`` and
``evaluation.tt01_officers``. Bad input is a Vietnamese 4xx, never a server error.
"""

from __future__ import annotations

import re
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.core.errors import DomainError
from motcua.core.params import legacy_names
from motcua.evaluation import tt01, tt01_selectors
from motcua.evaluation.formulas import Period
from motcua.evaluation.selectors import UnitNotFound
from motcua.evaluation.views_late import _error, _user, choose_unit, user_units

_PERIOD = re.compile(r"(\d{4})(?:-Q([1-4]))?")


class PeriodInputError(DomainError):
    status = 400
    code = "tt01_period_invalid"


def parse_period(text: str, today: date) -> Period:
    """``YYYY-Qn`` (a quarter) or ``YYYY`` (a year); the current one ends today."""
    match = _PERIOD.fullmatch((text or "").strip())
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise PeriodInputError(
            _("Kỳ “%(text)s” không hợp lệ; chọn quý dạng YYYY-Qn (ví dụ 2026-Q1) hoặc năm YYYY.")
            % {"text": (text or "")[:20]}
        )
    year = int(match.group(1))
    period = Period.quarter(year, int(match.group(2))) if match.group(2) else Period.year(year)
    if period.start > today:
        raise PeriodInputError(_("Kỳ này chưa bắt đầu."))
    return Period(period.start, min(period.end, today))


def last_quarter(today: date) -> str:
    quarter = (today.month - 1) // 3  # the previous quarter (0 = the last one of last year)
    return f"{today.year}-Q{quarter}" if quarter else f"{today.year - 1}-Q4"


def period_choices(today: date) -> list[tuple[str, str]]:
    out = []
    for year in range(today.year, today.year - 3, -1):
        for q in range(4, 0, -1):
            if date(year, 3 * q - 2, 1) <= today:
                out.append((f"{year}-Q{q}", _("Quý %(q)s/%(year)s") % {"q": q, "year": year}))
        out.append((str(year), _("Năm %(year)s") % {"year": year}))
    return out


@legacy_names(ky="period", **{"don-vi": "unit"})
@login_required
@require_GET
def tt01_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units = user_units(user)
    if not units:
        return _error(request, DomainError(_("Bạn chưa được phân quyền ở đơn vị nào."), status=403))
    today = timezone.localdate()
    key = request.GET.get("period") or last_quarter(today)
    try:
        period = parse_period(key, today)
        unit = choose_unit(units, request.GET.get("unit"))
        result = tt01_selectors.compute(period.start, period.end, unit=unit)
    except UnitNotFound as exc:
        return _error(request, DomainError(exc.message, status=404))
    except DomainError as exc:
        return _error(request, exc)
    context = {
        "result": result,
        "period": period,
        "key": key,
        "periods": period_choices(today),
        "unit": unit,
        "units": units,
        "codes": ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
        "officer_codes": ["1", "2", "3", "4", "7"],
        "indicators": list(tt01.INDICATORS.items()),
    }
    return render(request, "evaluation/tt01/page.html", context)
