"""Request, run and expire exports.

``request_export`` validates the filters with the kind's form, counts the rows (through the owning
app's scoped selector) and either writes the file at once (small tables) or queues the job for the
worker. Writing and expiring the files (``run_job``, ``expire_old``) live in ``exports.running``,
which the background tasks use too; they are named here as well for the callers of this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from motcua.core.audit import record
from motcua.core.errors import DomainError, Forbidden, NotFound
from motcua.core.models import User
from motcua.exports import registry
from motcua.exports.models import ExportJob
from motcua.exports.running import expire_old, run_job, storage_name
from motcua.exports.tasks import run_export

__all__ = [
    "TooManyExports",
    "expire_old",
    "job_for",
    "note_download",
    "recent_jobs",
    "request_export",
    "run_job",
    "storage_name",
]


class TooManyExports(DomainError):
    status = 429
    code = "too_many_exports"


def request_export(user: User, kind_code: str, data: Mapping[str, Any], fmt: str) -> ExportJob:
    kind = registry.get(kind_code)
    if kind is None:
        raise NotFound("Không có bảng dữ liệu này để xuất.")
    if not kind.allowed(user):
        raise Forbidden("Bạn không có quyền xuất bảng dữ liệu này.")
    if fmt not in ExportJob.Format.values:
        raise DomainError("Định dạng tệp phải là Excel (.xlsx) hoặc CSV.", code="invalid_format")
    form = kind.form(data=data)
    if not form.is_valid():
        messages = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages += [f"{label}: {m}" if label else str(m) for m in errors]
        raise DomainError(" ".join(messages), code="invalid_filters", details=form.errors.get_json_data())
    params = _jsonable(form.cleaned_data)
    active = ExportJob.objects.filter(
        owner=user, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    )
    if active.count() >= settings.EXPORT_MAX_ACTIVE:
        raise TooManyExports(
            f"Bạn đang có {settings.EXPORT_MAX_ACTIVE} tệp đang xuất; hãy chờ xong rồi yêu cầu thêm."
        )
    total = kind.count(user, params)
    description = kind.describe(params)
    title = f"{kind.title} — {description}" if description else str(kind.title)
    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=user, kind=kind.code, title=title[:255], params=params, format=fmt, rows_total=total
        )
        record(
            "export.request",
            object_type="exports.exportjob",
            object_id=job.pk,
            summary=job.title,
            data={"kind": kind.code, "params": params, "format": fmt, "rows": total},
        )
        if total > settings.EXPORT_INLINE_ROWS:
            transaction.on_commit(lambda: run_export.enqueue(job.pk))
    if total <= settings.EXPORT_INLINE_ROWS:
        run_job(job.pk)
        job.refresh_from_db()
    return job


def job_for(user: User, job_id: int) -> ExportJob:
    """A job of this user (anyone else's is "not found": its existence is not revealed)."""
    job = ExportJob.objects.filter(pk=job_id, owner=user).first()
    if job is None:
        raise NotFound("Không tìm thấy tệp xuất này.")
    return job


def recent_jobs(user: User, limit: int = 30) -> list[ExportJob]:
    return list(ExportJob.objects.filter(owner=user).order_by("-created_at", "-id")[:limit])


def note_download(job: ExportJob) -> None:
    record(
        "export.download",
        object_type="exports.exportjob",
        object_id=job.pk,
        summary=job.title,
        data={"kind": job.kind, "rows": job.rows_done},
    )


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value in (None, "", [], ()):
            continue
        if hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        elif hasattr(value, "pk"):
            out[key] = value.pk
        else:
            out[key] = value
    return out
