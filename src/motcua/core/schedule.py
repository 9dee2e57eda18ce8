"""Periodic work for the background worker, on top of ``django.tasks``.

``django.tasks`` runs tasks that someone enqueued; it has no clock. Each periodic job is declared
here with its interval; ``enqueue_due`` (called every half minute by ``motcua worker``, or once by
``motcua schedule`` from cron) enqueues the jobs whose time has come. A ``ScheduleState`` row per
job, locked while deciding, makes sure that several workers never enqueue the same run twice.
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


JOBS: list[PeriodicJob] = [
    PeriodicJob(
        "catalogue.refresh_in_force",
        "motcua.catalogue.tasks.refresh_procedures_in_force",
        timedelta(hours=1),
        "Cập nhật tên và chỉ mục tìm kiếm của thủ tục khi một phiên bản mới đến ngày hiệu lực.",
    ),
    PeriodicJob(
        "dossiers.flag_due",
        "motcua.dossiers.tasks.flag_due_dossiers",
        timedelta(minutes=30),
        "Cảnh báo hồ sơ sắp đến hạn và quá hạn (một lần cho mỗi hồ sơ), gửi thư cho người xử lý và "
        "lãnh đạo đơn vị tiếp nhận.",
    ),
    PeriodicJob(
        "directives.remind",
        "motcua.directives.tasks.send_reminders",
        timedelta(hours=1),
        "Tạo kỳ mới của nhiệm vụ định kỳ; nhắc đơn vị chủ trì nhiệm vụ sắp đến hạn và quá hạn (một lần "
        "cho mỗi kỳ và mỗi loại nhắc).",
    ),
    PeriodicJob(
        "evaluation.flag_missing_apologies",
        "motcua.evaluation.latelist.flag_missing_apologies",
        timedelta(hours=6),
        "Báo lãnh đạo đơn vị các hồ sơ trễ hạn chưa có thư xin lỗi (một lần cho mỗi hồ sơ).",
    ),
    PeriodicJob(
        "reporting.periodic",
        "motcua.reporting.tasks.periodic",
        timedelta(minutes=30),
        "Tạo kỳ báo cáo mới theo chế độ báo cáo; gửi báo cáo tổng hợp đã chốt tới hệ thống báo cáo "
        "(khi có REPORTING_ENDPOINT).",
    ),
    PeriodicJob(
        "evaluation.precompute",
        "motcua.evaluation.tasks.precompute_index",
        timedelta(hours=1),
        "Tính sẵn Bộ chỉ số 766 của 13 tháng gần nhất cho toàn tỉnh và từng đơn vị (bảng điều hành).",
    ),
    PeriodicJob(
        "exports.expire",
        "motcua.exports.tasks.expire_exports",
        timedelta(hours=6),
        "Xóa tệp xuất dữ liệu quá thời hạn lưu (EXPORT_KEEP_DAYS ngày); giữ lại lịch sử yêu cầu.",
    ),
    PeriodicJob(
        "dashboard.refresh",
        "motcua.dashboard.tasks.refresh_indicators",
        timedelta(hours=1),
        "Tính lại giá trị 13 tháng gần nhất của bộ chỉ số điều hành (toàn tỉnh và từng đơn vị).",
    ),
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
]


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
