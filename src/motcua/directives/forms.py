"""Forms of the task-tracking screens. Labels and messages are Vietnamese, through gettext."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core.forms import StaffForm
from motcua.core.models import OrgUnit
from motcua.directives import status as st
from motcua.directives.unitnames import Collective

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATUS_TEXT: dict[str, Any] = {
    st.Status.DONE_ON_TIME: _("Hoàn thành đúng hạn"),
    st.Status.DONE_LATE: _("Hoàn thành quá hạn"),
    st.Status.IN_PROGRESS: _("Đang thực hiện trong hạn"),
    st.Status.OVERDUE: _("Đang thực hiện quá hạn"),
    st.Status.SOON_DUE: _("Sắp đến hạn"),
    st.Status.NOT_STARTED: _("Chưa thực hiện"),
    st.Status.NO_DEADLINE: _("Không thời hạn"),
}
COLLECTIVE_TEXT: dict[str, Any] = {
    Collective.DEPARTMENTS: _("Các sở, ban, ngành"),
    Collective.DISTRICTS: _("UBND cấp huyện (trước 01/7/2025; nay các xã, phường, đặc khu)"),
    Collective.COMMUNES: _("UBND cấp xã (xã, phường, đặc khu)"),
    Collective.ALL: _("Các cơ quan hành chính nhà nước"),
    Collective.RELATED: _("Các cơ quan, đơn vị liên quan (không nêu tên)"),
    Collective.EXTERNAL: _("Cơ quan, tổ chức ngoài danh mục đơn vị"),
}
# Short forms for lists.
COLLECTIVE_SHORT_TEXT: dict[str, Any] = {
    Collective.DEPARTMENTS: _("Các sở, ban, ngành"),
    Collective.DISTRICTS: _("UBND cấp huyện (cũ)"),
    Collective.COMMUNES: _("UBND cấp xã"),
    Collective.ALL: _("Các cơ quan hành chính"),
    Collective.RELATED: _("Các cơ quan liên quan"),
    Collective.EXTERNAL: _("Ngoài danh mục"),
}
PENDING_TEXT: dict[str, Any] = {
    "any": _("Có đề nghị chờ duyệt"),
    "completion": _("Chờ duyệt hoàn thành"),
    "extension": _("Chờ duyệt gia hạn"),
}
ROLE_TEXT: dict[str, Any] = {"lead": _("Chủ trì"), "coordinating": _("Phối hợp")}
DECISION_TEXT: dict[str, Any] = {
    "pending": _("Chờ duyệt"),
    "approved": _("Đã duyệt"),
    "returned": _("Trả lại"),
    "refused": _("Không đồng ý"),
}
DOCUMENT_KIND_TEXT: dict[str, Any] = {
    "plan": _("Kế hoạch"),
    "decision": _("Quyết định"),
    "directive": _("Chỉ thị"),
    "notice": _("Thông báo kết luận"),
    "resolution": _("Nghị quyết"),
    "programme": _("Chương trình"),
    "letter": _("Công văn"),
    "other": _("Văn bản"),
}
REMINDER_TEXT: dict[str, Any] = {"before": _("nhắc sắp đến hạn"), "overdue": _("nhắc quá hạn")}


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    # A text box, as in the dossier screens: dates are typed dd/mm/yyyy as written on paper.
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.TextInput(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        ),
        error_messages={"invalid": _("Ngày phải có dạng dd/mm/yyyy, ví dụ 31/12/2026.")},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ProgressForm(StaffForm):
    percent = forms.IntegerField(
        label=_("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "required": _("Vui lòng nhập tiến độ từ 0 đến 100."),
            "invalid": _("Tiến độ phải là số nguyên từ 0 đến 100."),
            "min_value": _("Tiến độ không được nhỏ hơn 0."),
            "max_value": _("Tiến độ không được lớn hơn 100."),
        },
    )
    text = forms.CharField(
        label=_("Nội dung báo cáo"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Vui lòng nhập nội dung báo cáo.")},
    )
    attachments = MultipleFileField(
        label=_("Tệp đính kèm (PDF, Word, Excel, ảnh; tối đa 5 tệp, 20 MB mỗi tệp)"), required=False
    )


class CompletionForm(StaffForm):
    completed_on = _date(_("Ngày hoàn thành"))
    note = forms.CharField(
        label=_("Kết quả, sản phẩm"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtensionForm(StaffForm):
    proposed_due = _date(_("Đề nghị gia hạn đến ngày"))
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Vui lòng nêu lý do xin gia hạn.")},
    )


class DecisionForm(StaffForm):
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[("approve", _("Đồng ý")), ("reject", _("Không đồng ý, trả lại"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn đồng ý hoặc không đồng ý.")},
    )
    note = forms.CharField(
        label=_("Ý kiến (bắt buộc khi không đồng ý)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", gettext("Vui lòng nêu lý do không đồng ý."))
        return data


class RecordForm(StaffForm):
    """The office records a unit's completion from its written report (no request on screen)."""

    completed_on = _date(_("Ngày hoàn thành"))
    note = forms.CharField(
        label=_("Căn cứ (văn bản, báo cáo của đơn vị)"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Vui lòng nêu căn cứ ghi nhận hoàn thành.")},
    )


class DeadlineForm(StaffForm):
    due = _date(_("Thời hạn mới"))
    reason = forms.CharField(
        label=_("Căn cứ, lý do"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Vui lòng nêu căn cứ điều chỉnh thời hạn.")},
    )


class ImportForm(StaffForm):
    file = forms.FileField(
        label=_("Tệp kế hoạch (.docx hoặc .txt)"),
        error_messages={"required": _("Vui lòng chọn tệp kế hoạch.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.txt"}),
    )
    number = forms.CharField(
        label=_("Số, ký hiệu văn bản"),
        required=False,
        max_length=60,
        help_text=_("Để trống nếu tệp đã ghi (ví dụ “Kèm theo Kế hoạch số 3327/KH-UBND ngày 07/12/2022”)."),
    )
    issued_on = _date(_("Ngày ban hành"), required=False)
    issuer = forms.CharField(label=_("Cơ quan, người ban hành"), required=False, max_length=255)
    subject = forms.CharField(label=_("Trích yếu"), required=False, max_length=2000)


class ReviewForm(StaffForm):
    name_key = forms.CharField(widget=forms.HiddenInput)
    unit = forms.ChoiceField(label=_("Đơn vị"), required=False)
    collective = forms.ChoiceField(
        label=_("hoặc nhóm cơ quan"),
        required=False,
        choices=[("", _("— không —"))] + [(c.value, COLLECTIVE_TEXT[c]) for c in Collective],
    )

    def __init__(self, *args: Any, units: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", gettext("— chọn đơn vị —")), *(units or [])]  # type: ignore[attr-defined]

    def clean_unit(self) -> OrgUnit | None:
        code = self.cleaned_data.get("unit") or ""
        if not code:
            return None
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(gettext("Không có đơn vị mã %(code)s.") % {"code": code})
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("unit")) == bool(data.get("collective")):
            raise forms.ValidationError(gettext("Chọn một đơn vị hoặc một nhóm cơ quan (không chọn cả hai)."))
        return data


class TaskFilterForm(StaffForm):
    """The filters of a task list (GET)."""

    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả"))] + [(s.value, STATUS_TEXT[s]) for s in st.ORDER],
    )
    pending = forms.ChoiceField(
        label=_("Đề nghị"), required=False, choices=[("", _("Tất cả")), *PENDING_TEXT.items()]
    )
    section = forms.CharField(label=_("Mục"), required=False, max_length=10)
    role = forms.ChoiceField(
        label=_("Vai trò của đơn vị"),
        required=False,
        choices=[("", _("Chủ trì, phối hợp")), *ROLE_TEXT.items()],
    )
    q = forms.CharField(label=_("Tìm trong nội dung"), required=False, max_length=200)
