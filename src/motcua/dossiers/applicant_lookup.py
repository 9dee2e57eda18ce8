"""The counter's lookup of an applicant by CCCD or tax code: only what intake needs, audited, limited.

Personal data protection (NĐ 13/2023/NĐ-CP, Điều 3: data minimisation and purpose limitation) — the
decision recorded in ``docs/security.md``:

- Every one-stop officer may learn whether a citizen is already on record, with the **name and date
  of birth** only: both are printed on the CCCD the citizen hands over at the counter, so the officer
  learns nothing the card does not show, and can check that the number typed is the person in front.
- The **address and (masked) phone number** are shown only when the citizen already has a dossier the
  officer may see (``dossiers.selectors.visible``: received or handled by the officer's units). Data
  another unit collected for its own dossiers is not shown to an officer of another unit; the citizen,
  who is present, gives it again if intake needs it.
- Never shown: e-mail, identity verification status, the citizen's other dossiers.
- Every lookup of a valid number is audited (who looked up whom, found or not, in scope or not) and
  counted per officer: more than ``MOTCUA_LOOKUP_MAX`` in ``MOTCUA_LOOKUP_WINDOW_SECONDS`` is refused
  (429), which stops an account being used to walk through citizen numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core import throttle
from motcua.core.audit import record
from motcua.core.errors import DomainError
from motcua.core.models import Organisation, Person, User
from motcua.dossiers.selectors import visible


class TooManyLookups(DomainError):
    status = 429
    code = "too_many_lookups"


@dataclass(frozen=True)
class PersonCard:
    """What the counter may see of a citizen on record."""

    full_name: str
    birth_date: date | None
    in_scope: bool  # the citizen has a dossier the officer may see
    address: str = ""  # in scope only
    phone_hint: str = ""  # in scope only: the last three digits


def _hint(phone: str) -> str:
    digits = [c for c in phone if c.isdigit()]
    return "•" * max(0, len(digits) - 3) + "".join(digits[-3:]) if len(digits) >= 3 else ""


def _reserve(user: User) -> None:
    limits = [throttle.Limit(throttle.key("applicant-lookup", user.pk), settings.MOTCUA_LOOKUP_MAX)]
    left = throttle.attempt(limits, settings.MOTCUA_LOOKUP_WINDOW_SECONDS)
    if left:
        minutes = max(1, -(-left // 60))
        raise TooManyLookups(
            _(
                "Bạn đã tra cứu người nộp quá nhiều lần trong thời gian ngắn; "
                "vui lòng thử lại sau %(minutes)d phút."
            )
            % {"minutes": minutes}
        )


def person(user: User, citizen_id: str) -> PersonCard | None:
    """The citizen with this (already validated) 12-digit number, as the counter may see them."""
    _reserve(user)
    found = Person.objects.filter(citizen_id=citizen_id).first()
    in_scope = found is not None and visible(user).filter(applicant_person=found).exists()
    outcome = "không có trong hệ thống"
    if found is not None:
        outcome = "có trong hệ thống, " + ("trong phạm vi đơn vị" if in_scope else "ngoài phạm vi đơn vị")
    record(
        "person.lookup",
        object_type="core.person",
        object_id=found.pk if found else "",
        summary=f"Tra cứu người nộp theo số định danh …{citizen_id[-4:]}: {outcome}",
        data={"found": found is not None, "in_scope": in_scope, "citizen_id_end": citizen_id[-4:]},
    )
    if found is None:
        return None
    if not in_scope:
        return PersonCard(found.full_name, found.birth_date, in_scope=False)
    return PersonCard(found.full_name, found.birth_date, True, found.address, _hint(found.phone))


def organisation(user: User, tax_code: str) -> Organisation | None:
    """The organisation with this (already normalised) tax code: its name and address are public
    business registration data; the lookup is counted and audited all the same."""
    _reserve(user)
    found = Organisation.objects.filter(tax_code=tax_code).first()
    record(
        "organisation.lookup",
        object_type="core.organisation",
        object_id=found.pk if found else "",
        summary=f"Tra cứu tổ chức theo mã số thuế {tax_code}: "
        + ("có trong hệ thống" if found else "không có trong hệ thống"),
        data={"found": found is not None},
    )
    return found
