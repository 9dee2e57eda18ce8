"""The catalogue as the intake services read it: the version in force and everything hanging off it,
read once per generation of the reference data (``core.refcache``).

Saving or deleting a procedure, a version (or its implementing units), a component, a fee, a workflow
step, a field or a document type writes a new generation token, so every process reloads on its next
use case. The objects returned are shared by the whole process: read them, never change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from motcua.catalogue.models import Component, Fee, Field, ProcedureVersion, WorkflowStep
from motcua.catalogue.selectors import filter_choices
from motcua.core import refcache
from motcua.core.models import OrgUnit


@dataclass(frozen=True)
class VersionBundle:
    """A procedure version with its procedure and field, implementing units, components, fees and steps."""

    version: ProcedureVersion
    implementing_units: tuple[OrgUnit, ...]
    components: tuple[Component, ...]  # in the catalogue's order
    fees: tuple[Fee, ...]  # in the catalogue's order
    steps: tuple[WorkflowStep, ...]  # by order, with their fixed unit


def _load_bundle(version_id: int) -> VersionBundle:
    version = ProcedureVersion.objects.select_related("procedure", "procedure__field", "result_doc_type").get(
        pk=version_id
    )
    return VersionBundle(
        version=version,
        implementing_units=tuple(version.implementing_units.all()),
        components=tuple(
            Component.objects.filter(version_id=version_id).select_related("doc_type").order_by("order", "id")
        ),
        fees=tuple(Fee.objects.filter(version_id=version_id).order_by("order", "id")),
        steps=tuple(
            WorkflowStep.objects.filter(version_id=version_id).select_related("unit").order_by("order", "id")
        ),
    )


def bundle(version_id: int) -> VersionBundle:
    """Everything intake needs from one procedure version (cached)."""
    return refcache.lookup(("catalogue.bundle", version_id), lambda: _load_bundle(version_id))


def version_id_in_force(procedure_id: int, day: date) -> int | None:
    """The id of the published version of the procedure in force on ``day`` (cached)."""

    def load() -> int | None:
        return (
            ProcedureVersion.objects.in_force(day)
            .filter(procedure_id=procedure_id)
            .values_list("pk", flat=True)
            .first()
        )

    return refcache.lookup(("catalogue.in_force", procedure_id, day), load)


def bundle_in_force(procedure_id: int, day: date) -> VersionBundle | None:
    with refcache.pinned():
        version_id = version_id_in_force(procedure_id, day)
        return None if version_id is None else bundle(version_id)


def public_filters(day: date) -> tuple[list[Field], list[OrgUnit]]:
    """The choices of the public list's filters on ``day``: the fields and the implementing units of
    the procedures in force (``selectors.filter_choices``, cached: one token read instead of a scan of
    every version's units on each search as the citizen types)."""
    return refcache.lookup(("catalogue.public_filters", day), lambda: filter_choices(day))
