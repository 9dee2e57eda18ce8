"""Staff screens of the KPI set (/can-bo/chi-so-dieu-hanh/) and the public page (/chi-so-dieu-hanh/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError, NotFound
from motcua.core.models import OrgUnit, User
from motcua.core.params import legacy_names
from motcua.core.permissions import PermissionDenied
from motcua.dashboard import selectors, services
from motcua.dashboard.access import Access, access_for
from motcua.dashboard.forms import EntryForm
from motcua.dashboard.models import Indicator


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "staff/forbidden.html", {"message": message}, status=403)


def _scope(request: HttpRequest, access: Access) -> tuple[OrgUnit | None, list[OrgUnit]]:
    """The unit shown (None: the province) and the units the person may pick."""
    if access.sees_province:
        choices = list(OrgUnit.objects.filter(parent__kind=OrgUnit.Kind.PROVINCE, valid_to__isnull=True))
    else:
        choices = list(OrgUnit.objects.filter(pk__in=list(access.unit_ids)))
    code = request.GET.get("unit", "")
    chosen = next((u for u in choices if u.code == code), None)
    if chosen is None and not access.sees_province:
        chosen = choices[0] if choices else None
    return chosen, choices


def _links(indicator: Indicator, month: Any) -> list[tuple[str, str]]:
    """Drill-down links to the records behind the value."""
    src = Indicator.Source
    if indicator.source == src.INDEX766:
        code = "2.1" if indicator.source_key == "rate_2_1" else "1.1"
        return [
            (_("Chỉ số 766 %(code)s") % {"code": code}, reverse("evaluation:indicator", args=[code])),
            (_("Bảng Bộ chỉ số 766"), reverse("evaluation:dashboard")),
        ]
    if indicator.source == src.DIRECTIVES:
        status = "overdue" if indicator.source_key == "overdue" else "done_on_time"
        return [(_("Danh sách nhiệm vụ theo trạng thái"), reverse("directives:tasks") + f"?status={status}")]
    if indicator.source == src.DOSSIERS:
        return [
            (_("Hộp hồ sơ"), reverse("dossiers:inbox")),
            (_("Tìm hồ sơ"), reverse("dossiers:search")),
        ]
    if indicator.source == src.REPORTING:
        from motcua.reporting.models import ReportPeriod

        definition = indicator.source_key.partition(":")[0]
        period = ReportPeriod.objects.filter(definition__code=definition).order_by("-end").first()
        if period is not None:
            return [
                (
                    _("Kỳ báo cáo %(label)s") % {"label": period.label},
                    reverse("reporting:period", args=[period.pk]),
                )
            ]
    return []


@legacy_names(don_vi="unit")
@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    access = access_for(_user(request))
    if not access.any:
        return _forbidden(request, _("Bạn không có vai trò nào để xem bộ chỉ số điều hành."))
    unit, choices = _scope(request, access)
    today = timezone.localdate()
    return render(
        request,
        "dashboard/board.html",
        {
            "cards": selectors.cards(today, unit),
            "unit": unit,
            "choices": choices,
            "access": access,
        },
    )


@legacy_names(don_vi="unit")
@login_required
@require_GET
def indicator_page(request: HttpRequest, code: str) -> HttpResponse:
    access = access_for(_user(request))
    if not access.any:
        return _forbidden(request, _("Bạn không có vai trò nào để xem bộ chỉ số điều hành."))
    try:
        ind = selectors.indicator(code)
    except NotFound as exc:
        return render(request, "staff/not_found.html", {"message": exc.message}, status=404)
    unit, choices = _scope(request, access)
    today = timezone.localdate()
    card = selectors.cards(today, unit, public_only=False)
    current = next(c for c in card if c.indicator.pk == ind.pk)
    table = selectors.by_unit(ind, today, None if access.sees_province else access.unit_ids)
    return _indicator(request, ind, current, table, unit, choices, access, EntryForm())


def _indicator(request, ind, card, table, unit, choices, access, form, status=200) -> HttpResponse:  # type: ignore[no-untyped-def]
    return render(
        request,
        "dashboard/indicator.html",
        {
            "ind": ind,
            "card": card,
            "table": table,
            "unit": unit,
            "choices": choices,
            "access": access,
            "form": form,
            "links": _links(ind, card.latest_month),
            "can_enter": access.is_office and ind.source == Indicator.Source.MANUAL,
            "entries": selectors.entries(ind) if access.is_office else [],
        },
        status=status,
    )


@login_required
@require_POST
def enter(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    access = access_for(user)
    try:
        ind = selectors.indicator(code)
    except NotFound as exc:
        return render(request, "staff/not_found.html", {"message": exc.message}, status=404)
    if not access.is_office:
        return _forbidden(
            request, _("Chỉ Văn phòng UBND (giám sát, quản trị cấp tỉnh) được nhập giá trị chỉ số.")
        )
    form = EntryForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.enter_value(user, ind, data["month"], data["unit"], data["value"], data["note"])
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã lưu giá trị chỉ số."))
            return redirect("dashboard:indicator", code=ind.code)
    if error:
        form.add_error(None, error)
    today = timezone.localdate()
    unit, choices = _scope(request, access)
    card = next(c for c in selectors.cards(today, unit) if c.indicator.pk == ind.pk)
    table = selectors.by_unit(ind, today, None)
    return _indicator(request, ind, card, table, unit, choices, access, form, status=422)


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """The public subset on the citizen portal: province values of the indicators flagged public, for
    the 12 months up to the last complete one — the current month's figures are still nearly empty."""
    month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    return render(
        request,
        "dashboard/public.html",
        {"cards": selectors.cards(month_end, None, public_only=True), "month": month_end},
    )
