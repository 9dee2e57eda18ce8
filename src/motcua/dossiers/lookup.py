"""One dossier as staff and the API read it: the detail with its history (the dossier page, the API's
detail and its answers after a write) and the lean record (status, step, dates), in the user's scope
(``selectors.visible``); an unknown dossier and one outside the scope are the same ``DossierNotFound``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from motcua.catalogue import cache as catalogue_cache
from motcua.core import refcache
from motcua.core.models import OrgUnit, User
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.rules import Action, DossierNotFound
from motcua.dossiers.selectors import visible


@dataclass
class DossierDetail:
    dossier: Dossier
    events: list[DossierEvent]
    components: list[Any]
    fees: list[Any]
    supplements: list[Any]
    consultations: list[Any]
    due_resets: list[Any]
    actions: list[Action] = field(default_factory=list)
    # Actions the user's role allows here but the dossier's situation refuses now, with the reason
    # (never in ``actions``; a screen may explain them).
    blocked: dict[Action, Any] = field(default_factory=dict)


# A dossier's own people, joined to its row; its procedure, version, field, units and workflow step come
# from the reference-data caches (``attach_reference``). The eleven-table join of all of them
# (``services.DOSSIER_RELATED``) cost PostgreSQL 8–20 ms of *planning* for 1 ms of execution on the
# 1,000,000-dossier database (29 indexes on the dossier table; docs/benchmarks.md).
PEOPLE_RELATED = ("applicant_person", "applicant_organisation", "assignee")


def _units_by_id() -> dict[int, OrgUnit]:
    return refcache.lookup(("dossiers.units_by_id",), lambda: {u.pk: u for u in OrgUnit.objects.all()})


def attach_reference(dossier: Dossier) -> Dossier:
    """Give ``dossier`` its procedure (with its field), version, receiving and competent units and current
    step (with its unit) from the process's reference-data cache (``core.refcache``: renewed on every
    change of the catalogue or the units), without a query once the cache is warm. The objects are
    shared by the process: read them, never change them (the services load their own for a write)."""
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


def dossier_detail(user: User, code: str) -> DossierDetail:
    """A dossier with its history; ``DossierNotFound`` when unknown *or* outside the user's scope. The
    reference-data token is read once for all of it (the actions' rules, calendars and catalogue)."""
    with refcache.pinned():
        return _detail(user, code)


def _detail(user: User, code: str) -> DossierDetail:
    from motcua.dossiers.services import action_options

    dossier = visible(user).select_related(*PEOPLE_RELATED).filter(code=code).first()
    if dossier is None:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.")
    attach_reference(dossier)
    return detail_of(dossier, action_options(user, dossier))


def detail_of(dossier: Dossier, options: dict[Action, Any]) -> DossierDetail:
    """``dossier`` with its history and lists (six queries, whatever their length); ``options``: what
    ``services.action_options`` says of each action (None: allowed)."""
    return DossierDetail(
        dossier=dossier,
        events=list(dossier.events.select_related("actor").order_by("seq")),
        components=list(dossier.components.order_by("id")),
        fees=list(dossier.fees.order_by("id")),
        supplements=list(dossier.supplements.order_by("requested_at", "id")),
        consultations=list(dossier.consultations.select_related("unit").order_by("batch", "order")),
        due_resets=list(dossier.due_resets.order_by("ordinal")),
        actions=[action for action, refusal in options.items() if refusal is None],
        blocked={action: refusal for action, refusal in options.items() if refusal is not None},
    )


STATUS_FIELDS = (
    "code",
    "state",
    "national_status",
    "submitted_at",
    "received_at",
    "due_at",
    "promised_at",
    "finished_at",
    "returned_at",
    "lock_version",
    "procedure__code",
    "procedure__name",
    "current_step__code",
    "current_step__name",
    "current_step__role",
)


def dossier_status(user: User, code: str) -> Dossier:
    """The lean record of one dossier (status, step, dates) in the user's scope: one query after the
    scope, only the columns tracking shows; ``DossierNotFound`` when unknown *or* outside the scope."""
    dossier = (
        visible(user)
        .select_related("procedure", "current_step")
        .only(*STATUS_FIELDS)
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.")
    return dossier
