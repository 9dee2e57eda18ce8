"""Public tracking of one dossier: by its code and a second factor the applicant holds (the last four
digits of the applicant's identity number or tax code), never any personal data in the answer.

An unknown code, a wrong second factor and a dossier recorded without an identity number all give the
same answer (``None``): the page cannot tell a caller which codes exist.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from motcua.core import throttle
from motcua.core.errors import DomainError
from motcua.dossiers.clock import action_of
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.refdata import attach_reference
from motcua.dossiers.rules import ACTION_LABELS, NATIONAL_STATUS_LABELS, SYSTEM_ACTIONS
from motcua.dossiers.services import step_unit

FACTOR_DIGITS = 4
# the second factor as typed: four ASCII digits (``\\d`` would take any script's digits)
FACTOR_PATTERN = rf"[0-9]{{{FACTOR_DIGITS}}}"
FIELDS = (
    "id",
    "code",
    "procedure_id",
    "procedure_version_id",
    "receiving_unit_id",
    "competent_unit_id",
    "current_step_id",
    "national_status",
    "applicant_id_number",
    "received_at",
    "submitted_at",
    "due_at",
    "promised_at",
    "finished_at",
    "returned_at",
)


@dataclass(frozen=True)
class Step:
    at: datetime
    what: str
    status: str


@dataclass(frozen=True)
class Tracked:
    code: str
    procedure: str
    status_code: int
    status: str
    step: str  # the step now, and the unit handling it ("" when none)
    receiving_unit: str
    competent_unit: str
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None  # the date the applicant was given: the apology's, else the statutory one
    finished_at: datetime | None
    returned_at: datetime | None
    history: tuple[Step, ...]


def track(code: str, factor: str) -> Tracked | None:
    """The dossier ``code`` when ``factor`` is the last four digits of its applicant's identity number or
    tax code; otherwise None."""
    dossier = Dossier.objects.only(*FIELDS).filter(code=code).first()
    holder = dossier.applicant_id_number if dossier is not None else ""
    expected = holder[-FACTOR_DIGITS:] if len(holder) >= FACTOR_DIGITS else ""
    # compared in constant time, and compared even for an unknown code
    matches = hmac.compare_digest((expected or "\0" * FACTOR_DIGITS).encode(), factor.encode())
    if dossier is None or not expected or not matches:
        return None
    return history_of(dossier)


def history_of(dossier: Dossier) -> Tracked:
    """What the applicant reads of ``dossier``: status, step and unit, dates, history in plain words —
    for the public look-up and for the applicant's own page on the portal."""
    attach_reference(dossier)
    step = ""
    if dossier.current_step_id is not None and dossier.current_step is not None:
        step = dossier.current_step.name
        unit = step_unit(dossier.current_step, dossier)
        if unit is not None:
            step = f"{step} — {unit.name}"
    events = DossierEvent.objects.filter(dossier_id=dossier.pk).only("at", "action", "national_status")
    history = tuple(
        Step(event.at, ACTION_LABELS[action], NATIONAL_STATUS_LABELS.get(event.national_status, ""))
        for event in events.order_by("seq")
        if (action := action_of(event)) is not None and action not in SYSTEM_ACTIONS
    )
    return Tracked(
        code=dossier.code,
        procedure=dossier.procedure_version.name,
        status_code=dossier.national_status,
        status=NATIONAL_STATUS_LABELS.get(dossier.national_status, ""),
        step=step,
        receiving_unit=dossier.receiving_unit.name,
        competent_unit=dossier.competent_unit.name,
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        due_at=dossier.promised_at or dossier.due_at,
        finished_at=dossier.finished_at,
        returned_at=dossier.returned_at,
        history=history,
    )


class TooManyLookups(DomainError):
    status = 429
    code = "tracking_throttled"


def public_lookup(code: str, factor: str, address: str | None) -> Tracked | None:
    """``track`` for the public (the portal's page and the API): every look-up from an address reserves
    an attempt first and gives it back when it found the dossier, so that only failures count —
    ``MOTCUA_TRACKING_MAX`` per ``MOTCUA_TRACKING_WINDOW_SECONDS``, then ``TooManyLookups``."""
    limits = [throttle.Limit(throttle.key("tracking", address or "-"), settings.MOTCUA_TRACKING_MAX)]
    wait = throttle.attempt(limits, settings.MOTCUA_TRACKING_WINDOW_SECONDS)
    if wait:
        raise TooManyLookups(
            f"Bạn đã tra cứu sai quá nhiều lần; vui lòng thử lại sau {throttle.minutes(wait)} phút.",
            details=throttle.retry_details(wait),
        )
    found = track(code, factor)
    if found is not None:
        throttle.give_back([limit.key for limit in limits])
    return found
