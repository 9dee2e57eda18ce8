"""What the staff fill in for the documents app: the certification of a scanned original."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.forms import StaffForm
from motcua.documents.certified import MAX_COPIES


class CertifyForm(StaffForm):
    """The original to certify (one of the dossier's scans, chosen on the panel) and the copies made."""

    PREFIX = "certify"
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    component = forms.IntegerField(
        min_value=1, error_messages={"required": _("Chọn bản chính (bản quét) cần chứng thực.")}
    )
    copies = forms.IntegerField(
        label=_("Số bản"),
        min_value=1,
        max_value=MAX_COPIES,
        initial=1,
        error_messages={
            "required": _("Ghi số bản cần chứng thực."),
            "invalid": _("Số bản phải là số nguyên."),
            "min_value": _("Số bản phải từ 1 trở lên."),
            "max_value": _("Số bản tối đa là %(limit_value)s."),
        },
    )

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return str(_("Thông tin chưa hợp lệ."))
