"""Leases of background jobs: a job left *running* by a dead worker is queued again.

django-tasks-db claims a job by marking its row *running* with the worker's id and never looks at it
again, so a worker killed in the middle of a job (SIGKILL, out of memory, power lost) would leave the
job running for ever. Here every ``motcua worker`` proves it is alive: it writes a heartbeat
(``WorkerHeartbeat``) every quarter of the lease (``MOTCUA_TASK_LEASE_SECONDS``). Any worker, on the
same beat, puts back in the queue every running job whose worker has not beaten for a whole lease;
another worker then takes it up. A job that lost its worker ``MOTCUA_TASK_MAX_ATTEMPTS`` times (it
probably kills it) is marked failed instead of being tried for ever.

Taking a job up again means running its body a second time, so every job body is idempotent: it
records what it has done in the database in the same transaction as the doing (alerts, reminders,
flags, export attempts) and sends e-mail through the outbox (``core.mail``), so the second run
completes what the first began and does nothing twice.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from motcua.core.models import WorkerHeartbeat

log = logging.getLogger(__name__)

LOST_EXCEPTION = "motcua.core.leases.WorkerLost"


class WorkerLost(Exception):
    """The worker running a job stopped beating (recorded as the failure of a job given up on)."""


def lease() -> timedelta:
    return timedelta(seconds=float(settings.MOTCUA_TASK_LEASE_SECONDS))


def max_attempts() -> int:
    return int(settings.MOTCUA_TASK_MAX_ATTEMPTS)


def beat_interval() -> float:
    """Seconds between two heartbeats: a quarter of the lease, so one late beat loses nothing."""
    return max(0.2, lease().total_seconds() / 4)


def beat(worker_id: str, now: datetime | None = None) -> None:
    """Record that ``worker_id`` is alive (creates its row on the first beat)."""
    moment = now or timezone.now()
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=moment):
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": moment,
                "beat_at": moment,
            },
        )


def forget(worker_id: str) -> None:
    """A worker that stops cleanly removes its heartbeat (its jobs have finished)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@dataclass(frozen=True)
class Recovery:
    requeued: list[str]
    given_up: list[str]


def requeue_stale(now: datetime | None = None) -> Recovery:
    """Queue again every running job whose worker has not beaten for a lease; give up (mark failed)
    on a job that has already lost ``max_attempts()`` workers. Safe to run in several workers at
    once: each change is conditional on the attempt it saw (``started_at``)."""
    moment = now or timezone.now()
    cutoff = moment - lease()
    alive = set(WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    requeued: list[str] = []
    given_up: list[str] = []
    # A worker beats before it claims anything, so a job claimed less than a lease ago is never stale.
    running = (
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .only("id", "started_at", "worker_ids", "task_path")
    )
    for job in running:
        workers = list(job.worker_ids or [])
        if workers and workers[-1] in alive:
            continue
        same_attempt = DBTaskResult.objects.running().filter(pk=job.pk, started_at=job.started_at)
        if len(workers) >= max_attempts():
            message = (
                f"Việc nền bị dừng giữa chừng {len(workers)} lần (tiến trình xử lý bị tắt); "
                "đã ngừng thử lại, cần kiểm tra."
            )
            changed = same_attempt.update(
                status=TaskResultStatus.FAILED,
                finished_at=moment,
                exception_class_path=LOST_EXCEPTION,
                traceback=message,
                return_value=None,
            )
            if changed:
                given_up.append(str(job.pk))
                log.error("job %s (%s) given up: %s", job.pk, job.task_path, message)
        elif same_attempt.update(status=TaskResultStatus.READY):
            requeued.append(str(job.pk))
            log.warning(
                "job %s (%s) queued again: worker %s stopped beating",
                job.pk,
                job.task_path,
                workers[-1] if workers else "?",
            )
    # Heartbeats of workers gone for a long time are of no further use.
    WorkerHeartbeat.objects.filter(beat_at__lt=moment - 10 * lease()).delete()
    return Recovery(requeued, given_up)
