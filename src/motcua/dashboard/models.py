"""The KPI indicator set (bộ chỉ số điều hành): indicators and their monthly values (docs/dashboard.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from motcua.core.models import OrgUnit


class Indicator(models.Model):
    """Chỉ số điều hành: what is measured, where the value comes from and the target."""

    class Source(models.TextChoices):
        DOSSIERS = "dossiers", "Thống kê hồ sơ"
        INDEX766 = "index766", "Bộ chỉ số 766"
        DIRECTIVES = "directives", "Theo dõi nhiệm vụ"
        REPORTING = "reporting", "Chỉ tiêu báo cáo"
        MANUAL = "manual", "Nhập thủ công"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Càng cao càng tốt"
        LOWER = "lower", "Càng thấp càng tốt"

    code = models.SlugField("mã chỉ số", max_length=40, unique=True)
    name = models.CharField("tên chỉ số", max_length=255)
    description = models.TextField("mô tả, cách tính", blank=True)
    unit_of_measure = models.CharField("đơn vị tính", max_length=40, blank=True)
    source = models.CharField("nguồn số liệu", max_length=12, choices=Source.choices)
    source_key = models.CharField(
        "tham số nguồn",
        max_length=80,
        blank=True,
        help_text="Ví dụ on_time_rate, online_share, points, overdue; chỉ tiêu báo cáo: MÃ-BÁO-CÁO:mã.",
    )
    target = models.DecimalField("mục tiêu", max_digits=14, decimal_places=2, null=True, blank=True)
    direction = models.CharField(
        "chiều đánh giá", max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    target_basis = models.CharField("căn cứ mục tiêu", max_length=255, blank=True)
    public = models.BooleanField("công khai trên Cổng", default=False)
    position = models.PositiveSmallIntegerField("thứ tự", default=1)
    active = models.BooleanField("đang theo dõi", default=True)

    class Meta:
        verbose_name = "chỉ số điều hành"
        verbose_name_plural = "chỉ số điều hành"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class IndicatorValue(models.Model):
    """The value of an indicator for one month and one unit (no unit: the province).

    Written only by ``dashboard.services``: a refresh records one audit entry per indicator and month
    whose values changed; a manual entry appends a ``ValueEntry`` (the history) and an audit entry.
    """

    AUDIT_BY_SERVICE = True

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    month = models.DateField("tháng", help_text="Ngày đầu tháng.")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField("giá trị", max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField("ghi chú nguồn", max_length=255, blank=True)
    computed_at = models.DateTimeField("tính/nhập lúc", default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "giá trị chỉ số"
        verbose_name_plural = "giá trị chỉ số"
        ordering = ["indicator", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "month"], condition=Q(unit__isnull=True), name="dashboard_value_province"
            ),
            models.UniqueConstraint(
                fields=["indicator", "month", "unit"],
                condition=Q(unit__isnull=False),
                name="dashboard_value_unit",
            ),
        ]
        indexes = [models.Index(fields=["month", "unit"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.month:%m/%Y}: {self.value}"


class ValueEntry(models.Model):
    """One manual entry of an indicator's value by the office, kept for ever (append-only): the
    value in force is the latest entry (``IndicatorValue``); every earlier one stays here with who
    entered it and when, so an entered value never silently replaces the previous one."""

    AUDIT_BY_SERVICE = True  # services.enter_value records each entry

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="entries")
    month = models.DateField("tháng", help_text="Ngày đầu tháng.")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField("giá trị", max_digits=14, decimal_places=2)
    previous = models.DecimalField("giá trị trước đó", max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField("ghi chú nguồn", max_length=255, blank=True)
    entered_at = models.DateTimeField("nhập lúc", default=timezone.now)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "lần nhập giá trị chỉ số"
        verbose_name_plural = "lịch sử nhập giá trị chỉ số"
        ordering = ["indicator", "month", "-entered_at", "-id"]
        indexes = [models.Index(fields=["indicator", "month", "unit"], name="dashboard_entry_cell")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.month:%m/%Y}: {self.previous} → {self.value}"
