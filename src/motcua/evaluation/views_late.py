"""Staff page of the monthly late lists (/can-bo/tre-han/): the month's late dossiers of a unit the
person works in, each flagged when it has no apology letter; the unit head, the office or an
administrator publishes a finished month for the portal. Export to Excel/CSV through ``motcua.exports``
(kind ``evaluation.late_list``).

Scope: the units where the person holds any role (``core.permissions.role_units``); another unit's list
is refused (403). Bad input (a month that is not YYYY-MM, a future month, an unknown unit) is a
Vietnamese message with a 4xx status, never a server error.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, User
from motcua.core.params import legacy_names
from motcua.core.permissions import unit_ids
from motcua.evaluation import latelist
from motcua.evaluation.selectors import UnitNotFound, find_unit


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def user_units(user: User) -> list[OrgUnit]:
    """The units where the person holds a role (subtrees expanded), by path: one query each."""
    ids = unit_ids(user)
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("path")) if ids else []


def choose_unit(units: list[OrgUnit], code: str | None) -> OrgUnit:
    """The unit asked for (it must be one of ``units``), else the highest of them."""
    code = (code or "").strip()
    if not code:
        return min(units, key=lambda u: (u.path.count("/"), u.path))
    for unit in units:
        if code in (unit.code, unit.eid_code):
            return unit
    find_unit(code)  # raises UnitNotFound (404) for an unknown code
    raise DomainError(
        _("Bạn không có quyền xem danh sách của đơn vị này."), code="late_list_forbidden", status=403
    )


def month_choices(today: date, count: int = 24) -> list[date]:
    first = today.replace(day=1)
    months = [first]
    while len(months) < count:
        months.append(latelist.previous_month(months[-1]))
    return months


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "staff/forbidden.html", {"message": exc.message}, status=exc.status)


@legacy_names(thang="month", **{"don-vi": "unit"})
@login_required
@require_GET
def late_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units = user_units(user)
    if not units:
        return _error(request, DomainError(_("Bạn chưa được phân quyền ở đơn vị nào."), status=403))
    today = timezone.localdate()
    try:
        month = (
            latelist.parse_month(request.GET["month"])
            if request.GET.get("month")
            else latelist.previous_month(today)
        )
        unit = choose_unit(units, request.GET.get("unit"))
        result = latelist.late_list(month, unit, today=today)
    except UnitNotFound as exc:
        return _error(request, DomainError(exc.message, status=404))
    except DomainError as exc:
        return _error(request, exc)
    publication = latelist.latest_publication(unit, month)
    context = {
        "result": result,
        "unit": unit,
        "units": units,
        "month": month,
        "months": month_choices(today),
        "publication": publication,
        "can_publish": latelist.can_publish(user, unit),
        "month_ended": result.complete,
        "portal_url": reverse("portal:late")
        + "?"
        + urlencode({"month": f"{month:%Y-%m}", "unit": unit.code}),
    }
    return render(request, "evaluation/late/page.html", context)


@login_required
@require_POST
def publish_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units = user_units(user)
    try:
        if not units:
            raise DomainError(_("Bạn chưa được phân quyền ở đơn vị nào."), status=403)
        month = latelist.parse_month(request.POST.get("month"))
        unit = choose_unit(units, request.POST.get("unit"))
        publication = latelist.publish(user, month, unit)
    except UnitNotFound as exc:
        return _error(request, DomainError(exc.message, status=404))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(
        request,
        _("Đã công bố danh sách %(count)s hồ sơ trễ hạn tháng %(month)s (lần %(revision)s).")
        % {"count": publication.count, "month": f"{month:%m/%Y}", "revision": publication.revision},
    )
    query = urlencode({"month": f"{month:%Y-%m}", "unit": unit.code})
    return redirect(reverse("late:page") + "?" + query)


def _day(text: str | None) -> date | None:
    """``YYYY-MM-DD`` (the date input) or ``dd/mm/yyyy``; None when empty; a 400 otherwise."""
    raw = (text or "").strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw[:10], fmt).date()
        except ValueError:
            continue
    raise latelist.LateListInputError(_("Ngày gửi thư xin lỗi không hợp lệ; hãy nhập dạng ngày/tháng/năm."))


@login_required
@require_POST
def note_view(request: HttpRequest) -> HttpResponse:
    """Record the unit's reason in plain words and the day an apology letter was sent (late dossier)."""
    user = _user(request)
    code = (request.POST.get("code") or "").strip()
    try:
        month = latelist.parse_month(request.POST.get("month"))
        latelist.record_note(
            user,
            code,
            reason=request.POST.get("reason", ""),
            apology_sent_on=_day(request.POST.get("apology_sent_on")),
        )
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Đã ghi nhận lý do trễ hạn của hồ sơ %(code)s.") % {"code": code})
    query = urlencode({"month": f"{month:%Y-%m}", "unit": (request.POST.get("unit") or "")[:60]})
    return redirect(reverse("late:page") + "?" + query + f"#hs-{code}")
