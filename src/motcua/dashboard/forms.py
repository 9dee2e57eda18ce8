from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.models import OrgUnit


class EntryForm(forms.Form):
    month = forms.CharField(label=_("Tháng (MM/YYYY)"), max_length=7)
    unit = forms.CharField(label=_("Mã đơn vị (để trống: toàn tỉnh)"), max_length=60, required=False)
    value = forms.DecimalField(label=_("Giá trị"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("Ghi chú, nguồn"), max_length=255, required=False)

    def clean_month(self) -> date:
        text = self.cleaned_data["month"].strip()
        try:
            month, year = (int(p) for p in text.split("/"))
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("Tháng phải có dạng MM/YYYY, ví dụ 03/2026.")) from None

    def clean_unit(self) -> OrgUnit | None:
        code = self.cleaned_data["unit"].strip()
        if not code:
            return None
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("Không có đơn vị mã %(code)s.") % {"code": code})
        return unit
