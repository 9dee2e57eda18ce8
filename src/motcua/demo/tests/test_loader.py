import pytest
from django.core.management import call_command

from motcua.catalogue.models import Procedure
from motcua.core.audit import verify_chain
from motcua.core.models import OrgUnit, Role, RoleAssignment, User
from motcua.core.permissions import has_role
from motcua.demo.loader import load_demo
from motcua.dossiers.models import Dossier
from motcua.dossiers.national_pull import pull_submitted
from motcua.integrations.simulators.dvcqg import Portal
from motcua.integrations.tests.portal import running_portal

pytestmark = pytest.mark.django_db


def test_demo_province_is_complete_and_reloading_changes_nothing():
    load_demo(verbose=False, history=50)
    assert User.objects.count() >= 30
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    assert Procedure.objects.count() == 14
    assert OrgUnit.objects.filter(kind__in=["ward", "commune", "special_zone"]).count() >= 8
    counts = (User.objects.count(), OrgUnit.objects.count(), Procedure.objects.count())
    call_command("load_demo", verbosity=0)  # with the full history
    assert (User.objects.count(), OrgUnit.objects.count(), Procedure.objects.count()) == counts
    assert verify_chain().ok


def test_demo_roles_are_scoped_to_their_units():
    load_demo(verbose=False, history=0)
    ward_officer = User.objects.get(username="thanhdong.motcua")
    assert has_role(ward_officer, Role.INTAKE_OFFICER, OrgUnit.objects.get(code="x10507"))
    assert not has_role(ward_officer, Role.INTAKE_OFFICER, OrgUnit.objects.get(code="x10525"))
    admin = User.objects.get(username="quantri")
    assert admin.is_staff and has_role(admin, Role.ADMINISTRATOR, OrgUnit.objects.get(code="x11914"))


def test_the_demo_portal_holds_dossiers_submitted_for_thanh_dong_and_the_pull_takes_them(tmp_path, settings):
    load_demo(verbose=False, history=0)
    lines = settings.MOTCUA_DVCQG_INCOMING.read_text(encoding="utf-8").splitlines()
    portal = Portal(tmp_path / "dvcqg.jsonl", incoming=settings.MOTCUA_DVCQG_INCOMING)  # checks each record
    assert len(lines) == 2 and portal.state()["incoming"] == 2
    with running_portal(portal) as url:
        settings.DVCQG_ENDPOINT, settings.DVCQG_USERNAME, settings.DVCQG_PASSWORD = url, "motcua", "motcua"
        report = pull_submitted()
    assert len(report.taken) == 2 and not report.refused
    ward = OrgUnit.objects.get(code="x10507")
    taken = Dossier.objects.filter(code__in=report.taken)
    assert {(d.receiving_unit_id, d.state, d.channel) for d in taken} == {(ward.pk, "submitted", 2)}
    assert {d.applicant_name for d in taken} == {"Vũ Thị Thu Hà", "Nguyễn Đức Mạnh"}
