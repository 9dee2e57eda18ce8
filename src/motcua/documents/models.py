"""Documents kept with dossiers: the official forms issued for them (and, later, scans, results and
certified copies). A document's bytes live in the ``documents`` storage under their SHA-256 and are
never overwritten; this row is the metadata, written once."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class Document(models.Model):
    """Giấy tờ của hồ sơ."""

    AUDIT_BY_SERVICE = True

    class Kind(models.TextChoices):
        FORM = "form", "Biểu mẫu do hệ thống lập"
        ORIGINAL = "original", "Bản chính (bản quét)"
        COPY = "copy", "Bản sao"
        CERTIFIED_COPY = "certified_copy", "Bản sao chứng thực điện tử"
        RESULT = "result", "Kết quả giải quyết điện tử"
        RECEIPT = "receipt", "Biên lai thu phí, lệ phí điện tử"

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    form_set = models.CharField("bộ biểu mẫu", max_length=20, blank=True)
    form_code = models.CharField("mẫu số", max_length=4, blank=True)
    # The history event the form records (its seq); for the control sheet, the dossier's version then.
    event_seq = models.PositiveIntegerField("theo sự kiện số", null=True, blank=True)
    title = models.CharField("tên giấy tờ", max_length=255)
    sha256 = models.CharField("mã băm SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("dung lượng (byte)")
    pages = models.PositiveSmallIntegerField("số trang", default=1)
    content_type = models.CharField("kiểu tệp", max_length=100, default="application/pdf")
    storage_name = models.CharField("tên trong kho lưu trữ", max_length=255)
    created_at = models.DateTimeField("lập lúc")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_label = models.CharField("người lập", max_length=150, blank=True)
    # A signed result or certified copy: its public code (mã kết quả, printed and in the QR code; the
    # address /xac-thuc/<code>/ finds it) and who signed it, as the certificates said.
    public_code = models.CharField("mã kết quả", max_length=32, blank=True)
    signed_by = models.JSONField("người ký", default=list, blank=True)

    class Meta:
        verbose_name = "giấy tờ"
        verbose_name_plural = "giấy tờ"
        ordering = ["dossier", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "form_code", "event_seq"],
                condition=models.Q(kind="form"),
                name="document_one_form_per_event",
            ),
            models.UniqueConstraint(
                fields=["public_code"],
                condition=~models.Q(public_code=""),
                name="document_public_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Giấy tờ đã lập không được sửa; lập bản mới.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Giấy tờ đã lập không được xóa.")


class Revocation(models.Model):
    """A signed document withdrawn (thu hồi) — wrongly issued, or replaced by a corrected one. The
    document itself stays as it was; verification reports it revoked from ``at`` on."""

    AUDIT_BY_SERVICE = True

    document = models.OneToOneField(
        Document, verbose_name="giấy tờ", on_delete=models.PROTECT, related_name="revocation"
    )
    at = models.DateTimeField("thu hồi lúc")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("lý do", max_length=500)
    replaced_by = models.ForeignKey(
        Document,
        verbose_name="thay bằng",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )

    class Meta:
        verbose_name = "thu hồi giấy tờ"
        verbose_name_plural = "thu hồi giấy tờ"

    def __str__(self) -> str:
        return f"Thu hồi {self.document}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Quyết định thu hồi đã ghi không được sửa.")
        super().save(*args, **kwargs)


class CertifiedCopy(models.Model):
    """An entry of the book of electronic certified copies (sổ chứng thực bản sao điện tử): the copy
    certified from the original a citizen showed at the counter (NĐ 23/2015 Điều 20), its number in the
    unit's book of the year, the original's pages and the copies made, and the fee (TT 226/2016)."""

    AUDIT_BY_SERVICE = True

    document = models.OneToOneField(
        Document, verbose_name="bản sao điện tử", on_delete=models.PROTECT, related_name="certification"
    )
    component = models.ForeignKey(
        "dossiers.DossierComponent",
        verbose_name="bản chính (bản quét)",
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name="đơn vị chứng thực", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số chứng thực")
    book = models.CharField("quyển số", max_length=40)
    pages = models.PositiveSmallIntegerField("số trang bản chính")
    copies = models.PositiveSmallIntegerField("số bản")
    fee_vnd = models.DecimalField("phí chứng thực (đồng)", max_digits=14, decimal_places=0, null=True)
    supported_vnd = models.DecimalField("ngân sách hỗ trợ (đồng)", max_digits=14, decimal_places=0, default=0)

    class Meta:
        verbose_name = "chứng thực bản sao điện tử"
        verbose_name_plural = "sổ chứng thực bản sao điện tử"
        ordering = ["unit", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="certified_copy_number_unique")
        ]

    def __str__(self) -> str:
        return f"Số {self.number}, quyển {self.book}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Sổ chứng thực đã ghi không được sửa.")
        super().save(*args, **kwargs)

    @property
    def payable_vnd(self) -> int | None:
        """What the citizen pays: the fee less the budget's support."""
        return None if self.fee_vnd is None else int(self.fee_vnd - self.supported_vnd)


class CertificationSequence(models.Model):
    """The last number given in a unit's book of certified copies in a year."""

    AUDIT_BY_SERVICE = True

    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "số chứng thực cuối cùng trong năm"
        verbose_name_plural = "số chứng thực cuối cùng trong năm"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unique_certification_sequence")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.last_value}"


class WarehouseItem(models.Model):
    """Kho dữ liệu điện tử của tổ chức, cá nhân (NĐ 45/2020, NĐ 107/2021): one document a citizen or an
    organisation holds — uploaded by them, or a signed result or certified copy issued to them — with
    its type of paper, so that a later dossier asking for that type can take it instead of a new upload
    (``DossierComponent.reused``, 766 indicators 4.3–4.4). The bytes live in the documents storage under
    their SHA-256; an item the owner removes is hidden (``removed_at``), never erased while a dossier
    holds it."""

    AUDIT_BY_SERVICE = True

    class Source(models.TextChoices):
        UPLOAD = "upload", "Tự tải lên"
        RESULT = "result", "Kết quả giải quyết thủ tục hành chính"
        CERTIFIED_COPY = "certified_copy", "Bản sao chứng thực điện tử"

    owner_person = models.ForeignKey(
        "core.Person",
        verbose_name="công dân",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name="tổ chức",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The catalogue's type of paper (``catalogue.DocumentType.code``); empty: not classified.
    doc_type = models.CharField("loại giấy tờ", max_length=40, blank=True, db_index=True)
    title = models.CharField("tên giấy tờ", max_length=255)
    source = models.CharField("nguồn", max_length=20, choices=Source.choices)
    sha256 = models.CharField("mã băm SHA-256", max_length=64)
    size = models.PositiveIntegerField("dung lượng (byte)")
    pages = models.PositiveSmallIntegerField("số trang", default=1)
    content_type = models.CharField("kiểu tệp", max_length=100, default="application/pdf")
    storage_name = models.CharField("tên trong kho lưu trữ", max_length=255)
    # An issued document: the signed result or certified copy, and the dossier it answered.
    document = models.ForeignKey(
        Document,
        verbose_name="giấy tờ đã cấp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuer = models.CharField("cơ quan cấp", max_length=255, blank=True)
    # The portal account that uploaded it (an account not yet proven sees only its own uploads).
    account_id = models.PositiveBigIntegerField("tài khoản đã tải lên", null=True, blank=True)
    created_at = models.DateTimeField("đưa vào kho lúc")
    removed_at = models.DateTimeField("chủ sở hữu gỡ khỏi kho lúc", null=True, blank=True)

    class Meta:
        verbose_name = "giấy tờ trong kho dữ liệu"
        verbose_name_plural = "kho dữ liệu của tổ chức, cá nhân"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner_person", "-created_at"], name="warehouse_person_recent"),
            models.Index(fields=["owner_organisation", "-created_at"], name="warehouse_org_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_person__isnull=False, owner_organisation__isnull=True)
                | models.Q(owner_person__isnull=True, owner_organisation__isnull=False),
                name="warehouse_one_owner",
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(document__isnull=False),
                name="warehouse_document_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title
