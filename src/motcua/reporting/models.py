"""The reporting regime (chế độ báo cáo, NĐ 09/2019/NĐ-CP): definitions, periods, unit reports.

- ``ReportDefinition`` (chế độ báo cáo): name, code, legal basis, periodicity, cut-off rule, deadline
  offset, the receiving unit and the reporting units; its ``DataForm``s (biểu mẫu) hold ``Indicator``s
  (chỉ tiêu) with a type and an aggregation rule.
- ``ReportPeriod`` (kỳ báo cáo): one window of a definition with its deadline.
- ``Submission`` (báo cáo của một đơn vị trong một kỳ) and its ``SubmissionVersion``s: every version
  sent is kept; a report returned for correction gets a new version.
- ``AggregateReport`` (báo cáo tổng hợp): the receiving unit's accepted total of a period, sent to the
  national reporting system through the outbox.

Unit reports and aggregates are written only by ``reporting.services`` (one use case, one transaction,
one audit entry): ``AUDIT_BY_SERVICE``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from motcua.core.models import OrgUnit
from motcua.reporting.periods import CutoffRule, Periodicity
from motcua.reporting.values import Aggregation, ValueType

PERIODICITY_CHOICES = [
    (Periodicity.MONTH.value, "Hằng tháng"),
    (Periodicity.QUARTER.value, "Hằng quý"),
    (Periodicity.HALF_YEAR.value, "6 tháng"),
    (Periodicity.NINE_MONTHS.value, "9 tháng"),
    (Periodicity.YEAR.value, "Hằng năm"),
    (Periodicity.AD_HOC.value, "Đột xuất"),
]
CUTOFF_CHOICES = [
    ("", "Theo quy tắc reporting.cutoff đang hiệu lực"),
    (CutoffRule.ND09.value, "Từ ngày 15 tháng trước đến ngày 14 (NĐ 09/2019)"),
    (CutoffRule.CALENDAR.value, "Theo tháng dương lịch"),
]
VALUE_TYPE_CHOICES = [
    (ValueType.INTEGER.value, "Số nguyên"),
    (ValueType.DECIMAL.value, "Số thập phân"),
    (ValueType.PERCENT.value, "Tỷ lệ (%)"),
    (ValueType.TEXT.value, "Văn bản"),
]
AGGREGATION_CHOICES = [
    (Aggregation.SUM.value, "Cộng"),
    (Aggregation.AVERAGE.value, "Trung bình"),
    (Aggregation.WEIGHTED_AVERAGE.value, "Trung bình có trọng số"),
    (Aggregation.MIN.value, "Nhỏ nhất"),
    (Aggregation.MAX.value, "Lớn nhất"),
    (Aggregation.NONE.value, "Không tổng hợp"),
]


class ReportDefinition(models.Model):
    """Chế độ báo cáo: what is reported, by whom, to whom, how often and by when."""

    class Prefill(models.TextChoices):
        NONE = "", "Không"
        ONE_STOP = "one_stop", "Số liệu một cửa từ hồ sơ"

    code = models.CharField("mã báo cáo", max_length=40, unique=True)
    name = models.CharField("tên báo cáo", max_length=255)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=255, blank=True)
    description = models.TextField("nội dung, hướng dẫn", blank=True)
    periodicity = models.CharField("tần suất", max_length=12, choices=PERIODICITY_CHOICES)
    cutoff_rule = models.CharField(
        "thời gian chốt số liệu", max_length=12, choices=CUTOFF_CHOICES, blank=True, default=""
    )
    deadline_working_days = models.PositiveSmallIntegerField(
        "hạn gửi (ngày làm việc sau ngày chốt)",
        null=True,
        blank=True,
        help_text="Để trống: theo quy tắc reporting.deadline_working_days (mặc định 2).",
    )
    receiving_unit = models.ForeignKey(
        OrgUnit, verbose_name="cơ quan nhận báo cáo", on_delete=models.PROTECT, related_name="+"
    )
    reporting_units = models.ManyToManyField(OrgUnit, verbose_name="đơn vị báo cáo", related_name="+")
    prefill = models.CharField(
        "tự điền số liệu", max_length=12, choices=Prefill.choices, blank=True, default=Prefill.NONE
    )
    first_period_from = models.DateField(
        "tạo kỳ từ ngày", help_text="Kỳ đầu tiên là kỳ có ngày chốt cuối từ ngày này trở đi."
    )
    active = models.BooleanField("đang áp dụng", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "chế độ báo cáo"
        verbose_name_plural = "chế độ báo cáo"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class DataForm(models.Model):
    """Biểu mẫu số liệu: one sheet of the report's Excel layout."""

    definition = models.ForeignKey(ReportDefinition, on_delete=models.CASCADE, related_name="forms")
    position = models.PositiveSmallIntegerField("thứ tự", default=1)
    code = models.CharField("ký hiệu biểu", max_length=40)
    name = models.CharField("tên biểu", max_length=255)
    instructions = models.TextField("hướng dẫn tổng hợp số liệu", blank=True)

    class Meta:
        verbose_name = "biểu mẫu"
        verbose_name_plural = "biểu mẫu"
        ordering = ["definition", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["definition", "code"], name="reporting_form_code")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def sheet_name(self) -> str:
        """Excel forbids []:*?/\\ in sheet names and allows 31 characters."""
        name = "".join("-" if c in "[]:*?/\\" else c for c in self.code)
        return name[:31] or f"Biểu {self.position}"


class Indicator(models.Model):
    """Chỉ tiêu: one row of a data form."""

    definition = models.ForeignKey(ReportDefinition, on_delete=models.CASCADE, related_name="indicators")
    form = models.ForeignKey(DataForm, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField("thứ tự", default=1)
    code = models.CharField("mã chỉ tiêu", max_length=20, help_text="Ví dụ 1, 1.1, 2.3.")
    name = models.CharField("tên chỉ tiêu", max_length=500)
    unit_of_measure = models.CharField("đơn vị tính", max_length=40, blank=True)
    value_type = models.CharField("kiểu số liệu", max_length=10, choices=VALUE_TYPE_CHOICES)
    aggregation = models.CharField("cách tổng hợp", max_length=20, choices=AGGREGATION_CHOICES)
    weight = models.ForeignKey(
        "self",
        verbose_name="trọng số (chỉ tiêu)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Cho cách tổng hợp “trung bình có trọng số”.",
    )
    allow_negative = models.BooleanField("cho phép số âm", default=False)
    required = models.BooleanField("bắt buộc", default=True)
    prefill_key = models.CharField("nguồn tự điền", max_length=40, blank=True)

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["definition", "form__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="reporting_indicator_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class ReportPeriod(models.Model):
    """Kỳ báo cáo: the cut-off window and the deadline (computed once, when the period is made)."""

    AUDIT_BY_SERVICE = True

    definition = models.ForeignKey(ReportDefinition, on_delete=models.PROTECT, related_name="periods")
    key = models.CharField("mã kỳ", max_length=20, help_text="2026-M03, 2026-Q1, 2026-H1, 2026-9T, 2026-Y")
    label = models.CharField("kỳ", max_length=60)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveSmallIntegerField("số kỳ trong năm")
    start = models.DateField("chốt số liệu từ ngày")
    end = models.DateField("chốt số liệu đến ngày")
    deadline = models.DateField("hạn gửi báo cáo")
    cutoff_rule = models.CharField("cách chốt số liệu đã áp dụng", max_length=12, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        ordering = ["definition", "-end"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "key"], name="reporting_period_key"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="reporting_period_range"),
        ]
        indexes = [models.Index(fields=["deadline"], name="reporting_period_deadline")]

    def __str__(self) -> str:
        return f"{self.definition.code} {self.label}"


class Submission(models.Model):
    """Báo cáo của một đơn vị trong một kỳ. The shown status adds the dates (``reporting.status``)."""

    AUDIT_BY_SERVICE = True

    class State(models.TextChoices):
        DRAFT = "draft", "Đang soạn"
        SUBMITTED = "submitted", "Đã gửi"
        RETURNED = "returned", "Trả lại để chỉnh sửa"
        ACCEPTED = "accepted", "Đã tiếp nhận"

    period = models.ForeignKey(ReportPeriod, on_delete=models.PROTECT, related_name="submissions")
    unit = models.ForeignKey(
        OrgUnit, verbose_name="đơn vị báo cáo", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.DRAFT)
    current = models.ForeignKey(
        "SubmissionVersion",
        verbose_name="phiên bản hiện hành",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_submitted_at = models.DateTimeField("gửi lần đầu lúc", null=True, blank=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    submitted_late = models.BooleanField("gửi sau hạn", default=False)
    decided_at = models.DateTimeField("cơ quan nhận xử lý lúc", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField("lý do trả lại", blank=True)

    class Meta:
        verbose_name = "báo cáo của đơn vị"
        verbose_name_plural = "báo cáo của đơn vị"
        ordering = ["period", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="reporting_submission_unit")]

    def __str__(self) -> str:
        return f"{self.period} — {self.unit}"


class SubmissionVersion(models.Model):
    """One version of a unit's report. A sent version is never changed; a draft is (until it is sent)."""

    AUDIT_BY_SERVICE = True

    class Source(models.TextChoices):
        FORM = "form", "Nhập trên màn hình"
        EXCEL = "excel", "Tải lên tệp Excel"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("phiên bản")
    values = models.JSONField("số liệu", default=dict, help_text="mã chỉ tiêu → giá trị")
    auto_filled = models.JSONField(
        "tự điền", default=dict, blank=True, help_text="mã chỉ tiêu → giá trị hệ thống tính từ hồ sơ"
    )
    source = models.CharField("cách nhập", max_length=10, choices=Source.choices, default=Source.FORM)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Signature placeholder (no PKI yet): who signed, when, and the SHA-256 of the signed content.
    signer = models.CharField("người ký", max_length=150, blank=True)
    signed_at = models.DateTimeField("ký lúc", null=True, blank=True)
    content_hash = models.CharField("SHA-256 nội dung", max_length=64, blank=True)
    return_reason = models.TextField("lý do trả lại phiên bản này", blank=True)

    class Meta:
        verbose_name = "phiên bản báo cáo"
        verbose_name_plural = "phiên bản báo cáo"
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="reporting_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.submission} — phiên bản {self.number}"


class AggregateReport(models.Model):
    """Báo cáo tổng hợp of a period, accepted by the receiving office and queued for sending."""

    AUDIT_BY_SERVICE = True

    period = models.ForeignKey(ReportPeriod, on_delete=models.PROTECT, related_name="aggregates")
    number = models.PositiveSmallIntegerField("phiên bản")
    values = models.JSONField("số liệu tổng hợp", default=dict)
    units = models.JSONField("đơn vị được tổng hợp", default=list)
    accepted_at = models.DateTimeField("chốt lúc", default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_hash = models.CharField("SHA-256 nội dung", max_length=64)
    idempotency_key = models.CharField("khóa chống trùng khi gửi", max_length=160, unique=True)
    receipt_id = models.CharField("mã tiếp nhận của hệ thống báo cáo", max_length=80, blank=True)
    delivered_at = models.DateTimeField("gửi thành công lúc", null=True, blank=True)

    class Meta:
        verbose_name = "báo cáo tổng hợp"
        verbose_name_plural = "báo cáo tổng hợp"
        ordering = ["period", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="reporting_aggregate_number")
        ]

    def __str__(self) -> str:
        return f"{self.period} — tổng hợp {self.number}"
