"""Who sees and does what in reporting (role × unit, from ``core`` role assignments).

- **The receiving office** (cơ quan nhận báo cáo): a supervisor or administrator whose assignment
  covers the definition's receiving unit (Văn phòng UBND, or the province). It sees every unit's
  report of its definitions, accepts or returns them, and accepts the aggregated report. An agency
  leader whose assignment covers the receiving unit (the chairman) sees the same, without acting.
- **A reporting unit**: a person acts for the unit they are assigned to and the units above it up to
  (not including) the province — a specialist of a division of Sở Tư pháp reports for Sở Tư pháp —
  with any of ``ACTING_ROLES``. They see and write only their units' reports.

No new role: the existing ``core.models.Role`` choices are reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from motcua.core.models import OrgUnit, Role, User
from motcua.core.permissions import Scope, active_assignments

RECEIVER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
VIEWER_ROLES = frozenset({Role.AGENCY_LEADER})
ACTING_ROLES = frozenset(
    {Role.AGENCY_LEADER, Role.UNIT_LEADER, Role.SPECIALIST, Role.CLERK, Role.INTAKE_OFFICER, Role.SUPERVISOR}
)

EMPTY = Scope(frozenset(), frozenset())


@dataclass(frozen=True)
class Access:
    acting_ids: frozenset[int]  # units the person reports for
    receiver: Scope  # receiving units the person decides for
    viewer: Scope  # receiving units the person may look at (receiver included)

    @property
    def is_receiver(self) -> bool:
        return not self.receiver.empty

    @property
    def sees_received(self) -> bool:
        return not self.viewer.empty

    def decides_for(self, receiving_unit: OrgUnit) -> bool:
        return not self.receiver.empty and self.receiver.covers(receiving_unit)

    def views_received(self, receiving_unit: OrgUnit) -> bool:
        return not self.viewer.empty and self.viewer.covers(receiving_unit)

    def acts_for(self, unit_id: int) -> bool:
        return unit_id in self.acting_ids


NO_ACCESS = Access(frozenset(), EMPTY, EMPTY)


def _scope(assignments: list, roles: frozenset[str]) -> Scope:
    ids: set[int] = set()
    paths: set[str] = set()
    for a in assignments:
        if a.role not in roles:
            continue
        if a.include_subunits:
            paths.add(a.unit.path)
        else:
            ids.add(a.unit_id)
    return Scope(frozenset(ids), frozenset(paths))


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
        if a.role in ACTING_ROLES:
            codes.update(c for c in a.unit.path.strip("/").split("/") if c)
    chain = {u.code: u for u in OrgUnit.objects.filter(code__in=codes).only("id", "code", "kind", "path")}
    acting: set[int] = set()
    for a in assignments:
        if a.role not in ACTING_ROLES:
            continue
        units = [chain[c] for c in a.unit.path.strip("/").split("/") if c in chain]
        acting.update(u.pk for u in units if u.kind != OrgUnit.Kind.PROVINCE)
        acting.add(a.unit_id)
    return Access(
        acting_ids=frozenset(acting),
        receiver=_scope(assignments, RECEIVER_ROLES),
        viewer=_scope(assignments, RECEIVER_ROLES | VIEWER_ROLES),
    )
