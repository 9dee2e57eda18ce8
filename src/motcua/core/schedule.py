"""Periodic work for the background worker, on top of ``django.tasks``.

``django.tasks`` runs tasks that someone enqueued; it has no clock. Each periodic job is declared
with its interval by the app that owns its task (``register``, from the app's ``AppConfig.ready``);
``enqueue_due`` (called every half minute by ``motcua worker``, or once by ``motcua schedule`` from
cron) enqueues the jobs whose time has come. A ``ScheduleState`` row per job, locked while deciding,
makes sure that several workers never enqueue the same run twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task_path: str  # dotted path of a django.tasks Task
    every: timedelta
    description: str


# The foundation's own housekeeping. They stay at the end of ``JOBS``: the apps' jobs are inserted
# before them, in the order the apps are ready (``INSTALLED_APPS``).
CORE_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        "core.deliver_mail",
        "motcua.core.tasks.deliver_mail",
        timedelta(minutes=5),
        "Gửi thư điện tử còn chờ trong hộp thư đi (việc nền bị dừng giữa chừng, máy chủ thư tạm lỗi).",
    ),
    PeriodicJob(
        "core.audit_checkpoint",
        "motcua.core.tasks.audit_checkpoint",
        timedelta(minutes=10),
        "Ghi điểm neo đã ký của đỉnh chuỗi nhật ký ra ngoài cơ sở dữ liệu (khi có AUDIT_CHECKPOINT_KEY).",
    ),
    PeriodicJob(
        "core.purge_throttles",
        "motcua.core.tasks.purge_throttles",
        timedelta(hours=1),
        "Xóa các bộ đếm giới hạn số lần thử đã hết thời gian khóa.",
    ),
)

# Every periodic job: the apps' (``register``), then the foundation's.
JOBS: list[PeriodicJob] = list(CORE_JOBS)


def register(*jobs: PeriodicJob) -> None:
    """Add a feature app's periodic jobs (from its ``AppConfig.ready``): each app names its own tasks,
    and the foundation imports no feature app. Registering the same job again is harmless; another
    job under a registered name is a programming error."""
    for job in jobs:
        known = next((j for j in JOBS if j.name == job.name), None)
        if known is not None:
            if known != job:
                raise ValueError(f"Việc định kỳ {job.name} đã được đăng ký với định nghĩa khác.")
            continue
        JOBS.insert(len(JOBS) - len(CORE_JOBS), job)


def enqueue_due(
    now: datetime | None = None,
    *,
    jobs: list[PeriodicJob] | None = None,
    enqueue: Callable[[PeriodicJob], object] | None = None,
) -> list[str]:
    """Enqueue every job whose interval has passed; return their names."""
    from motcua.core.models import ScheduleState

    moment = now or timezone.now()
    started: list[str] = []
    for job in jobs if jobs is not None else JOBS:
        with transaction.atomic():
            state, _ = ScheduleState.objects.select_for_update().get_or_create(name=job.name)
            if state.last_enqueued_at is not None and state.last_enqueued_at + job.every > moment:
                continue
            if enqueue is None:
                import_string(job.task_path).enqueue()
            else:
                enqueue(job)
            state.last_enqueued_at = moment
            state.save(update_fields=["last_enqueued_at"])
            started.append(job.name)
    return started
