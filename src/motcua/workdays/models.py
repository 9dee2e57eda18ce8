"""Calendar data layered on the statutory holidays: overrides and office hours, by effective date."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from motcua.core.models import OrgUnit
from motcua.core.rules import RuleValueError, office_hours_value


class CalendarOverride(models.Model):
    """Điều chỉnh lịch: a Prime Minister decision, a swapped day, a make-up Saturday, a local day off."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Ngày nghỉ"
        WORKING_DAY = "working_day", "Ngày làm việc (làm bù)"
        CANCEL_DAY_OFF = "cancel_day_off", "Hủy ngày nghỉ theo luật (đi làm)"

    date = models.DateField("ngày")
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    name = models.CharField("tên", max_length=200)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name="chỉ áp dụng cho đơn vị",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=(
            "Để trống: áp dụng cho toàn tỉnh. Chọn đơn vị: áp dụng cho đơn vị đó và các đơn vị trực thuộc."
        ),
    )
    decision = models.CharField("văn bản quyết định", max_length=200, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "điều chỉnh lịch làm việc"
        verbose_name_plural = "điều chỉnh lịch làm việc"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "unit"], name="unique_override_per_unit"),
            models.UniqueConstraint(
                fields=["date"], condition=Q(unit__isnull=True), name="unique_override_province"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"


class OfficeHours(models.Model):
    """Giờ làm việc của một đơn vị (hoặc mặc định toàn tỉnh khi để trống đơn vị), từ một ngày."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name="đơn vị", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effective_from = models.DateField("hiệu lực từ")
    windows = models.JSONField("khung giờ làm việc", help_text='Ví dụ [["07:30","11:30"],["13:30","17:00"]]')
    saturday_reception = models.JSONField(
        "tiếp nhận sáng thứ Bảy",
        default=list,
        blank=True,
        help_text='Ví dụ [["07:30","11:30"]]. Chỉ để tiếp nhận: thứ Bảy không tính là ngày làm việc.',
    )
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        verbose_name = "giờ làm việc"
        verbose_name_plural = "giờ làm việc"
        ordering = ["unit__path", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["unit", "effective_from"], name="unique_office_hours")]

    def __str__(self) -> str:
        return f"{self.unit or 'Toàn tỉnh'} từ {self.effective_from:%d/%m/%Y}"

    def clean(self) -> None:
        try:
            self.windows = office_hours_value(self.windows)
            if self.saturday_reception:
                self.saturday_reception = office_hours_value(self.saturday_reception)
        except RuleValueError as exc:
            raise ValidationError({"windows": str(exc)}) from exc
