from __future__ import annotations

from django import forms

from motcua.core.models import OrgUnit
from motcua.workdays.domain import LimitUnit
from motcua.workdays.domain.deadlines import UNIT_LABELS


class DueForm(forms.Form):
    received = forms.DateTimeField(
        label="Thời điểm tiếp nhận",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
        ),
        error_messages={
            "required": "Nhập thời điểm tiếp nhận.",
            "invalid": "Thời điểm tiếp nhận không hợp lệ.",
        },
    )
    limit = forms.DecimalField(
        label="Thời hạn",
        min_value=0,
        max_value=3650,
        decimal_places=2,
        initial=3,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}),
        error_messages={
            "required": "Nhập thời hạn.",
            "invalid": "Thời hạn phải là số.",
            "min_value": "Thời hạn không được âm.",
            "max_value": "Thời hạn quá lớn (tối đa 3650).",
            "max_decimal_places": "Thời hạn chỉ được có tối đa 2 chữ số thập phân.",
        },
    )
    unit = forms.ChoiceField(
        label="Đơn vị tính",
        choices=[(u.value, UNIT_LABELS[u]) for u in LimitUnit],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Đơn vị tính không hợp lệ."},
    )
    office = forms.ModelChoiceField(
        label="Lịch của đơn vị",
        required=False,
        empty_label="Toàn thành phố",
        queryset=OrgUnit.objects.filter(valid_to__isnull=True).order_by("path"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Đơn vị không tồn tại."},
    )
