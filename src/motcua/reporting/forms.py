"""Forms and labels of the reporting screens (Vietnamese source strings, translatable)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.reporting.models import Indicator
from motcua.reporting.status import Status

STATUS_TEXT = {
    Status.NOT_YET_DUE: _("Chưa đến hạn"),
    Status.DUE: _("Đến hạn gửi"),
    Status.LATE: _("Quá hạn"),
    Status.SUBMITTED: _("Đã gửi, chờ tiếp nhận"),
    Status.RETURNED: _("Trả lại để chỉnh sửa"),
    Status.ACCEPTED: _("Đã tiếp nhận"),
}
PERIODICITY_TEXT = {
    "month": _("Hằng tháng"),
    "quarter": _("Hằng quý"),
    "half_year": _("6 tháng"),
    "nine_months": _("9 tháng"),
    "year": _("Hằng năm"),
    "ad_hoc": _("Đột xuất"),
}
CUTOFF_TEXT = {
    "nd09": _("Từ ngày 15 tháng trước đến ngày 14"),
    "calendar": _("Theo tháng dương lịch"),
}
TYPE_TEXT = {
    "integer": _("Số nguyên"),
    "decimal": _("Số thập phân"),
    "percent": _("Tỷ lệ (%)"),
    "text": _("Văn bản"),
}
AGGREGATION_TEXT = {
    "sum": _("Cộng"),
    "average": _("Trung bình"),
    "weighted_average": _("Trung bình có trọng số"),
    "min": _("Nhỏ nhất"),
    "max": _("Lớn nhất"),
    "none": _("Không tổng hợp"),
}


def field_name(indicator: Indicator) -> str:
    return f"i{indicator.pk}"


class EntryForm(forms.Form):
    """One field per indicator; the values are parsed by the service (one place for the rules)."""

    sign = forms.BooleanField(
        label=_("Ký số báo cáo khi gửi"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, indicators: list[Indicator], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for ind in indicators:
            widget: forms.Widget
            if ind.value_type == "text":
                widget = forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"})
            else:
                widget = forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm text-end",
                        "inputmode": "decimal",
                        "autocomplete": "off",
                    }
                )
            self.fields[field_name(ind)] = forms.CharField(
                label=f"{ind.code}. {ind.name}", required=False, max_length=2000, widget=widget
            )

    def raw_values(self) -> dict[str, str]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {ind.code: data.get(field_name(ind), "") for ind in self.indicators}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel theo mẫu (.xlsx)"))


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
