"""Staff screens of the reporting regime (/can-bo/bao-cao/): definitions, a definition's periods, a
period's units (the receiving office's view), "my reports", a unit's report (entry form, Excel
template and upload, submit, versions; accept or return), the aggregated report and its Excel file.

Reads go through ``reporting.selectors`` (scoped: a report outside the person's units is "not found"),
writes through ``reporting.services`` — one use case per POST, then a redirect with a message. A
refusal is shown on the page with its status (403, 404, 409, 422), never as a server error.
"""

from __future__ import annotations

from typing import Any

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
from motcua.core.text import id_or_none
from motcua.reporting import excel, selectors, services
from motcua.reporting import status as st
from motcua.reporting.access import Access, access_for
from motcua.reporting.forms import (
    AGGREGATION_TEXT,
    CUTOFF_TEXT,
    PERIODICITY_TEXT,
    STATUS_TEXT,
    TYPE_TEXT,
    EntryForm,
    ReturnForm,
    UploadForm,
    field_name,
)
from motcua.reporting.models import ReportPeriod, Submission, SubmissionVersion
from motcua.reporting.prefill import prefill_values
from motcua.reporting.values import display

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _access(request: HttpRequest) -> Access:
    cached = getattr(request, "_reporting_access", None)
    if cached is None:
        cached = access_for(_user(request), timezone.localdate())
        request._reporting_access = cached  # type: ignore[attr-defined]
    return cached


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    template = "staff/not_found.html" if status == 404 else "staff/forbidden.html"
    return render(request, template, {"message": message}, status=status)


def _base(request: HttpRequest, active: str) -> dict[str, Any]:
    access = _access(request)
    return {
        "active": active,
        "is_receiver": access.sees_received,
        "reports_for_units": bool(access.acting_ids),
        "status_text": STATUS_TEXT,
        "today": timezone.localdate(),
    }


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- lists -------------------------------------------------------------------------------------------


@login_required
@require_GET
def definitions(request: HttpRequest) -> HttpResponse:
    rows = selectors.definitions(_access(request))
    context = {**_base(request, "definitions"), "rows": rows, "periodicity_text": PERIODICITY_TEXT}
    return render(request, "reporting/definitions.html", context)


@login_required
@require_GET
def definition_page(request: HttpRequest, pk: int) -> HttpResponse:
    access = _access(request)
    try:
        definition = selectors.definition_for(access, pk)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    today = timezone.localdate()
    receives = access.views_received(definition.receiving_unit)
    indicators = services.indicators_of(definition)
    context = {
        **_base(request, "definitions"),
        "definition": definition,
        "receives": receives,
        "periods": selectors.periods_of(definition, today) if receives else [],
        "my_rows": [] if receives else selectors.my_reports(access, today, definition_id=definition.pk),
        "indicators": [
            (i, TYPE_TEXT.get(i.value_type), AGGREGATION_TEXT.get(i.aggregation)) for i in indicators
        ],
        "periodicity": PERIODICITY_TEXT.get(definition.periodicity, definition.periodicity),
        "cutoff": CUTOFF_TEXT.get(services.cutoff_rule(definition, today), ""),
        "deadline_days": services.deadline_days(definition, today),
        "order": st.ORDER,
    }
    return render(request, "reporting/definition.html", context)


@login_required
@require_GET
def period_page(request: HttpRequest, pk: int) -> HttpResponse:
    access = _access(request)
    try:
        period = selectors.period_for(access, pk)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    today = timezone.localdate()
    rows = selectors.unit_rows(access, period, today)
    counts = {s.value: 0 for s in st.ORDER}
    for r in rows:
        counts[r.status.value] += 1
    context = {
        **_base(request, "definitions"),
        "period": period,
        "definition": period.definition,
        "rows": rows,
        "cards": [(s.value, STATUS_TEXT[s], counts[s.value]) for s in st.ORDER],
        "receives": access.views_received(period.definition.receiving_unit),
    }
    return render(request, "reporting/period.html", context)


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    rows = selectors.my_reports(_access(request), timezone.localdate())
    return render(request, "reporting/mine.html", {**_base(request, "mine"), "rows": rows})


# -- one unit's report -------------------------------------------------------------------------------


def _report_context(
    request: HttpRequest, period: ReportPeriod, unit: OrgUnit, *, form: EntryForm | None = None
) -> dict[str, Any]:
    access = _access(request)
    today = timezone.localdate()
    submission = selectors.submission_of(period, unit)
    state = submission.state if submission else "draft"
    status = st.status(state if state != "draft" else None, period.end, period.deadline, today)
    indicators = services.indicators_of(period.definition)
    acts = access.acts_for(unit.pk)
    editable = acts and state in services.TRANSITIONS["save"]
    current = submission.current if submission else None
    auto: dict[str, Any] = {}
    if editable:
        if current is not None and current.submitted_at is None:  # a draft
            values, auto = dict(current.values), dict(current.auto_filled)
        elif current is None:  # nothing yet: the figures the system can compute
            auto = prefill_values(period, unit)
            values = dict(auto)
        else:  # returned for correction: start from the version sent
            values = dict(current.values)
            auto = {k: v for k, v in current.auto_filled.items() if values.get(k) == v}
        if form is None:
            initial = {field_name(i): display_input(values.get(i.code), i.value_type) for i in indicators}
            form = EntryForm(indicators, initial=initial)
    rows = []
    shown = current.values if current else {}
    shown_auto = current.auto_filled if current else {}
    for ind in indicators:
        rows.append(
            {
                "ind": ind,
                "field": form[field_name(ind)] if form is not None else None,
                "value": display(shown.get(ind.code), ind.value_type),
                "auto": ind.code in (auto if editable else shown_auto),
                "auto_value": display((auto if editable else shown_auto).get(ind.code), ind.value_type),
                "edited": (not editable)
                and ind.code in shown_auto
                and shown_auto.get(ind.code) != shown.get(ind.code),
                "type": TYPE_TEXT.get(ind.value_type),
            }
        )
    return {
        **_base(request, "mine" if acts else "definitions"),
        "period": period,
        "definition": period.definition,
        "unit": unit,
        "submission": submission,
        "current": current,
        "status": status,
        "rows": rows,
        "form": form,
        "editable": editable,
        "upload_form": UploadForm(),
        "return_form": ReturnForm(),
        "decides": access.decides_for(period.definition.receiving_unit) and state == "submitted",
        "versions": selectors.versions_of(submission),
        "prefill": period.definition.prefill == "one_stop",
    }


def display_input(value: Any, value_type: str) -> str:
    """What the entry field shows: the Vietnamese way of writing (12,5), no % sign or grouping dots."""
    if value is None:
        return ""
    if value_type == "text":
        return str(value)
    return str(value).replace(".", ",")


def _load(request: HttpRequest, period_id: int, code: str) -> tuple[ReportPeriod, OrgUnit]:
    access = _access(request)
    period = selectors.period_for(access, period_id)
    return period, selectors.unit_for(access, period, code)


@login_required
def report_page(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    try:
        period, unit = _load(request, pk, code)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    if request.method == "POST":
        return _save(request, period, unit)
    return render(request, "reporting/report.html", _report_context(request, period, unit))


def _save(request: HttpRequest, period: ReportPeriod, unit: OrgUnit) -> HttpResponse:
    indicators = services.indicators_of(period.definition)
    form = EntryForm(indicators, data=request.POST)
    submit = request.POST.get("action") == "submit"
    status = 400
    errors: list[dict[str, str]] = []
    if form.is_valid():
        try:
            services.save_report(
                _user(request),
                period,
                unit,
                form.raw_values(),
                submit=submit,
                sign=form.cleaned_data.get("sign", False),
                auto_filled=prefill_values(period, unit),
            )
        except DomainError as exc:
            status = exc.status
            if status in (403, 404, 409):
                return _problem(request, exc.message, status)
            by_code = {i.code: i for i in indicators}
            for d in exc.details or []:
                ind = by_code.get(d.get("code", ""))
                if ind is not None:
                    form.add_error(field_name(ind), d["problem"])
                errors.append(
                    {"place": d["place"], "problem": d["problem"], "field": field_name(ind) if ind else ""}
                )
        else:
            messages.success(request, _("Đã gửi báo cáo.") if submit else _("Đã lưu bản nháp."))
            return redirect("reporting:report", pk=period.pk, code=unit.code)
    context = _report_context(request, period, unit, form=form)
    context["errors"] = errors or [
        {"place": form.fields[name].label, "problem": "; ".join(str(e) for e in errs), "field": name}
        for name, errs in form.errors.items()
        if name in form.fields
    ]
    return render(request, "reporting/report.html", context, status=status)


@login_required
@require_POST
def upload(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    try:
        period, unit = _load(request, pk, code)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    form = UploadForm(request.POST, request.FILES)
    context_errors: list[dict[str, str]] = []
    status = 400
    if form.is_valid():
        indicators = services.indicators_of(period.definition)
        try:
            data = form.cleaned_data["file"].read(excel.MAX_UPLOAD_BYTES + 1)
            parsed = excel.read(data, period, indicators, unit_code=unit.code)
            services.save_report(
                _user(request),
                period,
                unit,
                parsed.values,
                submit=False,
                auto_filled={},
                source=SubmissionVersion.Source.EXCEL,
                places=parsed.places,
            )
        except DomainError as exc:
            if exc.status in (403, 404, 409):
                return _problem(request, exc.message, exc.status)
            status = exc.status
            context_errors = [
                {"place": d["place"], "problem": d["problem"], "field": ""} for d in exc.details or []
            ]
            if not context_errors:
                context_errors = [{"place": _("Tệp tải lên"), "problem": exc.message, "field": ""}]
        else:
            messages.success(
                request,
                _("Đã đọc tệp Excel và lưu số liệu thành bản nháp. Hãy kiểm tra rồi bấm “Gửi báo cáo”."),
            )
            return redirect("reporting:report", pk=period.pk, code=unit.code)
    else:
        context_errors = [
            {"place": _("Tệp tải lên"), "problem": _("Hãy chọn tệp Excel (.xlsx)."), "field": ""}
        ]
    context = _report_context(request, period, unit)
    context["upload_form"] = form
    context["errors"] = context_errors
    context["upload_failed"] = True
    return render(request, "reporting/report.html", context, status=status)


@login_required
@require_GET
def template_file(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    try:
        period, unit = _load(request, pk, code)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    data = excel.workbook(
        period, services.indicators_of(period.definition), unit_code=unit.code, unit_label=unit.name
    )
    return _xlsx(data, f"mau-{period.definition.code}-{period.key}-{unit.code}.xlsx")


@legacy_names(**{"phien-ban": "version"})
@login_required
@require_GET
def report_file(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    try:
        period, unit = _load(request, pk, code)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    submission = selectors.submission_of(period, unit)
    number = request.GET.get("version", "")
    version = None
    if submission is not None:
        wanted = id_or_none(number)
        version = (
            submission.versions.filter(number=wanted).first() if wanted is not None else submission.current
        )
    if version is None:
        return _problem(request, _("Đơn vị chưa có số liệu của kỳ này."), 404)
    data = excel.workbook(
        period,
        services.indicators_of(period.definition),
        unit_code=unit.code,
        unit_label=unit.name,
        values=version.values,
    )
    return _xlsx(data, f"{period.definition.code}-{period.key}-{unit.code}-v{version.number}.xlsx")


@login_required
@require_GET
def version_page(request: HttpRequest, pk: int, code: str, number: int) -> HttpResponse:
    try:
        period, unit = _load(request, pk, code)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    submission = selectors.submission_of(period, unit)
    version = submission.versions.filter(number=number).first() if submission else None
    if version is None:
        return _problem(request, _("Không có phiên bản này."), 404)
    rows = [
        {
            "ind": ind,
            "value": display(version.values.get(ind.code), ind.value_type),
            "auto": ind.code in version.auto_filled,
        }
        for ind in services.indicators_of(period.definition)
    ]
    context = {
        **_base(request, "definitions"),
        "period": period,
        "definition": period.definition,
        "unit": unit,
        "version": version,
        "rows": rows,
    }
    return render(request, "reporting/version.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, code: str, action: str) -> HttpResponse:
    try:
        period, unit = _load(request, pk, code)
        submission = Submission.objects.filter(period=period, unit=unit).first()
        if submission is None:
            return _problem(request, _("Đơn vị chưa gửi báo cáo kỳ này."), 409)
        if action == "tiep-nhan":
            services.accept(_user(request), submission)
            messages.success(request, _("Đã tiếp nhận báo cáo của %(unit)s.") % {"unit": unit.name})
        elif action == "tra-lai":
            form = ReturnForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.return_for_correction(_user(request), submission, reason)
            messages.success(request, _("Đã trả lại báo cáo để %(unit)s chỉnh sửa.") % {"unit": unit.name})
        else:
            return _problem(request, _("Không có thao tác này."), 404)
    except DomainError as exc:
        if exc.status == 422:
            messages.error(request, exc.message)
            context = _report_context(request, period, unit)
            return render(request, "reporting/report.html", context, status=422)
        return _problem(request, exc.message, exc.status)
    return redirect("reporting:period", pk=period.pk)


# -- aggregation -------------------------------------------------------------------------------------


@login_required
def aggregate_page(request: HttpRequest, pk: int) -> HttpResponse:
    access = _access(request)
    try:
        period = selectors.period_for(access, pk)
        if not access.views_received(period.definition.receiving_unit):
            return _problem(request, _("Chỉ cơ quan nhận báo cáo xem được báo cáo tổng hợp."), 403)
        if request.method == "POST":
            report = services.accept_aggregate(_user(request), period)
            messages.success(
                request,
                _("Đã chốt báo cáo tổng hợp (phiên bản %(n)s) và đưa vào hàng đợi gửi Hệ thống báo cáo.")
                % {"n": report.number},
            )
            return redirect("reporting:aggregate", pk=period.pk)
    except DomainError as exc:
        if exc.status == 409:
            messages.error(request, exc.message)
            return redirect("reporting:aggregate", pk=pk)
        return _problem(request, exc.message, exc.status)
    result = selectors.aggregate(period)
    rows = []
    for ind in result.indicators:
        rows.append(
            {
                "ind": ind,
                "total": display(result.values.get(ind.code), ind.value_type),
                "cells": [display(result.per_unit[u.pk].get(ind.code), ind.value_type) for u in result.units],
                "aggregation": AGGREGATION_TEXT.get(ind.aggregation),
            }
        )
    context = {
        **_base(request, "definitions"),
        "period": period,
        "definition": period.definition,
        "result": result,
        "rows": rows,
        "aggregates": selectors.aggregates_of(period),
        "decides": access.decides_for(period.definition.receiving_unit),
    }
    return render(request, "reporting/aggregate.html", context)


@login_required
@require_GET
def aggregate_file(request: HttpRequest, pk: int) -> HttpResponse:
    access = _access(request)
    try:
        period = selectors.period_for(access, pk)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    if not access.views_received(period.definition.receiving_unit):
        return _problem(request, _("Chỉ cơ quan nhận báo cáo xem được báo cáo tổng hợp."), 403)
    result = selectors.aggregate(period)
    receiving = period.definition.receiving_unit
    data = excel.workbook(
        period,
        result.indicators,
        unit_code=receiving.code,
        unit_label=f"{receiving.name} — tổng hợp {len(result.units)} đơn vị",
        values=result.values,
    )
    return _xlsx(data, f"{period.definition.code}-{period.key}-tong-hop.xlsx")


def period_url(period: ReportPeriod) -> str:
    return reverse("reporting:period", kwargs={"pk": period.pk})
