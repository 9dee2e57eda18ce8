"""The lifecycle table, the national status mapping, dossier codes and the dated rules — no database."""

from __future__ import annotations

from collections import deque
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.models import Role
from motcua.dossiers import rules
from motcua.dossiers.rules import (
    ACTION_LABELS,
    FINAL,
    NATIONAL_STATUS,
    PERMISSIONS,
    STATE_LABELS,
    TRANSITIONS,
    Action,
    Side,
    State,
    TransitionNotAllowed,
    allowed_actions,
    format_code,
    next_state,
    parse_code,
)
from motcua.workdays.domain import TZ, Calendar


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


# -- the table -------------------------------------------------------------------------------------


def test_walk_the_whole_table():
    """Every (state, action) pair: the table's target, or a 409 with a Vietnamese message naming both."""
    checked = 0
    for state in [None, *State]:
        for action in Action:
            target = TRANSITIONS.get((state, action))
            if target is not None:
                assert next_state(state, action) is target
                if action in rules.SAME_STATE_ACTIONS:
                    assert target is state
            else:
                with pytest.raises(TransitionNotAllowed) as caught:
                    next_state(state, action)
                error = caught.value
                assert error.status == 409 and error.code == "dossier_invalid_transition"
                assert ACTION_LABELS[action].lower() in error.message
                if state is not None:
                    assert STATE_LABELS[state] in error.message
                assert error.details == {"state": state and state.value, "action": action.value}
            checked += 1
    assert checked == (len(State) + 1) * len(Action)


def test_the_mapping_is_total_and_uses_every_national_code():
    assert set(NATIONAL_STATUS) == set(State)
    assert sorted(set(NATIONAL_STATUS.values())) == list(range(1, 11))
    assert NATIONAL_STATUS[State.IN_PROGRESS] == 4
    assert NATIONAL_STATUS[State.REFUSED_AFTER_APPRAISAL] == NATIONAL_STATUS[State.STOPPED] == 8
    assert rules.national_status("returned") == 10


def test_every_state_is_reachable_and_every_open_state_can_end():
    reachable: set[State | None] = {None}
    queue: deque[State | None] = deque([None])
    while queue:
        current = queue.popleft()
        for (source, _), target in TRANSITIONS.items():
            if source == current and target not in reachable:
                reachable.add(target)
                queue.append(target)
    assert reachable == {None, *State}
    for state in State:
        outgoing = [a for (s, a) in TRANSITIONS if s is state and a not in rules.CORRECTIONS]
        assert (not outgoing) == (state in FINAL), state


def test_every_action_is_in_the_table_and_has_permissions_of_real_roles():
    assert {a for (_, a) in TRANSITIONS} == set(Action) - rules.SYSTEM_ACTIONS
    assert set(PERMISSIONS) == set(Action) - rules.SYSTEM_ACTIONS
    assert not any(rules.may(a, ["administrator", "intake_officer"]) for a in rules.SYSTEM_ACTIONS)
    staff_roles = set(Role.values) | {rules.APPLICANT}
    for action, allowed in PERMISSIONS.items():
        assert allowed, action
        assert set(allowed) <= staff_roles, action
        for role, sides in allowed.items():
            assert (role == rules.APPLICANT) == (sides == {Side.APPLICANT}), (action, role)
    assert {
        rules.INTAKE_OFFICER,
        rules.SPECIALIST,
        rules.UNIT_LEADER,
        rules.AGENCY_LEADER,
        rules.CLERK,
    } <= set(Role.values)


def test_allowed_actions_by_role_and_by_side():
    assert allowed_actions(State.SUBMITTED, ["intake_officer"]) == [
        Action.ACCEPT_ONLINE,
        Action.REFUSE_AT_INTAKE,
        Action.REQUEST_INTAKE_SUPPLEMENT,
        Action.WITHDRAW,
    ]
    assert allowed_actions(State.INTAKE_SUPPLEMENT, ["intake_officer"]) == [
        Action.REFUSE_AT_INTAKE,
        Action.WITHDRAW,
    ]
    assert allowed_actions(State.INTAKE_SUPPLEMENT, ["applicant"]) == [
        Action.SUPPLEMENT_ONLINE,
        Action.PAY_ONLINE,
        Action.WITHDRAW,
    ]
    assert allowed_actions(None, ["intake_officer"]) == [Action.RECEIVE_AT_COUNTER]
    assert allowed_actions(None, ["applicant"]) == [Action.SUBMIT_ONLINE]
    assert allowed_actions(State.RESULT_READY, ["specialist"]) == []
    # after the return, only the correction of a wrong result, by the competent agency's head
    assert allowed_actions(State.RETURNED, list(Role.values)) == [Action.REPLACE_RESULT]
    assert allowed_actions(State.RETURNED, [r for r in Role.values if r != "agency_leader"]) == []
    # By side: an intake officer of the receiving unit may return; held only at the competent unit, not.
    assert allowed_actions(State.RESULT_READY, {Side.RECEIVING: {"intake_officer"}}) == [Action.RETURN_RESULT]
    assert allowed_actions(State.RESULT_READY, {Side.COMPETENT: {"intake_officer"}}) == []
    # A specialist passes the dossier on only at a step of theirs.
    assert Action.HAND_OVER in allowed_actions(State.IN_PROGRESS, {Side.STEP: {"specialist"}})
    assert Action.HAND_OVER not in allowed_actions(State.IN_PROGRESS, {Side.COMPETENT: {"specialist"}})
    # Only leaders refuse after appraisal.
    assert Action.REFUSE_AFTER_APPRAISAL in allowed_actions(
        State.IN_PROGRESS, {Side.COMPETENT: {"unit_leader"}}
    )
    assert Action.REFUSE_AFTER_APPRAISAL not in allowed_actions(
        State.IN_PROGRESS, {Side.COMPETENT: {"specialist"}}
    )


# -- dossier codes ---------------------------------------------------------------------------------


def test_code_in_the_tt01_2018_format():
    code = format_code(
        "{unit_code}-{YYMMDD}-{NNNN}", unit_code="000.00.01.H22", day=date(2026, 3, 9), sequence=7
    )
    assert code == "000.00.01.H22-260309-0007"


def test_code_in_the_2026_ministry_format():
    code = format_code(
        "{unit_code}-{YYYYMMDD}-{NNNNNNN}", unit_code="G09.20", day=date(2026, 6, 9), sequence=92637
    )
    assert code == "G09.20-20260609-0092637"
    assert parse_code("{unit_code}-{YYYYMMDD}-{NNNNNNN}", code) == ("G09.20", date(2026, 6, 9), 92637)


@given(
    unit=st.from_regex(r"[0-9A-Z]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}", fullmatch=True),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    sequence=st.integers(min_value=1, max_value=9999),
    fmt=st.sampled_from(["{unit_code}-{YYMMDD}-{NNNN}", "{unit_code}-{YYYYMMDD}-{NNNNNNN}"]),
)
def test_codes_parse_back(unit, day, sequence, fmt):
    assert parse_code(fmt, format_code(fmt, unit_code=unit, day=day, sequence=sequence)) == (
        unit,
        day,
        sequence,
    )


def test_the_day_runs_out_of_numbers_with_a_clear_message():
    with pytest.raises(rules.DossierConflict) as caught:
        format_code("{unit_code}-{YYMMDD}-{NNNN}", unit_code="X", day=date(2026, 1, 2), sequence=10_000)
    assert caught.value.code == "dossier_code_exhausted" and "9999" in caught.value.message


@pytest.mark.parametrize("fmt", ["{YYMMDD}-{NNNN}", "{unit_code}-{YYMMDD}", "{unit_code}-{DD}-{NNNN}"])
def test_malformed_code_formats_are_refused(fmt):
    with pytest.raises(rules.CodeFormatError):
        format_code(fmt, unit_code="X", day=date(2026, 1, 2), sequence=1)


def test_a_code_that_does_not_fit_the_format_is_not_parsed():
    assert parse_code("{unit_code}-{YYMMDD}-{NNNN}", "000.00.01.H22-260230-0001") is None  # 30/02
    assert parse_code("{unit_code}-{YYMMDD}-{NNNN}", "không phải mã") is None


# -- dated rules on a calendar -----------------------------------------------------------------------

# A fixed calendar: Monday–Friday, 07:30–11:30 and 13:30–17:00, cut-off 15:00, one holiday.
CAL = Calendar.fixed(holidays=[date(2026, 3, 12)])


def test_supplement_window_is_three_working_days_after_the_effective_receipt_day():
    # Received Monday 09/03 at 09:00: Tuesday, Wednesday, (Thursday 12/03 off) Friday 13/03 at 17:00.
    assert rules.supplement_window_end(CAL, vn(2026, 3, 9, 9), 3) == vn(2026, 3, 13, 17)
    # Received Monday at 15:00 (the cut-off): counts from Tuesday, so the window ends Monday 16/03.
    assert rules.supplement_window_end(CAL, vn(2026, 3, 9, 15), 3) == vn(2026, 3, 16, 17)


def test_apology_must_come_a_working_day_before_the_due_day():
    due = vn(2026, 3, 13, 17)  # Friday; Thursday 12/03 is off
    assert rules.apology_in_time(CAL, vn(2026, 3, 11, 16, 59), due, 1)  # Wednesday
    assert not rules.apology_in_time(CAL, vn(2026, 3, 13, 8), due, 1)  # the due day itself
    assert not rules.apology_in_time(CAL, vn(2026, 3, 16, 8), due, 1)  # after
    assert rules.apology_in_time(CAL, vn(2026, 3, 13, 8), due, 0)


def test_consultation_deadlines_parallel_and_sequential():
    requested = vn(2026, 3, 9, 10)  # Monday
    assert rules.consultation_dues(CAL, requested, [2, 2], rules.PARALLEL) == [vn(2026, 3, 11, 17)] * 2
    # In turn: the second unit's two days run after the first one's (Thursday 12/03 is off).
    assert rules.consultation_dues(CAL, requested, [2, 2], rules.SEQUENTIAL) == [
        vn(2026, 3, 11, 17),
        vn(2026, 3, 16, 17),
    ]
    with pytest.raises(rules.InvalidDossierInput):
        rules.consultation_dues(CAL, requested, [0], rules.PARALLEL)
    with pytest.raises(rules.InvalidDossierInput):
        rules.consultation_dues(CAL, requested, [2], "ngẫu nhiên")


def test_online_receipt_counts_from_the_next_opening_without_the_cutoff():
    # Accepted on Saturday: the clock starts Monday at the opening.
    clock, start = rules.receipt_clock(CAL, vn(2026, 3, 7, 10), online_mode="next_opening")
    assert start == vn(2026, 3, 9, 7, 30)
    # Accepted at 16:00 on a working day: counts that day (no 15:00 cut-off for online dossiers) …
    clock, start = rules.receipt_clock(CAL, vn(2026, 3, 9, 16), online_mode="next_opening")
    assert start == vn(2026, 3, 9, 16) and clock.cutoff.hour == 17
    # … unless the province applies the cut-off to online dossiers too.
    clock, start = rules.receipt_clock(CAL, vn(2026, 3, 9, 16), online_mode="cutoff")
    assert clock is CAL and start == vn(2026, 3, 9, 16)


def test_step_result_for_the_control_slip():
    assert [rules.step_result(s, 100) for s in (99, 100, 101)] == ["early", "on_time", "late"]
