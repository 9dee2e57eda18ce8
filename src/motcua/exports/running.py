"""Write and expire export files: the worker's side of exports (``tasks`` runs these; a small table
is written at once by ``services.request_export``).

``run_job`` claims a queued job with a conditional update, so two workers never write the same file,
and records progress every 500 rows outside any long transaction. A job whose worker was killed is
taken over by the task's next run (``core.leases``) and written once, under one name.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.exports import registry, writers
from motcua.exports.models import ExportJob

log = logging.getLogger(__name__)


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
