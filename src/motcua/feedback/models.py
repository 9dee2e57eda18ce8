"""Ratings of returned dossiers (NĐ 61/2018 Điều 29–31) and the counter's rating tablets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    ONLINE = "online", "Trực tuyến (Cổng dịch vụ công, đường dẫn trong thông báo)"
    KIOSK = "kiosk", "Thiết bị đánh giá tại quầy"
    PAPER = "paper", "Phiếu đánh giá giấy (cán bộ nhập)"


class Rating(models.Model):
    """The applicant's rating of one returned dossier: one per dossier, whatever the channel.

    Kept with the units and the officer as they were when the result was returned, so that a later move
    of the officer or a merger of units does not move the rating."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="rating"
    )
    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name="cơ quan giải quyết", on_delete=models.PROTECT, related_name="+"
    )
    receiving_unit = models.ForeignKey(
        "core.OrgUnit", verbose_name="nơi tiếp nhận", on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ trả kết quả",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    satisfied = models.BooleanField("hài lòng")
    answers = models.JSONField("đánh giá từng nội dung", default=dict, blank=True)
    reason = models.TextField("lý do không hài lòng", blank=True)
    comment = models.TextField("góp ý thêm", blank=True)
    channel = models.CharField("kênh đánh giá", max_length=10, choices=Channel.choices)
    account_id = models.PositiveBigIntegerField("tài khoản công dân", null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ nhập phiếu",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rated_at = models.DateTimeField("thời điểm đánh giá", default=timezone.now)
    # A "not satisfied" rating goes to the head of the unit, who records what was done about it.
    reviewed_at = models.DateTimeField("thời điểm lãnh đạo xem xét", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lãnh đạo xem xét",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField("kết quả xem xét", blank=True)

    class Meta:
        verbose_name = "đánh giá của người dân"
        verbose_name_plural = "đánh giá của người dân"
        indexes = [
            models.Index(fields=["unit", "rated_at"], name="feedback_rating_unit_at"),
            models.Index(
                fields=["unit", "rated_at"],
                condition=models.Q(satisfied=False, reviewed_at__isnull=True),
                name="feedback_rating_to_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {'hài lòng' if self.satisfied else 'không hài lòng'}"


class Kiosk(models.Model):
    """A rating tablet at a one-stop counter. Paired once with a secret link; afterwards it shows the
    rating form of the dossier an officer of its unit has just returned (``dossier``) until it is rated
    or ``bound_until`` passes. It never shows the applicant's personal data."""

    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name="bộ phận một cửa", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("tên máy (quầy)", max_length=80)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    paired_at = models.DateTimeField("thời điểm ghép nối", null=True, blank=True)
    revoked_at = models.DateTimeField("thời điểm thu hồi", null=True, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bound_until = models.DateTimeField(null=True, blank=True)
    bound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "máy đánh giá tại quầy"
        verbose_name_plural = "máy đánh giá tại quầy"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="feedback_kiosk_name",
            )
        ]

    def __str__(self) -> str:
        return self.name


# -- feedback and complaints (phản ánh, kiến nghị — PAKN) ----------------------------------------------


class Subject(models.TextChoices):
    """What a PAKN is about: the two classes 766 indicator 5.1 counts, and the rest."""

    REGULATION = "quy_dinh", "Quy định, chính sách, thủ tục hành chính"
    CONDUCT = "hanh_vi", "Hành vi, thái độ của cán bộ, công chức"
    OTHER = "khac", "Nội dung khác"


class Status(models.TextChoices):
    RECEIVED = "received", "Đã tiếp nhận, đang xử lý"
    INFO_REQUESTED = "info_requested", "Chờ người gửi bổ sung thông tin"
    REJECTED = "rejected", "Không tiếp nhận"
    ANSWERED = "answered", "Đã trả lời, chờ công khai"
    PUBLISHED = "published", "Đã công khai"


class Pakn(models.Model):
    """A feedback or complaint (phản ánh, kiến nghị) about regulations and procedures or an officer's
    conduct, optionally about one dossier, handled by one unit at a time; its clock (766 indicator 5.2)
    runs from receipt or from the latest transfer (``clock_from``)."""

    code = models.CharField("mã phản ánh", max_length=30, unique=True)
    subject = models.CharField("nội dung về", max_length=10, choices=Subject.choices)
    title = models.CharField("tiêu đề", max_length=200)
    content = models.TextField("nội dung")
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    account_id = models.PositiveBigIntegerField("tài khoản công dân", null=True, blank=True)
    sender_name = models.CharField("người gửi", max_length=150, blank=True)
    sender_email = models.EmailField("thư điện tử", blank=True)
    sender_phone = models.CharField("điện thoại", max_length=20, blank=True)
    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name="cơ quan xử lý", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("tình trạng", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField("thời điểm tiếp nhận", default=timezone.now)
    clock_from = models.DateTimeField("tính hạn từ", default=timezone.now)
    first_info_request_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField("nội dung trả lời", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reraise_of = models.ForeignKey(
        "self",
        verbose_name="phản ánh lại của",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reraised",
    )
    likes = models.PositiveIntegerField(default=0)
    dislikes = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, db_index=True, editable=False)  # duplicate detection
    search_text = models.TextField(blank=True, editable=False)  # folded (no accents), once published

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        indexes = [models.Index(fields=["unit", "status", "clock_from"], name="feedback_pakn_queue")]

    def __str__(self) -> str:
        return self.code


class PaknEvent(models.Model):
    """The history of a PAKN, append-only: received, transferred, info requested/supplied, rejected,
    answered, published, re-raised."""

    pakn = models.ForeignKey(Pakn, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_unit = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pakn", "at", "id"]

    def __str__(self) -> str:
        return f"{self.pakn_id} {self.action}"


class PaknVote(models.Model):
    """A citizen's like (+1) or dislike (−1) of a published answer: one per voter (an account, or a
    browser's anonymous key), changeable."""

    pakn = models.ForeignKey(Pakn, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=64)  # a hash: account id or the browser's key
    value = models.SmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pakn", "voter"], name="feedback_one_vote")]

    def __str__(self) -> str:
        return f"{self.pakn_id} {self.value:+d}"
