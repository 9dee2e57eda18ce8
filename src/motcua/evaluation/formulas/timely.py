"""Indicator 2.1 (hồ sơ xử lý đúng hạn): the on-time verdict of one dossier for one period.

The verdict itself is ``dossiers.timeliness.judge``; this module builds its ``History`` from the facts
(the end moment by F766's priority, the legal limit counted from receipt when there is no due date).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from motcua.core.text import fold
from motcua.dossiers import timeliness
from motcua.dossiers.timeliness import Basis
from motcua.evaluation.formulas.facts import (
    COMPLETED,
    NOT_RECEIVED,
    STOPPED,
    CalendarFor,
    DossierFacts,
    Period,
    VersionFacts,
)
from motcua.workdays.domain import CalendarError, LimitUnit, compute_due

# -- the on-time rule (2.1) ----------------------------------------------------------------------------


class OnTime(NamedTuple):
    """The verdict of F766 2.1 on one dossier for one period."""

    counted: bool  # in the denominator
    on_time: bool
    reason: str  # a code of REASONS
    end: datetime | None = None  # the end moment (terminal state, supplement request, or period end)
    effective_end: datetime | None = None  # end − supplement time
    due: datetime | None = None  # what was compared with: NgayHenTra, else the legal limit's due moment
    legal_due: bool = False  # ``due`` comes from the legal limit (no NgayHenTra)
    supplement_seconds: int = 0
    supplement_requests: int = 0
    ended: bool = False  # reached a terminal state by the end of the period
    waiting: bool = False  # waiting for the citizen's supplement at the end of the period


def terminal_moment(d: DossierFacts) -> datetime | None:
    """When the dossier reached its terminal state, by F766's priority.

    Đã xử lý xong (9) > Đã trả kết quả (10) > Dừng / Từ chối / Công dân rút (8, 7). The projection's
    ``finished_at`` is the first of mark_result_ready (→ 9), stop, refusal after appraisal (→ 8) and
    withdrawal (→ 7): a returned dossier always passed through 9 first, and nothing leads from 7 or 8
    to 9, so for a dossier now in 9/10 it is the moment of 9 (``returned_at`` only if it is missing),
    and for one in 7/8 the first of those moments. Events are not read: ``import_update`` events carry
    their dates in their data, which the projection already applied.
    """
    status = d.national_status
    if status in COMPLETED:
        return d.finished_at or d.returned_at
    if status in STOPPED:
        return d.finished_at
    return None


_UNIT_WORDS: dict[str, LimitUnit] = {
    "working days": LimitUnit.WORKING_DAYS,
    "ngay lam viec": LimitUnit.WORKING_DAYS,
    "working hours": LimitUnit.WORKING_HOURS,
    "gio lam viec": LimitUnit.WORKING_HOURS,
    "gio": LimitUnit.WORKING_HOURS,
    "calendar days": LimitUnit.CALENDAR_DAYS,
    "ngay": LimitUnit.CALENDAR_DAYS,
    "ngay theo lich": LimitUnit.CALENDAR_DAYS,
    "calendar months": LimitUnit.CALENDAR_MONTHS,
    "thang": LimitUnit.CALENDAR_MONTHS,
    "same day": LimitUnit.SAME_DAY,
    "trong ngay": LimitUnit.SAME_DAY,
}


def limit_unit(text: str) -> LimitUnit | None:
    """A recorded ``DonViTinh`` (motcua's unit names or the Vietnamese words) as a LimitUnit."""
    return _UNIT_WORDS.get(fold(text or ""))


def legal_limit(d: DossierFacts, version: VersionFacts | None) -> tuple[Decimal, LimitUnit] | None:
    """The legal time limit: as recorded on the dossier (ThoiGianGiaiQuyet/DonViTinh), else the version's."""
    unit = limit_unit(d.time_limit_unit)
    if d.time_limit_value is not None and unit is not None:
        return d.time_limit_value, unit
    if version is not None:
        unit = limit_unit(version.time_limit_unit)
        if unit is not None:
            return version.time_limit_value, unit
    return None


def legal_due(d: DossierFacts, version: VersionFacts | None, calendar_for: CalendarFor) -> datetime | None:
    """Due moment of the legal limit counted from receipt on the competent unit's calendar.

    F766: without a due date the dossier is on time if (end − start − supplement time) ≤ the legal
    maximum. Counting the limit forward from the receipt with the deadline engine and comparing
    (end − supplement time) with the resulting moment is the same test under motcua's working-day
    conventions (cut-off, office hours, holidays).
    """
    limit = legal_limit(d, version)
    if limit is None or d.received_at is None:
        return None
    try:
        return compute_due(calendar_for(d.unit_id), d.received_at, limit[0], limit[1]).due
    except CalendarError:
        return None


def on_time(
    d: DossierFacts,
    period: Period,
    version: VersionFacts | None,
    calendar_for: CalendarFor,
    basis: Basis = Basis.NATIONAL,
) -> OnTime:
    """F766 2.1 for one dossier, as of the end of ``period`` (domain.md §3.2): ``timeliness.judge``.

    - Only received dossiers count; received after the period, or ended before it: not counted.
    - The verdict is ``dossiers.timeliness.judge`` with ``basis`` (rule ``timeliness.basis_766``; the
      national reading by default: the end minus the supplement wait, compared with the due in force
      before the first supplement request; more than one request is late). Without a due date, the
      legal limit counted from receipt.
    """
    received = d.received_at
    if received is None or d.national_status in NOT_RECEIVED:
        return OnTime(False, False, "not_received")
    if received >= period.end_exclusive:
        return OnTime(False, False, "received_after_period")
    t = timeliness.judge(history(d, version, calendar_for, basis), basis, period.end_at)
    if t.end < period.start_at:
        return OnTime(False, False, "ended_before_period", end=t.end, ended=t.ended)
    return OnTime(
        True,
        t.on_time,
        t.reason.value,
        t.end,
        t.effective_end,
        t.compared_due,
        t.from_limit,
        t.credited_seconds,
        t.requests,
        t.ended,
        t.waiting,
    )


def history(
    d: DossierFacts, version: VersionFacts | None, calendar_for: CalendarFor, basis: Basis
) -> timeliness.History:
    """The ``timeliness.History`` of one dossier's facts. The legal limit counted from receipt is
    computed only when the facts lack the due the basis compares with."""
    waits = d.supplements
    needs_fallback = d.due_at is None or (
        basis is Basis.NATIONAL
        and bool(waits)
        and waits[0].due_before is None
        and any(w.received_at is not None for w in waits)
    )
    fallback = legal_due(d, version, calendar_for) if needs_fallback else None
    return timeliness.History(
        d.due_at,
        terminal_moment(d),
        d.national_status in COMPLETED,
        waits,
        None,
        fallback,
        d.due_at is None,  # limit_due
    )
