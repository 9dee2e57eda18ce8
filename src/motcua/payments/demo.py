"""Demo: a dossier at Phường Thành Đông waiting for its applicant to pay online.

Received at the counter by ``thanhdong.motcua``, who then asks for the financial obligation (state 6):
the applicant, Lê Thị Hồng Vân (identity number ending 6352), finds it on the public tracking page and
pays through the demo's payment gateway simulator (``motcua demo`` runs it); the receipt follows.
"""

from __future__ import annotations

from collections.abc import Callable

from motcua.catalogue.models import ProcedureVersion
from motcua.core.models import Person, User
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierFee
from motcua.dossiers.rules import State

WARD = "thanhdong"
CITIZEN = ("030189006352", "Lê Thị Hồng Vân", "van.lethihong@example.vn", "0936215804")


def load_payment_demo(say: Callable[[str], object]) -> int:
    waiting = Dossier.objects.filter(applicant_id_number=CITIZEN[0], state=State.AWAITING_PAYMENT).first()
    if waiting is not None:
        say(f"  hồ sơ {waiting.code} chờ nộp phí trực tuyến (4 số cuối {CITIZEN[0][-4:]})")
        return 0
    intake = User.objects.filter(username=f"{WARD}.motcua").select_related("primary_unit").first()
    if intake is None or intake.primary_unit is None:
        return 0
    ward = intake.primary_unit
    version = (
        ProcedureVersion.objects.filter(implementing_units=ward, status="published")
        .exclude(procedure__code="2.000815")  # the certifications have their own demo
        .select_related("procedure")
        .order_by("procedure__code")
        .first()
    )
    if version is None:
        return 0
    person, _ = Person.objects.get_or_create(
        citizen_id=CITIZEN[0], defaults={"full_name": CITIZEN[1], "email": CITIZEN[2], "phone": CITIZEN[3]}
    )
    components = [
        services.ComponentInput(component_id=c.pk)
        for c in version.components.all()
        if c.required and c.role == "submit"
    ]
    dossier = services.receive_at_counter(
        by=intake,
        applicant=person,
        procedure=version.procedure,
        receiving_unit=ward,
        competent_unit=ward,
        components=components,
    )
    # Whatever the procedure charges at the counter was paid there; the obligation is asked for now.
    DossierFee.objects.filter(dossier=dossier, paid=False).update(paid=True, receipt_ref="Nộp tại quầy")
    services.request_payment(
        dossier.code,
        by=intake,
        expected_version=1,
        items=[services.FeeInput("Phí cung cấp thông tin, trích lục hồ sơ gốc", 50000)],
        note="Phí trích lục theo Nghị quyết của HĐND thành phố.",
    )
    say(f"  hồ sơ {dossier.code} chờ nộp phí trực tuyến (4 số cuối {CITIZEN[0][-4:]})")
    return 1
