"""Demo: portal accounts the README names, and a citizen's data warehouse with a paper to reuse.

- Lê Thị Hồng Vân (030189006352): signs in through the local identity provider (the demo's simulator),
  or with the password of the demo; her account is proven (the code went to the phone on her record).
  Her warehouse holds the birth certificate of her child (Giấy chứng sinh), ready to be picked when she
  registers the birth online, besides the signed results issued to her.
- Hộ kinh doanh / công ty: an organisation account by tax code and password.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from motcua.citizens.models import Account
from motcua.core.demodata import DEMO_PASSWORD
from motcua.core.models import Organisation, Person
from motcua.documents import warehouse

CITIZEN = ("030189006352", "Lê Thị Hồng Vân", "van.lethihong@example.vn", "0936215804")
BUSINESS = (
    "0801234567",
    "Công ty TNHH Thương mại Thành Đông",
    "Phạm Quốc Khánh",
    "lienhe@thanhdong.example.vn",
)


def _birth_certificate() -> bytes:
    """A one-page PDF standing for the hospital's Giấy chứng sinh (drawn here, marked as a demo)."""
    from motcua.documents import pdf

    data, _pages = pdf.render(
        "citizens/demo/birth_certificate.html",
        {"mother": CITIZEN[1], "number": CITIZEN[0], "child": "Trần Minh Khôi"},
    )
    return data


def load_citizens_demo(say: Callable[[str], object]) -> int:
    made = 0
    person, _ = Person.objects.get_or_create(
        citizen_id=CITIZEN[0], defaults={"full_name": CITIZEN[1], "email": CITIZEN[2], "phone": CITIZEN[3]}
    )
    now = timezone.now()
    _, created = Account.objects.get_or_create(
        person=person,
        defaults={
            "kind": Account.Kind.PERSON,
            "email": CITIZEN[2],
            "phone": CITIZEN[3],
            "password": make_password(DEMO_PASSWORD),
            "contact_verified_at": now,
            "proof": Account.Proof.CONTACT_ON_RECORD,
            "proven_at": now,
        },
    )
    made += created
    if not warehouse.items_for(person, "GT.CHUNGSINH").exists():
        warehouse.keep_upload(
            person, _birth_certificate(), title="Giấy chứng sinh — Trần Minh Khôi", doc_type="GT.CHUNGSINH"
        )
        made += 1
    organisation, _ = Organisation.objects.get_or_create(
        tax_code=BUSINESS[0],
        defaults={"name": BUSINESS[1], "representative": BUSINESS[2], "email": BUSINESS[3]},
    )
    _, created = Account.objects.get_or_create(
        organisation=organisation,
        defaults={
            "kind": Account.Kind.ORGANISATION,
            "email": BUSINESS[3],
            "password": make_password(DEMO_PASSWORD),
            "contact_verified_at": now,
            "proof": Account.Proof.CONTACT_ON_RECORD,
            "proven_at": now,
        },
    )
    made += created
    say(f"  tài khoản công dân {CITIZEN[0]} ({CITIZEN[1]}), tổ chức {BUSINESS[0]}; mật khẩu {DEMO_PASSWORD}")
    return made
