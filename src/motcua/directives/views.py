"""Staff screens of task tracking (/can-bo/nhiem-vu/): documents, a document's tasks, a task, a unit's
tasks, the plan import and the review of agency names.

Reads go through ``directives.selectors`` (scoped: a task outside the person's units is "not found"),
writes through ``directives.services`` — one use case per POST, then a redirect with a message
(POST-redirect-GET). A refusal is shown on the page with its HTTP status (400 for a form error, 403,
404, 409, 422 from the service), never as a server error.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, User
from motcua.core.params import legacy_names
from motcua.core.text import id_or_none
from motcua.directives import selectors, services
from motcua.directives import status as st
from motcua.directives.access import Access, access_for
from motcua.directives.forms import (
    PENDING_TEXT,
    STATUS_TEXT,
    CompletionForm,
    DeadlineForm,
    DecisionForm,
    ExtensionForm,
    ImportForm,
    ProgressForm,
    RecordForm,
    ReviewForm,
    TaskFilterForm,
)
from motcua.directives.matching import Matcher
from motcua.directives.models import (
    CompletionRequest,
    Directive,
    DirectiveUnit,
    ExtensionRequest,
    ReportAttachment,
)
from motcua.directives.planparse import PlanError
from motcua.directives.reading import read_plan
from motcua.directives.selectors import Filters

PAGE_SIZE = selectors.PAGE_SIZE


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _access(request: HttpRequest) -> Access:
    cached = getattr(request, "_directives_access", None)
    if cached is None:
        cached = access_for(_user(request), timezone.localdate())
        request._directives_access = cached  # type: ignore[attr-defined]
    return cached


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    template = "staff/not_found.html" if status == 404 else "staff/forbidden.html"
    return render(request, template, {"message": message}, status=status)


def _cards(counts: dict[str, int], base_query: dict[str, str], current: str) -> list[dict[str, Any]]:
    """The count cards of a dashboard: each links to the list filtered by its status."""
    cards = []
    for status in st.ORDER:
        query = {**base_query, "status": status.value}
        cards.append(
            {
                "status": status.value,
                "label": STATUS_TEXT[status],
                "n": counts.get(status.value, 0),
                "query": urlencode(query),
                "active": current == status.value,
                "alert": status in (st.Status.OVERDUE, st.Status.SOON_DUE),
            }
        )
    return cards


# GET parameters of the lists: the filter form's own names (``core.params``).
FILTERS = ("status", "pending", "section", "role", "q")
# The names of the first release, kept working for bookmarks and shared links.
LEGACY = {
    "trang-thai": "status",
    "de-nghi": "pending",
    "muc": "section",
    "vai-tro": "role",
    "tim": "q",
    "trang": "page",
    "don-vi": "unit",
    "van-ban": "document",
}


def _filter_form(request: HttpRequest) -> TaskFilterForm:
    data = {name: request.GET.get(name, "") for name in FILTERS}
    form = TaskFilterForm(data=data)
    form.is_valid()
    return form


def _filters(form: TaskFilterForm, **extra: Any) -> Filters:
    data = form.cleaned_data if form.is_valid() else {}
    return Filters(
        status=data.get("status", ""),
        pending=data.get("pending", ""),
        section=data.get("section", ""),
        role=data.get("role", ""),
        q=data.get("q", ""),
        **extra,
    )


def _page(request: HttpRequest, qs: QuerySet[Directive]) -> Any:
    paginator = Paginator(qs, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _query_without(request: HttpRequest, *names: str) -> str:
    kept = {k: v for k, v in request.GET.items() if k not in names and v}
    return urlencode(kept)


# -- documents ---------------------------------------------------------------------------------------


@login_required
@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    today = timezone.localdate()
    rows = selectors.documents(_user(request), today=today, access=access)
    totals = {s.value: sum(r.counts[s.value] for r in rows) for s in st.ORDER}
    unmatched = (
        DirectiveUnit.objects.filter(unit__isnull=True, collective="").values("name_key").distinct().count()
        if access.is_office
        else 0
    )
    context = {
        "rows": rows,
        "cards": _cards(totals, {}, ""),
        "list_url": reverse("directives:tasks"),
        "is_office": access.is_office,
        "unmatched": unmatched,
        "today": today,
    }
    return render(request, "directives/documents.html", context)


@legacy_names(**LEGACY)
@login_required
@require_GET
def document_page(request: HttpRequest, pk: int) -> HttpResponse:
    access = _access(request)
    today = timezone.localdate()
    try:
        document = selectors.document(_user(request), pk, access=access)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    form = _filter_form(request)
    filters = _filters(form, document=document.pk)
    qs, counts = selectors.task_list(_user(request), filters, today=today, access=access)
    page = _page(request, qs)
    context = {
        "document": document,
        "form": form,
        "page": page,
        "cards": _cards(
            counts,
            {k: v for k, v in request.GET.items() if k in FILTERS and k != "status"},
            filters.status,
        ),
        "total": sum(counts.values()),
        "sections": selectors.sections(document.pk),
        "query": _query_without(request, "page"),
        "unmatched": selectors.unmatched_names(document.pk) if access.is_office else [],
        "is_office": access.is_office,
        "today": today,
    }
    return render(request, "directives/document.html", context)


@legacy_names(**LEGACY)
@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    """Every task in scope, filtered: the drill-down target of the dashboards' counts."""
    access = _access(request)
    today = timezone.localdate()
    form = _filter_form(request)
    unit = None
    code = request.GET.get("unit", "")
    if code:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            return _problem(request, _("Không có đơn vị mã %(code)s.") % {"code": code}, 404)
    document_id = request.GET.get("document", "")
    filters = _filters(form, unit=unit, document=id_or_none(document_id))
    qs, counts = selectors.task_list(_user(request), filters, today=today, access=access)
    keep = {
        k: v for k, v in request.GET.items() if k in {*FILTERS, "unit", "document"} and k != "status" and v
    }
    context = {
        "form": form,
        "page": _page(request, qs),
        "cards": _cards(counts, keep, filters.status),
        "total": sum(counts.values()),
        "unit": unit,
        "pending_label": PENDING_TEXT.get(filters.pending, ""),
        "query": _query_without(request, "page"),
        "keep_hidden": [(k, request.GET[k]) for k in ("unit", "document") if request.GET.get(k)],
        "is_office": access.is_office,
        "today": today,
    }
    return render(request, "directives/tasks.html", context)


@legacy_names(**LEGACY)
@login_required
@require_GET
def unit_dashboard(request: HttpRequest) -> HttpResponse:
    """Nhiệm vụ của đơn vị: the tasks one unit leads or coordinates, counted by status."""
    access = _access(request)
    user = _user(request)
    today = timezone.localdate()
    if access.is_office or access.sees_all:
        choices = list(selectors.unit_choices(today))
    else:
        choices = list(
            OrgUnit.objects.filter(pk__in=access.member_ids)
            .exclude(kind=OrgUnit.Kind.DIVISION)
            .order_by("path")
        )
    if not choices:
        return _problem(request, _("Tài khoản của bạn chưa được phân công vào đơn vị nào."), 403)
    code = request.GET.get("unit", "")
    unit = next((u for u in choices if u.code == code), None)
    if code and unit is None:
        return _problem(
            request, _("Không có đơn vị mã %(code)s trong phạm vi của bạn.") % {"code": code}, 404
        )
    if unit is None:
        primary = user.primary_unit_id
        unit = next((u for u in choices if u.pk == primary), None) or next(
            (u for u in choices if u.pk in access.member_ids), choices[0]
        )
    form = _filter_form(request)
    filters = _filters(form, unit=unit)
    qs, counts = selectors.task_list(user, filters, today=today, access=access)
    lead_counts = selectors.status_counts(
        selectors.for_unit(
            selectors.annotated(selectors.visible(user, access), today, selectors.soon_until(today), unit),
            unit,
            "lead",
        )
    )
    base = {
        "unit": unit.code,
        **{k: v for k, v in request.GET.items() if k in FILTERS and k != "status" and v},
    }
    context = {
        "unit": unit,
        "choices": choices,
        "form": form,
        "page": _page(request, qs),
        "cards": _cards(counts, base, filters.status),
        "total": sum(counts.values()),
        "lead_total": sum(lead_counts.values()),
        "lead_overdue": lead_counts[st.Status.OVERDUE],
        "query": _query_without(request, "page"),
        "unit_hidden": [("unit", unit.code)],
        "is_office": access.is_office,
        "today": today,
    }
    return render(request, "directives/unit.html", context)


# -- one task ----------------------------------------------------------------------------------------

ACTIONS = {
    "bao-cao": ProgressForm,
    "hoan-thanh": CompletionForm,
    "gia-han": ExtensionForm,
    "thoi-han": DeadlineForm,
    "ghi-nhan": RecordForm,
}


def _task_context(
    request: HttpRequest, pk: int, *, bound: dict[str, Any] | None = None, seq: int | None = None
) -> dict[str, Any]:
    access = _access(request)
    today = timezone.localdate()
    view = selectors.task(_user(request), pk, today=today, seq=seq, access=access)
    done = view.occurrence.completed_on is not None
    mine = [p for p in view.my_parts if p.part.completed_on is None]
    decides = access.can_decide(view.directive.document.assigning_unit)
    open_parts = [(p.part.pk, p.part.unit.name) for p in view.open_parts]
    my_choices = [(p.part.pk, p.part.unit.name) for p in mine]
    forms: dict[str, Any] = {
        "bao_cao": ProgressForm(initial={"percent": mine[0].part.progress if mine else 0}),
        "hoan_thanh": CompletionForm(initial={"completed_on": today.strftime("%d/%m/%Y")}),
        "gia_han": ExtensionForm(),
        "thoi_han": DeadlineForm(),
        "ghi_nhan": RecordForm(initial={"completed_on": today.strftime("%d/%m/%Y")}),
    }
    forms.update(bound or {})
    decisions = [
        (c, (bound or {}).get(f"c{c.pk}") or DecisionForm(prefix=f"c{c.pk}"))
        for c in view.pending_completions
    ]
    extension_decisions = [
        (e, (bound or {}).get(f"e{e.pk}") or DecisionForm(prefix=f"e{e.pk}")) for e in view.pending_extensions
    ]
    can_complete = [p for p in mine if p.pending_completion is None]
    can_extend = [p for p in mine if p.pending_extension is None and p.part.due_on is not None]
    pending = bool(decisions or extension_decisions)
    return {
        "v": view,
        "d": view.directive,
        "o": view.occurrence,
        "status_label": STATUS_TEXT[view.status],
        "forms": forms,
        "my_parts": my_choices,
        "open_parts": open_parts,
        "complete_parts": [(p.part.pk, p.part.unit.name) for p in can_complete],
        "extend_parts": [(p.part.pk, p.part.unit.name) for p in can_extend],
        "can_report": bool(mine),
        "can_complete": bool(can_complete),
        "can_extend": bool(can_extend),
        "can_decide": decides,
        "decisions": decisions,
        "extension_decisions": extension_decisions,
        "can_set_deadline": decides and not done,
        "can_record": decides and not done and bool(open_parts),
        "has_actions": bool(mine) or (decides and (pending or not done)),
        "today": today,
        "summary": [m for f in (bound or {}).values() for m in f.summary()],
    }


@legacy_names(ky="period")
@login_required
@require_GET
def task_page(request: HttpRequest, pk: int) -> HttpResponse:
    seq = request.GET.get("period", "")
    try:
        context = _task_context(request, pk, seq=id_or_none(seq))
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    return render(request, "directives/task.html", context)


def _render_error(
    request: HttpRequest, pk: int, status: int, *, bound: dict[str, Any] | None = None, error: str = ""
) -> HttpResponse:
    try:
        context = _task_context(request, pk, bound=bound)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    context["error"] = error
    context["error_status"] = status
    return render(request, "directives/task.html", context, status=status)


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    form_class = ACTIONS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(data=request.POST, files=request.FILES)
    if not form.is_valid():
        return _render_error(request, pk, 400, bound={action.replace("-", "_"): form})
    data = form.cleaned_data
    user = _user(request)
    occurrence = request.POST.get("occurrence", "")
    occurrence_id = id_or_none(occurrence)
    part = request.POST.get("part", "")
    part_id = id_or_none(part)
    try:
        if action == "bao-cao":
            services.report_progress(
                user,
                pk,
                percent=data["percent"],
                text=data["text"],
                files=data["attachments"],
                occurrence_id=occurrence_id,
                part_id=part_id,
            )
            messages.success(request, _("Đã ghi báo cáo tiến độ."))
        elif action == "hoan-thanh":
            services.request_completion(
                user,
                pk,
                completed_on=data["completed_on"],
                note=data["note"],
                occurrence_id=occurrence_id,
                part_id=part_id,
            )
            messages.success(request, _("Đã gửi đề nghị xác nhận hoàn thành; Văn phòng UBND sẽ duyệt."))
        elif action == "gia-han":
            services.request_extension(
                user,
                pk,
                proposed_due=data["proposed_due"],
                reason=data["reason"],
                occurrence_id=occurrence_id,
                part_id=part_id,
            )
            messages.success(request, _("Đã gửi đề nghị gia hạn; Văn phòng UBND sẽ xem xét."))
        elif action == "ghi-nhan":
            records = services.record_completion(
                user,
                pk,
                completed_on=data["completed_on"],
                note=data["note"],
                occurrence_id=occurrence_id,
                part_id=part_id,
            )
            messages.success(
                request,
                ngettext(
                    "Đã ghi nhận hoàn thành cho %(n)s đơn vị.",
                    "Đã ghi nhận hoàn thành cho %(n)s đơn vị.",
                    len(records),
                )
                % {"n": len(records)},
            )
        else:
            services.set_deadline(
                user, pk, due=data["due"], reason=data["reason"], occurrence_id=occurrence_id, part_id=part_id
            )
            messages.success(request, _("Đã cập nhật thời hạn; thay đổi được lưu trong lịch sử thời hạn."))
    except DomainError as exc:
        return _render_error(
            request, pk, exc.status, bound={action.replace("-", "_"): form}, error=exc.message
        )
    return redirect("directives:task", pk=pk)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, kind: str, request_id: int) -> HttpResponse:
    if kind not in {"hoan-thanh", "gia-han"}:
        raise Http404
    key = f"{'c' if kind == 'hoan-thanh' else 'e'}{request_id}"
    form = DecisionForm(data=request.POST, prefix=key)
    if not form.is_valid():
        return _render_error(request, pk, 400, bound={key: form})
    approve = form.cleaned_data["decision"] == "approve"
    note = form.cleaned_data["note"]
    model = CompletionRequest if kind == "hoan-thanh" else ExtensionRequest
    if not model.objects.filter(pk=request_id, occurrence__directive_id=pk).exists():
        raise Http404  # a request of another task
    try:
        if kind == "hoan-thanh":
            decided = services.decide_completion(_user(request), request_id, approve=approve, note=note)
            done = decided.occurrence.completed_on is not None
            messages.success(
                request,
                (
                    _("Đã xác nhận nhiệm vụ hoàn thành.")
                    if done
                    else _("Đã xác nhận hoàn thành phần việc của đơn vị.")
                )
                if approve
                else _("Đã trả lại đề nghị hoàn thành cho đơn vị."),
            )
        else:
            services.decide_extension(_user(request), request_id, approve=approve, note=note)
            messages.success(
                request, _("Đã đồng ý gia hạn.") if approve else _("Đã từ chối đề nghị gia hạn.")
            )
    except DomainError as exc:
        return _render_error(request, pk, exc.status, bound={key: form}, error=exc.message)
    return redirect("directives:task", pk=pk)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A report's attachment, for the people who may see the task (never a public URL)."""
    found = ReportAttachment.objects.select_related("report__occurrence").filter(pk=pk).first()
    if found is None or not found.file:
        raise Http404
    directive_id = found.report.occurrence.directive_id
    if not selectors.visible(_user(request), _access(request)).filter(pk=directive_id).exists():
        raise Http404
    content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    try:
        handle = found.file.open("rb")
    except OSError as exc:  # the storage lost it: say so, not a server error
        raise Http404(_("Tệp đính kèm không còn trong kho lưu trữ.")) from exc
    return FileResponse(handle, content_type=content_type, as_attachment=True, filename=found.name)


# -- import and review (the office) ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    if not access.is_office:
        return _problem(request, _("Chỉ Văn phòng UBND (giám sát, quản trị) được nhập kế hoạch."), 403)
    context: dict[str, Any] = {"form": ImportForm(), "report": None}
    if request.method == "GET":
        return render(request, "directives/import.html", context)
    form = ImportForm(data=request.POST, files=request.FILES)
    context["form"] = form
    if not form.is_valid():
        context["summary"] = form.summary()
        return render(request, "directives/import.html", context, status=400)
    upload = form.cleaned_data["file"]
    dry_run = request.POST.get("action") != "import"
    try:
        plan = read_plan(upload.read(), upload.name or "")
        report = services.import_plan(
            plan,
            source_file=upload.name or "",
            by=_user(request),
            dry_run=dry_run,
            document=services.DocumentFields(
                number=form.cleaned_data["number"],
                issued_on=form.cleaned_data["issued_on"],
                issuer=form.cleaned_data["issuer"],
                summary=form.cleaned_data["subject"],
            ),
        )
    except PlanError as exc:
        context["plan_error"] = exc
        return render(request, "directives/import.html", context, status=422)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "directives/import.html", context, status=exc.status)
    if not dry_run and report.document is not None:
        if report.created:
            messages.success(
                request,
                _("Đã nhập %(n)s nhiệm vụ của %(doc)s.")
                % {"n": report.tasks_created, "doc": report.document},
            )
            if report.unmatched():
                messages.warning(request, _("Có tên cơ quan chưa khớp đơn vị: vui lòng đối chiếu bên dưới."))
        else:
            messages.info(
                request, _("%(doc)s đã có trong hệ thống: không thay đổi gì.") % {"doc": report.document}
            )
        return redirect("directives:document", pk=report.document.pk)
    context["report"] = report
    context["rows"] = [
        (task, report.matches[(task.number, "lead")], report.matches[(task.number, "coordinating")])
        for task in plan.tasks
    ]
    return render(request, "directives/import.html", context)


@legacy_names(**{"van-ban": "document"})
@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    """The agency names no unit matched: the office picks the unit or marks the name collective."""
    access = _access(request)
    if not access.is_office:
        return _problem(request, _("Chỉ Văn phòng UBND được đối chiếu tên cơ quan."), 403)
    today = timezone.localdate()
    units = [(u.code, u.name) for u in selectors.unit_choices(today).only("code", "name")]
    document_id = request.GET.get("document", "")
    doc = id_or_none(document_id)
    bound: ReviewForm | None = None
    status = 200
    if request.method == "POST":
        bound = ReviewForm(data=request.POST, units=units)
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                changed = services.resolve_unit_name(
                    _user(request), data["name_key"], unit=data["unit"], collective=data["collective"]
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                status = exc.status
            else:
                messages.success(
                    request, _("Đã đối chiếu; %(n)s dòng nhiệm vụ được cập nhật.") % {"n": changed}
                )
                return redirect(request.get_full_path())
        else:
            status = 400
    names = selectors.unmatched_names(doc)
    if names:
        # What the successor table says about each name (e.g. a department merged in 2025).
        matcher = Matcher.load(today=today)
        for item in names:
            item.hint = matcher.match(item.name).hint
    rows = []
    for item in names:
        if bound is not None and bound.data.get("name_key") == item.name_key:
            form = bound
        else:
            form = ReviewForm(initial={"name_key": item.name_key}, units=units, auto_id=f"id_%s_{len(rows)}")
        rows.append((item, form))
    return render(request, "directives/review.html", {"rows": rows, "document_id": doc}, status=status)
