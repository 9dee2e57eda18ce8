"""A dossier's reference data — procedure, version, field, units, workflow step — from the process's
caches instead of a join (the screens, the API and the services' loading of a dossier to act on)."""

from __future__ import annotations

from motcua.catalogue import cache as catalogue_cache
from motcua.core import refcache
from motcua.core.models import OrgUnit
from motcua.dossiers.models import Dossier

# A dossier's own people, joined to its row; its procedure, version, field, units and workflow step
# come from the reference-data caches (``attach_reference``). The eleven-table join of all of them cost
# PostgreSQL 8–20 ms of *planning* for 1 ms of execution on the 1,000,000-dossier database (29 indexes
# on the dossier table; docs/benchmarks.md).
PEOPLE_RELATED = ("applicant_person", "applicant_organisation", "assignee")


def _units_by_id() -> dict[int, OrgUnit]:
    return refcache.lookup(("dossiers.units_by_id",), lambda: {u.pk: u for u in OrgUnit.objects.all()})


def attach_reference(dossier: Dossier) -> Dossier:
    """Give ``dossier`` its procedure (with its field), version, receiving and competent units and
    current step (with its unit) from the process's reference-data cache (``core.refcache``: renewed on
    every change of the catalogue or the units), without a query once the cache is warm. The objects are
    shared by the process: read them, never change them (no use case does: they read the catalogue and
    the units, and write the dossier's own columns)."""
    with refcache.pinned():
        bundle = catalogue_cache.bundle(dossier.procedure_version_id)
        units = _units_by_id()
    version = bundle.version
    if version.procedure_id == dossier.procedure_id:
        dossier.procedure_version = version
        dossier.procedure = version.procedure
    for name in ("receiving_unit", "competent_unit"):
        unit = units.get(getattr(dossier, f"{name}_id"))
        if unit is not None:
            setattr(dossier, name, unit)
    if dossier.current_step_id is not None:
        step = next((st for st in bundle.steps if st.pk == dossier.current_step_id), None)
        if step is not None:
            dossier.current_step = step
    return dossier
