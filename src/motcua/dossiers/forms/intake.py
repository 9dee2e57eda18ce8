"""The counter's intake form: the applicant, the components received, the units and the channel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import ProcedureVersion
from motcua.core import people
from motcua.core.forms import StaffForm
from motcua.core.models import OrgUnit
from motcua.dossiers.forms.fields import ScanField, date_field
from motcua.dossiers.forms.labels import CHANNEL_TEXT, DELIVERY_TEXT, KIND_TEXT
from motcua.dossiers.models import Channel, DossierComponent, ResultDelivery

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
    birth_date = date_field(_("Ngày sinh"))
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
                "hx-get": reverse_lazy("dossiers:intake_due"),
                "hx-include": "[name=procedure]",
                "hx-target": "#due-preview",
                "hx-swap": "outerHTML",
            }
        )
        for name in ("citizen_id", "tax_code"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse_lazy("dossiers:intake_applicant"),
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
        # The fees the applicant may be exempted from (the catalogue's cases, as data).
        self.fees = list(version.fees.all())
        for f in self.fees:
            if f.exemption_rules:
                choices = [("", _("Không miễn, giảm"))] + [
                    (rule["code"], _("%(label)s (miễn %(percent)s%%)") % rule) for rule in f.exemption_rules
                ]
                self.fields[f"fee{f.pk}_exemption"] = forms.ChoiceField(
                    label=_("Miễn, giảm"), choices=choices, required=False
                )
        self.style()
        # The applicant as checked by ``core.people``; the view finds or registers it when receiving.
        self.applicant: people.PersonIn | people.OrganisationIn | None = None

    def fee_rows(self) -> list[dict[str, Any]]:
        return [
            {"fee": f, "exemption": self[f"fee{f.pk}_exemption"] if f.exemption_rules else None}
            for f in self.fees
        ]

    def exemptions(self) -> dict[int, str]:
        """The exemptions chosen: catalogue fee id → case code."""
        chosen = {}
        for f in self.fees:
            code = self.cleaned_data.get(f"fee{f.pk}_exemption") if f.exemption_rules else ""
            if code:
                chosen[f.pk] = str(code)
        return chosen

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
