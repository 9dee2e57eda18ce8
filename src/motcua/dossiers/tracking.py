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
from django.db.models.expressions import RawSQL

from motcua.core import refcache, throttle
from motcua.core.errors import DomainError
from motcua.core.prepared import Prepared
from motcua.dossiers.clock import action_name
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.refdata import attach_reference
from motcua.dossiers.rules import ACTION_LABELS, NATIONAL_STATUS_LABELS, SYSTEM_ACTIONS
from motcua.dossiers.services import step_unit

FACTOR_DIGITS = 4
# the second factor as typed: four ASCII digits (``\\d`` would take any script's digits)
FACTOR_PATTERN = rf"[0-9]{{{FACTOR_DIGITS}}}"
FIELDS = (  # what the applicant's page reads of a dossier
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


EVENT_FIELDS = ("at", "action", "national_status")

# The public look-up in one statement, compiled once (``core.prepared``): the dossier's columns on
# every row, one row per event in order (a LEFT JOIN: a dossier has at least its submission's event),
# and the reference data's generation token (``core.refcache``), which spares the look-up a round trip.
_BY_CODE = Prepared(
    "tracking.by_code",
    lambda code: (
        Dossier.objects.filter(code=code)
        .annotate(reference_token=RawSQL(refcache.token_sql(), ()))  # noqa: S611 (a table name only)
        .order_by("events__seq")
        .values_list(*FIELDS, *(f"events__{name}" for name in EVENT_FIELDS), "reference_token")
    ),
    arity=1,
)


def track(code: str, factor: str) -> Tracked | None:
    """The dossier ``code`` when ``factor`` is the last four digits of its applicant's identity number or
    tax code; otherwise None."""
    with refcache.pinned():
        rows = _BY_CODE.rows(code)
        holder = str(rows[0][FIELDS.index("applicant_id_number")]) if rows else ""
        expected = holder[-FACTOR_DIGITS:] if len(holder) >= FACTOR_DIGITS else ""
        # compared in constant time, and compared even for an unknown code
        matches = hmac.compare_digest((expected or "\0" * FACTOR_DIGITS).encode(), factor.encode())
        if not rows or not expected or not matches:
            return None
        refcache.adopt(rows[0][-1])
        dossier = Dossier(**dict(zip(FIELDS, rows[0], strict=False)))
        ends = len(FIELDS) + len(EVENT_FIELDS)
        events = [row[len(FIELDS) : ends] for row in rows if row[len(FIELDS)] is not None]
        return _tracked(dossier, events)


def history_of(dossier: Dossier) -> Tracked:
    """What the applicant reads of ``dossier``: status, step and unit, dates, history in plain words —
    for the public look-up and for the applicant's own page on the portal."""
    events = DossierEvent.objects.filter(dossier_id=dossier.pk).order_by("seq").values_list(*EVENT_FIELDS)
    return _tracked(dossier, list(events))


def _tracked(dossier: Dossier, events: list[tuple[datetime, str, int | None]]) -> Tracked:
    attach_reference(dossier)
    step = ""
    if dossier.current_step_id is not None and dossier.current_step is not None:
        step = dossier.current_step.name
        unit = step_unit(dossier.current_step, dossier)
        if unit is not None:
            step = f"{step} — {unit.name}"
    history = tuple(
        Step(at, ACTION_LABELS[action], NATIONAL_STATUS_LABELS.get(status, "") if status is not None else "")
        for at, name, status in events
        if (action := action_name(name)) is not None and action not in SYSTEM_ACTIONS
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
    """``track`` for the public (the portal's page and the API), with failed look-ups limited per
    address: ``MOTCUA_TRACKING_MAX`` per ``MOTCUA_TRACKING_WINDOW_SECONDS``, then ``TooManyLookups`` for
    every look-up from that address, right or wrong, until the window ends.

    A look-up reads the counter (one read) and counts only a failure — not a reservation first and a
    give-back after, as sign-in does: a successful look-up, the common case, costs one round trip to the
    counters instead of two. The price: requests from one address that are in flight together all pass
    the read before their failures are counted, so an address may see up to the limit plus the number
    of its requests then in flight answered "not found" (bounded by the server's workers) — nothing
    like the 10,000 guesses a second factor takes."""
    limits = [throttle.Limit(throttle.key("tracking", address or "-"), settings.MOTCUA_TRACKING_MAX)]
    wait = throttle.seconds_left(limits)
    if not wait:
        found = track(code, factor)
        if found is not None:
            return found
        wait = throttle.attempt(limits, settings.MOTCUA_TRACKING_WINDOW_SECONDS)
        if not wait:
            return None
    raise TooManyLookups(
        f"Bạn đã tra cứu sai quá nhiều lần; vui lòng thử lại sau {throttle.minutes(wait)} phút.",
        details=throttle.retry_details(wait),
    )
