"""Request, run and expire exports.

``request_export`` validates the filters with the kind's form, counts the rows (through the owning
app's scoped selector) and either writes the file at once (small tables) or queues the job for the
worker. ``run_job`` claims a queued job with a conditional update, so two workers never write the
same file, and records progress every 500 rows outside any long transaction. A job whose worker was
killed is taken over by the task's next run (``core.leases``) and written once, under one name.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from motcua.core.audit import record
from motcua.core.errors import DomainError, Forbidden, NotFound
from motcua.core.models import User
from motcua.exports import registry, writers
from motcua.exports.models import ExportJob

log = logging.getLogger(__name__)


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
            from motcua.exports.tasks import run_export

            transaction.on_commit(lambda: run_export.enqueue(job.pk))
    if total <= settings.EXPORT_INLINE_ROWS:
        run_job(job.pk)
        job.refresh_from_db()
    return job


def _claim(job_id: int, *, take_over: bool, now: datetime) -> int | None:
    """Mark the job running for a new attempt; returns the attempt number, or None when the job is
    not there to take (done, failed, expired, or already running and ``take_over`` is false)."""
    statuses = [ExportJob.Status.QUEUED] + ([ExportJob.Status.RUNNING] if take_over else [])
    current = (
        ExportJob.objects.filter(pk=job_id, status__in=statuses).values_list("attempts", flat=True).first()
    )
    if current is None:
        return None
    claimed = ExportJob.objects.filter(pk=job_id, status__in=statuses, attempts=current).update(
        status=ExportJob.Status.RUNNING, started_at=now, attempts=current + 1, rows_done=0
    )
    return current + 1 if claimed else None


def storage_name(job: ExportJob) -> str:
    """Where the job's file is stored: one fixed name per job, so a second attempt replaces the file
    of a first one that was killed after writing it, instead of leaving a second file beside it."""
    return f"exports/{job.created_at:%Y/%m}/{job.pk}-{job.filename}"


def run_job(job_id: int, *, take_over: bool = False) -> ExportJob | None:
    """Write the file of a queued job. Returns None when the job is not there to take.

    ``take_over`` (the background task) also takes a job left *running*: the task is run again only
    when the worker that ran it died (``core.leases``), and then the job starts over. Each attempt is
    numbered; only the attempt that still holds the job may finish it, so a worker that was thought
    dead and wakes up later changes nothing.
    """
    now = timezone.now()
    attempt = _claim(job_id, take_over=take_over, now=now)
    if attempt is None:
        return None
    mine = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, attempts=attempt)
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    kind = registry.get(job.kind)
    try:
        if kind is None:
            raise DomainError("Loại bảng này không còn được hỗ trợ.")

        def progress(done: int) -> None:
            mine.update(rows_done=done)

        rows = kind.rows(job.owner, job.params)
        with tempfile.TemporaryFile() as tmp:
            if job.format == ExportJob.Format.CSV:
                written = writers.write_csv(tmp, kind.columns, rows, progress)
            else:
                about = [
                    ("Điều kiện", kind.describe(job.params) or "Tất cả"),
                    ("Người xuất", job.owner.full_name or job.owner.get_username()),
                    ("Thời điểm", timezone.localtime(now).strftime("%d/%m/%Y %H:%M")),
                ]
                written = writers.write_xlsx(
                    tmp, kind.columns, rows, title=str(kind.title), about=about, progress=progress
                )
            tmp.seek(0)
            name = storage_name(job)
            storage = job.file.storage
            if storage.exists(name):
                storage.delete(name)  # left by an attempt killed after writing it
            stored = storage.save(name, File(tmp))
        mine.update(
            status=ExportJob.Status.DONE,
            file=stored,
            rows_done=written,
            rows_total=written,
            finished_at=timezone.now(),
        )
    except Exception as exc:  # the job records the failure; the worker must go on
        log.exception("export %s failed", job_id)
        message = exc.message if isinstance(exc, DomainError) else "Lỗi khi ghi tệp; đã ghi nhận để kiểm tra."
        mine.update(status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now())
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


def expire_old(now: datetime | None = None) -> int:
    """Delete the files of exports older than EXPORT_KEEP_DAYS; keep the rows as history."""
    moment = now or timezone.now()
    cutoff = moment - timedelta(days=settings.EXPORT_KEEP_DAYS)
    expired = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff).exclude(status=ExportJob.Status.EXPIRED):
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        expired += 1
    return expired


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
