"""Citizens' and organisations' accounts on the public service portal — separate from staff accounts
(``core.User`` is staff only, scoped by role assignments): a portal account is one person or one
organisation on record (``core.Person`` / ``core.Organisation``), signs in on its own page, and sees
its own dossiers and documents only.

How much of the record an account may see (``Account.trusted``): all of the person's or organisation's
dossiers and documents once its identity is proven — a sign-in through the national identity provider,
or a code delivered to the phone or e-mail that the record already held before the account was made —
otherwise only what it submitted or uploaded itself.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Account(models.Model):
    """Tài khoản dịch vụ công của công dân, tổ chức."""

    AUDIT_BY_SERVICE = True

    class Kind(models.TextChoices):
        PERSON = "person", "Công dân"
        ORGANISATION = "organisation", "Tổ chức, doanh nghiệp"

    class Proof(models.TextChoices):
        NONE = "", "Chưa xác thực"
        IDENTITY_PROVIDER = "vneid", "Tài khoản định danh điện tử"
        CONTACT_ON_RECORD = "contact", "Mã gửi tới số điện thoại, thư điện tử đã lưu trong hồ sơ"

    kind = models.CharField("loại tài khoản", max_length=12, choices=Kind.choices)
    person = models.OneToOneField(
        "core.Person",
        verbose_name="công dân",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.OneToOneField(
        "core.Organisation",
        verbose_name="tổ chức",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    email = models.EmailField("thư điện tử", blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    # Django's password hash (Argon2); empty: the account signs in through the identity provider only.
    password = models.CharField("mật khẩu (đã băm)", max_length=128, blank=True)
    contact_verified_at = models.DateTimeField(
        "xác nhận số điện thoại / thư điện tử lúc", null=True, blank=True
    )
    proof = models.CharField("cách xác thực danh tính", max_length=10, choices=Proof.choices, blank=True)
    proven_at = models.DateTimeField("xác thực danh tính lúc", null=True, blank=True)
    # The identity provider's subject (``sub``) of this person, once they signed in through it.
    idp_subject = models.CharField("định danh tại hệ thống định danh điện tử", max_length=255, blank=True)
    # What the identity provider and the population database said of the person (for prefilling forms).
    profile = models.JSONField("thông tin đã xác thực", default=dict, blank=True)
    population_record = models.CharField("mã bản ghi CSDL dân cư đã khai thác", max_length=60, blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    last_sign_in_at = models.DateTimeField("đăng nhập lần cuối", null=True, blank=True)

    class Meta:
        verbose_name = "tài khoản công dân, tổ chức"
        verbose_name_plural = "tài khoản công dân, tổ chức"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="person", person__isnull=False, organisation__isnull=True)
                | Q(kind="organisation", person__isnull=True, organisation__isnull=False),
                name="citizen_account_one_party",
            ),
            models.UniqueConstraint(
                fields=["idp_subject"], condition=~Q(idp_subject=""), name="citizen_account_idp_subject"
            ),
        ]

    def __str__(self) -> str:
        party = self.person or self.organisation
        return str(party)

    @property
    def trusted(self) -> bool:
        """The account has proven it is the person or organisation on record."""
        return bool(self.proof) and self.proven_at is not None

    @property
    def active(self) -> bool:
        """May sign in: not disabled, and its contact confirmed (or proven by the identity provider)."""
        return self.is_active and (
            self.contact_verified_at is not None or self.proof == self.Proof.IDENTITY_PROVIDER
        )

    @property
    def display_name(self) -> str:
        if self.person is not None:
            return self.person.full_name
        return self.organisation.name if self.organisation is not None else ""


class VerificationCode(models.Model):
    """A one-time code sent to an account's phone or e-mail (activation, sign-in confirmation)."""

    AUDIT_BY_SERVICE = True

    class Purpose(models.TextChoices):
        ACTIVATE = "activate", "Kích hoạt tài khoản"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="codes")
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    sent_to = models.CharField("gửi tới", max_length=254)
    # The code went to a contact the person's or organisation's record held before the account existed.
    to_contact_on_record = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "mã xác nhận"
        verbose_name_plural = "mã xác nhận"
        indexes = [models.Index(fields=["account", "purpose", "-created_at"], name="citizen_code_recent")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.purpose}"
