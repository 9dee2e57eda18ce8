from datetime import date

import pytest
from django.utils import timezone

from motcua.core.models import OrgUnit, Role, RoleAssignment
from motcua.core.permissions import has_role, scoped
from motcua.core.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    province = factories.unit("Thành phố", kind="province", code="p")
    dept = factories.unit("Sở Tư pháp", parent=province, kind="department", code="stp")
    division = factories.unit("Phòng Hộ tịch", parent=dept, kind="division", code="stp-ht")
    ward_a = factories.unit("Phường A", parent=province, code="wa")
    ward_b = factories.unit("Phường B", parent=province, code="wb")
    return {"province": province, "dept": dept, "division": division, "a": ward_a, "b": ward_b}


def _visible(user, **kwargs) -> set[str]:
    return set(scoped(OrgUnit.objects.all(), user, unit_field="", **kwargs).values_list("code", flat=True))


def test_a_ward_officer_sees_only_their_ward(org):
    officer = factories.staff([Role.INTAKE_OFFICER], org["a"])
    assert _visible(officer) == {"wa"}
    assert has_role(officer, Role.INTAKE_OFFICER, org["a"])
    assert not has_role(officer, Role.INTAKE_OFFICER, org["b"])
    assert not has_role(officer, Role.SPECIALIST, org["a"])


def test_a_department_leader_sees_the_department_and_its_divisions_only(org):
    leader = factories.staff([Role.AGENCY_LEADER], org["dept"])
    assert _visible(leader) == {"stp", "stp-ht"}


def test_narrow_assignment_excludes_subunits(org):
    clerk = factories.staff([Role.CLERK], org["dept"], include_subunits=False)
    assert _visible(clerk) == {"stp"}


def test_supervisor_at_province_sees_everything_by_the_tree_not_by_a_flag(org):
    supervisor = factories.staff([Role.SUPERVISOR], org["province"])
    assert _visible(supervisor) == {"p", "stp", "stp-ht", "wa", "wb"}
    # Roles filter: the supervisor holds no intake role anywhere.
    assert _visible(supervisor, roles=[Role.INTAKE_OFFICER]) == set()


def test_expired_assignment_and_inactive_account_see_nothing(org):
    officer = factories.staff([Role.SPECIALIST], org["b"])
    RoleAssignment.objects.filter(user=officer).update(valid_to=timezone.localdate())
    assert _visible(officer) == set()
    other = factories.staff([Role.SPECIALIST], org["b"])
    other.is_active = False
    other.save()
    assert _visible(other) == set()


def test_future_assignment_is_not_yet_in_force(org):
    officer = factories.staff([Role.SPECIALIST], org["a"])
    RoleAssignment.objects.filter(user=officer).update(valid_from=date(2099, 1, 1))
    assert not has_role(officer, Role.SPECIALIST, org["a"])


def test_moving_a_unit_moves_its_subtree_in_scope(org):
    leader = factories.staff([Role.AGENCY_LEADER], org["dept"])
    org["a"].parent = org["dept"]
    org["a"].save()
    assert "wa" in _visible(leader)
