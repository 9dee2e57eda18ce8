"""Who sees and does what in task tracking (role × unit, from ``core`` role assignments).

- **The office** (Văn phòng UBND, the assigning office): a supervisor or administrator assigned at the
  province or at the office unit. It sees every task, imports plans, resolves unmatched agency names,
  and decides completion and extension requests of the documents whose ``assigning_unit`` its
  assignment covers. The chairman (an agency leader at the province unit) sees every task too.
- **A unit's staff**: a person works for the unit they are assigned to and for the units above it up
  to (not including) the province — a specialist of a division of Sở Tư pháp works for Sở Tư pháp.
  They see the tasks their units lead or coordinate, by name or through a collective that covers the
  unit's kind ("các sở, ban, ngành" covers the departments; "UBND cấp xã" the wards,
  communes and special zones; "UBND cấp huyện", abolished on 01/07/2025, its successors the communes).
- **Acting for a lead unit** (report progress, request completion or an extension of that unit's
  part of the task) needs one of ``ACTING_ROLES`` at the unit (``acting_ids``); coordinating units
  only see.

No new role: the existing ``core.models.Role`` choices are reused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from motcua.core.models import OrgUnit, Role, User
from motcua.core.permissions import Scope, active_assignments
from motcua.directives.unitnames import Collective

OFFICE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
ACTING_ROLES = frozenset({Role.AGENCY_LEADER, Role.UNIT_LEADER, Role.SPECIALIST, Role.CLERK, Role.SUPERVISOR})
OFFICE_KINDS = frozenset({OrgUnit.Kind.PROVINCE, OrgUnit.Kind.OFFICE})

K = OrgUnit.Kind
COMMUNE_KINDS = frozenset({K.WARD, K.COMMUNE, K.SPECIAL_ZONE})
COLLECTIVE_KINDS: dict[Collective, frozenset[str]] = {
    # The office tracks the tasks of "các sở, ban, ngành" rather than reporting on them.
    Collective.DEPARTMENTS: frozenset({K.DEPARTMENT}),
    Collective.DISTRICTS: frozenset({K.DISTRICT}) | COMMUNE_KINDS,
    Collective.COMMUNES: COMMUNE_KINDS,
    Collective.ALL: frozenset({K.DEPARTMENT, K.OFFICE, K.SERVICE_CENTRE, K.DISTRICT}) | COMMUNE_KINDS,
    Collective.RELATED: frozenset(),
    Collective.EXTERNAL: frozenset(),
}


def collectives_for(kinds: Iterable[str]) -> frozenset[str]:
    """The collectives that name a unit of one of ``kinds``."""
    chosen = set(kinds)
    return frozenset(c.value for c, covered in COLLECTIVE_KINDS.items() if covered & chosen)


@dataclass(frozen=True)
class Access:
    sees_all: bool
    is_office: bool
    office_scope: Scope
    member_ids: frozenset[int]  # units the person works for (any role)
    member_kinds: frozenset[str]
    acting_ids: frozenset[int]  # units the person may act for (``ACTING_ROLES``)
    acting_kinds: frozenset[str]
    acting_units: tuple[tuple[int, str], ...] = ()  # (id, kind), the assigned unit's chain from the top

    @property
    def member_collectives(self) -> frozenset[str]:
        return collectives_for(self.member_kinds)

    @property
    def acting_collectives(self) -> frozenset[str]:
        return collectives_for(self.acting_kinds)

    def can_decide(self, assigning_unit: OrgUnit | None) -> bool:
        """May approve or return completions, approve or refuse extensions, set deadlines."""
        if assigning_unit is None:
            return self.is_office
        return not self.office_scope.empty and self.office_scope.covers(assigning_unit)


NO_ACCESS = Access(
    False, False, Scope(frozenset(), frozenset()), frozenset(), frozenset(), frozenset(), frozenset()
)


def access_for(user: User, on: date | None = None) -> Access:
    """Two queries: the person's assignments (with their units), then the units above them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ACCESS
    day = on or timezone.localdate()
    assignments = active_assignments(user, on=day)
    if not assignments:
        return NO_ACCESS
    codes: set[str] = set()
    for a in assignments:
        codes.update(c for c in a.unit.path.strip("/").split("/") if c)
    chain = {u.code: u for u in OrgUnit.objects.filter(code__in=codes).only("id", "code", "kind", "path")}

    def works_for(unit: OrgUnit) -> list[OrgUnit]:
        path = [chain[c] for c in unit.path.strip("/").split("/") if c in chain]
        return [u for u in path if u.kind != OrgUnit.Kind.PROVINCE] or [unit]

    member: dict[int, str] = {}
    acting: dict[int, str] = {}  # insertion order: each chain from the top
    office_ids: set[int] = set()
    office_paths: set[str] = set()
    sees_all = is_office = False
    for a in assignments:
        units = works_for(a.unit)
        member.update({u.pk: u.kind for u in units})
        if a.role in ACTING_ROLES:
            acting.update({u.pk: u.kind for u in units})
        if a.role in OFFICE_ROLES:
            if a.include_subunits:
                office_paths.add(a.unit.path)
            else:
                office_ids.add(a.unit_id)
            if a.unit.kind in OFFICE_KINDS:
                sees_all = is_office = True
        if a.role == Role.AGENCY_LEADER and a.unit.kind == OrgUnit.Kind.PROVINCE:
            sees_all = True
    return Access(
        sees_all=sees_all,
        is_office=is_office,
        office_scope=Scope(frozenset(office_ids), frozenset(office_paths)),
        member_ids=frozenset(member),
        member_kinds=frozenset(member.values()),
        acting_ids=frozenset(acting),
        acting_kinds=frozenset(acting.values()),
        acting_units=tuple(acting.items()),
    )
