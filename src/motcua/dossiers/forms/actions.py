"""One small form per action on a dossier; each carries the version the officer was looking at."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.core import files
from motcua.core.forms import StaffForm
from motcua.core.models import OrgUnit, User
from motcua.dossiers.forms.fields import ScanField, date_field
from motcua.dossiers.forms.labels import FEE_KIND_TEXT, KIND_TEXT
from motcua.dossiers.models import DossierComponent, DossierFee
from motcua.dossiers.rules import Action


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


class ResultForm(ActionForm):
    """The result of the dossier, signed by the officer and the unit when it is issued: drawn up from the
    procedure's template, or the PDF the officer uploads (the decision, the certificate…)."""

    GENERATE, UPLOAD, CERTIFIED = "generate", "upload", "certified"
    multipart = True
    source = forms.ChoiceField(
        label=_("Văn bản kết quả"),
        choices=[
            (GENERATE, _("Lập theo mẫu kết quả của thủ tục")),
            (UPLOAD, _("Tải lên tệp PDF kết quả (quyết định, giấy chứng nhận…)")),
        ],
        initial=GENERATE,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("Tệp PDF kết quả"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    note = _text(_("Ghi chú"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        copies = self.context.get("certified_copies") or []
        if copies:  # a certification procedure: the certified copy already signed is the result
            field = self.fields["source"]
            label = _("Bản sao điện tử đã chứng thực (%(codes)s)") % {"codes": ", ".join(copies)}
            field.choices = [(self.CERTIFIED, label), *field.choices]
            field.initial = self.CERTIFIED

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if data.get("source") == self.UPLOAD:
            if not upload:
                self.add_error("file", _("Chọn tệp PDF kết quả để tải lên."))
            else:
                upload.seek(0)
                head = upload.read(1024)
                upload.seek(0)
                if not upload.size:
                    self.add_error("file", _("Tệp đính kèm rỗng."))
                elif upload.size > settings.MOTCUA_DOCUMENT_MAX_BYTES:
                    self.add_error(
                        "file",
                        _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": files.document_max_mb()},
                    )
                elif files.PDF_MAGIC not in head:
                    self.add_error("file", _("Nội dung tệp không phải PDF."))
        return data


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
    new_due = date_field(_("Ngày hẹn trả mới"), required=True)
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
    Action.REQUEST_INTAKE_SUPPLEMENT: RequestSupplementForm,
    Action.RECEIVE_SUPPLEMENT: ReceiveSupplementForm,
    Action.REQUEST_PAYMENT: RequestPaymentForm,
    Action.CONFIRM_PAYMENT: ConfirmPaymentForm,
    Action.REQUEST_CONSULTATION: RequestConsultationForm,
    Action.ANSWER_CONSULTATION: AnswerConsultationForm,
    Action.REFUSE_AFTER_APPRAISAL: ReasonsForm,
    Action.STOP: ReasonsForm,
    Action.WITHDRAW: WithdrawForm,
    Action.RESET_DUE: ResetDueForm,
    Action.MARK_RESULT_READY: ResultForm,
    Action.RETURN_RESULT: ReturnResultForm,
}
