"""The applicant service (``core.people``): one set of checks for the API and the counter form, and
a find-or-register that takes the row another counter has just stored instead of failing."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.core import people
from motcua.core.models import Organisation, Person

pytestmark = pytest.mark.django_db

CCCD = "031090001234"  # Hải Phòng (031), male born 1990
TAX = "0209999999"


def test_a_known_citizen_is_found_and_nothing_else_is_changed():
    known = Person.objects.create(citizen_id=CCCD, full_name="Trần Văn Bình", phone="0912345678")
    found, created = people.person(people.PersonIn(citizen_id=" 031 090 001234 ", full_name="Tên khác"))
    assert (found, created) == (known, False)
    known.refresh_from_db()
    assert (known.full_name, known.phone) == ("Trần Văn Bình", "0912345678")


def test_a_new_citizen_is_registered_with_the_number_written_as_digits_only():
    new, created = people.person(
        people.PersonIn(
            citizen_id="031 090 001234",
            full_name="  Trần Văn Bình ",
            birth_date=date(1990, 5, 12),
            phone="0912 345 678",
            address="Số 1 Lạch Tray",
        )
    )
    assert created
    stored = Person.objects.get()
    assert stored == new
    assert (stored.citizen_id, stored.full_name, stored.full_name_folded) == (
        CCCD,
        "Trần Văn Bình",
        "tran van binh",
    )
    assert (stored.birth_date, stored.phone) == (date(1990, 5, 12), "0912 345 678")


@pytest.mark.parametrize(
    "data,field,code,message",
    [
        (people.PersonIn(citizen_id="12345"), "id_number", "applicant_id_invalid", "đúng 12 chữ số"),
        (people.PersonIn(citizen_id=CCCD), "name", "applicant_unknown", "cần họ và tên"),
        (
            people.PersonIn(citizen_id=CCCD, full_name="A", birth_date=date(1991, 1, 1)),
            "birth_date",
            "applicant_id_invalid",
            "không khớp năm sinh",
        ),
        (people.PersonIn(citizen_id=CCCD, full_name="A" * 151), "name", "applicant_invalid", "tối đa 150"),
        (people.PersonIn(citizen_id=CCCD, full_name="A", phone="abc"), "phone", "applicant_invalid", "8–15"),
        (
            people.PersonIn(citizen_id=CCCD, full_name="A", email="khong-phai"),
            "email",
            "applicant_invalid",
            "thư",
        ),
        (people.PersonIn(citizen_id=CCCD, full_name="A\x00B"), "name", "applicant_invalid", "NUL"),
        (
            people.PersonIn(citizen_id=CCCD, full_name="A", address="x" * 256),
            "address",
            "applicant_invalid",
            "255",
        ),
    ],
)
def test_a_new_citizen_is_checked_field_by_field_and_nothing_is_stored(data, field, code, message):
    with pytest.raises(people.ApplicantInvalid) as caught:
        people.person(data)
    assert (caught.value.field, caught.value.code, caught.value.status) == (field, code, 422)
    assert message in caught.value.message
    assert not Person.objects.exists()


def test_an_organisation_is_found_by_tax_code_or_registered_with_its_name():
    known = Organisation.objects.create(tax_code=TAX, name="HTX Vận tải Biển Đông")
    assert people.organisation(people.OrganisationIn(tax_code=f" {TAX} ")) == (known, False)
    new, created = people.organisation(
        people.OrganisationIn(tax_code="0201234567-001", name="Chi nhánh Kiến An", representative="Lê Văn C")
    )
    assert created and (new.tax_code, new.name, new.representative) == (
        "0201234567-001",
        "Chi nhánh Kiến An",
        "Lê Văn C",
    )
    with pytest.raises(people.ApplicantInvalid) as caught:
        people.organisation(people.OrganisationIn(tax_code="0205555555"))
    assert (caught.value.field, caught.value.code) == ("name", "applicant_unknown")
    with pytest.raises(people.ApplicantInvalid) as caught:
        people.organisation(people.OrganisationIn(tax_code="0201234567-000", name="X"))
    assert (caught.value.field, caught.value.code) == ("id_number", "applicant_id_invalid")
    assert Organisation.objects.count() == 2


@pytest.mark.parametrize(
    "model,lookup,register",
    [
        (
            Person,
            "find_person",
            lambda: people.person(people.PersonIn(citizen_id=CCCD, full_name="Trần Văn Bình")),
        ),
        (
            Organisation,
            "find_organisation",
            lambda: people.organisation(people.OrganisationIn(tax_code=TAX, name="HTX Vận tải Biển Đông")),
        ),
    ],
)
def test_the_row_another_counter_stored_between_lookup_and_insert_is_taken(
    monkeypatch, model, lookup, register
):
    """The race, without threads: the other counter's row is committed just after our lookup found
    nothing. Our insert then violates the unique number, and the service takes their row."""
    theirs = (
        Person.objects.create(citizen_id=CCCD, full_name="Nhập ở quầy bên cạnh")
        if model is Person
        else Organisation.objects.create(tax_code=TAX, name="Nhập ở quầy bên cạnh")
    )
    real = getattr(people, lookup)
    calls: list[str] = []

    def not_yet_committed_the_first_time(number: str):
        calls.append(number)
        return None if len(calls) == 1 else real(number)

    monkeypatch.setattr(people, lookup, not_yet_committed_the_first_time)
    found, created = register()
    assert (found, created) == (theirs, False)
    assert len(calls) == 2 and model.objects.count() == 1
