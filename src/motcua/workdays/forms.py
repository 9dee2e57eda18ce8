"""The due-date calculator's form, and the translatable words of the limit units (used wherever a
form offers a unit: the calculator here, the counter's intake)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.models import OrgUnit
from motcua.workdays.domain import LimitUnit
from motcua.workdays.domain.deadlines import UNIT_LABELS

# The engine's labels (UNIT_LABELS) are plain Vietnamese text; these are the same words, translatable.
# A unit added to the engine later still shows, with the engine's label, until it is added here.
UNIT_CHOICE_LABELS = {
    LimitUnit.WORKING_DAYS: _("ngày làm việc"),
    LimitUnit.WORKING_HOURS: _("giờ làm việc"),
    LimitUnit.CALENDAR_DAYS: _("ngày (theo lịch)"),
    LimitUnit.CALENDAR_MONTHS: _("tháng"),
    LimitUnit.SAME_DAY: _("trong ngày"),
}


class DueForm(forms.Form):
    received = forms.DateTimeField(
        label=_("Thời điểm tiếp nhận"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
        ),
        error_messages={
            "required": _("Nhập thời điểm tiếp nhận."),
            "invalid": _("Thời điểm tiếp nhận không hợp lệ."),
        },
    )
    limit = forms.DecimalField(
        label=_("Thời hạn"),
        min_value=0,
        max_value=3650,
        decimal_places=2,
        initial=3,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}),
        error_messages={
            "required": _("Nhập thời hạn."),
            "invalid": _("Thời hạn phải là số."),
            "min_value": _("Thời hạn không được âm."),
            "max_value": _("Thời hạn quá lớn (tối đa 3650)."),
            "max_decimal_places": _("Thời hạn chỉ được có tối đa 2 chữ số thập phân."),
        },
    )
    unit = forms.ChoiceField(
        label=_("Đơn vị tính"),
        choices=[(u.value, UNIT_CHOICE_LABELS.get(u, UNIT_LABELS[u])) for u in LimitUnit],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Đơn vị tính không hợp lệ.")},
    )
    office = forms.ModelChoiceField(
        label=_("Lịch của đơn vị"),
        required=False,
        empty_label=_("Toàn thành phố"),
        queryset=OrgUnit.objects.filter(valid_to__isnull=True).order_by("path"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Đơn vị không tồn tại.")},
    )
