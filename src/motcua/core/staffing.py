"""Who can do a workflow step: is some active staff member holding a role in (or above) a unit?

A dossier whose current step names a role nobody holds in the step's unit cannot move: nobody sees it
in a box, nobody may hand it over. ``staffed`` answers the question for many (role, unit) pairs in one
query, for the intake check (``dossiers.services``), the warning when a procedure version is saved
(``catalogue.services``) and the leaders' box of dossiers without a handler (``dossiers.selectors``).
A role assignment covers its unit and, unless narrowed, every unit below it (``core.permissions``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from motcua.core.models import OrgUnit, RoleAssignment


def covering_paths(unit: OrgUnit) -> list[str]:
    """The paths of ``unit`` and of every unit above it (an assignment there may cover ``unit``)."""
    parts = [p for p in unit.path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def staffed(pairs: Iterable[tuple[str, OrgUnit]], day: date) -> set[tuple[str, int]]:
    """The (role, unit id) pairs among ``pairs`` that some active account holds on ``day``: an
    assignment at the unit itself, or at a unit above it that includes its subunits. One query."""
    wanted = {(role, unit.pk): unit for role, unit in pairs}
    if not wanted:
        return set()
    roles = sorted({role for role, _ in wanted})
    units = {unit.pk: unit for unit in wanted.values()}
    paths = sorted({path for unit in units.values() for path in covering_paths(unit)})
    rows = (
        RoleAssignment.objects.filter(role__in=roles, user__is_active=True, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .filter(Q(unit_id__in=sorted(units)) | Q(include_subunits=True, unit__path__in=paths))
        .values_list("role", "unit_id", "include_subunits", "unit__path")
        .distinct()
    )
    found: set[tuple[str, int]] = set()
    for role, unit_id, include_subunits, path in rows:
        for (wanted_role, wanted_id), unit in wanted.items():
            if wanted_role != role:
                continue
            if unit_id == wanted_id or (include_subunits and unit.path.startswith(path)):
                found.add((wanted_role, wanted_id))
    return found


__all__ = ["covering_paths", "staffed"]
