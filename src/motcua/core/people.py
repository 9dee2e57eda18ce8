"""Applicants on record: find a citizen by CCCD or an organisation by tax code, or register them.

One service for every place that takes an applicant (the dossier API and the staff counter form), so
both check the same things and both survive two counters registering the same new applicant at the
same moment: the identity number is unique in the database, the insert runs in a savepoint, and
when another transaction has inserted the same number first, its row is read and used. Nothing else
is stored twice and nobody sees an error.

Errors are ``ApplicantInvalid`` (422) with a Vietnamese message and ``details["field"]``, one of
``id_number``, ``name``, ``birth_date``, ``phone``, ``email``, ``address``, ``representative``; each
caller puts the message next to its own field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction

from motcua.core.errors import DomainError
from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.core.models import Organisation, Person

PHONE = re.compile(r"^\+?[0-9 .]{8,15}$")


class ApplicantInvalid(DomainError):
    status = 422
    code = "applicant_invalid"

    def __init__(self, message: str, *, field: str, code: str | None = None) -> None:
        super().__init__(message, code=code, details={"field": field})

    @property
    def field(self) -> str:
        return str(self.details["field"])


@dataclass(frozen=True)
class PersonIn:
    """A citizen as typed at the counter or sent by another system."""

    citizen_id: str
    full_name: str = ""
    birth_date: date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class OrganisationIn:
    """An organisation or business, by its tax code."""

    tax_code: str
    name: str = ""
    representative: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


def _text(value: str | None, field: str, limit: int, label: str) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise ApplicantInvalid(f"{label} không được chứa ký tự NUL.", field=field)
    if len(text) > limit:
        raise ApplicantInvalid(f"{label} dài quá: tối đa {limit} ký tự.", field=field)
    return text


def _contact(phone: str, email: str, address: str) -> tuple[str, str, str]:
    phone = _text(phone, "phone", 20, "Số điện thoại")
    if phone and not PHONE.match(phone):
        raise ApplicantInvalid("Số điện thoại chỉ gồm chữ số (8–15 số).", field="phone")
    email = _text(email, "email", 254, "Địa chỉ thư điện tử")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApplicantInvalid("Địa chỉ thư điện tử không hợp lệ.", field="email") from None
    return phone, email, _text(address, "address", 255, "Địa chỉ")


def check_contact(phone: str, email: str, address: str = "") -> tuple[str, str, str]:
    """A phone, e-mail and address as typed, checked and trimmed (``ApplicantInvalid`` otherwise)."""
    return _contact(phone, email, address)


def citizen_number(raw: str, birth_date: date | None = None) -> str:
    """The 12-digit number, checked (and against the birth year when one is given)."""
    try:
        number = parse_citizen_id(_text(raw, "id_number", 20, "Số định danh")).number
    except IdentityError as exc:
        raise ApplicantInvalid(str(exc), field="id_number", code="applicant_id_invalid") from None
    if birth_date is not None:
        try:
            parse_citizen_id(number, birth_date=birth_date)
        except IdentityError as exc:
            raise ApplicantInvalid(str(exc), field="birth_date", code="applicant_id_invalid") from None
    return number


def tax_number(raw: str) -> str:
    try:
        return normalise_tax_code(_text(raw, "id_number", 20, "Mã số thuế"))
    except IdentityError as exc:
        raise ApplicantInvalid(str(exc), field="id_number", code="applicant_id_invalid") from None


def find_person(citizen_id: str) -> Person | None:
    return Person.objects.filter(citizen_id=citizen_id).first()


def find_organisation(tax_code: str) -> Organisation | None:
    return Organisation.objects.filter(tax_code=tax_code).first()


def check_person(data: PersonIn) -> Person:
    """The citizen on record, or a new unsaved ``Person`` with every field checked."""
    number = citizen_number(data.citizen_id, data.birth_date)
    found = find_person(number)
    if found is not None:
        return found
    name = _text(data.full_name, "name", 150, "Họ và tên")
    if not name:
        raise ApplicantInvalid(
            f"Chưa có công dân số định danh {number} trong hệ thống: cần họ và tên để tạo.",
            field="name",
            code="applicant_unknown",
        )
    phone, email, address = _contact(data.phone, data.email, data.address)
    return Person(
        citizen_id=number,
        full_name=name,
        birth_date=data.birth_date,
        phone=phone,
        email=email,
        address=address,
    )


def check_organisation(data: OrganisationIn) -> Organisation:
    """The organisation on record, or a new unsaved ``Organisation`` with every field checked."""
    code = tax_number(data.tax_code)
    found = find_organisation(code)
    if found is not None:
        return found
    name = _text(data.name, "name", 255, "Tên tổ chức")
    if not name:
        raise ApplicantInvalid(
            f"Chưa có tổ chức mã số thuế {code} trong hệ thống: cần tên tổ chức để tạo.",
            field="name",
            code="applicant_unknown",
        )
    representative = _text(data.representative, "representative", 150, "Người đại diện")
    phone, email, address = _contact(data.phone, data.email, data.address)
    return Organisation(
        tax_code=code, name=name, representative=representative, phone=phone, email=email, address=address
    )


def _save_or_take[M: models.Model](new: M, find: Callable[[], M | None]) -> tuple[M, bool]:
    """Insert ``new`` in a savepoint; if the identity number was inserted meanwhile by another
    transaction (unique constraint), take that row instead. Returns (row, created)."""
    if new.pk is not None:
        return new, False
    try:
        with transaction.atomic():
            new.save(force_insert=True)
    except IntegrityError:
        new.pk = None
        found = find()
        if found is None:  # the conflict was not on the identity number
            raise
        return found, False
    return new, True


def person(data: PersonIn) -> tuple[Person, bool]:
    """Find the citizen by CCCD or register them; safe when two counters do it at the same moment."""
    checked = check_person(data)
    return _save_or_take(checked, lambda: find_person(checked.citizen_id))


def organisation(data: OrganisationIn) -> tuple[Organisation, bool]:
    """Find the organisation by tax code or register it; safe under concurrency like ``person``."""
    checked = check_organisation(data)
    return _save_or_take(checked, lambda: find_organisation(checked.tax_code))
