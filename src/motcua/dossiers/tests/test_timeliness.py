"""The one on-time rule (``dossiers.timeliness``), with verdicts worked out by hand.

All moments are local (Asia/Ho_Chi_Minh), March 2026, which has no day off. The due moments below are
given as the services compute them: a 3-working-day limit received on Monday 02/03 at 09:00 falls due
on Thursday 05/03 at 17:00.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua.dossiers.timeliness import Basis, History, Reason, Wait, judge, overdue_open
from motcua.workdays.domain import TZ


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


DUE = at(5, 17)  # the due at receipt
END_OF_MARCH = at(31, 23, 59)


def test_a_long_supplement_wait_is_credited_once_and_the_dossier_is_late_in_both_readings():
    # Asked for a supplement on Tuesday 03/03 09:00; it arrived on Monday 16/03 09:00 (13 days later);
    # the limit restarted: Tuesday 17, Wednesday 18, Thursday 19 → 19/03 17:00. Finished Tuesday 24/03
    # 10:00, three working days after the restarted due.
    h = History(
        due_at=at(19, 17),
        end_at=at(24, 10),
        completed=True,
        waits=(Wait(at(3), at(16), DUE),),
    )
    national = judge(h, Basis.NATIONAL, END_OF_MARCH)
    # 24/03 10:00 − 13 days = 11/03 10:00, compared with the due before the request, 05/03 17:00.
    assert national.effective_end == at(11, 10) and national.compared_due == DUE
    assert national.credited_seconds == 13 * 86_400
    assert (national.on_time, national.reason) == (False, Reason.LATE)
    statutory = judge(h, Basis.STATUTORY, END_OF_MARCH)
    # nothing subtracted: 24/03 10:00 against the restarted 19/03 17:00
    assert (statutory.effective_end, statutory.compared_due, statutory.credited_seconds) == (
        at(24, 10),
        at(19, 17),
        0,
    )
    assert (statutory.on_time, statutory.reason) == (False, Reason.LATE)
    # the old defect: the wait subtracted from the end AND the restarted due → "on time"
    assert national.effective_end <= h.due_at


def test_a_short_wait_keeps_a_dossier_on_time_in_both_readings():
    # Asked Tuesday 03/03 09:00, complete Wednesday 04/03 09:00 (1 day): restarted due Monday 09/03
    # 17:00. Finished Thursday 05/03 10:00.
    h = History(due_at=at(9, 17), end_at=at(5, 10), completed=True, waits=(Wait(at(3), at(4), DUE),))
    national = judge(h, Basis.NATIONAL, END_OF_MARCH)
    assert national.effective_end == at(4, 10) and (national.on_time, national.reason) == (True, Reason.EARLY)
    statutory = judge(h, Basis.STATUTORY, END_OF_MARCH)
    assert (statutory.on_time, statutory.reason) == (True, Reason.EARLY)


def test_an_apology_explains_but_never_excuses():
    # Due 05/03 17:00; the apology promised Tuesday 10/03; finished Monday 09/03 10:00: before the
    # promise, after the due.
    h = History(due_at=DUE, end_at=at(9, 10), completed=True, promised_at=at(10, 17))
    for basis in Basis:
        t = judge(h, basis, END_OF_MARCH)
        assert (t.on_time, t.reason, t.compared_due, t.promised_at) == (False, Reason.LATE, DUE, at(10, 17))
        # 3 days 17 hours (wall clock) past the due: 05/03 17:00 → 09/03 10:00
        assert t.late_seconds == (3 * 24 + 17) * 3600


def test_finished_on_the_due_day_is_on_time_and_before_it_early():
    on_the_day = judge(History(due_at=DUE, end_at=at(5, 16), completed=True), Basis.NATIONAL, END_OF_MARCH)
    before = judge(History(due_at=DUE, end_at=at(4, 16), completed=True), Basis.NATIONAL, END_OF_MARCH)
    at_the_moment = judge(History(due_at=DUE, end_at=DUE, completed=True), Basis.STATUTORY, END_OF_MARCH)
    one_minute_late = judge(
        History(due_at=DUE, end_at=at(5, 17, 1), completed=True), Basis.STATUTORY, END_OF_MARCH
    )
    assert on_the_day.reason is Reason.ON_TIME and before.reason is Reason.EARLY
    assert at_the_moment.on_time and not one_minute_late.on_time


def test_waiting_for_the_citizen_is_judged_at_the_request():
    # Asked on Wednesday 04/03 (before the due), still waiting at the end of the period.
    waiting = History(due_at=DUE, waits=(Wait(at(4), None, DUE),))
    for basis in Basis:
        t = judge(waiting, basis, END_OF_MARCH)
        assert (t.on_time, t.reason, t.end, t.waiting) == (True, Reason.WAITING_IN_TIME, at(4), True)
    asked_late = History(due_at=DUE, waits=(Wait(at(6), None, DUE),))
    assert judge(asked_late, Basis.STATUTORY, END_OF_MARCH).reason is Reason.WAITING_LATE


def test_stopped_while_waiting_credits_the_open_wait_up_to_the_stop():
    # Asked 04/03 09:00, never brought; the unit stopped processing on 20/03 10:00.
    h = History(due_at=DUE, end_at=at(20, 10), completed=False, waits=(Wait(at(4), None, DUE),))
    for basis in Basis:
        t = judge(h, basis, END_OF_MARCH)
        assert (t.effective_end, t.on_time, t.reason) == (at(4), True, Reason.ENDED_IN_TIME)


def test_two_supplement_requests_are_late_nationally_only():
    h = History(
        due_at=at(20, 17),
        end_at=at(12, 10),
        completed=True,
        waits=(Wait(at(3), at(4), DUE), Wait(at(5), at(6), at(9, 17))),
    )
    assert judge(h, Basis.NATIONAL, END_OF_MARCH).reason is Reason.SUPPLEMENT_TWICE
    assert judge(h, Basis.STATUTORY, END_OF_MARCH).on_time


def test_open_dossiers_and_the_overdue_box_agree():
    # The box's test (and its SQL twin) is the statutory reading of an open dossier not waiting.
    for now in (at(5, 16, 59), at(5, 17), at(5, 17, 1), at(9)):
        t = judge(History(due_at=DUE), Basis.STATUTORY, now)
        assert overdue_open(DUE, False, now) is (not t.on_time)
        assert t.reason is (Reason.IN_PROGRESS_IN_TIME if t.on_time else Reason.OVERDUE)
    assert not overdue_open(DUE, True, at(9))


def test_without_a_due_the_legal_limit_counted_from_receipt_is_used():
    h = History(due_at=None, end_at=at(6, 10), completed=True, fallback_due=DUE, limit_due=True)
    t = judge(h, Basis.NATIONAL, END_OF_MARCH)
    assert (t.on_time, t.reason, t.from_limit) == (False, Reason.NO_DUE_OVER_LIMIT, True)
    assert judge(
        History(due_at=None, end_at=at(6, 10), completed=True), Basis.NATIONAL, END_OF_MARCH
    ).reason is (Reason.NO_DUE)


@pytest.mark.parametrize("basis", list(Basis))
def test_an_unknown_due_before_falls_back_to_the_due_at_receipt(basis):
    # An imported supplement without NgayHenTraTruoc: the due at receipt (the legal limit) stands in.
    h = History(
        due_at=at(19, 17),
        end_at=at(24, 10),
        completed=True,
        waits=(Wait(at(3), at(16), None),),
        fallback_due=DUE,
    )
    assert not judge(h, basis, END_OF_MARCH).on_time
