"""Builders for dossier tests: a small province with two wards, staff and one procedure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as cf
from motcua.core.models import Organisation, OrgUnit, Person, Role, RoleAssignment, User
from motcua.core.tests import factories
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.workdays.domain import TZ

CITIZEN_ID = "031085000123"  # Hải Phòng (031), male born 1985


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in Vietnamese time."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@dataclass
class World:
    province: OrgUnit
    ward_a: OrgUnit
    ward_b: OrgUnit
    justice: OrgUnit
    police: OrgUnit
    intake_a: User
    specialist_a: User
    specialist_a2: User
    leader_a: User
    head_a: User
    clerk_a: User
    intake_b: User
    specialist_b: User
    justice_specialist: User
    police_specialist: User
    supervisor: User
    procedure: Procedure
    person: Person
    organisation: Organisation

    @property
    def version(self) -> ProcedureVersion:
        return self.procedure.versions.get()


def staff(role: str, unit: OrgUnit, username: str, **extra) -> User:
    """A staff account with one role (no password: hashing would slow every test down)."""
    user = User(
        username=username, full_name=extra.pop("full_name", f"Cán bộ {username}"), primary_unit=unit, **extra
    )
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def world(*, procedure_doc: dict | None = None) -> World:
    province = factories.unit("Thành phố Thử", kind="province", code="tp")
    ward_a = factories.unit(
        "Phường An Biên", parent=province, code="pab", eid_code="000.11.01.H31", is_one_stop=True
    )
    ward_b = factories.unit(
        "Phường Lê Chân", parent=province, code="plc", eid_code="000.11.02.H31", is_one_stop=True
    )
    justice = factories.unit("Sở Tư pháp", parent=province, kind="department", code="stp")
    police = factories.unit("Công an thành phố", parent=province, kind="department", code="cat")
    import_catalogue(cf.document(procedure_doc or cf.procedure()))
    return World(
        province=province,
        ward_a=ward_a,
        ward_b=ward_b,
        justice=justice,
        police=police,
        intake_a=staff(Role.INTAKE_OFFICER, ward_a, "motcua_a"),
        specialist_a=staff(Role.SPECIALIST, ward_a, "chuyenvien_a"),
        specialist_a2=staff(Role.SPECIALIST, ward_a, "chuyenvien_a2"),
        leader_a=staff(Role.UNIT_LEADER, ward_a, "lanhdaophong_a"),
        head_a=staff(Role.AGENCY_LEADER, ward_a, "chutich_a"),
        clerk_a=staff(Role.CLERK, ward_a, "vanthu_a"),
        intake_b=staff(Role.INTAKE_OFFICER, ward_b, "motcua_b"),
        specialist_b=staff(Role.SPECIALIST, ward_b, "chuyenvien_b"),
        justice_specialist=staff(Role.SPECIALIST, justice, "chuyenvien_stp"),
        police_specialist=staff(Role.SPECIALIST, police, "chuyenvien_ca"),
        supervisor=staff(Role.SUPERVISOR, province, "giamsat"),
        procedure=Procedure.objects.get(),
        person=Person.objects.create(citizen_id=CITIZEN_ID, full_name="Nguyễn Thị Hồng Nhung"),
        organisation=Organisation.objects.create(tax_code="0201234567", name="Công ty TNHH Đức Thắng"),
    )


def all_components(w: World) -> list[services.ComponentInput]:
    return [services.ComponentInput(component_id=c.pk) for c in w.version.components.all()]


# The roles the test workflow needs in the competent unit (``catalogue.tests.factories.three_day_workflow``).
WORKFLOW_ROLES = (Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER)


def staff_for_workflow(unit: OrgUnit) -> None:
    """Give ``unit`` an account for each role of the test workflow it lacks: intake refuses a competent
    unit where a step has nobody to do it, and tests of other things receive at ward B too."""
    held = set(RoleAssignment.objects.filter(unit=unit).values_list("role", flat=True))
    for role in WORKFLOW_ROLES:
        if role not in held:
            staff(role, unit, f"{role}_{unit.code}")


def receive(
    w: World, *, unit: OrgUnit | None = None, by: User | None = None, applicant=None, **kw
) -> Dossier:
    unit = unit or w.ward_a
    competent = kw.get("competent_unit", unit)
    if competent != w.ward_a:  # ward A has every role of the workflow
        staff_for_workflow(competent)
    return services.receive_at_counter(
        by=by or (w.intake_a if unit == w.ward_a else w.intake_b),
        applicant=applicant or w.person,
        procedure=w.procedure,
        receiving_unit=unit,
        competent_unit=kw.pop("competent_unit", unit),
        components=kw.pop("components", None) or all_components(w),
        **kw,
    )


def submit(w: World, *, unit: OrgUnit | None = None, applicant=None) -> Dossier:
    unit = unit or w.ward_a
    return services.submit_online(
        applicant=applicant or w.person,
        procedure=w.procedure,
        receiving_unit=unit,
        competent_unit=unit,
        components=all_components(w),
    )


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def day(d: datetime) -> date:
    return d.date()
