"""Persistence of the dossier aggregate (hồ sơ). No workflow here: ``services.py`` is the only write path.

``Dossier`` holds the current state as a *projection* of its append-only ``DossierEvent`` history
(``projection.py`` rebuilds and verifies it). Every model of this app is written only by the use-case
services, which append exactly one audit entry per use case, so they opt out of the per-row audit
signals (``AUDIT_BY_SERVICE``).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from motcua.core.contentstore import documents_storage
from motcua.dossiers import national
from motcua.dossiers.rules import (
    DELIVERY_COUNTER,
    DELIVERY_ONLINE,
    DELIVERY_POST,
    NATIONAL_STATUS_LABELS,
    STATE_LABELS,
    State,
)


class Channel(models.IntegerChoices):
    """``KenhThucHien``: 1 counter, 2 online, 3 public postal service (domain.md §0, §6.1)."""

    COUNTER = national.CHANNEL_COUNTER, "Trực tiếp"
    ONLINE = national.CHANNEL_ONLINE, "Trực tuyến"
    POST = national.CHANNEL_POST, "Bưu chính công ích"


class OnlinePayment(models.IntegerChoices):
    """``DuocThanhToanTrucTuyen`` (domain.md §3.2, 3.6)."""

    NO = 0, "Không thanh toán trực tuyến"
    NATIONAL = 1, "Thanh toán trên Cổng DVCQG"
    LOCAL = 2, "Thanh toán qua cổng của bộ, tỉnh"


class ResultDelivery(models.TextChoices):
    COUNTER = DELIVERY_COUNTER, "Nhận tại Bộ phận Một cửa"
    ONLINE = DELIVERY_ONLINE, "Nhận trực tuyến"
    POST = DELIVERY_POST, "Nhận qua bưu chính công ích"


STATE_CHOICES = [(s.value, STATE_LABELS[s]) for s in State]


class Dossier(models.Model):
    """Hồ sơ thủ tục hành chính."""

    AUDIT_BY_SERVICE = True

    code = models.CharField("mã hồ sơ", max_length=60, unique=True)
    procedure = models.ForeignKey(
        "catalogue.Procedure", verbose_name="thủ tục", on_delete=models.PROTECT, related_name="dossiers"
    )
    procedure_version = models.ForeignKey(
        "catalogue.ProcedureVersion",
        verbose_name="phiên bản thủ tục",
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    receiving_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name="đơn vị tiếp nhận (Bộ phận Một cửa)",
        on_delete=models.PROTECT,
        related_name="dossiers_received",
        db_index=False,  # led by the composite indexes in Meta
    )
    competent_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name="đơn vị có thẩm quyền giải quyết",
        on_delete=models.PROTECT,
        related_name="dossiers_processed",
        db_index=False,  # led by the composite indexes in Meta
    )
    applicant_person = models.ForeignKey(
        "core.Person",
        verbose_name="công dân",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    applicant_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name="tổ chức, doanh nghiệp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    applicant_name = models.CharField("chủ hồ sơ", max_length=255)
    # Searched with ``contains`` (words anywhere in the name), which no B-tree index serves: no index.
    applicant_name_folded = models.CharField(max_length=255, editable=False)
    applicant_id_number = models.CharField("số định danh / mã số thuế", max_length=20, editable=False)
    # An applicant with no identity number (old imported records: ``MaDoiTuong`` never captured) is kept
    # by name only (``applicant_name``), with no Person or Organisation and ``applicant_id_number`` "";
    # this holds the record's ``LoaiDoiTuong`` (1 citizen, 2 organisation) when it gave one.
    unidentified_applicant_type = models.PositiveSmallIntegerField(
        "loại chủ hồ sơ không có số định danh (LoaiDoiTuong)",
        choices=[(1, "Công dân"), (2, "Tổ chức, doanh nghiệp")],
        null=True,
        blank=True,
    )
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Channel.choices)
    result_delivery = models.CharField(
        "hình thức nhận kết quả",
        max_length=10,
        choices=ResultDelivery.choices,
        default=ResultDelivery.COUNTER,
    )
    submitted_at = models.DateTimeField("thời điểm nộp")
    # -- projection of the events (rebuilt by ``motcua dossiers rebuild``) --
    state = models.CharField("trạng thái", max_length=30, choices=STATE_CHOICES)
    national_status = models.PositiveSmallIntegerField(
        "trạng thái theo Cổng DVCQG", choices=sorted(NATIONAL_STATUS_LABELS.items())
    )
    current_step = models.ForeignKey(
        "catalogue.WorkflowStep",
        verbose_name="bước đang xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a partial index below: only open dossiers have a step
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đang xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers_assigned",
        db_index=False,  # led by dossier_assignee_state
    )
    received_at = models.DateTimeField("thời điểm tiếp nhận", null=True, blank=True)
    # The statutory due moment: set at receipt, restarted (or shifted) by a complete supplement, never
    # moved by an apology. Every measure (766, late lists, boxes, TT 01, KPI, NĐ 09) compares with it
    # through ``dossiers.timeliness``.
    due_at = models.DateTimeField("hạn giải quyết theo quy định", null=True, blank=True)
    # The new date promised to the citizen in an apology letter (Mẫu 04, Điều 19.9): shown to the
    # citizen and sent as NgayHenTra, but it never excuses lateness. ``None`` = no apology in force.
    promised_at = models.DateTimeField("ngày hẹn trả mới (theo phiếu xin lỗi)", null=True, blank=True)
    step_started_at = models.DateTimeField("bắt đầu bước hiện tại", null=True, blank=True)
    step_due_at = models.DateTimeField("hạn của bước hiện tại", null=True, blank=True)
    finished_at = models.DateTimeField("kết thúc xử lý", null=True, blank=True)
    returned_at = models.DateTimeField("thời điểm trả kết quả", null=True, blank=True)
    # -- end of projection --
    paid_online = models.BooleanField("thanh toán trực tuyến", default=False)
    # -- inputs of the QĐ 766 indicators (domain.md §3.2, §6.2); ``None`` / "" = not known -------------
    online_payment = models.PositiveSmallIntegerField(
        "thanh toán trực tuyến qua (DuocThanhToanTrucTuyen)",
        choices=OnlinePayment.choices,
        null=True,
        blank=True,
    )
    result_code = models.CharField("mã kết quả điện tử (MaKetQua)", max_length=100, blank=True)
    result_file_url = models.CharField(
        "đường dẫn tệp kết quả (DuongDanTepTinKetQua)", max_length=1000, blank=True
    )
    has_digitised_components = models.BooleanField(
        "có thành phần số hóa (HoSoCoThanhPhanSoHoa)", null=True, blank=True
    )
    vneid_authenticated = models.BooleanField(
        "tài khoản xác thực với VNeID (TaiKhoanDuocXacThucVoiVNeID)", null=True, blank=True
    )
    population_db_code = models.CharField("mã CSDL đã khai thác (MaCSDL)", max_length=60, blank=True)
    time_limit_value = models.DecimalField(
        "thời gian giải quyết ghi trên hồ sơ (ThoiGianGiaiQuyet)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    time_limit_unit = models.CharField("đơn vị thời gian (DonViTinh)", max_length=40, blank=True)
    lock_version = models.PositiveIntegerField(
        "phiên bản (khóa lạc quan)",
        default=1,
        help_text="Tăng 1 ở mỗi thao tác; bằng số sự kiện của hồ sơ.",
    )
    extra = models.JSONField("trường bổ sung (dữ liệu nhập khẩu)", default=dict, blank=True)
    imported_at = models.DateTimeField("nhập từ tệp lúc", null=True, blank=True)
    import_overrides = models.JSONField(
        "giá trị nguyên văn của tệp nhập",
        default=dict,
        blank=True,
        help_text="Trường → [giá trị motcua dựng ra lúc nhập, giá trị trong tệp]; chỉ dùng khi xuất lại.",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-id"]
        constraints = [
            # A Person or an Organisation; or neither, for an applicant without an identity number
            # (imported old records), who then has no number at all.
            models.CheckConstraint(
                condition=(
                    Q(applicant_person__isnull=False)
                    & Q(applicant_organisation__isnull=True)
                    & Q(unidentified_applicant_type__isnull=True)
                )
                | (
                    Q(applicant_person__isnull=True)
                    & Q(applicant_organisation__isnull=False)
                    & Q(unidentified_applicant_type__isnull=True)
                )
                | (
                    Q(applicant_person__isnull=True)
                    & Q(applicant_organisation__isnull=True)
                    & Q(applicant_id_number="")
                ),
                name="dossier_one_applicant_or_unidentified",
            ),
            models.CheckConstraint(
                condition=Q(national_status__gte=1, national_status__lte=10),
                name="dossier_national_status_range",
            ),
            models.CheckConstraint(condition=Q(lock_version__gte=1), name="dossier_lock_version_positive"),
        ]
        indexes = [
            models.Index(fields=["competent_unit", "state", "due_at"], name="dossier_competent_inbox"),
            models.Index(fields=["receiving_unit", "received_at"], name="dossier_receiving_received"),
            models.Index(fields=["receiving_unit", "state", "submitted_at"], name="dossier_receiving_state"),
            models.Index(fields=["assignee", "state"], name="dossier_assignee_state"),
            models.Index(fields=["state", "due_at"], name="dossier_state_due"),
            # The working inboxes (to process / approve / sign, soon due, overdue) read open dossiers in
            # due order: a small index (about 3% of the rows) walked with LIMIT (docs/benchmarks.md).
            models.Index(
                fields=["due_at", "id"],
                name="dossier_open_due",
                condition=Q(state__in=["received", "in_progress", "awaiting_payment"]),
            ),
            models.Index(
                fields=["current_step"], name="dossier_current_step", condition=Q(current_step__isnull=False)
            ),
            # The work queues (to process / approve / sign): unassigned dossiers at the steps of a role,
            # in the user's units — an exact index scan on step ids and unit ids (selectors.box_queryset).
            models.Index(
                fields=["current_step", "competent_unit", "receiving_unit"],
                name="dossier_work_queue",
                condition=Q(assignee__isnull=True, state__in=["received", "in_progress"]),
            ),
            # "Everything in my scope" lists newest first: walked backwards with LIMIT, not sorted.
            models.Index(fields=["submitted_at", "id"], name="dossier_submitted"),
            # Exact look-up by CCCD / tax code (search). A Meta index, not ``db_index``: PostgreSQL would
            # add a second ``varchar_pattern_ops`` copy for LIKE, which nothing uses.
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def appointment_at(self) -> Any:
        """Ngày hẹn trả: the date the citizen was last given (the apology's date, else the statutory due)."""
        return self.promised_at or self.due_at

    @property
    def applicant(self) -> Any:
        return self.applicant_person or self.applicant_organisation

    @property
    def applicant_unidentified(self) -> bool:
        """The applicant has no identity number (“không có số định danh”): kept by name only."""
        return self.applicant_person_id is None and self.applicant_organisation_id is None

    @property
    def applicant_type(self) -> int | None:
        """``LoaiDoiTuong`` as OPENCPS sends it: 1 citizen, 2 organisation or business; for an applicant
        without an identity number, as the imported record gave it (``None``: not given)."""
        if self.applicant_person_id:
            return 1
        if self.applicant_organisation_id:
            return 2
        return self.unidentified_applicant_type


class DossierComponent(models.Model):
    """Thành phần hồ sơ đã nộp (TaiLieuNop)."""

    AUDIT_BY_SERVICE = True

    class Kind(models.TextChoices):
        ORIGINAL = "original", "Bản chính"
        COPY = "copy", "Bản sao"
        CERTIFIED_COPY = "certified_copy", "Bản sao chứng thực"
        ELECTRONIC = "electronic", "Bản điện tử"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="components")
    catalogue_component = models.ForeignKey(
        "catalogue.Component", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supplement = models.ForeignKey(
        "Supplement",
        verbose_name="nộp khi bổ sung",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="components",
    )
    name = models.TextField("tên giấy tờ")
    kind = models.CharField("loại bản", max_length=20, choices=Kind.choices, default=Kind.ORIGINAL)
    quantity = models.PositiveSmallIntegerField("số lượng", default=1)
    received = models.BooleanField("đã nhận", default=True)
    # The scan, on the documents' storage under its SHA-256 (dossiers/scans.py), never overwritten.
    file = models.FileField(
        "tệp", upload_to="scans/", storage=documents_storage, null=True, blank=True, max_length=255
    )
    file_sha256 = models.CharField("mã băm SHA-256 của tệp", max_length=64, blank=True)
    file_size = models.PositiveIntegerField("dung lượng tệp (byte)", null=True, blank=True)
    file_pages = models.PositiveSmallIntegerField("số trang của tệp", null=True, blank=True)
    digitised = models.BooleanField("đã số hóa", default=False)
    digitised_at = models.DateTimeField("số hóa lúc", null=True, blank=True)
    digitised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người số hóa",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reused = models.BooleanField("lấy từ kho dữ liệu (tái sử dụng)", default=False)
    source = models.JSONField("giá trị nguyên văn của tệp nhập", default=dict, blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ đã nộp"
        verbose_name_plural = "thành phần hồ sơ đã nộp"
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name[:80]


class DossierFee(models.Model):
    """Phí, lệ phí và nghĩa vụ tài chính của một hồ sơ (DanhSachLePhi)."""

    AUDIT_BY_SERVICE = True

    class Kind(models.TextChoices):
        FEE = "fee", "Lệ phí"
        CHARGE = "charge", "Phí"
        OBLIGATION = "obligation", "Nghĩa vụ tài chính"

    class CollectAt(models.IntegerChoices):
        """``HinhThucThu`` (domain.md §6.3): 1 at intake, 2 with a supplement, 4 on return."""

        INTAKE = 1, "Thu khi tiếp nhận"
        SUPPLEMENT = 2, "Thu khi bổ sung"
        RESULT = 4, "Thu khi trả kết quả"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="fees")
    catalogue_fee = models.ForeignKey(
        "catalogue.Fee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("tên khoản thu", max_length=400)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices, default=Kind.FEE)
    amount_vnd = models.DecimalField("số tiền (đồng)", max_digits=14, decimal_places=0, null=True, blank=True)
    collect_at = models.PositiveSmallIntegerField(
        "thời điểm thu", choices=CollectAt.choices, default=CollectAt.INTAKE
    )
    paid = models.BooleanField("đã nộp", default=False)
    paid_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    paid_online = models.BooleanField("nộp trực tuyến", default=False)
    receipt_ref = models.CharField("số biên lai / mã giao dịch", max_length=100, blank=True)
    # The case of the catalogue fee's ``exemption_rules`` the applicant qualified for ({code, label,
    # percent}); ``amount_vnd`` is then what is left to pay.
    exemption = models.JSONField("miễn, giảm", default=dict, blank=True)
    source = models.JSONField("giá trị nguyên văn của tệp nhập", default=dict, blank=True)

    class Meta:
        verbose_name = "phí, lệ phí của hồ sơ"
        verbose_name_plural = "phí, lệ phí của hồ sơ"
        ordering = ["dossier", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_vnd__isnull=True) | Q(amount_vnd__gte=0), name="dossier_fee_non_negative"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AppendOnlyQuerySet(models.QuerySet["DossierEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Lịch sử hồ sơ chỉ được ghi thêm, không được sửa.")

    def delete(self) -> NoReturn:
        raise TypeError("Lịch sử hồ sơ chỉ được ghi thêm, không được xóa.")


class DossierEvent(models.Model):
    """One step of a dossier's history. Append-only: the state of a dossier is rebuilt from these."""

    AUDIT_BY_SERVICE = True

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField("số thứ tự")
    at = models.DateTimeField("thời điểm")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField("người thực hiện", max_length=150)
    action = models.CharField("thao tác", max_length=30)
    from_state = models.CharField("từ trạng thái", max_length=30, blank=True)
    to_state = models.CharField("sang trạng thái", max_length=30)
    national_status = models.PositiveSmallIntegerField("trạng thái DVCQG sau thao tác")
    step_code = models.CharField("bước xử lý sau thao tác", max_length=40, blank=True)
    data = models.JSONField("chi tiết", default=dict, blank=True)
    due_at = models.DateTimeField("hạn trả sau thao tác", null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "sự kiện hồ sơ"
        verbose_name_plural = "lịch sử hồ sơ"
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="unique_dossier_event_seq")]
        indexes = [models.Index(fields=["action", "at"], name="dossier_event_action_at")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Lịch sử hồ sơ chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Lịch sử hồ sơ chỉ được ghi thêm, không được xóa.")


class Supplement(models.Model):
    """Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02) and its receipt: the pause of the clock."""

    AUDIT_BY_SERVICE = True

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="supplements")
    requested_at = models.DateTimeField("yêu cầu lúc")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người yêu cầu",
        help_text="Trống với yêu cầu bổ sung nhập từ tệp (tên người yêu cầu ở ``source``).",
    )
    items = models.JSONField("giấy tờ cần bổ sung", default=list)
    reasons = models.TextField("lý do")
    received_at = models.DateTimeField("nhận bổ sung lúc", null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_note = models.TextField("ghi chú khi nhận", blank=True)
    mode = models.CharField("cách tính lại hạn", max_length=10, blank=True)
    due_before = models.DateTimeField("hạn trả trước", null=True, blank=True)
    due_after = models.DateTimeField("hạn trả mới", null=True, blank=True)
    source = models.JSONField("giá trị nguyên văn của tệp nhập", default=dict, blank=True)

    class Meta:
        verbose_name = "yêu cầu bổ sung hồ sơ"
        verbose_name_plural = "yêu cầu bổ sung hồ sơ"
        ordering = ["dossier", "requested_at", "id"]

    def __str__(self) -> str:
        return f"Bổ sung {self.dossier_id} {self.requested_at:%d/%m/%Y}"


class Consultation(models.Model):
    """Lấy ý kiến đơn vị liên quan (liên thông), each with its own deadline."""

    AUDIT_BY_SERVICE = True

    class Mode(models.TextChoices):
        PARALLEL = "parallel", "Song song (hồ sơ điện tử)"
        SEQUENTIAL = "sequential", "Lần lượt (hồ sơ giấy)"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="consultations")
    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name="đơn vị được hỏi", on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField("cách lấy ý kiến", max_length=10, choices=Mode.choices)
    order = models.PositiveSmallIntegerField("thứ tự")
    batch = models.PositiveIntegerField("lần hỏi (số sự kiện)")
    question = models.TextField("nội dung xin ý kiến")
    working_days = models.PositiveSmallIntegerField("thời hạn (ngày làm việc)")
    requested_at = models.DateTimeField("hỏi lúc")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField("hạn trả lời")
    answered_at = models.DateTimeField("trả lời lúc", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField("ý kiến", blank=True)

    class Meta:
        verbose_name = "lấy ý kiến"
        verbose_name_plural = "lấy ý kiến"
        ordering = ["dossier", "batch", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "batch", "order"], name="unique_consultation_order")
        ]
        indexes = [models.Index(fields=["unit", "answered_at"], name="consultation_unit_open")]

    def __str__(self) -> str:
        return f"Lấy ý kiến {self.unit_id} về {self.dossier_id}"


class DueReset(models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04): at most once per dossier (Điều 19.9)."""

    AUDIT_BY_SERVICE = True

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="due_resets")
    ordinal = models.PositiveSmallIntegerField("lần thứ", default=1)
    reason = models.TextField("lý do chậm")
    old_due = models.DateTimeField("hạn cũ")
    new_due = models.DateTimeField("hạn mới")
    recorded_at = models.DateTimeField("ghi nhận lúc")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Trống với lần hẹn lại nhập từ tệp.",
    )
    source = models.JSONField("giá trị nguyên văn của tệp nhập", default=dict, blank=True)

    class Meta:
        verbose_name = "xin lỗi, hẹn lại ngày trả"
        verbose_name_plural = "xin lỗi, hẹn lại ngày trả"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "ordinal"], name="unique_due_reset_ordinal"),
            models.CheckConstraint(condition=Q(new_due__gt=models.F("old_due")), name="due_reset_later"),
        ]

    def __str__(self) -> str:
        return f"Hẹn lại {self.dossier_id} → {self.new_due:%d/%m/%Y}"


class DailySequence(models.Model):
    """The last serial number given at a unit on a day: the ``NNNN`` of dossier codes."""

    AUDIT_BY_SERVICE = True

    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "số thứ tự hồ sơ trong ngày"
        verbose_name_plural = "số thứ tự hồ sơ trong ngày"
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="unique_daily_sequence")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.last_value}"


class Alert(models.Model):
    """A soon-due or overdue warning, raised once per dossier and kind."""

    AUDIT_BY_SERVICE = True

    class Kind(models.TextChoices):
        SOON_DUE = "soon_due", "Sắp đến hạn"
        OVERDUE = "overdue", "Quá hạn"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField("hạn tại thời điểm cảnh báo")
    created_at = models.DateTimeField("cảnh báo lúc")
    recipients = models.JSONField("đã gửi tới", default=list, blank=True)

    class Meta:
        verbose_name = "cảnh báo hạn xử lý"
        verbose_name_plural = "cảnh báo hạn xử lý"
        constraints = [models.UniqueConstraint(fields=["dossier", "kind"], name="unique_dossier_alert")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dossier_id}"


class CreationKey(models.Model):
    """The ``Idempotency-Key`` of a dossier creation through the API (``dossiers/idempotency.py``).

    Written in the creation's transaction, unique per caller (a token, a staff account, or an
    applicant), with a hash of the request: the same key and request again return the dossier it
    created; the same key with another request is refused. A concurrent duplicate waits on the unique
    index and then finds the first dossier, so two requests never create two dossiers."""

    AUDIT_BY_SERVICE = True  # part of the creation, recorded with it

    scope = models.CharField("người gọi", max_length=60)
    key = models.CharField("khóa", max_length=200)
    request_hash = models.CharField("mã băm yêu cầu", max_length=64)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "khóa chống tạo trùng hồ sơ"
        verbose_name_plural = "khóa chống tạo trùng hồ sơ"
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="unique_creation_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class BoxGeneration(models.Model):
    """A generation token of the box counts cache (``dossiers.boxcache``): ``key`` names a unit
    (``u<id>``), an assignee (``a<id>``) or everything (``all``); a write that can change the counts of
    its users replaces the token after its commit."""

    key = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "mã thế hệ số lượng hồ sơ theo hộp"
        verbose_name_plural = "mã thế hệ số lượng hồ sơ theo hộp"

    def __str__(self) -> str:
        return f"{self.key}: {self.token}"
