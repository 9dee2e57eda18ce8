"""``permissions.role_units``: the scope of each role as unit ids, in one query — the same units as the
path-based ``Scope`` (``scoped``/``has_role``) that other callers use."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.core.models import OrgUnit, Role, RoleAssignment
from motcua.core.permissions import role_units, scoped, unit_ids
from motcua.core.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    province = factories.unit("Thành phố", kind="province", code="p")
    dept = factories.unit("Sở Tư pháp", parent=province, kind="department", code="s_1")
    division = factories.unit("Phòng Hộ tịch", parent=dept, kind="division", code="s_1-ht")
    # "s_1" as a LIKE pattern would also match "sx1": the subtree test must compare, not match.
    lookalike = factories.unit("Sở khác", parent=province, kind="department", code="sx1")
    lookalike_child = factories.unit("Phòng của sở khác", parent=lookalike, kind="division", code="sx1-a")
    ward = factories.unit("Phường A", parent=province, code="wa")
    return {
        "province": province,
        "dept": dept,
        "division": division,
        "lookalike": lookalike,
        "lookalike_child": lookalike_child,
        "ward": ward,
    }


def codes(ids) -> set[str]:
    return set(OrgUnit.objects.filter(pk__in=ids).values_list("code", flat=True))


def by_path(user, roles=None) -> set[str]:
    return set(scoped(OrgUnit.objects.all(), user, unit_field="", roles=roles).values_list("code", flat=True))


def test_each_role_covers_its_unit_and_the_units_below_it_in_one_query(org):
    leader = factories.staff([Role.AGENCY_LEADER], org["dept"])
    RoleAssignment.objects.create(user=leader, role=Role.SPECIALIST, unit=org["ward"], include_subunits=False)
    with CaptureQueriesContext(connection) as ctx:
        found = role_units(leader)
    assert len(ctx.captured_queries) == 1
    assert {role: codes(ids) for role, ids in found.items()} == {
        Role.AGENCY_LEADER: {"s_1", "s_1-ht"},
        Role.SPECIALIST: {"wa"},
    }
    assert codes(unit_ids(leader)) == by_path(leader) == {"s_1", "s_1-ht", "wa"}
    assert codes(unit_ids(leader, [Role.SPECIALIST])) == by_path(leader, [Role.SPECIALIST]) == {"wa"}
    assert role_units(leader, []) == {}


def test_a_code_with_a_like_wildcard_covers_only_its_own_subtree(org):
    officer = factories.staff([Role.SPECIALIST], org["dept"])
    assert codes(unit_ids(officer)) == by_path(officer) == {"s_1", "s_1-ht"}


def test_the_province_covers_every_unit_and_a_narrowed_assignment_only_its_unit(org):
    supervisor = factories.staff([Role.SUPERVISOR], org["province"])
    clerk = factories.staff([Role.CLERK], org["dept"], include_subunits=False)
    assert codes(unit_ids(supervisor)) == by_path(supervisor) == {u.code for u in org.values()}
    assert codes(unit_ids(clerk)) == by_path(clerk) == {"s_1"}


def test_expired_future_and_inactive_accounts_hold_nothing(org):
    expired = factories.staff([Role.SPECIALIST], org["ward"])
    RoleAssignment.objects.filter(user=expired).update(valid_to=timezone.localdate())
    future = factories.staff([Role.SPECIALIST], org["ward"])
    RoleAssignment.objects.filter(user=future).update(valid_from=date(2099, 1, 1))
    inactive = factories.staff([Role.SPECIALIST], org["ward"])
    inactive.is_active = False
    inactive.save()
    for user in (expired, future, inactive):
        assert role_units(user) == {} and by_path(user) == set()
    assert codes(unit_ids(future, on=date(2099, 1, 1))) == {"wa"}
