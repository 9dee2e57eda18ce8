"""Role × unit scoping. Every staff selector and service asks here what a user may see or do.

A role assignment covers its unit and, unless narrowed, every unit below it in the tree (by the
materialised path), on the days it is valid. There is no superuser shortcut: an administrator or a
supervisor sees the province because their assignment is at the province unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

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
