"""One dossier as staff and the API read it: the detail with its history (the dossier page, the API's
detail and its answers after a write) and the lean record (status, step, dates), in the user's scope
(``selectors.visible``); an unknown dossier and one outside the scope are the same ``DossierNotFound``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from motcua.core import refcache
from motcua.core.models import User
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.refdata import PEOPLE_RELATED, attach_reference
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
        fees=list(dossier.fees.select_related("catalogue_fee").order_by("id")),
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
