"""Records of the evaluation app: published monthly late lists and the flags raised on late dossiers.

The QĐ 766 index and the TT 01/2018 scores are computed on demand (nothing stored); what must stay as
it was is stored here:

- ``LatePublication``: a month's list of late dossiers of one unit as it was published (NĐ 61/2018,
  Kế hoạch 3327 nhiệm vụ 19): a frozen snapshot of the public columns, never recomputed. Publishing
  again makes a new revision; the portal shows the latest.
- ``LateFlag``: a late dossier without an apology letter that the unit head was told about, once per
  dossier (the periodic job ``evaluation.flag_missing_apologies``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LatePublication(models.Model):
    """Công khai danh sách hồ sơ trễ hạn của một đơn vị trong một tháng (bản chốt)."""

    AUDIT_BY_SERVICE = True  # latelist.publish records the publication

    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="late_publications"
    )
    month = models.DateField("tháng", help_text="Ngày đầu tháng.")
    revision = models.PositiveSmallIntegerField("lần công bố", default=1)
    published_at = models.DateTimeField("công bố lúc")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người công bố", on_delete=models.PROTECT, related_name="+"
    )
    as_of = models.DateTimeField("số liệu tính đến")
    count = models.PositiveIntegerField("số hồ sơ trễ hạn")
    without_apology = models.PositiveIntegerField("số hồ sơ chưa có thư xin lỗi")
    rows = models.JSONField("danh sách (bản chốt)", default=list)

    class Meta:
        verbose_name = "công khai hồ sơ trễ hạn"
        verbose_name_plural = "công khai hồ sơ trễ hạn"
        ordering = ["-month", "unit", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month", "revision"], name="unique_late_publication"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="late_publication_first_day"),
        ]
        indexes = [models.Index(fields=["month", "unit", "-revision"], name="late_publication_month")]

    def __str__(self) -> str:
        return f"Hồ sơ trễ hạn {self.month:%m/%Y} — {self.unit_id} (lần {self.revision})"


class LateFlag(models.Model):
    """A late dossier without an apology letter, reported to the unit head (once per dossier)."""

    AUDIT_BY_SERVICE = True  # the flag job records one entry per run

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="late_flag"
    )
    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name="đơn vị giải quyết", on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField("báo lúc")
    due_at = models.DateTimeField("hạn trả khi báo", null=True, blank=True)
    recipients = models.JSONField("đã gửi tới", default=list, blank=True)

    class Meta:
        verbose_name = "hồ sơ trễ hạn chưa có thư xin lỗi (đã báo)"
        verbose_name_plural = "hồ sơ trễ hạn chưa có thư xin lỗi (đã báo)"

    def __str__(self) -> str:
        return f"Trễ hạn chưa xin lỗi {self.dossier_id}"


class LateNote(models.Model):
    """What the unit records about one late dossier before publishing: the reason in plain words (shown
    on the list and the portal instead of the computed explanation) and, when the apology letter was sent
    after the dossier was already late, the day it was sent (NĐ 61/2018 Điều 19.9: the letter explains;
    it never makes the dossier on time)."""

    AUDIT_BY_SERVICE = True  # latelist.record_note records one entry per change

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="late_note"
    )
    reason = models.TextField("lý do trễ hạn (lời văn của đơn vị)", blank=True)
    apology_sent_on = models.DateField("ngày gửi thư xin lỗi", null=True, blank=True)
    updated_at = models.DateTimeField("ghi lúc")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người ghi", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "ghi chú hồ sơ trễ hạn"
        verbose_name_plural = "ghi chú hồ sơ trễ hạn"

    def __str__(self) -> str:
        return f"Ghi chú trễ hạn {self.dossier_id}"
