"""Staff pages of exports: ask for a table as Excel or CSV, follow its progress, download it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core.errors import DomainError
from motcua.core.models import User
from motcua.exports import registry, services
from motcua.exports.models import ExportJob


def _forms(user: User, bound: tuple[str, object] | None = None) -> list[tuple[registry.ExportKind, object]]:
    out = []
    for kind in registry.KINDS.values():
        if not kind.listed or not kind.allowed(user):
            continue
        form = bound[1] if bound and bound[0] == kind.code else kind.form(auto_id=_auto_id(kind.code))
        out.append((kind, form))
    return out


def _auto_id(code: str) -> str:
    """Field ids unique on a page that shows one form per table (``id_dossiers-list_received_from``)."""
    return "id_" + code.replace(".", "-") + "_%s"


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    status = 200
    bound = None
    if request.method == "POST":
        kind_code = request.POST.get("kind", "")
        fmt = request.POST.get("format", ExportJob.Format.XLSX)
        try:
            job = services.request_export(user, kind_code, request.POST, fmt)
        except DomainError as exc:
            kind = registry.get(kind_code)
            if kind is not None:
                bound = (kind_code, kind.form(data=request.POST, auto_id=_auto_id(kind_code)))
            messages.error(request, exc.message)
            status = exc.status
        else:
            if job.status == ExportJob.Status.DONE:
                messages.success(request, _("Tệp đã sẵn sàng để tải về."))
            elif job.status == ExportJob.Status.FAILED:
                messages.error(request, job.error)
            else:
                messages.info(request, _("Bảng lớn: hệ thống đang xuất trong nền, trang này sẽ tự cập nhật."))
            return redirect("exports:list")
    context = {
        "jobs": services.recent_jobs(user),
        "kinds": _forms(user, bound),
        "keep_days": settings.EXPORT_KEEP_DAYS,
    }
    return render(request, "exports/list.html", context, status=status)


@login_required
@require_GET
def export_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the list, polled by htmx while the job runs."""
    try:
        job = services.job_for(request.user, pk)  # type: ignore[arg-type]
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return render(request, "exports/_row.html", {"job": job})


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        job = services.job_for(request.user, pk)  # type: ignore[arg-type]
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404(_("Tệp chưa sẵn sàng hoặc đã bị xóa."))
    services.note_download(job)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
