"""Payments of what a dossier owes (fees, charges, financial obligations), online or at the counter."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Payment(models.Model):
    """One payment of the unpaid lines of a dossier: the order sent to the gateway and what became of it.

    ``reference`` is ours and unique: the gateway's order reference. The lines paid and the amount are
    fixed when the payment starts; a notification must match them. ``transaction_no`` is the gateway's
    own number once paid. The receipt (biên lai điện tử) is numbered per unit and year and kept as a
    signed document."""

    AUDIT_BY_SERVICE = True

    class Status(models.TextChoices):
        STARTED = "started", "Đang chờ thanh toán"
        PAID = "paid", "Đã thanh toán"
        FAILED = "failed", "Không thành công"

    class Method(models.TextChoices):
        ONLINE = "online", "Trực tuyến"
        COUNTER = "counter", "Tại Bộ phận Một cửa"

    reference = models.CharField("mã giao dịch", max_length=40, unique=True)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payments")
    amount_vnd = models.DecimalField("số tiền (đồng)", max_digits=14, decimal_places=0)
    lines = models.JSONField("các khoản", default=list)  # [{"id", "name", "amount_vnd"}]
    method = models.CharField("hình thức", max_length=10, choices=Method.choices, default=Method.ONLINE)
    gateway = models.CharField("cổng thanh toán", max_length=80, blank=True)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.STARTED)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    paid_at = models.DateTimeField("thanh toán lúc", null=True, blank=True)
    transaction_no = models.CharField("số giao dịch của cổng", max_length=40, blank=True)
    bank_code = models.CharField("ngân hàng", max_length=20, blank=True)
    gateway_status = models.CharField("mã trạng thái của cổng", max_length=10, blank=True)
    failure = models.CharField("lý do không thành công", max_length=255, blank=True)
    receipt_number = models.CharField("số biên lai", max_length=40, blank=True)
    receipt = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_ip = models.GenericIPAddressField("địa chỉ người thanh toán", null=True, blank=True)

    class Meta:
        verbose_name = "khoản thanh toán"
        verbose_name_plural = "các khoản thanh toán"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="payment_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "transaction_no"],
                condition=~models.Q(transaction_no=""),
                name="unique_gateway_transaction",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"


class PaymentNotice(models.Model):
    """Every word received from the gateway — notification, return, query answer — kept as received,
    valid or not (a forged or replayed notification is refused *and* logged)."""

    AUDIT_BY_SERVICE = True

    class Source(models.TextChoices):
        NOTIFY = "notify", "Thông báo từ cổng (máy chủ – máy chủ)"
        RETURN = "return", "Người dùng quay về"
        QUERY = "query", "Tra cứu giao dịch"

    received_at = models.DateTimeField("nhận lúc", default=timezone.now)
    source = models.CharField("nguồn", max_length=10, choices=Source.choices)
    params = models.JSONField("nội dung")
    valid = models.BooleanField("chữ ký hợp lệ", default=False)
    outcome = models.CharField("xử lý", max_length=255)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    client_ip = models.GenericIPAddressField("từ địa chỉ", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo của cổng thanh toán"
        verbose_name_plural = "thông báo của cổng thanh toán"
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.received_at:%d/%m/%Y %H:%M}: {self.outcome}"


class ReceiptSequence(models.Model):
    """The last receipt number a unit gave in a year."""

    AUDIT_BY_SERVICE = True

    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "số biên lai cuối cùng trong năm"
        verbose_name_plural = "số biên lai cuối cùng trong năm"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unique_receipt_sequence")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.last_value}"
