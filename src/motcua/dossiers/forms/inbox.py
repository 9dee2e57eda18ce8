"""The query string of an inbox: its filters and its order."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import Procedure
from motcua.core.forms import StaffForm
from motcua.core.validation import day_in_range
from motcua.dossiers.forms.fields import date_field, day_range_message
from motcua.dossiers.forms.labels import CHANNEL_TEXT, STATE_TEXT

SORT_TEXT = {
    "due_at": _("Hạn trả: sớm nhất trước"),
    "-due_at": _("Hạn trả: muộn nhất trước"),
    "received_at": _("Ngày tiếp nhận: cũ nhất trước"),
    "-received_at": _("Ngày tiếp nhận: mới nhất trước"),
    "submitted_at": _("Ngày nộp: cũ nhất trước"),
    "-submitted_at": _("Ngày nộp: mới nhất trước"),
}


class InboxFilterForm(StaffForm):
    """The query string of an inbox (GET). English names, the words of the code (``core.params``); the
    inbox view redirects the Vietnamese names of old bookmarks to them."""

    procedure = forms.CharField(label=_("Mã thủ tục"), required=False, max_length=40)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    channel = forms.TypedChoiceField(label=_("Kênh nộp"), required=False, coerce=int, empty_value=None)
    date_from = date_field(_("Từ ngày"))
    date_to = date_field(_("Đến ngày"))
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False)
    page = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args: Any, sorts: tuple[str, ...], date_label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sorts = sorts
        self.fields["status"].choices = [("", _("Mọi trạng thái")), *STATE_TEXT.items()]
        self.fields["channel"].choices = [("", _("Mọi kênh")), *CHANNEL_TEXT.items()]
        self.fields["sort"].choices = [(s, SORT_TEXT[s]) for s in sorts]
        self.fields["procedure"].widget.attrs.update(
            {"placeholder": _("vd. 1.004873"), "list": "procedure-codes"}
        )
        if date_label:
            self.fields["date_from"].label = date_label
        self.found_procedure: Procedure | None = None

    def clean_procedure(self) -> str:
        code = self.cleaned_data["procedure"].strip()
        if code:
            self.found_procedure = Procedure.objects.filter(code__iexact=code).first()
            if self.found_procedure is None:
                raise ValidationError(_("Không có thủ tục mã %(code)s.") % {"code": code})
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("date_from", "date_to"):
            if data.get(name) and not day_in_range(data[name]):
                self.add_error(name, day_range_message())
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("“Đến ngày” phải từ “Từ ngày” trở đi."))
        return data

    def chosen_sort(self) -> str:
        return self.cleaned_data.get("sort") or self.sorts[0]
