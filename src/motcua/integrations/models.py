"""The outbox: messages to other systems, written in the same transaction as the change they report."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """One message waiting for (or done with) delivery to another system.

    Written by ``integrations.outbox.enqueue`` inside the use-case transaction, so a message exists if
    and only if the change it reports was committed. A worker (a later issue) delivers pending rows at
    least once, oldest first per ``key``, with back-off; the receiver de-duplicates by
    ``idempotency_key``. After too many failures a row becomes ``dead`` until an operator replays it.
    """

    AUDIT_BY_SERVICE = True

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        DELIVERED = "delivered", "Đã gửi"
        DEAD = "dead", "Gửi lỗi, chờ xử lý"

    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    topic = models.CharField("loại thông điệp", max_length=80, help_text="Ví dụ dvcqg.DongBoHoSoMC")
    key = models.CharField("khóa (mã hồ sơ)", max_length=80)
    idempotency_key = models.CharField("khóa chống trùng", max_length=160, unique=True)
    payload = models.JSONField("nội dung")
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("gửi lại lúc", default=timezone.now)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    delivered_at = models.DateTimeField("gửi thành công lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông điệp chờ gửi"
        verbose_name_plural = "hàng đợi thông điệp gửi đi"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["topic", "key"], name="outbox_topic_key"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.key} ({self.get_status_display()})"
