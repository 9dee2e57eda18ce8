"""Every demo procedure can be walked from intake to return with the README's accounts.

Commune-level procedures at Phường Thành Đông; city-level ones received at the Trung tâm Phục vụ hành
chính công for the unit that decides (Công an thành phố, Phòng Đăng ký kinh doanh of the Sở Tài
chính). Each step is done by the account holding its role there, through the use cases only.
"""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command

from motcua.catalogue.models import Procedure
from motcua.core.models import OrgUnit, Person, User
from motcua.dossiers import services as s
from motcua.dossiers.models import Channel
from motcua.dossiers.rules import InvalidDossierInput

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """The demo's units, staff, calendar and procedures — the part of ``load_demo`` the walks need (not
    the dossier history, plans and reports) — loaded once for the module and rolled back after it."""
    from django.db import transaction

    from motcua.core.audit import acting_as
    from motcua.core.services import load_org
    from motcua.demo import loader

    with django_db_blocker.unblock(), transaction.atomic():
        with acting_as(None, label="nạp dữ liệu trình diễn"):
            load_org(loader.data("org.json"))
            loader._load_staff()
            loader._load_calendar()
            loader._load_procedures()
            loader._assign_units()
        yield
        transaction.set_rollback(True)


MONDAY = "2026-12-07 09:00"  # a working day

# Who does each role where (the README's table).
WARD = {
    "intake_officer": "thanhdong.motcua",
    "specialist": "thanhdong.tuphap",
    "unit_leader": "thanhdong.vanphong",
    "agency_leader": "thanhdong.chutich",
    "clerk": "thanhdong.vanthu",
}
POLICE = {
    "specialist": "ca.chuyenvien",
    "unit_leader": "ca.truongphong",
    "agency_leader": "ca.lanhdao",
    "clerk": "ca.vanthu",
}
FINANCE = {"specialist": "stc.chuyenvien", "unit_leader": "stc.truongphong", "agency_leader": "stc.giamdoc"}
CENTRE = {"intake_officer": "ttpvhcc.motcua1"}
# procedure → (receiving unit, competent unit, accounts by role)
WHERE = {
    "2.000488": ("hp-ttpvhcc", "hp-ca", {**CENTRE, **POLICE}),
    "1.002809": ("hp-ttpvhcc", "hp-ca", {**CENTRE, **POLICE}),
    "2.001583": ("hp-ttpvhcc", "hp-stc-dkkd", {**CENTRE, **FINANCE}),
}


def documents_for_the_counter(procedure: Procedure) -> list[s.ComponentInput]:
    """The required documents of a paper dossier: one of each set of alternatives."""
    chosen, groups = [], set()
    for c in procedure.versions.get().components.all():
        if not (c.required and c.role == "submit" and c.applies_to("direct")):
            continue
        if c.alternative_group:
            if c.alternative_group in groups:
                continue
            groups.add(c.alternative_group)
        chosen.append(s.ComponentInput(component_id=c.pk))
    return chosen


def walk(code: str, person: Person) -> list[str]:
    """Receive at the counter, hand over step by step, mark the result ready, return it: the usernames
    of who acted, in order."""
    receiving, competent, accounts = WHERE.get(code, ("x10507", "x10507", WARD))
    user = {role: User.objects.get(username=name) for role, name in accounts.items()}
    procedure = Procedure.objects.get(code=code)
    d = s.receive_at_counter(
        by=user["intake_officer"],
        applicant=person,
        procedure=procedure,
        receiving_unit=OrgUnit.objects.get(code=receiving),
        competent_unit=OrgUnit.objects.get(code=competent),
        components=documents_for_the_counter(procedure),
    )
    actors = [user["intake_officer"].username]
    steps = s.workflow_steps(d.procedure_version_id)
    while s.next_step(steps, d.current_step) is not None:
        by = user[d.current_step.role]
        assert s.actions_for(by, d)[0] == "hand_over", (code, d.current_step.code)
        d = s.hand_over(d.code, by=by, expected_version=d.lock_version)
        actors.append(by.username)
    by = user[d.current_step.role]
    d = s.mark_result_ready(d.code, by=by, expected_version=d.lock_version)
    actors.append(by.username)
    d = s.return_result(d.code, by=user["intake_officer"], expected_version=d.lock_version, notified=True)
    actors.append(user["intake_officer"].username)
    assert (d.state, d.national_status) == ("returned", 10), code
    return actors


def test_every_demo_procedure_is_walked_to_return_with_the_readme_accounts(province):
    person = Person.objects.create(citizen_id="031088004567", full_name="Lê Thị Thu Hằng")
    codes = sorted(Procedure.objects.values_list("code", flat=True))
    assert len(codes) == 14
    with time_machine.travel(MONDAY, tick=False):
        walked = {code: walk(code, person) for code in codes}
    # hand-checked: the marriage-status certificate (1.004873) goes through the ward's office head
    assert walked["1.004873"] == [
        "thanhdong.motcua",
        "thanhdong.motcua",
        "thanhdong.tuphap",
        "thanhdong.vanphong",
        "thanhdong.chutich",
        "thanhdong.motcua",
    ]
    # the criminal-record certificate skips its two consultation steps (asked with "lấy ý kiến")
    assert walked["2.000488"] == [
        "ttpvhcc.motcua1",
        "ttpvhcc.motcua1",
        "ca.chuyenvien",
        "ca.truongphong",
        "ca.lanhdao",
        "ca.vanthu",
        "ttpvhcc.motcua1",
    ]
    call_command("dossiers", "rebuild", "--verify", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_marriage_status_dossier_needs_its_declaration_and_the_e_form_only_online(province):
    ward = OrgUnit.objects.get(code="x10507")
    person = Person.objects.create(citizen_id="031088004567", full_name="Lê Thị Thu Hằng")
    procedure = Procedure.objects.get(code="1.004873")
    components = {c.name: c.pk for c in procedure.versions.get().components.all()}
    paper = "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân theo mẫu (khi nộp trực tiếp hoặc qua bưu chính)"
    eform = "Mẫu hộ tịch điện tử tương tác cấp Giấy xác nhận tình trạng hôn nhân (khi nộp trực tuyến)"
    officer = User.objects.get(username="thanhdong.motcua")

    def receive(*names: str, channel: int = Channel.COUNTER):
        inputs = [s.ComponentInput(component_id=components[n]) for n in names]
        if channel == Channel.ONLINE:
            return s.submit_online(
                applicant=person,
                procedure=procedure,
                receiving_unit=ward,
                competent_unit=ward,
                components=inputs,
            )
        return s.receive_at_counter(
            by=officer,
            applicant=person,
            procedure=procedure,
            receiving_unit=ward,
            competent_unit=ward,
            components=inputs,
        )

    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(InvalidDossierInput) as caught:
            receive()  # until now accepted with no document at all
        assert caught.value.details["missing"] == [paper]
        with pytest.raises(InvalidDossierInput) as caught:
            receive(paper, channel=Channel.ONLINE)
        assert caught.value.details["missing"] == [eform]
        assert receive(paper).state == "received"
        assert receive(eform, channel=Channel.ONLINE).state == "submitted"
    death = Procedure.objects.get(code="1.000656").versions.get().components.order_by("order")
    assert [(c.name.split(" theo mẫu")[0].split(" (")[0], c.channels) for c in death[:2]] == [
        ("Tờ khai đăng ký khai tử", ["direct", "postal"]),
        ("Mẫu hộ tịch điện tử tương tác đăng ký khai tử", ["online"]),
    ]


def test_a_ward_without_the_staff_of_a_step_is_refused_as_the_competent_unit(province):
    person = Person.objects.create(citizen_id="031088004567", full_name="Lê Thị Thu Hằng")
    procedure = Procedure.objects.get(code="1.004873")
    # Đặc khu Cát Hải has a one-stop officer and its chairman, but no civil-status officer in the demo.
    ward = OrgUnit.objects.get(code="x11914")
    with time_machine.travel(MONDAY, tick=False), pytest.raises(InvalidDossierInput) as caught:
        s.receive_at_counter(
            by=User.objects.get(username="cathai.motcua"),
            applicant=person,
            procedure=procedure,
            receiving_unit=ward,
            competent_unit=ward,
            components=documents_for_the_counter(procedure),
        )
    assert caught.value.code == "step_unstaffed"
    assert caught.value.message.startswith(
        "Đặc khu Cát Hải chưa có ai giữ vai trò “Chuyên viên” để thực hiện bước “Thẩm định hồ sơ”"
    )
