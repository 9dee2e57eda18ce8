"""Forms of the dossier screens: inbox filters, counter intake, and one small form per action.

The forms check what a person can get wrong on the page (an empty reason, a CCCD of 11 digits, a scan
that is not a PDF) so that the error sits next to the field; the rules of the dossier's situation are
the services' business (``dossiers.services``), and their errors are shown as they come.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core import people
from motcua.core.models import OrgUnit, Role, User
from motcua.core.validation import FIRST_DAY, LAST_DAY, day_in_range
from motcua.dossiers.models import Channel, DossierComponent, DossierFee, ResultDelivery
from motcua.dossiers.rules import Action, State

# -- labels, translatable --------------------------------------------------------------------------
# The domain modules hold plain Vietnamese labels (rules.py has no Django import; the models' choices
# are not marked for translation). These are the same words, translatable; a test keeps them equal.

STATE_TEXT = {
    State.SUBMITTED: _("Mới đăng ký (chờ tiếp nhận)"),
    State.RECEIVED: _("Đã tiếp nhận"),
    State.REFUSED_AT_INTAKE: _("Không được tiếp nhận"),
    State.IN_PROGRESS: _("Đang xử lý"),
    State.AWAITING_SUPPLEMENT: _("Chờ bổ sung hồ sơ"),
    State.AWAITING_PAYMENT: _("Chờ thực hiện nghĩa vụ tài chính"),
    State.WITHDRAWN: _("Công dân yêu cầu rút hồ sơ"),
    State.STOPPED: _("Dừng xử lý"),
    State.REFUSED_AFTER_APPRAISAL: _("Từ chối giải quyết"),
    State.RESULT_READY: _("Đã có kết quả, chờ trả"),
    State.RETURNED: _("Đã trả kết quả"),
}

NATIONAL_TEXT = {
    1: pgettext_lazy("national status", "Mới đăng ký"),
    2: pgettext_lazy("national status", "Được tiếp nhận"),
    3: pgettext_lazy("national status", "Không được tiếp nhận"),
    4: pgettext_lazy("national status", "Đang xử lý"),
    5: pgettext_lazy("national status", "Yêu cầu bổ sung giấy tờ"),
    6: pgettext_lazy("national status", "Yêu cầu thực hiện nghĩa vụ tài chính"),
    7: pgettext_lazy("national status", "Công dân yêu cầu rút hồ sơ"),
    8: pgettext_lazy("national status", "Dừng xử lý"),
    9: pgettext_lazy("national status", "Đã xử lý xong"),
    10: pgettext_lazy("national status", "Đã trả kết quả"),
}

ACTION_TEXT = {
    Action.SUBMIT_ONLINE: _("Nộp hồ sơ trực tuyến"),
    Action.RECEIVE_AT_COUNTER: _("Tiếp nhận hồ sơ tại Bộ phận Một cửa"),
    Action.ACCEPT_ONLINE: _("Tiếp nhận hồ sơ trực tuyến"),
    Action.REFUSE_AT_INTAKE: _("Từ chối tiếp nhận"),
    Action.HAND_OVER: _("Chuyển bước xử lý"),
    Action.SEND_BACK: _("Trả lại bước trước"),
    Action.ASSIGN: _("Phân công xử lý"),
    Action.REQUEST_SUPPLEMENT: _("Yêu cầu bổ sung hồ sơ"),
    Action.RECEIVE_SUPPLEMENT: _("Nhận hồ sơ bổ sung"),
    Action.REQUEST_PAYMENT: _("Yêu cầu thực hiện nghĩa vụ tài chính"),
    Action.CONFIRM_PAYMENT: _("Xác nhận đã nộp phí, nghĩa vụ tài chính"),
    Action.REQUEST_CONSULTATION: _("Lấy ý kiến đơn vị liên quan"),
    Action.ANSWER_CONSULTATION: _("Trả lời xin ý kiến"),
    Action.REFUSE_AFTER_APPRAISAL: _("Từ chối giải quyết"),
    Action.STOP: _("Dừng xử lý"),
    Action.WITHDRAW: _("Rút hồ sơ theo yêu cầu của công dân"),
    Action.RESET_DUE: _("Xin lỗi và hẹn lại ngày trả kết quả"),
    Action.MARK_RESULT_READY: _("Có kết quả, chuyển trả"),
    Action.RETURN_RESULT: _("Trả kết quả"),
    Action.IMPORT_UPDATE: _("Cập nhật theo dữ liệu nhập"),
}

CHANNEL_TEXT = {
    Channel.COUNTER: _("Trực tiếp"),
    Channel.ONLINE: _("Trực tuyến"),
    Channel.POST: _("Bưu chính công ích"),
}

DELIVERY_TEXT = {
    ResultDelivery.COUNTER: _("Nhận tại Bộ phận Một cửa"),
    ResultDelivery.ONLINE: _("Nhận trực tuyến"),
    ResultDelivery.POST: _("Nhận qua bưu chính công ích"),
}

KIND_TEXT = {
    DossierComponent.Kind.ORIGINAL: _("Bản chính"),
    DossierComponent.Kind.COPY: _("Bản sao"),
    DossierComponent.Kind.CERTIFIED_COPY: _("Bản sao chứng thực"),
    DossierComponent.Kind.ELECTRONIC: _("Bản điện tử"),
}

FEE_KIND_TEXT = {
    DossierFee.Kind.FEE: _("Lệ phí"),
    DossierFee.Kind.CHARGE: _("Phí"),
    DossierFee.Kind.OBLIGATION: _("Nghĩa vụ tài chính"),
}

ROLE_TEXT = {
    Role.INTAKE_OFFICER: _("Cán bộ một cửa"),
    Role.SPECIALIST: _("Chuyên viên"),
    Role.UNIT_LEADER: _("Lãnh đạo phòng"),
    Role.AGENCY_LEADER: _("Lãnh đạo cơ quan"),
    Role.CLERK: _("Văn thư"),
    Role.SUPERVISOR: _("Giám sát (Văn phòng UBND)"),
    Role.ADMINISTRATOR: _("Quản trị hệ thống"),
}

# -- uploads -------------------------------------------------------------------------------------

MAX_SCAN_MB = 10
MAX_SCAN_BYTES = MAX_SCAN_MB * 1024 * 1024
# Extension → the bytes every such file starts with. The content is checked, not only the name.
SCAN_SIGNATURES = {
    "pdf": b"%PDF-",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
    "png": b"\x89PNG\r\n\x1a\n",
}
SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def clean_scan(upload: UploadedFile) -> UploadedFile:
    """A scan that is really a PDF, JPEG or PNG of at most ``MAX_SCAN_MB``, stored under a random name
    (the officer's file name never reaches the disk)."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in SCAN_SIGNATURES:
        raise ValidationError(_("Chỉ nhận tệp PDF, JPG hoặc PNG."), code="scan_type")
    if not upload.size:
        raise ValidationError(_("Tệp đính kèm rỗng."), code="scan_empty")
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError(
            _("Tệp quá lớn: tối đa %(mb)s MB mỗi tệp.") % {"mb": MAX_SCAN_MB}, code="scan_size"
        )
    signature = SCAN_SIGNATURES[extension]
    upload.seek(0)
    head = upload.read(len(signature))
    upload.seek(0)
    if head != signature:
        raise ValidationError(
            _("Nội dung tệp không phải %(kind)s.") % {"kind": extension.upper()}, code="scan_content"
        )
    upload.name = f"{uuid.uuid4().hex}.{'jpg' if extension == 'jpeg' else extension}"
    return upload


class ScanField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": SCAN_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        return clean_scan(upload) if upload else None


# -- presentation of fields ----------------------------------------------------------------------


class StaffForm(forms.Form):
    """Bootstrap classes on every widget; a field with an error is marked invalid for the eye and for
    screen readers (``aria-invalid``, and ``aria-describedby`` pointing at its message)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        """Give every field not yet styled its Bootstrap class (call again after adding fields)."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.RadioSelect) or "class" in widget.attrs:
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary at the top of the page (GOV.UK pattern)."""
        found: list[tuple[str, str]] = []
        for name, errors in self.errors.items():
            anchor = f"#{self[name].id_for_label}" if name in self.fields else ""
            found.extend((anchor, str(message)) for message in errors)
        return found


_DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def day_range_message() -> str:
    return _("Ngày phải trong khoảng %(first)s – %(last)s.") % {
        "first": FIRST_DAY.strftime("%d/%m/%Y"),
        "last": LAST_DAY.strftime("%d/%m/%Y"),
    }


def _date_field(label: Any, *, required: bool = False) -> forms.DateField:
    # A text box, not the browser's date picker: its format follows the browser's language, and the
    # officer types dates as they are written on paper, dd/mm/yyyy.
    return forms.DateField(
        label=label,
        required=required,
        input_formats=_DATE_FORMATS,
        widget=forms.DateInput(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
            format="%d/%m/%Y",
        ),
        error_messages={"invalid": _("Ngày không hợp lệ (dd/mm/yyyy).")},
    )


# -- inbox filters --------------------------------------------------------------------------------

SORT_TEXT = {
    "due_at": _("Hạn trả: sớm nhất trước"),
    "-due_at": _("Hạn trả: muộn nhất trước"),
    "received_at": _("Ngày tiếp nhận: cũ nhất trước"),
    "-received_at": _("Ngày tiếp nhận: mới nhất trước"),
    "submitted_at": _("Ngày nộp: cũ nhất trước"),
    "-submitted_at": _("Ngày nộp: mới nhất trước"),
}


class InboxFilterForm(StaffForm):
    """The query string of an inbox (GET): Vietnamese parameter names, as in the URLs people type."""

    thu_tuc = forms.CharField(label=_("Mã thủ tục"), required=False, max_length=40)
    trang_thai = forms.ChoiceField(label=_("Trạng thái"), required=False)
    kenh = forms.TypedChoiceField(label=_("Kênh nộp"), required=False, coerce=int, empty_value=None)
    tu_ngay = _date_field(_("Từ ngày"))
    den_ngay = _date_field(_("Đến ngày"))
    sap_xep = forms.ChoiceField(label=_("Sắp xếp"), required=False)
    trang = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args: Any, sorts: tuple[str, ...], date_label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sorts = sorts
        self.fields["trang_thai"].choices = [("", _("Mọi trạng thái")), *STATE_TEXT.items()]
        self.fields["kenh"].choices = [("", _("Mọi kênh")), *CHANNEL_TEXT.items()]
        self.fields["sap_xep"].choices = [(s, SORT_TEXT[s]) for s in sorts]
        self.fields["thu_tuc"].widget.attrs.update(
            {"placeholder": _("vd. 1.004873"), "list": "procedure-codes"}
        )
        if date_label:
            self.fields["tu_ngay"].label = date_label
        self.procedure: Procedure | None = None

    def clean_thu_tuc(self) -> str:
        code = self.cleaned_data["thu_tuc"].strip()
        if code:
            self.procedure = Procedure.objects.filter(code__iexact=code).first()
            if self.procedure is None:
                raise ValidationError(_("Không có thủ tục mã %(code)s.") % {"code": code})
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("tu_ngay", "den_ngay"):
            if data.get(name) and not day_in_range(data[name]):
                self.add_error(name, day_range_message())
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and start > end:
            self.add_error("den_ngay", _("“Đến ngày” phải từ “Từ ngày” trở đi."))
        return data

    def sort(self) -> str:
        return self.cleaned_data.get("sap_xep") or self.sorts[0]


# -- counter intake -------------------------------------------------------------------------------

_PHONE = people.PHONE  # the applicant service's rule, so the form and the API agree


def _phone(value: str) -> str:
    value = value.strip()
    if value and not _PHONE.match(value):
        raise ValidationError(_("Số điện thoại chỉ gồm chữ số (8–15 số)."))
    return value


class IntakeForm(StaffForm):
    """Everything the one-stop officer records when receiving a paper dossier at the counter.

    One set of fields per component of the procedure version (received, kind, quantity, scan), named
    ``c<id>_…``; one free row for a document the catalogue does not list.
    """

    receiving_unit = forms.ModelChoiceField(
        label=_("Đơn vị tiếp nhận"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    competent_unit = forms.ModelChoiceField(
        label=_("Đơn vị giải quyết"),
        queryset=OrgUnit.objects.none(),
        empty_label=_("— Chọn đơn vị —"),
        error_messages={"required": _("Chọn đơn vị có thẩm quyền giải quyết.")},
    )
    applicant_kind = forms.ChoiceField(
        label=_("Người nộp là"),
        choices=[("person", _("Công dân")), ("organisation", _("Tổ chức, doanh nghiệp"))],
        initial="person",
        widget=forms.RadioSelect,
    )
    citizen_id = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 chữ số."),
    )
    full_name = forms.CharField(label=_("Họ và tên"), required=False, max_length=150)
    birth_date = _date_field(_("Ngày sinh"))
    phone = forms.CharField(label=_("Điện thoại"), required=False, max_length=20)
    address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=255)
    tax_code = forms.CharField(
        label=_("Mã số thuế"),
        required=False,
        max_length=14,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("10 chữ số, hoặc 10 chữ số-3 chữ số với đơn vị phụ thuộc."),
    )
    org_name = forms.CharField(label=_("Tên tổ chức"), required=False, max_length=255)
    representative = forms.CharField(label=_("Người đại diện"), required=False, max_length=150)
    org_phone = forms.CharField(label=_("Điện thoại"), required=False, max_length=20)
    org_address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=255)
    channel = forms.TypedChoiceField(
        label=_("Hình thức nộp"),
        coerce=int,
        choices=[
            (Channel.COUNTER, CHANNEL_TEXT[Channel.COUNTER]),
            (Channel.POST, CHANNEL_TEXT[Channel.POST]),
        ],
        initial=Channel.COUNTER,
        widget=forms.RadioSelect,
    )
    result_delivery = forms.ChoiceField(
        label=_("Nhận kết quả"), choices=list(DELIVERY_TEXT.items()), initial=ResultDelivery.COUNTER
    )
    other_name = forms.CharField(label=_("Giấy tờ khác"), required=False, max_length=300)
    other_kind = forms.ChoiceField(
        label=_("Loại bản"), choices=list(KIND_TEXT.items()), initial=DossierComponent.Kind.COPY
    )
    other_quantity = forms.IntegerField(label=_("Số lượng"), min_value=1, max_value=99, initial=1)
    other_file = ScanField(label=_("Tệp quét"))

    def __init__(
        self,
        *args: Any,
        version: ProcedureVersion,
        receiving_units: QuerySet[OrgUnit],
        competent_units: QuerySet[OrgUnit],
        **kwargs: Any,
    ) -> None:
        self.version = version
        # A paper dossier: the components of the counter and postal channels (not an online-only e-form).
        self.catalogue = [
            c for c in version.components.all() if c.applies_to("direct") or c.applies_to("postal")
        ]
        super().__init__(*args, **kwargs)
        self.fields["receiving_unit"].queryset = receiving_units
        self.fields["competent_unit"].queryset = competent_units
        # HTMX: the due moment follows the unit chosen; the applicant is looked up as it is typed.
        self.fields["competent_unit"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("staff:dossier_intake_due"),
                "hx-include": "[name=thu_tuc]",
                "hx-target": "#due-preview",
                "hx-swap": "outerHTML",
            }
        )
        for name in ("citizen_id", "tax_code"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse_lazy("staff:dossier_intake_applicant"),
                    "hx-trigger": "input changed delay:400ms, change",
                    "hx-target": f"#{name}-found",
                }
            )
        for field in ("other_quantity", "other_kind"):
            self.fields[field].required = False
        for c in self.catalogue:
            self.fields[f"c{c.pk}_received"] = forms.BooleanField(label=c.name, required=False, initial=False)
            self.fields[f"c{c.pk}_kind"] = forms.ChoiceField(
                label=_("Loại bản"), choices=list(KIND_TEXT.items()), initial=c.kind, required=False
            )
            self.fields[f"c{c.pk}_quantity"] = forms.IntegerField(
                label=_("Số lượng"), min_value=1, max_value=99, initial=c.quantity or 1, required=False
            )
            self.fields[f"c{c.pk}_file"] = ScanField(label=_("Tệp quét"))
        self.style()
        # The applicant as checked by ``core.people``; the view finds or registers it when receiving.
        self.applicant: people.PersonIn | people.OrganisationIn | None = None

    def _alternatives(self, c: Any) -> list[Any]:
        """The other components of ``c``'s alternative group (any one of the group will do)."""
        if not c.alternative_group:
            return []
        return [o for o in self.catalogue if o.alternative_group == c.alternative_group and o.pk != c.pk]

    def component_rows(self) -> list[dict[str, Any]]:
        channel = INTAKE_CHANNEL_CODES.get(self["channel"].value(), "direct")
        return [
            {
                "component": c,
                "received": self[f"c{c.pk}_received"],
                "kind": self[f"c{c.pk}_kind"],
                "quantity": self[f"c{c.pk}_quantity"],
                "file": self[f"c{c.pk}_file"],
                "required": c.required and c.role == c.Role.SUBMIT and c.applies_to(channel),
                "alternatives": [o.name for o in self._alternatives(c)],
            }
            for c in self.catalogue
        ]

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def clean_org_phone(self) -> str:
        return _phone(self.cleaned_data["org_phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("applicant_kind") == "organisation":
            self._clean_organisation(data)
        else:
            self._clean_person(data)
        channel = INTAKE_CHANNEL_CODES.get(data.get("channel"), "direct")
        for c in self.catalogue:
            received = data.get(f"c{c.pk}_received")
            if c.required and c.role == c.Role.SUBMIT and c.applies_to(channel) and not received:
                others = self._alternatives(c)
                if not others:
                    self.add_error(
                        f"c{c.pk}_received",
                        _("Chưa nhận “%(name)s” — giấy tờ bắt buộc phải nộp.") % {"name": c.name[:80]},
                    )
                elif not any(data.get(f"c{o.pk}_received") for o in others) and c.pk < min(
                    o.pk for o in others
                ):
                    self.add_error(
                        f"c{c.pk}_received",
                        _("Chưa nhận giấy tờ nào — phải nộp một trong các giấy tờ: %(names)s.")
                        % {"names": "; ".join(f"“{x.name[:60]}”" for x in [c, *others])},
                    )
            if data.get(f"c{c.pk}_file") and not received:
                self.add_error(
                    f"c{c.pk}_received", _("Đã đính kèm tệp quét thì phải đánh dấu đã nhận giấy tờ này.")
                )
        if (data.get("other_file") or (data.get("other_quantity") or 1) != 1) and not data.get("other_name"):
            self.add_error("other_name", _("Ghi tên giấy tờ khác đã nhận."))
        return data

    def _clean_person(self, data: dict[str, Any]) -> None:
        if not (data.get("citizen_id") or "").strip():
            self.add_error("citizen_id", _("Nhập số định danh cá nhân (CCCD) của người nộp."))
            return
        applicant = people.PersonIn(
            citizen_id=data["citizen_id"],
            full_name=data.get("full_name") or "",
            birth_date=data.get("birth_date"),
            phone=data.get("phone") or "",
            address=data.get("address") or "",
        )
        self._check_applicant(applicant, PERSON_FIELDS)

    def _clean_organisation(self, data: dict[str, Any]) -> None:
        if not (data.get("tax_code") or "").strip():
            self.add_error("tax_code", _("Nhập mã số thuế của tổ chức."))
            return
        applicant = people.OrganisationIn(
            tax_code=data["tax_code"],
            name=data.get("org_name") or "",
            representative=data.get("representative") or "",
            phone=data.get("org_phone") or "",
            address=data.get("org_address") or "",
        )
        self._check_applicant(applicant, ORGANISATION_FIELDS)

    def _check_applicant(
        self, applicant: people.PersonIn | people.OrganisationIn, fields: dict[str, str]
    ) -> None:
        """The same checks as the API (``core.people``), each error next to its field."""
        try:
            if isinstance(applicant, people.PersonIn):
                people.check_person(applicant)
            else:
                people.check_organisation(applicant)
        except people.ApplicantInvalid as exc:
            message: Any = exc.message
            if exc.code == "applicant_unknown":
                message = (
                    _("Công dân chưa có trong hệ thống: nhập họ và tên để tạo hồ sơ công dân.")
                    if isinstance(applicant, people.PersonIn)
                    else _("Tổ chức chưa có trong hệ thống: nhập tên tổ chức.")
                )
            self.add_error(fields.get(exc.field), message)
            return
        self.applicant = applicant


# The applicant service's fields (``core.people``) → the form's.
PERSON_FIELDS = {
    "id_number": "citizen_id",
    "name": "full_name",
    "birth_date": "birth_date",
    "phone": "phone",
    "address": "address",
}
ORGANISATION_FIELDS = {
    "id_number": "tax_code",
    "name": "org_name",
    "representative": "representative",
    "phone": "org_phone",
    "address": "org_address",
}


# The catalogue's submission channel codes (``Component.channels``) of the counter form's channels.
INTAKE_CHANNEL_CODES: dict[Any, str] = {
    Channel.COUNTER: "direct",
    str(int(Channel.COUNTER)): "direct",
    Channel.POST: "postal",
    str(int(Channel.POST)): "postal",
}


# -- actions on a dossier -------------------------------------------------------------------------


class ActionForm(StaffForm):
    """Every action form carries the version of the dossier the officer was looking at."""

    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    multipart = False

    def __init__(self, *args: Any, context: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context or {}


def _text(label: Any, *, required: bool = True, rows: int = 2, max_length: int = 2000, **kw: Any) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kw,
    )


class PlainForm(ActionForm):
    """Actions with nothing to fill in (accept an online dossier)."""


class NoteForm(ActionForm):
    note = _text(_("Ghi chú"), required=False)


class ReasonsForm(ActionForm):
    reasons = _text(_("Lý do"), rows=3, error_messages={"required": _("Ghi rõ lý do.")})


class WithdrawForm(ActionForm):
    reason = _text(
        _("Lý do rút hồ sơ (theo đơn của công dân)"),
        rows=2,
        error_messages={"required": _("Ghi lý do rút hồ sơ.")},
    )


class AssigneeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        title = f" — {obj.job_title}" if obj.job_title else ""
        return f"{obj.full_name or obj.username}{title}"


class HandOverForm(ActionForm):
    assignee = AssigneeChoiceField(
        label=_("Giao cho"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— Chưa chỉ định —"),
        help_text=_("Nếu không chọn, mọi cán bộ giữ vai trò của bước thấy hồ sơ trong hộp “Cần xử lý”."),
    )
    note = _text(_("Ghi chú"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidates = self.context.get("candidates")
        self.fields["assignee"].queryset = User.objects.none() if candidates is None else candidates


class SendBackForm(ActionForm):
    to_step = forms.ChoiceField(label=_("Trả về bước"), required=False)
    reason = _text(
        _("Lý do trả lại"), rows=2, error_messages={"required": _("Ghi lý do trả lại bước trước.")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = self.context.get("steps") or []
        self.fields["to_step"].choices = [(s.code, s.name) for s in steps]
        if steps:
            self.fields["to_step"].initial = steps[0].code


class AssignForm(HandOverForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.required = True
        field.empty_label = _("— Chọn cán bộ —")
        field.help_text = ""
        field.error_messages["required"] = _("Chọn cán bộ được phân công.")


class RequestSupplementForm(ActionForm):
    items = _text(
        _("Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)"),
        rows=3,
        error_messages={"required": _("Ghi ít nhất một giấy tờ cần bổ sung.")},
    )
    reasons = _text(
        _("Lý do, hướng dẫn"), rows=2, error_messages={"required": _("Ghi lý do yêu cầu bổ sung.")}
    )

    def clean_items(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        if not lines:
            raise ValidationError(_("Ghi ít nhất một giấy tờ cần bổ sung."))
        return lines


class ReceiveSupplementForm(ActionForm):
    multipart = True
    note = _text(_("Ghi chú khi nhận"), required=False)
    doc_name = forms.CharField(label=_("Giấy tờ đã nhận"), required=False, max_length=300)
    doc_kind = forms.ChoiceField(
        label=_("Loại bản"), choices=list(KIND_TEXT.items()), initial=DossierComponent.Kind.ORIGINAL
    )
    doc_quantity = forms.IntegerField(label=_("Số lượng"), min_value=1, max_value=99, initial=1)
    doc_file = ScanField(label=_("Tệp quét"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("doc_file") and not (data.get("doc_name") or "").strip():
            self.add_error("doc_name", _("Ghi tên giấy tờ của tệp quét."))
        return data


PAYMENT_ROWS = 3


class RequestPaymentForm(ActionForm):
    note = _text(_("Ghi chú"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, PAYMENT_ROWS + 1):
            self.fields[f"fee_name_{i}"] = forms.CharField(
                label=_("Khoản phải nộp %(n)s") % {"n": i}, required=False, max_length=400
            )
            self.fields[f"fee_amount_{i}"] = forms.IntegerField(
                label=_("Số tiền (đồng)"), required=False, min_value=0, max_value=10**13
            )
            self.fields[f"fee_kind_{i}"] = forms.ChoiceField(
                label=_("Loại"),
                choices=list(FEE_KIND_TEXT.items()),
                initial=DossierFee.Kind.OBLIGATION,
                required=False,
            )
        self.style()

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"fee_name_{i}"], self[f"fee_amount_{i}"], self[f"fee_kind_{i}"])
            for i in range(1, PAYMENT_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lines = []
        for i in range(1, PAYMENT_ROWS + 1):
            name = (data.get(f"fee_name_{i}") or "").strip()
            amount = data.get(f"fee_amount_{i}")
            if not name and amount is None:
                continue
            if not name:
                self.add_error(f"fee_name_{i}", _("Ghi tên khoản phải nộp."))
                continue
            lines.append((name, amount, data.get(f"fee_kind_{i}") or DossierFee.Kind.OBLIGATION))
        if not lines and not self.errors:
            self.add_error("fee_name_1", _("Ghi ít nhất một khoản phải nộp."))
        data["lines"] = lines
        return data


class ConfirmPaymentForm(ActionForm):
    receipt_ref = forms.CharField(label=_("Số biên lai / mã giao dịch"), required=False, max_length=100)
    online = forms.BooleanField(label=_("Nộp trực tuyến"), required=False)


CONSULTATION_ROWS = 3


class RequestConsultationForm(ActionForm):
    question = _text(
        _("Nội dung xin ý kiến"), rows=3, error_messages={"required": _("Ghi nội dung cần xin ý kiến.")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = self.context.get("units")
        units = OrgUnit.objects.none() if units is None else units
        for i in range(1, CONSULTATION_ROWS + 1):
            self.fields[f"unit_{i}"] = forms.ModelChoiceField(
                label=_("Đơn vị %(n)s") % {"n": i},
                queryset=units,
                required=i == 1,
                empty_label=_("— Chọn đơn vị —"),
                error_messages={"required": _("Chọn đơn vị được xin ý kiến.")},
            )
            self.fields[f"days_{i}"] = forms.IntegerField(
                label=_("Thời hạn (ngày làm việc)"), min_value=1, max_value=250, initial=3, required=False
            )
        self.style()

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"unit_{i}"], self[f"days_{i}"]) for i in range(1, CONSULTATION_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        targets: list[tuple[OrgUnit, int]] = []
        seen: set[int] = set()
        for i in range(1, CONSULTATION_ROWS + 1):
            unit = data.get(f"unit_{i}")
            if unit is None:
                continue
            if unit.pk in seen:
                self.add_error(f"unit_{i}", _("Mỗi đơn vị chỉ hỏi một lần."))
                continue
            seen.add(unit.pk)
            days = data.get(f"days_{i}")
            if days is None:
                self.add_error(f"days_{i}", _("Ghi thời hạn trả lời."))
                continue
            targets.append((unit, days))
        data["targets"] = targets
        return data


class AnswerConsultationForm(ActionForm):
    consultation = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    answer = _text(_("Ý kiến của đơn vị"), rows=3, error_messages={"required": _("Ghi nội dung ý kiến.")})


class ResetDueForm(ActionForm):
    new_due = _date_field(_("Ngày hẹn trả mới"), required=True)
    reason = _text(
        _("Lý do chậm (ghi trong Phiếu xin lỗi)"),
        rows=2,
        error_messages={"required": _("Ghi lý do chậm trả kết quả.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_due"].error_messages["required"] = _("Chọn ngày hẹn trả mới.")

    def clean_new_due(self) -> date:
        value: date = self.cleaned_data["new_due"]
        floor = self.context.get("min_new_due")
        if floor is not None and value < floor:
            raise ValidationError(
                _("Ngày hẹn mới phải sau hạn hiện tại (%(day)s).") % {"day": floor.strftime("%d/%m/%Y")}
            )
        return value


class ReturnResultForm(ActionForm):
    notified = forms.BooleanField(label=_("Đã báo trước cho người nộp thời điểm trả"), required=False)
    note = _text(_("Ghi chú"), required=False)


ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.ACCEPT_ONLINE: PlainForm,
    Action.REFUSE_AT_INTAKE: ReasonsForm,
    Action.HAND_OVER: HandOverForm,
    Action.SEND_BACK: SendBackForm,
    Action.ASSIGN: AssignForm,
    Action.REQUEST_SUPPLEMENT: RequestSupplementForm,
    Action.RECEIVE_SUPPLEMENT: ReceiveSupplementForm,
    Action.REQUEST_PAYMENT: RequestPaymentForm,
    Action.CONFIRM_PAYMENT: ConfirmPaymentForm,
    Action.REQUEST_CONSULTATION: RequestConsultationForm,
    Action.ANSWER_CONSULTATION: AnswerConsultationForm,
    Action.REFUSE_AFTER_APPRAISAL: ReasonsForm,
    Action.STOP: ReasonsForm,
    Action.WITHDRAW: WithdrawForm,
    Action.RESET_DUE: ResetDueForm,
    Action.MARK_RESULT_READY: NoteForm,
    Action.RETURN_RESULT: ReturnResultForm,
}
