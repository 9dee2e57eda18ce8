"""Is a dossier on time? One answer for every measure — pure Python, no Django.

Every screen and figure that says "on time" or "late" (the 766 index 2.1, the monthly late list, TT 01
scoring, the KPI on-time rate, the NĐ 09 prefill, the dossier page, the due-soon and overdue boxes)
asks ``judge`` with one dossier's history. The history is what the services recorded:

- ``due_at``: the **statutory** due in force — set at receipt, restarted (or shifted) when a complete
  supplement arrives, never moved by an apology;
- ``promised_at``: the date promised to the citizen in an apology letter (Mẫu 04). It is shown to the
  citizen as such; it never changes a verdict (NĐ 61/2018 Điều 19.9: the apology explains a delay);
- the supplement requests, each with the statutory due in force when it was made;
- the end: the moment the dossier reached a terminal state (result issued, stopped, refused, withdrawn).

Two readings of the supplement wait are configurable (rule ``timeliness.basis_766`` and
``timeliness.basis_late_list``, docs/rules.md); each credits the wait **once**:

- ``Basis.NATIONAL`` (the national 766 formula): the end moment minus the time spent waiting for the
  citizen, compared with the due in force before the first supplement request;
- ``Basis.STATUTORY`` (NĐ 61/2018, the late list and the staff boxes): the end moment compared with the
  restarted statutory due, nothing subtracted.

Under both, a supplement request still open at the end credits its wait up to the end (the restarted
due does not exist yet), so a dossier waiting for the citizen is judged at the moment of the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from motcua.workdays.domain import to_local


class Basis(StrEnum):
    NATIONAL = "national"
    STATUTORY = "statutory"


class Reason(StrEnum):
    """Why a dossier is on time or late (stable codes: filters and drill-downs use them; their words are
    ``evaluation.formulas.REASONS``)."""

    EARLY = "early"
    ON_TIME = "on_time"
    ENDED_IN_TIME = "ended_in_time"
    IN_PROGRESS_IN_TIME = "in_progress_in_time"
    WAITING_IN_TIME = "waiting_supplement_in_time"
    NO_DUE_WITHIN_LIMIT = "no_due_within_limit"
    LATE = "late"
    ENDED_LATE = "ended_late"
    OVERDUE = "in_progress_overdue"
    WAITING_LATE = "waiting_supplement_late"
    SUPPLEMENT_TWICE = "supplement_requested_twice"
    NO_DUE_OVER_LIMIT = "no_due_over_limit"
    NO_DUE = "no_due_no_limit"


class Wait(NamedTuple):
    """One supplement request: the unit asked at ``requested_at``; the complete supplement arrived at
    ``received_at`` (``None``: still waiting). ``due_before``: the statutory due in force when asked."""

    requested_at: datetime
    received_at: datetime | None = None
    due_before: datetime | None = None


class History(NamedTuple):
    """What the verdict needs of one dossier. (Named tuples, not dataclasses: a province-year judges a
    quarter of a million dossiers, and a tuple is built several times faster.)"""

    due_at: datetime | None  # the statutory due in force (restarted by supplements, not by apologies)
    end_at: datetime | None = None  # terminal moment; None while the dossier is open
    completed: bool = False  # ended with a result (Đã xử lý xong / Đã trả kết quả)
    waits: Sequence[Wait] = ()
    promised_at: datetime | None = None  # an apology's new date: shown, never compared with
    # The due at receipt when nothing else gives it (an imported dossier without NgayHenTraTruoc, or no
    # NgayHenTra at all: the legal limit counted from receipt). ``limit_due`` says it is the latter.
    fallback_due: datetime | None = None
    limit_due: bool = False


class Timeliness(NamedTuple):
    """The verdict on one dossier as of a moment, with what it was computed from."""

    on_time: bool
    reason: Reason
    end: datetime  # the moment judged: the terminal moment, an open request, or ``as_of``
    effective_end: datetime  # ``end`` minus the waiting credited
    statutory_due: datetime | None  # the due in force (restarted by supplements)
    compared_due: datetime | None  # what ``effective_end`` was compared with
    promised_at: datetime | None  # the date promised in an apology (never excuses)
    credited_seconds: int  # supplement waiting subtracted from the end
    requests: int  # supplement requests made by ``end``
    ended: bool  # reached a terminal state by ``as_of``
    waiting: bool  # waiting for the citizen's supplement at ``as_of``
    from_limit: bool = False  # ``compared_due`` is the legal limit counted from receipt

    @property
    def late_seconds(self) -> int:
        """How far ``effective_end`` is past the compared due (0 when on time or without a due)."""
        if self.compared_due is None:
            return 0
        return max(0, int((self.effective_end - self.compared_due).total_seconds()))


@lru_cache(maxsize=4096)
def _local_midnight(moment: datetime) -> datetime:
    return to_local(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def judge(h: History, basis: Basis, as_of: datetime, *, twice_is_late: bool | None = None) -> Timeliness:
    """The verdict on ``h`` as of ``as_of`` (the end of a period, or now).

    - End: the terminal moment when reached by ``as_of``; else, when waiting for a supplement the
      citizen has not brought, the request; else ``as_of``.
    - ``Basis.NATIONAL``: every wait up to the end is subtracted, and the result is compared with the
      due in force before the first request. ``Basis.STATUTORY``: only a wait still open at the end is
      credited; the end is compared with the statutory due in force.
    - ``twice_is_late`` (default: under ``Basis.NATIONAL`` only): more than one supplement request by
      the end makes the dossier late, as the national portal counts it.
    """
    ended = h.end_at is not None and h.end_at <= as_of
    horizon = h.end_at if ended and h.end_at is not None else as_of
    requests = [w for w in h.waits if w.requested_at <= horizon] if h.waits else []
    open_: Wait | None = None
    closed = 0
    open_seconds = 0
    for w in requests:
        if w.received_at is None or w.received_at > horizon:
            open_ = w  # only the last request may be open (the services and the importer ensure it)
            if ended:
                open_seconds += int((horizon - w.requested_at).total_seconds())
        else:
            closed += max(0, int((w.received_at - w.requested_at).total_seconds()))
    if ended:
        end = horizon
    elif open_ is not None:
        end = open_.requested_at
    else:
        end = as_of
    from_limit = False
    if basis is Basis.NATIONAL:
        credited = closed + open_seconds
        first = requests[0].due_before if requests else h.due_at
        if first is None and requests and all(w.received_at is None for w in h.waits):
            first = h.due_at  # nothing received yet: the due has not been restarted
        due = first if first is not None else h.fallback_due
        from_limit = first is None and h.limit_due
    else:
        credited = open_seconds
        due = h.due_at  # not restarted while a request is open
        if due is None:
            due, from_limit = h.fallback_due, h.limit_due
    effective = end - timedelta(seconds=credited) if credited else end
    twice = (basis is Basis.NATIONAL) if twice_is_late is None else twice_is_late
    ok = False
    if twice and len(requests) > 1:
        reason = Reason.SUPPLEMENT_TWICE
    elif due is None:
        reason = Reason.NO_DUE
    else:
        ok = effective <= due
        if from_limit:
            reason = Reason.NO_DUE_WITHIN_LIMIT if ok else Reason.NO_DUE_OVER_LIMIT
        elif ended and h.completed:
            # early: before the due's (local) day; on time: on that day
            reason = (
                Reason.LATE
                if not ok
                else Reason.EARLY
                if effective < _local_midnight(due)
                else Reason.ON_TIME
            )
        elif ended:
            reason = Reason.ENDED_IN_TIME if ok else Reason.ENDED_LATE
        elif open_ is not None:
            reason = Reason.WAITING_IN_TIME if ok else Reason.WAITING_LATE
        else:
            reason = Reason.IN_PROGRESS_IN_TIME if ok else Reason.OVERDUE
    # positional, in field order (the hot loop of a province-year)
    return Timeliness(
        ok,
        reason,
        end,
        effective,
        h.due_at,
        due,
        h.promised_at,
        credited,
        len(requests),
        ended,
        open_ is not None and not ended,
        from_limit,
    )


def overdue_open(due_at: datetime | None, waiting: bool, as_of: datetime) -> bool:
    """The staff boxes' test for an open dossier (Basis.STATUTORY, not waiting for the citizen): past
    its statutory due. ``dossiers.selectors.overdue_q`` is the same test in SQL."""
    return not waiting and due_at is not None and due_at < as_of


__all__ = [
    "Basis",
    "History",
    "Reason",
    "Timeliness",
    "Wait",
    "judge",
    "overdue_open",
]
