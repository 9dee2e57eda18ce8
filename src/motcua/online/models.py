"""Online submission: a citizen's draft of a dossier (not a dossier: it has no code, no history and is
not counted anywhere until ``services.submit`` turns it into one, in one transaction with its event,
audit entry and outbox rows)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class Draft(models.Model):
    """Hồ sơ nộp trực tuyến đang soạn (bản nháp)."""

    AUDIT_BY_SERVICE = True

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey("citizens.Account", on_delete=models.PROTECT, related_name="drafts")
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey("catalogue.ProcedureVersion", on_delete=models.PROTECT, related_name="+")
    receiving_unit = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    competent_unit = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the citizen typed in each e-form, as typed (component id → field path → text): nothing typed
    # is ever lost, even what does not validate yet.
    typed = models.JSONField("nội dung tờ khai đang nhập", default=dict, blank=True)
    # The paths of each e-form filled in from what the state already knows (component id → paths).
    prefilled = models.JSONField("trường điền sẵn", default=dict, blank=True)
    # The document given for each component (component id → {"item": warehouse item id, "reused": bool}).
    documents = models.JSONField("giấy tờ đính kèm", default=dict, blank=True)
    delivery = models.CharField("hình thức nhận kết quả", max_length=10, default="online")
    delivery_address = models.CharField("địa chỉ nhận kết quả qua bưu chính", max_length=255, blank=True)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    updated_at = models.DateTimeField("lưu lúc", default=timezone.now)
    dossier = models.OneToOneField(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="online_draft"
    )
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    via_identity_provider = models.BooleanField("nộp khi đăng nhập bằng định danh điện tử", default=False)

    class Meta:
        verbose_name = "hồ sơ trực tuyến đang soạn"
        verbose_name_plural = "hồ sơ trực tuyến đang soạn"
        indexes = [models.Index(fields=["account", "-updated_at"], name="draft_account_recent")]

    def __str__(self) -> str:
        return str(self.token)
