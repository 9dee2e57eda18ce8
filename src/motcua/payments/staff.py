"""Staff page of online payments (/can-bo/thanh-toan/): the day's payments of the user's units and the
reconciliation with the gateway, with the settling of what the gateway took but we never heard of. For
the province office (supervisors) and administrators; every settling is audited."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.core.models import Role, User
from motcua.core.permissions import unit_ids
from motcua.payments import reconcile
from motcua.payments.models import Payment
from motcua.workdays.domain import TZ

ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)


def _day(text: str | None) -> date | None:
    """The day asked for (today by default); ``None`` for one that is not a day of these years."""
    try:
        day = date.fromisoformat((text or "").strip()) if text else timezone.localdate()
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


@login_required
@require_http_methods(["GET", "POST"])
def payments_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ids = unit_ids(user, ROLES)
    if not ids:
        message = _("Trang này dành cho Văn phòng UBND và quản trị hệ thống.")
        return render(request, "staff/forbidden.html", {"message": message}, status=403)
    data = request.POST if request.method == "POST" else request.GET
    day = _day(data.get("ngay"))
    if day is None:
        message = _("Ngày không hợp lệ (dạng YYYY-MM-DD).")
        return render(request, "staff/forbidden.html", {"message": message}, status=400)
    report = None
    if request.method == "POST":
        report = reconcile.daily(day, fix=data.get("fix") == "1", unit_ids=ids)
    start, end = reconcile.day_bounds(day)
    payments = (
        Payment.objects.filter(created_at__gte=start, created_at__lt=end, dossier__competent_unit_id__in=ids)
        .select_related("dossier")
        .order_by("-created_at")[:500]
    )
    context = {"day": day, "payments": payments, "report": report, "tz": TZ}
    return render(request, "payments/staff.html", context)
