"""Task tracking (theo dõi nhiệm vụ): source documents, their tasks, and the work on each task.

``Directive`` is one task (nhiệm vụ) of a source document; the name keeps it apart from
``django.tasks``. A task has one ``Occurrence`` per deadline: exactly one for a task with a date or
no date at all, one per period for a recurring task ("30/9 hằng năm"). Each occurrence has one
``Part`` per lead unit — a named unit, or each unit a collective lead covers ("Các sở, ban, ngành"):
progress reports, completion and extension requests, deadline changes and reminders belong to a part,
and the occurrence is complete when every part is. The status is not stored: it is derived from the
dates and progress on the day you look (``directives.status``).

Every write goes through ``directives.services`` (one use case, one transaction, one audit entry), so
the models declare ``AUDIT_BY_SERVICE``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from motcua.core.models import OrgUnit
from motcua.directives.planparse import DEADLINE_KIND_LABELS, DeadlineKind
from motcua.directives.unitnames import COLLECTIVE_LABELS, Collective

COLLECTIVE_CHOICES = [(c.value, COLLECTIVE_LABELS[c]) for c in Collective]
DEADLINE_KIND_CHOICES = [(k.value, DEADLINE_KIND_LABELS[k]) for k in DeadlineKind]


class SourceDocument(models.Model):
    """Văn bản giao nhiệm vụ: a plan, decision, directive or conclusion notice."""

    AUDIT_BY_SERVICE = True

    class Kind(models.TextChoices):
        PLAN = "plan", "Kế hoạch"
        DECISION = "decision", "Quyết định"
        DIRECTIVE = "directive", "Chỉ thị"
        NOTICE = "notice", "Thông báo kết luận"
        RESOLUTION = "resolution", "Nghị quyết"
        PROGRAMME = "programme", "Chương trình"
        LETTER = "letter", "Công văn"
        OTHER = "other", "Văn bản khác"

    kind = models.CharField("loại văn bản", max_length=20, choices=Kind.choices, default=Kind.PLAN)
    number = models.CharField("số, ký hiệu", max_length=60)
    issued_on = models.DateField("ngày ban hành")
    issuer = models.CharField("cơ quan, người ban hành", max_length=255, blank=True)
    summary = models.TextField("trích yếu", blank=True)
    assigning_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="đơn vị theo dõi, đôn đốc",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Văn phòng UBND: duyệt hoàn thành và gia hạn các nhiệm vụ của văn bản.",
    )
    source_file = models.CharField("tệp nguồn", max_length=255, blank=True)
    imported_at = models.DateTimeField("nhập lúc", default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "văn bản giao nhiệm vụ"
        verbose_name_plural = "văn bản giao nhiệm vụ"
        ordering = ["-issued_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["number", "issued_on"], name="directives_unique_document")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} số {self.number} ngày {self.issued_on:%d/%m/%Y}"


class Directive(models.Model):
    """Nhiệm vụ: one row of a document's task table."""

    AUDIT_BY_SERVICE = True

    class UnitRole(models.TextChoices):
        LEAD = "lead", "Chủ trì"
        COORDINATING = "coordinating", "Phối hợp"

    document = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, related_name="directives")
    number = models.CharField("số thứ tự", max_length=20)
    section = models.CharField("mục", max_length=10, blank=True)
    section_title = models.TextField("tên mục", blank=True)
    position = models.PositiveIntegerField("thứ tự trong văn bản")
    content = models.TextField("nội dung nhiệm vụ")
    product = models.TextField("sản phẩm", blank=True)
    lead_text = models.TextField("cơ quan chủ trì (như văn bản ghi)")
    coordinating_text = models.TextField("cơ quan phối hợp (như văn bản ghi)", blank=True)
    deadline_text = models.TextField("thời hạn (như văn bản ghi)", blank=True)
    deadline_kind = models.CharField(
        "loại thời hạn", max_length=12, choices=DEADLINE_KIND_CHOICES, default=DeadlineKind.NONE
    )
    deadline = models.DateField("thời hạn ban đầu", null=True, blank=True)
    recurrence = models.CharField(
        "lặp lại (RRULE)",
        max_length=120,
        blank=True,
        help_text="RFC 5545, ví dụ FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=30",
    )
    place = models.CharField("vị trí trong tệp nguồn", max_length=60, blank=True)
    current = models.ForeignKey(
        "Occurrence",
        verbose_name="kỳ đang theo dõi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Kỳ sớm nhất chưa hoàn thành (hoặc kỳ cuối khi đã hoàn thành hết).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="directives_unique_number")
        ]
        indexes = [models.Index(fields=["document", "position"])]

    def __str__(self) -> str:
        return f"Nhiệm vụ {self.number} — {self.document.number}"


class DirectiveUnit(models.Model):
    """One agency named in a task's lead or coordinating cell, and what it was matched to: an org unit
    (a 2025 successor when the named agency no longer exists), a collective, or nothing yet (the
    office decides on the review screen)."""

    AUDIT_BY_SERVICE = True

    class Via(models.TextChoices):
        NAME = "name", "Trùng tên"
        SUCCESSION = "succession", "Đơn vị kế thừa"
        SUCCESSOR_LIST = "successor_list", "Bảng cơ quan kế thừa 2025"
        COLLECTIVE = "collective", "Tên chung"
        ALIAS = "alias", "Văn phòng đã chọn"
        REVIEW = "review", "Văn phòng đã chọn"

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="units")
    role = models.CharField("vai trò", max_length=12, choices=Directive.UnitRole.choices)
    position = models.PositiveSmallIntegerField(default=1)
    name = models.CharField("tên như văn bản ghi", max_length=500)
    name_key = models.CharField(max_length=500, db_index=True, editable=False)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="đơn vị", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    original_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="đơn vị được giao (trước sắp xếp)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    collective = models.CharField("tên chung", max_length=20, choices=COLLECTIVE_CHOICES, blank=True)
    via = models.CharField("cách đối chiếu", max_length=20, choices=Via.choices, blank=True)

    class Meta:
        verbose_name = "cơ quan chủ trì, phối hợp"
        verbose_name_plural = "cơ quan chủ trì, phối hợp"
        ordering = ["directive", "role", "position"]
        indexes = [models.Index(fields=["unit", "role"]), models.Index(fields=["collective", "role"])]

    def __str__(self) -> str:
        return self.name

    @property
    def resolved(self) -> bool:
        return self.unit_id is not None or bool(self.collective)


class UnitAlias(models.Model):
    """The office's decision for an agency name that matched no unit: a unit or a collective. Applied
    to every task naming it, and to later imports."""

    AUDIT_BY_SERVICE = True

    name_key = models.CharField(max_length=500, unique=True)
    name = models.CharField("tên như văn bản ghi", max_length=500)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    collective = models.CharField("tên chung", max_length=20, choices=COLLECTIVE_CHOICES, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "đối chiếu tên cơ quan"
        verbose_name_plural = "đối chiếu tên cơ quan"
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | ~Q(collective=""), name="directives_alias_has_target"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Occurrence(models.Model):
    """One deadline of a task: the task itself, or one period of a recurring task."""

    AUDIT_BY_SERVICE = True

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="occurrences")
    seq = models.PositiveIntegerField("kỳ")
    original_due_on = models.DateField("hạn ban đầu", null=True, blank=True)
    due_on = models.DateField("hạn hiện tại", null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        "tiến độ (%)", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    last_report_at = models.DateTimeField("báo cáo gần nhất", null=True, blank=True)
    completion_requested_at = models.DateTimeField("đề nghị hoàn thành lúc", null=True, blank=True)
    extension_requested_at = models.DateTimeField("đề nghị gia hạn lúc", null=True, blank=True)
    completed_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    completed_at = models.DateTimeField("duyệt hoàn thành lúc", null=True, blank=True)
    # Kept in step with the parts by ``services.sync_occurrence`` (the status reads them in SQL).
    next_due_on = models.DateField(
        "hạn gần nhất chưa hoàn thành",
        null=True,
        blank=True,
        help_text="Hạn sớm nhất trong các phần việc chưa hoàn thành (không có phần việc: hạn của kỳ).",
    )
    done_late = models.BooleanField("có phần việc hoàn thành quá hạn", default=False)

    class Meta:
        verbose_name = "kỳ thực hiện nhiệm vụ"
        verbose_name_plural = "kỳ thực hiện nhiệm vụ"
        ordering = ["directive", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "seq"], name="directives_unique_occurrence"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="directives_progress_max_100"),
        ]
        indexes = [models.Index(fields=["due_on", "completed_on"])]

    def __str__(self) -> str:
        due = f"{self.due_on:%d/%m/%Y}" if self.due_on else "không thời hạn"
        return f"Kỳ {self.seq} (hạn {due})"


class Part(models.Model):
    """Phần việc của một đơn vị chủ trì trong một kỳ: a task led by several units ("Các sở, ban,
    ngành; UBND cấp huyện") has one part per unit; each unit reports, asks for completion or an
    extension of its own part, and the period is complete when every part is."""

    AUDIT_BY_SERVICE = True

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="parts")
    unit = models.ForeignKey(OrgUnit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("hạn của đơn vị", null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        "tiến độ (%)", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    last_report_at = models.DateTimeField("báo cáo gần nhất", null=True, blank=True)
    completion_requested_at = models.DateTimeField("đề nghị hoàn thành lúc", null=True, blank=True)
    extension_requested_at = models.DateTimeField("đề nghị gia hạn lúc", null=True, blank=True)
    completed_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    completed_at = models.DateTimeField("duyệt hoàn thành lúc", null=True, blank=True)

    class Meta:
        verbose_name = "phần việc của đơn vị"
        verbose_name_plural = "phần việc của đơn vị"
        ordering = ["occurrence", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "unit"], name="directives_one_part_per_unit"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="directives_part_progress_max_100"),
        ]
        indexes = [
            models.Index(fields=["unit", "completed_on"]),
            models.Index(fields=["due_on", "completed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.occurrence}"


class ProgressReport(models.Model):
    """Báo cáo tiến độ of the lead unit: text, percentage, attachments."""

    AUDIT_BY_SERVICE = True

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="reports")
    part = models.ForeignKey(Part, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(
        OrgUnit, verbose_name="đơn vị báo cáo", null=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("báo cáo lúc", default=timezone.now)
    percent = models.PositiveSmallIntegerField(
        "tiến độ (%)", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    text = models.TextField("nội dung báo cáo")

    class Meta:
        verbose_name = "báo cáo tiến độ"
        verbose_name_plural = "báo cáo tiến độ"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Báo cáo {self.percent}% lúc {self.created_at:%d/%m/%Y %H:%M}"


class ReportAttachment(models.Model):
    AUDIT_BY_SERVICE = True

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("tệp", upload_to="directives/%Y/%m/", max_length=255)
    name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveIntegerField("dung lượng (byte)", default=0)

    class Meta:
        verbose_name = "tệp đính kèm báo cáo"
        verbose_name_plural = "tệp đính kèm báo cáo"
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.name


class Decision(models.TextChoices):
    PENDING = "pending", "Chờ duyệt"
    APPROVED = "approved", "Đã duyệt"
    RETURNED = "returned", "Trả lại"
    REFUSED = "refused", "Không đồng ý"


class CompletionRequest(models.Model):
    """Đề nghị xác nhận hoàn thành: a lead unit says its part is done; the office approves or returns
    it. An approved request with ``requested_by`` the office is a completion the office recorded
    itself (from a written report)."""

    AUDIT_BY_SERVICE = True

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="completions")
    part = models.ForeignKey(
        Part, null=True, blank=True, on_delete=models.CASCADE, related_name="completions"
    )
    unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    completed_on = models.DateField("ngày hoàn thành")
    note = models.TextField("kết quả, sản phẩm", blank=True)
    status = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("ý kiến của Văn phòng", blank=True)

    class Meta:
        verbose_name = "đề nghị xác nhận hoàn thành"
        verbose_name_plural = "đề nghị xác nhận hoàn thành"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["part"],
                condition=Q(status="pending"),
                name="directives_one_pending_completion_per_part",
            )
        ]

    def __str__(self) -> str:
        return f"Đề nghị hoàn thành ngày {self.completed_on:%d/%m/%Y} ({self.get_status_display()})"


class ExtensionRequest(models.Model):
    """Đề nghị gia hạn of a unit's part: approved (the part's deadline moves, the change is kept) or
    refused by the office."""

    AUDIT_BY_SERVICE = True

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="extensions")
    part = models.ForeignKey(Part, null=True, blank=True, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    current_due = models.DateField("hạn đang áp dụng")
    proposed_due = models.DateField("hạn đề nghị")
    reason = models.TextField("lý do")
    status = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("ý kiến của Văn phòng", blank=True)

    class Meta:
        verbose_name = "đề nghị gia hạn"
        verbose_name_plural = "đề nghị gia hạn"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["part"],
                condition=Q(status="pending"),
                name="directives_one_pending_extension_per_part",
            )
        ]

    def __str__(self) -> str:
        return f"Gia hạn đến {self.proposed_due:%d/%m/%Y} ({self.get_status_display()})"


class DeadlineChange(models.Model):
    """Lịch sử thời hạn: every change of an occurrence's deadline (an approved extension, or a date the
    office set for a task that had none)."""

    AUDIT_BY_SERVICE = True

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="deadline_changes")
    part = models.ForeignKey(
        Part,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadline_changes",
        help_text="Trống: thời hạn của cả kỳ (mọi phần việc chưa hoàn thành).",
    )
    old_due = models.DateField("hạn cũ", null=True, blank=True)
    new_due = models.DateField("hạn mới")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("lý do", blank=True)
    extension = models.OneToOneField(
        ExtensionRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="change"
    )

    class Meta:
        verbose_name = "thay đổi thời hạn"
        verbose_name_plural = "thay đổi thời hạn"
        ordering = ["occurrence", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.old_due} → {self.new_due}"


class Reminder(models.Model):
    """Nhắc hạn sent once per part and kind (before the deadline, after it)."""

    AUDIT_BY_SERVICE = True

    class Kind(models.TextChoices):
        BEFORE = "before", "Sắp đến hạn"
        OVERDUE = "overdue", "Quá hạn"

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="reminders")
    part = models.ForeignKey(Part, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "nhắc hạn nhiệm vụ"
        verbose_name_plural = "nhắc hạn nhiệm vụ"
        constraints = [
            models.UniqueConstraint(fields=["part", "kind"], name="directives_one_reminder_per_part_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.occurrence}"
