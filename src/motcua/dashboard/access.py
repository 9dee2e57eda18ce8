"""Who sees which values: the office and the province's leaders see the province and every unit; a
unit's staff see their own unit (the agency or local government they work for, below the province)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from motcua.core.models import OrgUnit, Role, User
from motcua.core.permissions import active_assignments

OFFICE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
OFFICE_KINDS = frozenset({OrgUnit.Kind.PROVINCE, OrgUnit.Kind.OFFICE})


@dataclass(frozen=True)
class Access:
    sees_province: bool
    is_office: bool  # may enter manual values
    unit_ids: frozenset[int]  # the top units whose values the person sees (when not the province)

    @property
    def any(self) -> bool:
        return self.sees_province or bool(self.unit_ids)

    def sees(self, unit: OrgUnit | None) -> bool:
        if unit is None:
            return self.sees_province
        return self.sees_province or unit.pk in self.unit_ids


def access_for(user: User, on: date | None = None) -> Access:
    """Two queries: the assignments (with their units), then the top units above them."""
    day = on or timezone.localdate()
    assignments = active_assignments(user, on=day)
    sees_province = is_office = False
    top_codes: set[str] = set()
    for a in assignments:
        if a.role in OFFICE_ROLES and a.unit.kind in OFFICE_KINDS:
            sees_province = is_office = True
        if a.role == Role.AGENCY_LEADER and a.unit.kind == OrgUnit.Kind.PROVINCE:
            sees_province = True
        codes = [c for c in a.unit.path.strip("/").split("/") if c]
        if a.unit.kind == OrgUnit.Kind.PROVINCE:
            continue
        top_codes.add(codes[1] if len(codes) > 1 else codes[0])
    ids: frozenset[int] = frozenset()
    if top_codes and not sees_province:
        ids = frozenset(
            OrgUnit.objects.filter(code__in=top_codes)
            .exclude(kind=OrgUnit.Kind.PROVINCE)
            .values_list("pk", flat=True)
        )
    return Access(sees_province, is_office, ids)
