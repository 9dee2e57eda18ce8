"""Role × unit scoping. Every staff selector and service asks here what a user may see or do.

A role assignment covers its unit and, unless narrowed, every unit below it in the tree (by the
materialised path), on the days it is valid. There is no superuser shortcut: an administrator or a
supervisor sees the province because their assignment is at the province unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.core.models import OrgUnit, Role, RoleAssignment, User


class PermissionDenied(Exception):
    """Raised by services; the message is Vietnamese and safe to show."""

    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Scope:
    """The units where a user holds some role: exact units and whole subtrees (by path prefix)."""

    unit_ids: frozenset[int]
    subtree_paths: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.unit_ids and not self.subtree_paths

    def covers(self, unit: OrgUnit) -> bool:
        return unit.pk in self.unit_ids or any(unit.path.startswith(p) for p in self.subtree_paths)

    def q(self, unit_field: str = "unit") -> Q:
        """A filter for a queryset whose ``unit_field`` points at an OrgUnit ("" for OrgUnit itself)."""
        if self.empty:
            return Q(pk__in=[])
        prefix = f"{unit_field}__" if unit_field else ""
        ids_key = f"{unit_field}__in" if unit_field else "pk__in"
        condition = Q(**{ids_key: list(self.unit_ids)}) if self.unit_ids else Q(pk__in=[])
        for path in sorted(self.subtree_paths):
            condition |= Q(**{f"{prefix}path__startswith": path})
        return condition


def _today() -> date:
    return timezone.localdate()


def active_assignments(
    user: User, roles: Iterable[str] | None = None, on: date | None = None
) -> list[RoleAssignment]:
    if not user.is_authenticated or not user.is_active:
        return []
    day = on or _today()
    qs = (
        RoleAssignment.objects.filter(user=user, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .select_related("unit")
    )
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return list(qs)


def scope(user: User, roles: Iterable[str] | None = None, on: date | None = None) -> Scope:
    unit_ids: set[int] = set()
    paths: set[str] = set()
    for assignment in active_assignments(user, roles, on):
        if assignment.include_subunits:
            paths.add(assignment.unit.path)
        else:
            unit_ids.add(assignment.unit_id)
    return Scope(frozenset(unit_ids), frozenset(paths))


def role_units_sql(
    user: User, roles: Iterable[str] | None = None, on: date | None = None
) -> tuple[str, list[int | str | date]] | None:
    """The query of ``role_units`` — rows ``(role, unit_id)`` — for a caller that reads more in the same
    round trip (``dossiers.selectors.user_access``); None when the user can hold no role."""
    if not user.is_authenticated or not user.is_active:
        return None
    day = on or _today()
    assignments = connection.ops.quote_name(RoleAssignment._meta.db_table)
    units = connection.ops.quote_name(OrgUnit._meta.db_table)
    params: list[int | str | date] = [user.pk, day, day]
    role_filter = ""
    if roles is not None:
        chosen = sorted(set(roles))
        if not chosen:
            return None
        role_filter = f" AND ra.role IN ({', '.join(['%s'] * len(chosen))})"
        params += chosen
    # A unit is covered by an assignment at itself, or below it when the assignment includes subunits
    # (its path starts with the assigned unit's path; compared with substr, not LIKE, so that "_" and
    # "%" in a code are not wildcards).
    # Only table names and placeholders are formatted in.
    sql = (
        f"SELECT ra.role, u.id FROM {assignments} ra JOIN {units} a ON a.id = ra.unit_id "  # noqa: S608
        f"JOIN {units} u ON u.id = a.id "
        "OR (ra.include_subunits AND substr(u.path, 1, length(a.path)) = a.path) "
        "WHERE ra.user_id = %s AND ra.valid_from <= %s AND (ra.valid_to IS NULL OR ra.valid_to > %s)"
        f"{role_filter}"
    )
    return sql, params


def role_units(
    user: User, roles: Iterable[str] | None = None, on: date | None = None
) -> dict[str, frozenset[int]]:
    """The ids of the units where the user holds each role on ``on`` (today), subtrees expanded: one
    query, whatever the number of assignments. The unit table is small (a province has a few hundred
    units), so the ids are what lists filter on (``unit_id IN (…)``) instead of joining unit paths.

    The result is the same set of units as ``scope(...)`` (and ``Scope.q``/``Scope.covers``) gives, as
    ids; units that ended are included (their dossiers stay visible)."""
    query = role_units_sql(user, roles, on)
    if query is None:
        return {}
    found: dict[str, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(*query)
        for role, unit_id in cursor.fetchall():
            found.setdefault(role, set()).add(unit_id)
    return {role: frozenset(ids) for role, ids in found.items()}


def unit_ids(user: User, roles: Iterable[str] | None = None, on: date | None = None) -> frozenset[int]:
    """The ids of every unit where the user holds one of ``roles`` (any role): ``role_units`` merged."""
    return frozenset().union(*role_units(user, roles, on).values())


def has_role(
    user: User, role: str | Iterable[str], unit: OrgUnit | None = None, on: date | None = None
) -> bool:
    roles = [role] if isinstance(role, str) else list(role)
    user_scope = scope(user, roles, on)
    if unit is None:
        return not user_scope.empty
    return user_scope.covers(unit)


def require_role(user: User, role: str | Iterable[str], unit: OrgUnit | None = None) -> None:
    if not has_role(user, role, unit):
        raise PermissionDenied()


def scoped(
    qs: QuerySet, user: User, *, unit_field: str = "unit", roles: Iterable[str] | None = None
) -> QuerySet:
    """Restrict a staff queryset to the units the user works in."""
    return qs.filter(scope(user, roles).q(unit_field))


def is_administrator(user: User) -> bool:
    return has_role(user, Role.ADMINISTRATOR)
