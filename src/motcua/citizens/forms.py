"""The portal's account forms (Vietnamese labels, translatable)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.citizens.models import Account


class AccessibleForm(forms.Form):
    """A field with an error says so to screen readers (aria-invalid) and points at its message."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}_error"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control form-control-lg", **attrs})


class SignInForm(AccessibleForm):
    identifier = forms.CharField(
        label=_("Số định danh cá nhân, mã số thuế hoặc thư điện tử"),
        max_length=254,
        widget=_input(autocomplete="username", autofocus=True),
        error_messages={"required": _("Hãy nhập số định danh, mã số thuế hoặc thư điện tử.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"class": "form-control form-control-lg", "autocomplete": "current-password"}
        ),
        error_messages={"required": _("Hãy nhập mật khẩu.")},
    )


class SignUpForm(AccessibleForm):
    kind = forms.ChoiceField(
        label=_("Loại tài khoản"),
        choices=[
            (Account.Kind.PERSON, _("Công dân")),
            (Account.Kind.ORGANISATION, _("Tổ chức, doanh nghiệp")),
        ],
        initial=Account.Kind.PERSON,
        widget=forms.RadioSelect,
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (12 số) hoặc mã số thuế"),
        max_length=20,
        widget=_input(inputmode="numeric", autocomplete="off"),
        error_messages={"required": _("Hãy nhập số định danh cá nhân hoặc mã số thuế.")},
    )
    name = forms.CharField(
        label=_("Họ và tên (hoặc tên tổ chức)"),
        max_length=255,
        widget=_input(autocomplete="name"),
        error_messages={"required": _("Hãy nhập họ và tên hoặc tên tổ chức.")},
    )
    birth_date = forms.DateField(
        label=_("Ngày sinh (công dân)"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(
            attrs={"class": "form-control form-control-lg", "type": "date", "autocomplete": "bday"},
            format="%Y-%m-%d",
        ),
        error_messages={"invalid": _("Ngày sinh không hợp lệ.")},
    )
    representative = forms.CharField(
        label=_("Người đại diện theo pháp luật (tổ chức)"), max_length=150, required=False, widget=_input()
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=_input(inputmode="tel", autocomplete="tel", type="tel"),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        widget=forms.EmailInput(attrs={"class": "form-control form-control-lg", "autocomplete": "email"}),
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu (ít nhất 10 ký tự)"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"class": "form-control form-control-lg", "autocomplete": "new-password"}
        ),
        error_messages={"required": _("Hãy đặt mật khẩu.")},
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"class": "form-control form-control-lg", "autocomplete": "new-password"}
        ),
        error_messages={"required": _("Hãy nhập lại mật khẩu.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("Hai lần nhập mật khẩu không giống nhau."))
        return data


class CodeForm(AccessibleForm):
    code = forms.CharField(
        label=_("Mã xác nhận (6 chữ số)"),
        max_length=12,
        widget=_input(inputmode="numeric", autocomplete="one-time-code", autofocus=True),
        error_messages={"required": _("Hãy nhập mã xác nhận.")},
    )
