import pytest
from django.core.management import call_command

from motcua.catalogue.models import Procedure
from motcua.core.audit import verify_chain
from motcua.core.models import OrgUnit, Role, RoleAssignment, User
from motcua.core.permissions import has_role
from motcua.demo.loader import load_demo

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
