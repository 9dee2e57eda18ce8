"""Staff page of the reconciliation with the national public service portal (``syncrate``): the sync
rate per unit for a month, the dossiers the portal does not hold in their latest state, and the
one-click resend. For the province office (supervisors) and administrators, within their units."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, Role, User
from motcua.core.permissions import unit_ids
from motcua.dossiers import services as dossier_services
from motcua.dossiers.forms.labels import NATIONAL_TEXT
from motcua.evaluation import latelist, syncrate
from motcua.evaluation.selectors import UnitNotFound
from motcua.evaluation.views_late import choose_unit, month_choices

ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)
VERDICT_TEXT = {
    "sync_pending": gettext_lazy("Đang chờ gửi"),
    "sync_failed": gettext_lazy("Gửi lỗi"),
    "not_synced": gettext_lazy("Chưa từng gửi"),
    "synced": gettext_lazy("Thay đổi mới nhất chưa được xác nhận"),
}


def _units(user: User) -> list[OrgUnit]:
    """The units where the person is a supervisor or administrator (subtrees expanded), by path."""
    ids = unit_ids(user, ROLES)
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("path")) if ids else []


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "staff/forbidden.html", {"message": exc.message}, status=exc.status)


def _chosen(request: HttpRequest, data: dict[str, str]) -> tuple[list[OrgUnit], OrgUnit, object]:
    user: User = request.user  # type: ignore[assignment]
    units = _units(user)
    if not units:
        raise DomainError(_("Trang này dành cho Văn phòng UBND và quản trị hệ thống."), status=403)
    today = timezone.localdate()
    month = latelist.parse_month(data["month"]) if data.get("month") else today.replace(day=1)
    unit = choose_unit(units, data.get("unit"))
    return units, unit, month


@login_required
@require_GET
def sync_page(request: HttpRequest) -> HttpResponse:
    try:
        units, unit, month = _chosen(request, request.GET)  # type: ignore[arg-type]
        result = syncrate.reconcile(month, unit)  # type: ignore[arg-type]
    except UnitNotFound as exc:
        return _error(request, DomainError(exc.message, status=404))
    except DomainError as exc:
        return _error(request, exc)
    differences = [
        {
            "code": d.code,
            "unit_name": d.unit_name,
            "local_text": NATIONAL_TEXT.get(d.local_status, ""),
            "acknowledged_text": NATIONAL_TEXT.get(d.acknowledged_status, "")
            if d.acknowledged_status
            else "",
            "verdict_text": VERDICT_TEXT.get(d.verdict, ""),
            "failing": d.failing and d.verdict != "sync_failed",
        }
        for d in result.differences
    ]
    context = {
        "result": result,
        "differences": differences,
        "unit": unit,
        "units": units,
        "month": month,
        "months": month_choices(timezone.localdate()),
    }
    return render(request, "evaluation/sync/page.html", context)


@login_required
@require_POST
def resend_view(request: HttpRequest) -> HttpResponse:
    try:
        _scope, unit, month = _chosen(request, request.POST)  # type: ignore[arg-type]
        codes = syncrate.difference_codes(month, unit)  # type: ignore[arg-type]
        resent = dossier_services.resend_to_portal(codes, by=request.user)  # type: ignore[arg-type]
    except UnitNotFound as exc:
        return _error(request, DomainError(exc.message, status=404))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(
        request,
        _(
            "Đã gửi lại %(count)s hồ sơ: %(replayed)s thông điệp lỗi đưa lại hàng đợi, "
            "%(hastened)s thông điệp gửi ngay, %(created)s hồ sơ chưa từng gửi được lập bản ghi mới."
        )
        % {
            "count": len(codes),
            "replayed": resent.replayed,
            "hastened": resent.hastened,
            "created": resent.created,
        },
    )
    query = urlencode({"month": f"{month:%Y-%m}", "unit": unit.code})  # type: ignore[str-format]
    return redirect(reverse("sync:page") + "?" + query)
