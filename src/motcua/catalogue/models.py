"""The catalogue of administrative procedures (thủ tục hành chính, TTHC) and their versions.

A procedure is identified by its national code (e.g. ``1.001193``). Everything that the announcing
decision can change lives on a ``ProcedureVersion`` with its effective dates, so a dossier always
refers to the version that was in force when it was received.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from motcua.catalogue.eforms import check_schema
from motcua.core.models import OrgUnit, Role
from motcua.core.text import fold


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "ngày làm việc"
    WORKING_HOURS = "working_hours", "giờ làm việc"
    CALENDAR_DAYS = "calendar_days", "ngày"
    CALENDAR_MONTHS = "calendar_months", "tháng"
    SAME_DAY = "same_day", "trong ngày"


VERIFIED_LABELS = {
    "code": "mã thủ tục",
    "name": "tên thủ tục",
    "field": "lĩnh vực",
    "level": "cấp thực hiện",
    "time_limit": "thời hạn giải quyết",
    "time_limit_text": "thời hạn (nguyên văn)",
    "fees": "phí, lệ phí",
    "components": "thành phần hồ sơ",
    "result": "kết quả",
    "paper_result_required": "kết quả dạng giấy",
    "legal_bases": "căn cứ pháp lý",
    "online_level": "mức độ trực tuyến",
    "workflow": "quy trình nội bộ (mẫu trình diễn)",
    "channels": "hình thức nộp",
    "agency": "cơ quan thực hiện",
    "sequence": "trình tự thực hiện",
    "method": "cách thức thực hiện",
    "target_groups": "đối tượng thực hiện",
}


class Field(models.Model):
    """Lĩnh vực: the sector a procedure belongs to (TT 01/2018 Điều 20: code ``MX1X2-LV``)."""

    code = models.CharField("mã lĩnh vực", max_length=40, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=200, unique=True)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentType(models.Model):
    """Loại giấy tờ: the kind of paper a component asks for or a procedure issues (Giấy khai sinh, Thẻ
    căn cước…). The national catalogue's codes are not published: the codes are motcua's own, stable
    ones (docs/rules.md). A ``reusable`` paper is one the state issues and keeps, so a citizen picks it
    from the personal data warehouse (kho quản lý dữ liệu điện tử, NĐ 45/2020) instead of uploading it.
    """

    class Kind(models.TextChoices):
        IDENTITY = "identity", "Giấy tờ tùy thân"
        CIVIL_STATUS = "civil_status", "Giấy tờ hộ tịch"
        CERTIFICATE = "certificate", "Giấy chứng nhận, giấy phép"
        OTHER = "other", "Giấy tờ khác"

    code = models.CharField("mã loại giấy tờ", max_length=40, unique=True)
    name = models.CharField("tên loại giấy tờ", max_length=255)
    kind = models.CharField("nhóm", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    reusable = models.BooleanField(
        "tái sử dụng từ kho dữ liệu",
        default=False,
        help_text="Giấy tờ do cơ quan nhà nước cấp và lưu giữ: công dân chọn từ kho dữ liệu điện tử "
        "của mình thay vì tải lên.",
    )

    class Meta:
        verbose_name = "loại giấy tờ"
        verbose_name_plural = "loại giấy tờ"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "Cấp tỉnh"
        COMMUNE = "commune", "Cấp xã"

    code = models.CharField("mã TTHC", max_length=40, unique=True)
    name = models.CharField("tên thủ tục (phiên bản hiện hành)", max_length=600)
    field = models.ForeignKey(
        Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField("cấp thực hiện", max_length=20, choices=Level.choices)
    search_text = models.TextField(editable=False, default="")
    is_placeholder = models.BooleanField(
        "bản ghi tạm", default=False, help_text="Tạo khi nhập dữ liệu gặp mã TTHC chưa có; cần rà soát."
    )

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def current_version(self, on: date | None = None) -> ProcedureVersion | None:
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.versions.in_force(day).first()

    def refresh_search_text(self) -> None:
        self.search_text = " ".join([fold(self.code), fold(self.name), fold(self.field.name)])


class ProcedureVersionQuerySet(models.QuerySet["ProcedureVersion"]):
    def in_force(self, day: date) -> ProcedureVersionQuerySet:
        return (
            self.filter(status=ProcedureVersion.Status.PUBLISHED, effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day))
            .order_by("-effective_from")
        )


class ProcedureVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        PUBLISHED = "published", "Đang công khai"
        REPEALED = "repealed", "Đã bãi bỏ"

    class OnlineLevel(models.TextChoices):
        FULL = "full", "Toàn trình"
        PARTIAL = "partial", "Một phần"
        NONE = "none", "Không cung cấp trực tuyến"

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("số phiên bản")
    status = models.CharField("trạng thái", max_length=20, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField("hiệu lực từ")
    effective_to = models.DateField("hết hiệu lực từ", null=True, blank=True)
    decision = models.CharField("quyết định công bố", max_length=255, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    name = models.CharField("tên thủ tục", max_length=600)
    levels = models.JSONField("cấp thực hiện", default=list, blank=True)
    implementing_agency = models.CharField("cơ quan thực hiện", max_length=255, blank=True)
    implementing_units = models.ManyToManyField(
        OrgUnit, verbose_name="đơn vị thực hiện", blank=True, related_name="procedure_versions"
    )
    sequence = models.TextField("trình tự thực hiện", blank=True)
    method = models.TextField("cách thức thực hiện", blank=True)
    channels = models.JSONField("hình thức nộp", default=list, blank=True)
    time_limit_value = models.DecimalField(
        "thời hạn giải quyết", max_digits=8, decimal_places=2, default=Decimal(0)
    )
    time_limit_unit = models.CharField("đơn vị thời hạn", max_length=20, choices=LimitUnit.choices)
    time_limit_text = models.TextField("thời hạn (nguyên văn)", blank=True)
    target_groups = models.JSONField("đối tượng thực hiện", default=list, blank=True)
    result_types = models.JSONField("kết quả thực hiện", default=list, blank=True)
    result_doc_type = models.ForeignKey(
        DocumentType,
        verbose_name="loại giấy tờ kết quả",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_by",
        help_text="Loại giấy tờ mà kết quả của thủ tục cấp cho công dân (nếu có).",
    )
    paper_result_required = models.BooleanField("kết quả là giấy tờ", default=False)
    legal_bases = models.JSONField("căn cứ pháp lý", default=list, blank=True)
    online_level = models.CharField("mức độ trực tuyến", max_length=10, choices=OnlineLevel.choices)
    online_partial_reason = models.TextField("lý do chỉ cung cấp một phần", blank=True)
    notes = models.JSONField("ghi chú nguồn", default=dict, blank=True)
    verified = models.JSONField("trường đã đối chiếu nguồn", default=dict, blank=True)
    sources = models.JSONField("nguồn", default=list, blank=True)

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        ordering = ["procedure__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="unique_procedure_version"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=models.F("effective_from")),
                name="procedure_version_valid_range",
            ),
            models.CheckConstraint(condition=Q(time_limit_value__gte=0), name="time_limit_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.version}"

    @property
    def unverified_fields(self) -> list[str]:
        """Keys of the data fields not yet checked against a published source."""
        return sorted(k for k, ok in (self.verified or {}).items() if not ok)

    @property
    def unverified_labels(self) -> list[str]:
        """The same fields, in Vietnamese, for people."""
        return [VERIFIED_LABELS.get(k, k) for k in self.unverified_fields]

    def time_limit_display(self) -> str:
        if self.time_limit_unit == LimitUnit.SAME_DAY:
            return "Trong ngày"
        value = self.time_limit_value.normalize()
        return f"{value:f} {self.get_time_limit_unit_display()}"

    def clean(self) -> None:
        if self.online_level == self.OnlineLevel.PARTIAL and not self.online_partial_reason.strip():
            raise ValidationError(
                {"online_partial_reason": "Thủ tục chỉ cung cấp trực tuyến một phần phải ghi rõ lý do."}
            )
        if self.time_limit_unit != LimitUnit.WORKING_HOURS and self.time_limit_value != int(
            self.time_limit_value
        ):
            raise ValidationError(
                {"time_limit_value": "Chỉ thời hạn tính bằng giờ làm việc mới được có số lẻ."}
            )
        if self.effective_to and self.effective_to <= self.effective_from:
            raise ValidationError({"effective_to": "Ngày hết hiệu lực phải sau ngày hiệu lực."})
        if self.status == self.Status.PUBLISHED and self.procedure_id:
            overlapping = ProcedureVersion.objects.filter(
                procedure_id=self.procedure_id, status=self.Status.PUBLISHED
            ).exclude(pk=self.pk)
            end = self.effective_to or date.max
            for other in overlapping:
                other_end = other.effective_to or date.max
                if other.effective_from < end and self.effective_from < other_end:
                    raise ValidationError(
                        {
                            "effective_from": (
                                f"Thời gian hiệu lực trùng với phiên bản {other.version} "
                                f"(từ {other.effective_from:%d/%m/%Y}); "
                                "hãy đặt ngày hết hiệu lực cho phiên bản đó."
                            )
                        }
                    )


class Component(models.Model):
    """Thành phần hồ sơ."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", "Bản chính"
        COPY = "copy", "Bản sao"
        CERTIFIED_COPY = "certified_copy", "Bản sao chứng thực"
        ELECTRONIC = "electronic", "Bản điện tử"

    class Role(models.TextChoices):
        SUBMIT = "submit", "Nộp"
        PRESENT = "present", "Xuất trình"

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField("thứ tự")
    code = models.CharField("mã thành phần", max_length=60, blank=True)
    name = models.TextField("tên giấy tờ")
    kind = models.CharField("loại bản", max_length=20, choices=Kind.choices, default=Kind.ORIGINAL)
    quantity = models.PositiveSmallIntegerField("số lượng", default=1)
    role = models.CharField("nộp / xuất trình", max_length=10, choices=Role.choices, default=Role.SUBMIT)
    required = models.BooleanField("bắt buộc", default=True)
    # The channels the component applies to ("direct", "postal", "online"; empty: every channel): a paper
    # form is asked at the counter and by post, its interactive e-form online (1.001193).
    channels = models.JSONField(
        "áp dụng khi nộp",
        default=list,
        blank=True,
        help_text="Để trống: mọi hình thức nộp. direct: trực tiếp; postal: bưu chính; online: trực tuyến.",
    )
    # Components sharing a group are alternatives: the dossier needs one of them ("Giấy chứng sinh; nếu
    # không có thì văn bản của người làm chứng …").
    alternative_group = models.CharField(
        "nhóm thay thế",
        max_length=40,
        blank=True,
        help_text="Các thành phần cùng nhóm thay thế cho nhau: chỉ cần nộp một trong số đó.",
    )
    doc_type = models.ForeignKey(
        DocumentType,
        verbose_name="loại giấy tờ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="components",
        help_text="Loại giấy tờ mà thành phần này yêu cầu (nếu xác định được một loại).",
    )
    form_template = models.CharField("mẫu đơn, tờ khai", max_length=255, blank=True)
    # The declaration (tờ khai) as a JSON Schema with motcua's annotations (``catalogue.eforms``).
    eform_schema = models.JSONField("biểu mẫu điện tử", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="unique_component_order")]

    def __str__(self) -> str:
        return self.name[:80]

    def applies_to(self, channel: str) -> bool:
        """Whether the component is asked when the dossier is submitted by ``channel`` (a code of
        ``CHANNEL_CODES``: direct, postal, online)."""
        return not self.channels or channel in self.channels

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        unknown = [c for c in self.channels or [] if c not in CHANNEL_CODES]
        if unknown or not isinstance(self.channels, list):
            errors["channels"] = [
                "Chỉ ghi các hình thức nộp: direct (trực tiếp), postal (bưu chính), online (trực tuyến)."
            ]
        if self.eform_schema is not None:
            problems = check_schema(self.eform_schema)
            if problems:
                errors["eform_schema"] = problems
        if errors:
            raise ValidationError(errors)


# The submission channels of a component or version (``ProcedureVersion.channels``): code → label.
CHANNEL_CODES = {"direct": "trực tiếp", "postal": "qua bưu chính", "online": "trực tuyến"}


class Fee(models.Model):
    """Phí, lệ phí, with exemptions kept verbatim."""

    class Kind(models.TextChoices):
        FEE = "fee", "Lệ phí"
        CHARGE = "charge", "Phí"

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    name = models.CharField("tên phí, lệ phí", max_length=400)
    kind = models.CharField("loại", max_length=10, choices=Kind.choices, default=Kind.FEE)

    class Basis(models.TextChoices):
        FIXED = "fixed", "Một mức cho mỗi hồ sơ"
        PER_PAGE = "per_page", "Theo trang của bản chính, cho mỗi bản"

    amount_vnd = models.DecimalField("mức thu (đồng)", max_digits=14, decimal_places=0, null=True, blank=True)
    # The per-page form (certified copies, TT 226/2016/TT-BTC): ``amount_vnd`` per page, ``reduced_vnd``
    # per page from page ``reduced_from_page`` on, at most ``cap_vnd`` per copy (catalogue/fees.py).
    basis = models.CharField("cách tính", max_length=10, choices=Basis.choices, default=Basis.FIXED)
    reduced_from_page = models.PositiveSmallIntegerField("mức giảm từ trang thứ", null=True, blank=True)
    reduced_vnd = models.DecimalField(
        "mức thu từ trang đó (đồng/trang)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    cap_vnd = models.DecimalField(
        "tối đa mỗi bản (đồng)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    exemptions = models.TextField("miễn, giảm", blank=True)
    # The cases the amount is waived or reduced for, as data: [{"code", "label", "percent"}]
    # (``schema.ExemptionDoc``); the officer picks one at intake (``fees.exempted``).
    exemption_rules = models.JSONField("các trường hợp miễn, giảm", default=list, blank=True)
    # Paid with the online request, before the authority receives the dossier (e.g. the fee of a
    # criminal-record certificate); such a fee has a fixed amount (``validation._fee_problems``).
    pay_first = models.BooleanField(
        "nộp khi nộp hồ sơ trực tuyến",
        default=False,
        help_text="Người nộp trả khoản này ngay khi nộp hồ sơ trực tuyến, trước khi cơ quan tiếp nhận; "
        "chỉ dùng cho khoản thu có một mức cố định.",
    )
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"
        ordering = ["version", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_vnd__isnull=True) | Q(amount_vnd__gte=0), name="fee_non_negative"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.pay_first and (self.amount_vnd is None or self.basis != self.Basis.FIXED):
            raise ValidationError(
                {
                    "pay_first": f"Phí, lệ phí “{self.name}” nộp khi nộp hồ sơ trực tuyến phải có một "
                    "mức thu cố định (ghi mức thu, không tính theo trang)."
                }
            )


class WorkflowStep(models.Model):
    """One step of the internal workflow (quy trình nội bộ) with the time allotted to it.

    Steps run in ``order``; steps sharing a ``parallel_group`` run at the same time (consultation
    of other units), so the group takes the time of its longest step.
    """

    class UnitMode(models.TextChoices):
        COMPETENT = "competent", "Đơn vị có thẩm quyền giải quyết"
        ONE_STOP = "one_stop", "Bộ phận Một cửa nơi tiếp nhận"
        FIXED = "fixed", "Đơn vị cụ thể"

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="workflow_steps")
    order = models.PositiveSmallIntegerField("bước")
    code = models.SlugField("mã bước", max_length=40)
    name = models.CharField("tên bước", max_length=200)
    role = models.CharField("vai trò thực hiện", max_length=20, choices=Role.choices)
    unit_mode = models.CharField(
        "đơn vị thực hiện", max_length=20, choices=UnitMode.choices, default=UnitMode.COMPETENT
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="đơn vị cụ thể", null=True, blank=True, on_delete=models.PROTECT
    )
    allotted_hours = models.DecimalField("thời gian (giờ làm việc)", max_digits=7, decimal_places=2)
    parallel_group = models.CharField("nhóm song song", max_length=20, blank=True)
    is_consultation = models.BooleanField("lấy ý kiến, liên thông", default=False)

    class Meta:
        verbose_name = "bước quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_step_code"),
            models.CheckConstraint(condition=Q(allotted_hours__gt=0), name="step_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def clean(self) -> None:
        if self.unit_mode == self.UnitMode.FIXED and self.unit_id is None:
            raise ValidationError({"unit": "Bước giao cho đơn vị cụ thể phải chọn đơn vị."})
        if self.unit_mode != self.UnitMode.FIXED and self.unit_id is not None:
            raise ValidationError({"unit": "Chỉ chọn đơn vị khi bước giao cho đơn vị cụ thể."})
