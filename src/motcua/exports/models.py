"""One requested export of a table: who asked, what, in which format, how far it has got."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportJob(models.Model):
    """An export of one registered table (``exports.registry``) for one user.

    Small exports are written while the user waits; larger ones are queued for the worker, which
    updates ``rows_done`` as it goes so the page can show progress. The file is kept for
    ``EXPORT_KEEP_DAYS`` days and only its owner can download it (every download is audited).
    """

    AUDIT_BY_SERVICE = True  # exports.services records each request and download

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV (UTF-8)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang xuất"
        DONE = "done", "Xong"
        FAILED = "failed", "Lỗi"
        EXPIRED = "expired", "Đã xóa tệp"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exports")
    kind = models.CharField("loại bảng", max_length=60)
    title = models.CharField("tên bảng", max_length=255)
    params = models.JSONField("điều kiện lọc", default=dict, blank=True)
    format = models.CharField("định dạng", max_length=4, choices=Format.choices)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField("số dòng", default=0)
    rows_done = models.PositiveIntegerField("số dòng đã ghi", default=0)
    file = models.FileField("tệp", upload_to="exports/%Y/%m/", max_length=255, blank=True)
    error = models.TextField("lỗi", blank=True)
    attempts = models.PositiveSmallIntegerField(
        "số lần chạy", default=0, help_text="Tăng mỗi lần một tiến trình nhận ghi tệp (chạy lại sau sự cố)."
    )
    created_at = models.DateTimeField("yêu cầu lúc", default=timezone.now)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "tệp xuất dữ liệu"
        verbose_name_plural = "tệp xuất dữ liệu"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="export_owner_recent"),
            models.Index(fields=["status", "finished_at"], name="export_status_finished"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_format_display()}, {self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))

    @property
    def active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def filename(self) -> str:
        stamp = timezone.localtime(self.created_at).strftime("%Y%m%d-%H%M")
        return f"{self.kind.replace('.', '-')}-{stamp}.{self.format}"
