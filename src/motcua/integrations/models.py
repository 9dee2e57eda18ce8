"""The outbox: messages to other systems, written in the same transaction as the change they report."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """One message waiting for (or done with) delivery to another system.

    Written by ``integrations.outbox.enqueue`` inside the use-case transaction, so a message exists if
    and only if the change it reports was committed. The delivery engine (``integrations.delivery``)
    sends pending rows at least once, in ``id`` order per ``key`` within a channel (a failing message
    holds back the later messages of the same key, never those of other keys), with exponential
    back-off and jitter; the receiver de-duplicates by ``idempotency_key``. A message the receiver
    refuses, or one that failed too often, becomes ``dead`` until an operator replays it.
    """

    AUDIT_BY_SERVICE = True

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        DELIVERED = "delivered", "Đã gửi, được xác nhận"
        DEAD = "dead", "Gửi lỗi, chờ xử lý"

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", "Được xác nhận"
        REJECTED = "rejected", "Bị từ chối"
        RETRY = "retry", "Lỗi tạm thời"
        UNAVAILABLE = "unavailable", "Hệ thống nhận không hoạt động"

    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    topic = models.CharField("loại thông điệp", max_length=80, help_text="Ví dụ dvcqg.DongBoHoSoMC")
    key = models.CharField("khóa (mã hồ sơ)", max_length=80)
    idempotency_key = models.CharField("khóa chống trùng", max_length=160, unique=True)
    payload = models.JSONField("nội dung")
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("gửi lại lúc", default=timezone.now)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    last_outcome = models.CharField(
        "kết quả lần gửi gần nhất", max_length=12, choices=Outcome.choices, blank=True
    )
    claimed_by = models.CharField(
        "tiến trình đang gửi", max_length=64, blank=True, help_text="Giữ chỗ đến thời điểm “gửi lại lúc”."
    )
    receipt = models.CharField("mã tiếp nhận của bên nhận", max_length=120, blank=True)
    delivered_at = models.DateTimeField("gửi thành công lúc", null=True, blank=True)
    replays = models.PositiveIntegerField("số lần gửi lại thủ công", default=0)

    class Meta:
        verbose_name = "thông điệp chờ gửi"
        verbose_name_plural = "hàng đợi thông điệp gửi đi"
        ordering = ["id"]
        indexes = [
            # The pending messages in delivery order: only pending rows are indexed, so the claim
            # never walks past the delivered ones, however many there are.
            models.Index(fields=["id"], name="outbox_pending", condition=Q(status="pending")),
            # "Is an older message of this key still open?" (ordering per key).
            models.Index(
                fields=["key", "id"], name="outbox_open_key", condition=Q(status__in=["pending", "dead"])
            ),
            models.Index(fields=["topic", "key"], name="outbox_topic_key"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.key} ({self.get_status_display()})"


class ChannelState(models.Model):
    """The health of one receiving system (a channel of topics): a circuit breaker.

    When the receiver cannot be reached (refused, timed out, 502/503/504), the channel is *open*: no
    message is sent until ``open_until``, then one message probes it; the back-off grows with
    ``failures``. The first success closes it and puts back at once the messages that were only
    waiting for the receiver."""

    channel = models.CharField("kênh", max_length=40, primary_key=True)
    failures = models.PositiveIntegerField("số lần liên tiếp không kết nối được", default=0)
    open_until = models.DateTimeField("tạm ngừng gửi đến", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    last_failure_at = models.DateTimeField("lỗi gần nhất lúc", null=True, blank=True)
    last_success_at = models.DateTimeField("gửi được gần nhất lúc", null=True, blank=True)

    class Meta:
        verbose_name = "tình trạng kênh kết nối"
        verbose_name_plural = "tình trạng các kênh kết nối"

    def __str__(self) -> str:
        return self.channel
