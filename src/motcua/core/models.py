"""Organisation, people, access, audit and versioned rules.

Organisation is data: units form an effective-dated tree (province → departments / service centre
→ communes and wards), and the three-tier history before 1 July 2025 stays with successor links.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.core.text import fold


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def active_on(self, day: date) -> OrgUnitQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day))

    def descendants_of(self, unit: OrgUnit, *, include_self: bool = True) -> OrgUnitQuerySet:
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class OrgUnit(models.Model):
    """Cơ quan, đơn vị. A merged or renamed unit is a new row; the old one ends (valid_to)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", "Tỉnh, thành phố trực thuộc trung ương"
        OFFICE = "office", "Văn phòng UBND"
        SERVICE_CENTRE = "service_centre", "Trung tâm Phục vụ hành chính công"
        DEPARTMENT = "department", "Sở, ban, ngành"
        DISTRICT = "district", "Đơn vị cấp huyện (trước 01/7/2025)"
        WARD = "ward", "Phường"
        COMMUNE = "commune", "Xã"
        SPECIAL_ZONE = "special_zone", "Đặc khu"
        DIVISION = "division", "Phòng, bộ phận"

    code = models.CharField("mã nội bộ", max_length=40, unique=True)
    name = models.CharField("tên", max_length=255)
    short_name = models.CharField("tên ngắn", max_length=120, blank=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=400, editable=False, db_index=True)
    admin_code = models.CharField(
        "mã đơn vị hành chính",
        max_length=10,
        blank=True,
        help_text="Mã theo QĐ 19/2025/QĐ-TTg (cấp xã 5 chữ số) hoặc mã cũ của đơn vị cấp huyện.",
    )
    eid_code = models.CharField(
        "mã định danh điện tử",
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text="Mã theo QCVN 102:2016/BTTTT, ví dụ 000.00.01.H22; dùng làm tiền tố mã hồ sơ.",
    )
    eid_code_generated = models.BooleanField(
        "mã định danh do hệ thống sinh",
        default=False,
        help_text="Chưa tìm thấy mã công bố chính thức: mã này chỉ để chạy thử, phải thay khi có mã thật.",
    )
    is_one_stop = models.BooleanField("có Bộ phận Một cửa", default=False)
    valid_from = models.DateField("hiệu lực từ", default=date(2025, 7, 1))
    valid_to = models.DateField("hết hiệu lực từ", null=True, blank=True)
    former_province = models.CharField("tỉnh cũ", max_length=80, blank=True)
    formed_from = models.JSONField("hình thành từ các đơn vị cũ", default=list, blank=True)
    note = models.TextField("ghi chú", blank=True)
    verified = models.JSONField("trường đã đối chiếu nguồn", default=dict, blank=True)
    sources = models.JSONField("nguồn", default=list, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "cơ quan, đơn vị"
        verbose_name_plural = "cơ quan, đơn vị"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="orgunit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        old_path = self.path
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()

    def clean(self) -> None:
        if self.parent_id and self.pk:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": "Đơn vị không thể là cấp trên của chính nó."})
                ancestor = ancestor.parent

    def is_active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def ancestors(self) -> list[OrgUnit]:
        codes = [c for c in self.path.strip("/").split("/") if c][:-1]
        by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]


class OrgUnitSuccession(models.Model):
    """Đơn vị kế thừa: where a merged, split or abolished unit's work went."""

    predecessor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="successions")
    successor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="predecessions")
    effective = models.DateField("ngày hiệu lực")
    whole = models.BooleanField("kế thừa toàn bộ", default=False)
    note = models.TextField("ghi chú", blank=True)
    verified = models.BooleanField("đã đối chiếu nguồn", default=False)

    class Meta:
        verbose_name = "kế thừa đơn vị"
        verbose_name_plural = "kế thừa đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_succession"),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Role(models.TextChoices):
    INTAKE_OFFICER = "intake_officer", "Cán bộ một cửa"
    SPECIALIST = "specialist", "Chuyên viên"
    UNIT_LEADER = "unit_leader", "Lãnh đạo phòng"
    AGENCY_LEADER = "agency_leader", "Lãnh đạo cơ quan"
    CLERK = "clerk", "Văn thư"
    SUPERVISOR = "supervisor", "Giám sát (Văn phòng UBND)"
    ADMINISTRATOR = "administrator", "Quản trị hệ thống"


class StaffManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """Staff account (tài khoản cán bộ). Citizens sign in through the national identity system."""

    full_name = models.CharField("họ và tên", max_length=150)
    job_title = models.CharField("chức danh", max_length=150, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    primary_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="đơn vị công tác",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )

    objects = StaffManager()

    class Meta:
        verbose_name = "tài khoản cán bộ"
        verbose_name_plural = "tài khoản cán bộ"

    def __str__(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    """A role held in one unit (and, by default, the units below it) for a period."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    unit = models.ForeignKey(OrgUnit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+")
    include_subunits = models.BooleanField("gồm các đơn vị trực thuộc", default=True)
    valid_from = models.DateField("từ ngày", default=date(2025, 7, 1))
    valid_to = models.DateField("đến trước ngày", null=True, blank=True)

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit", "valid_from"], name="unique_role_assignment"
            )
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

    def is_active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class TOTPDevice(models.Model):
    """Second factor for staff (RFC 6238, 30-second steps, 6 digits)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    last_used_step = models.BigIntegerField(default=0, help_text="Chặn dùng lại một mã đã dùng.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "thiết bị xác thực hai lớp"
        verbose_name_plural = "thiết bị xác thực hai lớp"

    def __str__(self) -> str:
        return f"TOTP {self.user}"


class Person(models.Model):
    """Công dân: an applicant identified by the 12-digit personal identification number."""

    citizen_id = models.CharField("số định danh cá nhân", max_length=12, unique=True)
    full_name = models.CharField("họ và tên", max_length=150)
    full_name_folded = models.CharField(max_length=150, editable=False, db_index=True)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    verified_with_population_db = models.BooleanField("đã xác thực với CSDL dân cư", default=False)

    class Meta:
        verbose_name = "công dân"
        verbose_name_plural = "công dân"

    def __str__(self) -> str:
        return f"{self.full_name} ({self.citizen_id})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.full_name_folded = fold(self.full_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        try:
            self.citizen_id = parse_citizen_id(self.citizen_id, birth_date=self.birth_date).number
        except IdentityError as exc:
            raise ValidationError({"citizen_id": str(exc)}) from exc


class Organisation(models.Model):
    """Tổ chức, doanh nghiệp: an applicant identified by its tax code."""

    tax_code = models.CharField("mã số thuế", max_length=14, unique=True)
    name = models.CharField("tên tổ chức", max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    representative = models.CharField("người đại diện", max_length=150, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    email = models.EmailField("thư điện tử", blank=True)

    class Meta:
        verbose_name = "tổ chức, doanh nghiệp"
        verbose_name_plural = "tổ chức, doanh nghiệp"

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        try:
            self.tax_code = normalise_tax_code(self.tax_code)
        except IdentityError as exc:
            raise ValidationError({"tax_code": str(exc)}) from exc


class RuleVersion(models.Model):
    """One version of a legal rule, chosen by the date of the event it applies to.

    The defaults and their legal sources live in ``motcua.core.rules.RULES``; a row here overrides
    the default from ``effective_from`` on. A new decree is a new row, not a code change.
    """

    key = models.CharField("quy tắc", max_length=80)
    effective_from = models.DateField("hiệu lực từ")
    value = models.JSONField("giá trị")
    legal_basis = models.CharField("căn cứ pháp lý", max_length=255, blank=True)
    note = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "phiên bản quy tắc"
        verbose_name_plural = "phiên bản quy tắc"
        ordering = ["key", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["key", "effective_from"], name="unique_rule_version")]

    def __str__(self) -> str:
        return f"{self.key} từ {self.effective_from:%d/%m/%Y}"

    def clean(self) -> None:
        from motcua.core.rules import RULES, RuleValueError

        definition = RULES.get(self.key)
        if definition is None:
            raise ValidationError({"key": f"Không có quy tắc tên “{self.key}”."})
        try:
            self.value = definition.validate(self.value)
        except RuleValueError as exc:
            raise ValidationError({"value": str(exc)}) from exc


class AuditEntry(models.Model):
    """Nhật ký: one row per write, chained by SHA-256 so that an edited or removed row shows."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    summary = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "nhật ký hệ thống"
        verbose_name_plural = "nhật ký hệ thống"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's tip. Locking this row serialises writers, so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "đỉnh chuỗi nhật ký"

    def __str__(self) -> str:
        return f"{self.count} bản ghi, đỉnh {self.last_hash[:12]}…"


class ScheduleState(models.Model):
    """When each periodic job was last enqueued (see ``motcua.core.schedule``)."""

    name = models.CharField(max_length=80, primary_key=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "lịch chạy việc định kỳ"
        verbose_name_plural = "lịch chạy việc định kỳ"

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """Mã truy cập API of a system (``Authorization: Bearer …``), held by a staff or service account.

    Only the SHA-256 of the token is stored; the token itself is shown once, when issued
    (``motcua tokens issue``). The account's role assignments scope what the token may see and do,
    exactly as for a person signed in.
    """

    user = models.ForeignKey(
        User, verbose_name="tài khoản", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("tên (hệ thống sử dụng)", max_length=100)
    prefix = models.CharField("phần đầu của mã", max_length=16, help_text="Để nhận ra mã, không đủ để dùng.")
    key_hash = models.CharField("SHA-256 của mã", max_length=64, unique=True)
    created_at = models.DateTimeField("cấp lúc", default=timezone.now)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return (
            self.revoked_at is None
            and (self.expires_at is None or moment < self.expires_at)
            and self.user.is_active
        )


class CacheGeneration(models.Model):
    """The token of the reference data every process caches in memory (``core.refcache``).

    One row. Saving or deleting a cached model (calendar overrides, office hours, rule versions, units,
    the catalogue) writes a new random token in the same transaction; a process whose cache was filled
    under another token drops it. Never reused, so a rolled-back change cannot revive an old cache.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "thế hệ dữ liệu tham chiếu (bộ nhớ đệm)"
        verbose_name_plural = "thế hệ dữ liệu tham chiếu (bộ nhớ đệm)"

    def __str__(self) -> str:
        return self.token


class WorkerHeartbeat(models.Model):
    """A running ``motcua worker`` process, proving it is alive (``core.leases``).

    The worker writes ``beat_at`` every quarter of the lease. A job left *running* by a worker whose
    last beat is older than the lease (the process was killed, the machine lost power) is put back in
    the queue by any other worker, so it is taken up again and completes once.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "tiến trình xử lý nền"
        verbose_name_plural = "tiến trình xử lý nền"

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class Throttle(models.Model):
    """An attempt counter (sign-in, API tokens, citizen lookup), changed only under a row lock
    (``core.throttle``), so parallel requests can never pass more attempts than the limit."""

    key = models.CharField(max_length=150, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "bộ đếm giới hạn số lần thử"
        verbose_name_plural = "bộ đếm giới hạn số lần thử"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class OutgoingMail(models.Model):
    """One e-mail waiting for (or done with) delivery (``core.mail``).

    Written in the same transaction as the change it reports (an alert, a reminder), so a message
    exists if and only if that change was committed; a worker killed after the commit leaves it
    *pending* and the next delivery sends it. Each message is claimed before it is handed to the
    mail server and marked sent after, so it is sent once. ``message_id`` stays the same on a retry,
    so a mail client shows a rare re-send (killed between the hand-over and the mark) as one message.
    """

    AUDIT_BY_SERVICE = True  # the job that writes the messages records one entry for the run

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENDING = "sending", "Đang gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"

    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    to = models.EmailField("gửi tới")
    subject = models.CharField("tiêu đề", max_length=255)
    body = models.TextField("nội dung")
    message_id = models.CharField("Message-ID", max_length=255, unique=True)
    status = models.CharField("trạng thái", max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    claimed_at = models.DateTimeField("nhận gửi lúc", null=True, blank=True)
    next_attempt_at = models.DateTimeField("gửi lại lúc", null=True, blank=True)  # empty: at once
    sent_at = models.DateTimeField("gửi xong lúc", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)

    class Meta:
        verbose_name = "thư điện tử gửi đi"
        verbose_name_plural = "thư điện tử gửi đi"
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="mail_due")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.get_status_display()})"
