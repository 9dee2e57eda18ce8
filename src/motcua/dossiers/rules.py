"""The dossier lifecycle as data — pure Python, no Django import.

- ``State``: motcua's internal states; ``NATIONAL_STATUS`` is the ONE table mapping them onto the ten
  national status codes (``TrangThaiHoSo`` of Cổng DVCQG, domain.md §6.1).
- ``TRANSITIONS``: (from state, action) → to state. ``None`` as the from state means "no dossier yet"
  (submission, counter intake). An action that keeps the state maps a state onto itself.
- ``PERMISSIONS``: which roles may take each action, and on which side of the dossier the role must
  be held (the receiving one-stop unit, the competent unit, the unit of the current workflow step, a
  consulted unit, or the applicant in person).
- Dossier codes (TT 01/2018/TT-VPCP Điều 19, and the 2026 variant of TT 03/2025), the supplement
  window (NĐ 61/2018 Điều 19.4), the apology deadline (Điều 19.9), consultation deadlines (Điều 19,
  liên thông) and the receipt moment of online dossiers — all on a ``workdays.domain.Calendar``.

Errors are ``core.errors`` subclasses (themselves pure) with a stable ``code`` and a Vietnamese message.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from motcua.core.errors import Conflict, DomainError, Forbidden, NotFound
from motcua.core.rules import RuleDefinition, RuleValueError, non_negative_int
from motcua.workdays.domain import Calendar, counting_start, effective_receipt, to_local

# -- errors ----------------------------------------------------------------------------------------


class DossierNotFound(NotFound):
    """Unknown code, or a dossier outside the user's scope (existence is not revealed)."""

    code = "dossier_not_found"


class DossierForbidden(Forbidden):
    code = "dossier_forbidden"


class DossierConflict(Conflict):
    """The dossier's state does not allow this now (HTTP 409); ``code`` says which rule."""

    code = "dossier_conflict"


class TransitionNotAllowed(DossierConflict):
    code = "dossier_invalid_transition"


class StaleDossier(DossierConflict):
    code = "dossier_stale"


class InvalidDossierInput(DomainError):
    """Input that can never be right (HTTP 422); ``code`` says which field or rule."""

    code = "dossier_invalid_input"


STALE_MESSAGE = (
    "Hồ sơ vừa được người khác cập nhật; hãy tải lại hồ sơ để xem thay đổi rồi thực hiện lại thao tác."
)


# -- states and the national status mapping -------------------------------------------------------


# How the applicant receives the result (the values of ``models.ResultDelivery``).
DELIVERY_COUNTER, DELIVERY_ONLINE, DELIVERY_POST = "counter", "online", "post"


class State(StrEnum):
    SUBMITTED = "submitted"
    # An online dossier the intake officer sent back for a supplement before accepting it (NĐ 61/2018
    # Điều 17; Mẫu 02): not received, so no clock runs; the citizen supplements online.
    INTAKE_SUPPLEMENT = "intake_supplement"
    RECEIVED = "received"
    REFUSED_AT_INTAKE = "refused_at_intake"
    IN_PROGRESS = "in_progress"  # the current workflow step is the sub-state
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    AWAITING_PAYMENT = "awaiting_payment"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    REFUSED_AFTER_APPRAISAL = "refused_after_appraisal"
    RESULT_READY = "result_ready"
    RETURNED = "returned"


STATE_LABELS: dict[State, str] = {
    State.SUBMITTED: "Mới đăng ký (chờ tiếp nhận)",
    State.INTAKE_SUPPLEMENT: "Chờ bổ sung trước khi tiếp nhận",
    State.RECEIVED: "Đã tiếp nhận",
    State.REFUSED_AT_INTAKE: "Không được tiếp nhận",
    State.IN_PROGRESS: "Đang xử lý",
    State.AWAITING_SUPPLEMENT: "Chờ bổ sung hồ sơ",
    State.AWAITING_PAYMENT: "Chờ thực hiện nghĩa vụ tài chính",
    State.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    State.STOPPED: "Dừng xử lý",
    State.REFUSED_AFTER_APPRAISAL: "Từ chối giải quyết",
    State.RESULT_READY: "Đã có kết quả, chờ trả",
    State.RETURNED: "Đã trả kết quả",
}

# The national status codes (TrangThaiHoSo), domain.md §6.1.
NATIONAL_STATUS_LABELS: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

# THE mapping internal state → national status. Keep it the only one.
NATIONAL_STATUS: dict[State, int] = {
    State.SUBMITTED: 1,
    State.INTAKE_SUPPLEMENT: 5,
    State.RECEIVED: 2,
    State.REFUSED_AT_INTAKE: 3,
    State.IN_PROGRESS: 4,
    State.AWAITING_SUPPLEMENT: 5,
    State.AWAITING_PAYMENT: 6,
    State.WITHDRAWN: 7,
    State.STOPPED: 8,
    State.REFUSED_AFTER_APPRAISAL: 8,
    State.RESULT_READY: 9,
    State.RETURNED: 10,
}


def national_status(state: State | str) -> int:
    return NATIONAL_STATUS[State(state)]


# The clock runs in these states (soon-due and overdue lists, alerts). It is stopped while waiting
# for a supplement (NĐ 61/2018 Điều 19.4) and no longer matters once processing has finished.
CLOCK_RUNNING: frozenset[State] = frozenset({State.RECEIVED, State.IN_PROGRESS, State.AWAITING_PAYMENT})
# Processing has ended for good in these states: no action leads out of them (a correction of the
# result, ``CORRECTIONS``, keeps the state).
FINAL: frozenset[State] = frozenset(
    {State.REFUSED_AT_INTAKE, State.STOPPED, State.REFUSED_AFTER_APPRAISAL, State.RETURNED}
)


# -- actions, roles and sides ---------------------------------------------------------------------


class Action(StrEnum):
    SUBMIT_ONLINE = "submit_online"
    RECEIVE_AT_COUNTER = "receive_at_counter"
    ACCEPT_ONLINE = "accept_online"
    REFUSE_AT_INTAKE = "refuse_at_intake"
    HAND_OVER = "hand_over"
    SEND_BACK = "send_back"
    ASSIGN = "assign"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    # Intake of an online dossier: the officer asks for a supplement before accepting it; the applicant
    # supplements online (before or after acceptance).
    REQUEST_INTAKE_SUPPLEMENT = "request_intake_supplement"
    SUPPLEMENT_ONLINE = "supplement_online"
    # The applicant paid online what is due at submission (the state does not change).
    PAY_ONLINE = "pay_online"
    REQUEST_PAYMENT = "request_payment"
    CONFIRM_PAYMENT = "confirm_payment"
    REQUEST_CONSULTATION = "request_consultation"
    ANSWER_CONSULTATION = "answer_consultation"
    REFUSE_AFTER_APPRAISAL = "refuse_after_appraisal"
    STOP = "stop"
    WITHDRAW = "withdraw"
    RESET_DUE = "reset_due"
    MARK_RESULT_READY = "mark_result_ready"
    RETURN_RESULT = "return_result"
    # The electronic result was wrong: revoked and replaced by a corrected one (documents.results).
    REPLACE_RESULT = "replace_result"
    # Written by the importer only (``dossiers/importing/write.py``), never offered to a user: a re-imported
    # record that differs from the stored dossier becomes one event setting the imported state.
    IMPORT_UPDATE = "import_update"


# Actions of the system, not of a person: outside TRANSITIONS and PERMISSIONS (no one may take them).
SYSTEM_ACTIONS: frozenset[Action] = frozenset({Action.IMPORT_UPDATE})


ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT_ONLINE: "Nộp hồ sơ trực tuyến",
    Action.RECEIVE_AT_COUNTER: "Tiếp nhận hồ sơ tại Bộ phận Một cửa",
    Action.ACCEPT_ONLINE: "Tiếp nhận hồ sơ trực tuyến",
    Action.REFUSE_AT_INTAKE: "Từ chối tiếp nhận",
    Action.HAND_OVER: "Chuyển bước xử lý",
    Action.SEND_BACK: "Trả lại bước trước",
    Action.ASSIGN: "Phân công xử lý",
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung hồ sơ",
    Action.RECEIVE_SUPPLEMENT: "Nhận hồ sơ bổ sung",
    Action.REQUEST_INTAKE_SUPPLEMENT: "Yêu cầu bổ sung trước khi tiếp nhận",
    Action.SUPPLEMENT_ONLINE: "Công dân bổ sung hồ sơ trực tuyến",
    Action.PAY_ONLINE: "Nộp phí, lệ phí trực tuyến",
    Action.REQUEST_PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Action.CONFIRM_PAYMENT: "Xác nhận đã nộp phí, nghĩa vụ tài chính",
    Action.REQUEST_CONSULTATION: "Lấy ý kiến đơn vị liên quan",
    Action.ANSWER_CONSULTATION: "Trả lời xin ý kiến",
    Action.REFUSE_AFTER_APPRAISAL: "Từ chối giải quyết",
    Action.STOP: "Dừng xử lý",
    Action.WITHDRAW: "Rút hồ sơ theo yêu cầu của công dân",
    Action.RESET_DUE: "Xin lỗi và hẹn lại ngày trả kết quả",
    Action.MARK_RESULT_READY: "Có kết quả, chuyển trả",
    Action.RETURN_RESULT: "Trả kết quả",
    Action.REPLACE_RESULT: "Thu hồi và cấp lại kết quả",
    Action.IMPORT_UPDATE: "Cập nhật theo dữ liệu nhập",
}


class Side(StrEnum):
    """Where a role must be held for an action to be allowed."""

    RECEIVING = "receiving"  # the one-stop unit that received the dossier
    COMPETENT = "competent"  # the unit competent to decide (processing unit)
    STEP = "step"  # the unit of the current workflow step, and only the role that step names
    CONSULTED = "consulted"  # a unit asked for its opinion (lấy ý kiến, liên thông)
    APPLICANT = "applicant"  # the applicant in person (portal), not a staff account


# Staff roles: the values of ``motcua.core.models.Role`` (a test keeps the two in step).
INTAKE_OFFICER = "intake_officer"
SPECIALIST = "specialist"
UNIT_LEADER = "unit_leader"
AGENCY_LEADER = "agency_leader"
CLERK = "clerk"
# Not a staff role: the applicant acting for themselves through the portal.
APPLICANT = "applicant"

S = State
A = Action

# (from state, action) → to state. Read it as the regulation: NĐ 61/2018 Điều 17 (intake),
# Điều 19 (processing, supplement, consultation, refusal, apology), Điều 20 (return), and the
# national status model (7 withdrawal requested by the citizen, 8 stopped).
TRANSITIONS: dict[tuple[State | None, Action], State] = {
    # Intake (Điều 17)
    (None, A.SUBMIT_ONLINE): S.SUBMITTED,
    (None, A.RECEIVE_AT_COUNTER): S.RECEIVED,
    (S.SUBMITTED, A.ACCEPT_ONLINE): S.RECEIVED,
    (S.SUBMITTED, A.REFUSE_AT_INTAKE): S.REFUSED_AT_INTAKE,
    # Incomplete online dossier: the officer asks for a supplement (Mẫu 02) before accepting it; the
    # applicant's online supplement puts it back in the box to be accepted (the clock has not started)
    (S.SUBMITTED, A.REQUEST_INTAKE_SUPPLEMENT): S.INTAKE_SUPPLEMENT,
    (S.INTAKE_SUPPLEMENT, A.SUPPLEMENT_ONLINE): S.SUBMITTED,
    (S.INTAKE_SUPPLEMENT, A.REFUSE_AT_INTAKE): S.REFUSED_AT_INTAKE,
    # Fees due at submission, paid online before the dossier is received
    (S.SUBMITTED, A.PAY_ONLINE): S.SUBMITTED,
    (S.INTAKE_SUPPLEMENT, A.PAY_ONLINE): S.INTAKE_SUPPLEMENT,
    # Processing along the internal workflow (Điều 19)
    (S.RECEIVED, A.HAND_OVER): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.HAND_OVER): S.IN_PROGRESS,
    # Back to an earlier step with the reason (trả lại bước trước); the dossier stays in processing
    (S.IN_PROGRESS, A.SEND_BACK): S.IN_PROGRESS,
    (S.RECEIVED, A.ASSIGN): S.RECEIVED,
    (S.IN_PROGRESS, A.ASSIGN): S.IN_PROGRESS,
    # Supplement requested by the processing unit: the clock stops (Điều 19.4)
    (S.RECEIVED, A.REQUEST_SUPPLEMENT): S.AWAITING_SUPPLEMENT,
    (S.IN_PROGRESS, A.REQUEST_SUPPLEMENT): S.AWAITING_SUPPLEMENT,
    (S.AWAITING_SUPPLEMENT, A.RECEIVE_SUPPLEMENT): S.IN_PROGRESS,
    (S.AWAITING_SUPPLEMENT, A.SUPPLEMENT_ONLINE): S.IN_PROGRESS,
    # Fees and financial obligations (Điều 22)
    (S.RECEIVED, A.REQUEST_PAYMENT): S.AWAITING_PAYMENT,
    (S.IN_PROGRESS, A.REQUEST_PAYMENT): S.AWAITING_PAYMENT,
    (S.AWAITING_PAYMENT, A.CONFIRM_PAYMENT): S.IN_PROGRESS,
    # Consultation of other units (liên thông): the state does not change
    (S.IN_PROGRESS, A.REQUEST_CONSULTATION): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.ANSWER_CONSULTATION): S.IN_PROGRESS,
    # Refusal after appraisal, within the time limit (Điều 19)
    (S.RECEIVED, A.REFUSE_AFTER_APPRAISAL): S.REFUSED_AFTER_APPRAISAL,
    (S.IN_PROGRESS, A.REFUSE_AFTER_APPRAISAL): S.REFUSED_AFTER_APPRAISAL,
    # Stop (8), also after the citizen asked to withdraw (TT 03/2025 "Thông báo dừng giải quyết")
    (S.RECEIVED, A.STOP): S.STOPPED,
    (S.IN_PROGRESS, A.STOP): S.STOPPED,
    (S.AWAITING_SUPPLEMENT, A.STOP): S.STOPPED,
    (S.AWAITING_PAYMENT, A.STOP): S.STOPPED,
    (S.WITHDRAWN, A.STOP): S.STOPPED,
    # Withdrawal requested by the citizen (7)
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.INTAKE_SUPPLEMENT, A.WITHDRAW): S.WITHDRAWN,
    (S.RECEIVED, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_PROGRESS, A.WITHDRAW): S.WITHDRAWN,
    (S.AWAITING_SUPPLEMENT, A.WITHDRAW): S.WITHDRAWN,
    (S.AWAITING_PAYMENT, A.WITHDRAW): S.WITHDRAWN,
    # Apology and a new date, once (Điều 19.9): the state does not change
    (S.RECEIVED, A.RESET_DUE): S.RECEIVED,
    (S.IN_PROGRESS, A.RESET_DUE): S.IN_PROGRESS,
    (S.AWAITING_PAYMENT, A.RESET_DUE): S.AWAITING_PAYMENT,
    # Result (Điều 19–20); straight from RECEIVED for results given on the spot
    (S.RECEIVED, A.MARK_RESULT_READY): S.RESULT_READY,
    (S.IN_PROGRESS, A.MARK_RESULT_READY): S.RESULT_READY,
    (S.RESULT_READY, A.RETURN_RESULT): S.RETURNED,
    (S.RESULT_READY, A.REPLACE_RESULT): S.RESULT_READY,
    (S.RETURNED, A.REPLACE_RESULT): S.RETURNED,
}

# -- who may act: role × action × the current workflow step ---------------------------------------
#
# Read ``PERMISSIONS`` as the regulation's division of work. ``Side.STEP`` means "the current workflow
# step names this very role, and the person holds it in the unit that performs the step". Moving a
# dossier along its workflow — hand it over, send it back, mark the result ready — belongs to the
# holder of the current step only: a clerk (văn thư) marks a result ready at the clerk's own step
# (registered and stamped), never while the dossier waits at the leader's signing step, and a leader
# signs at the leader's step. The processing (competent) unit's requests and records — supplement,
# payment, consultation — stay with its specialists and leaders at any step, and leaders keep their
# decisions (assign, refusal, stop, apology); the one-stop unit keeps its own (accept, refuse at
# intake, receive a supplement, confirm a payment, record a withdrawal, return the result).
# ``WITHOUT_STEP`` says who may take the step's actions when the procedure has no internal workflow (no
# current step). ``permitted`` combines the two into the one role × action × step table
# (``permission_table``), which a test walks cell by cell through the services.

_AT_STEP = frozenset({Side.STEP})
_COMPETENT = frozenset({Side.COMPETENT})
_LEADERS = {
    UNIT_LEADER: frozenset({Side.COMPETENT, Side.STEP}),
    AGENCY_LEADER: frozenset({Side.COMPETENT, Side.STEP}),
}
# Roles that hold workflow steps (the processing roles of ``core.models.Role``).
STEP_ROLES: tuple[str, ...] = (INTAKE_OFFICER, SPECIALIST, UNIT_LEADER, AGENCY_LEADER, CLERK)
# Whoever holds the current step.
_STEP_HOLDER = dict.fromkeys(STEP_ROLES, _AT_STEP)

# Who may take each action: role → the sides where holding it counts.
PERMISSIONS: dict[Action, dict[str, frozenset[Side]]] = {
    A.SUBMIT_ONLINE: {APPLICANT: frozenset({Side.APPLICANT})},
    A.RECEIVE_AT_COUNTER: {INTAKE_OFFICER: frozenset({Side.RECEIVING})},
    A.ACCEPT_ONLINE: {INTAKE_OFFICER: frozenset({Side.RECEIVING})},
    A.REFUSE_AT_INTAKE: {INTAKE_OFFICER: frozenset({Side.RECEIVING})},
    # The holder of the current step passes the dossier on, or sends it back to an earlier step.
    A.HAND_OVER: dict(_STEP_HOLDER),
    A.SEND_BACK: dict(_STEP_HOLDER),
    # Điều 19.1: the head of the agency (or of the division) assigns the handler.
    A.ASSIGN: dict(_LEADERS),
    # The processing unit's requests and records, at any step of its own: its specialists and leaders.
    A.REQUEST_SUPPLEMENT: {SPECIALIST: _COMPETENT, **_LEADERS},
    A.REQUEST_INTAKE_SUPPLEMENT: {INTAKE_OFFICER: frozenset({Side.RECEIVING})},
    # The applicant's own acts on the portal.
    A.SUPPLEMENT_ONLINE: {APPLICANT: frozenset({Side.APPLICANT})},
    A.PAY_ONLINE: {APPLICANT: frozenset({Side.APPLICANT})},
    A.RECEIVE_SUPPLEMENT: {
        INTAKE_OFFICER: frozenset({Side.RECEIVING}),
        SPECIALIST: _COMPETENT,
        **_LEADERS,
    },
    A.REQUEST_PAYMENT: {
        INTAKE_OFFICER: frozenset({Side.RECEIVING}),
        SPECIALIST: _COMPETENT,
        **_LEADERS,
    },
    A.CONFIRM_PAYMENT: {
        INTAKE_OFFICER: frozenset({Side.RECEIVING}),
        CLERK: _COMPETENT,
        SPECIALIST: _COMPETENT,
    },
    A.REQUEST_CONSULTATION: {SPECIALIST: _COMPETENT, **_LEADERS},
    A.ANSWER_CONSULTATION: {
        SPECIALIST: frozenset({Side.CONSULTED}),
        UNIT_LEADER: frozenset({Side.CONSULTED}),
        AGENCY_LEADER: frozenset({Side.CONSULTED}),
    },
    # A refusal is a signed decision: leaders only.
    A.REFUSE_AFTER_APPRAISAL: {
        UNIT_LEADER: frozenset({Side.COMPETENT}),
        AGENCY_LEADER: frozenset({Side.COMPETENT}),
    },
    A.STOP: {UNIT_LEADER: frozenset({Side.COMPETENT}), AGENCY_LEADER: frozenset({Side.COMPETENT})},
    # The citizen asks in person (portal) or on paper at the counter.
    A.WITHDRAW: {APPLICANT: frozenset({Side.APPLICANT}), INTAKE_OFFICER: frozenset({Side.RECEIVING})},
    # Điều 19.9: the agency apologises; the one-stop unit records the new date in the system.
    A.RESET_DUE: {
        UNIT_LEADER: frozenset({Side.COMPETENT}),
        AGENCY_LEADER: frozenset({Side.COMPETENT}),
        INTAKE_OFFICER: frozenset({Side.RECEIVING}),
    },
    # The result is ready when the holder of the last processing step has done it (the leader signs,
    # or the clerk has registered and stamped it when the workflow ends with the clerk).
    A.MARK_RESULT_READY: dict(_STEP_HOLDER),
    A.RETURN_RESULT: {INTAKE_OFFICER: frozenset({Side.RECEIVING})},
    # A wrong result is corrected at the agency's cost (NĐ 61/2018 Điều 19): its head signs the new one.
    A.REPLACE_RESULT: {AGENCY_LEADER: frozenset({Side.COMPETENT})},
}

# A dossier with no current step (its procedure has no internal workflow): moving along a workflow (hand
# over, send back, assign a step) has nothing to act on, and the result is marked ready by the competent
# unit. Any other action a role takes "at its own step" it takes for the competent unit (``permitted``).
WITHOUT_STEP: dict[Action, dict[str, frozenset[Side]]] = {
    A.HAND_OVER: {},
    A.SEND_BACK: {},
    A.ASSIGN: {},
    A.MARK_RESULT_READY: {
        SPECIALIST: frozenset({Side.COMPETENT}),
        CLERK: frozenset({Side.COMPETENT}),
        UNIT_LEADER: frozenset({Side.COMPETENT}),
        AGENCY_LEADER: frozenset({Side.COMPETENT}),
    },
}

# Actions that keep the state (state-unchanged rows above).
SAME_STATE_ACTIONS: frozenset[Action] = frozenset(
    {
        A.ASSIGN,
        A.SEND_BACK,
        A.REQUEST_CONSULTATION,
        A.ANSWER_CONSULTATION,
        A.RESET_DUE,
        A.REPLACE_RESULT,
        A.PAY_ONLINE,
    }
)
# Corrections after the end: a wrong electronic result replaced by a corrected one (the state stays).
CORRECTIONS: frozenset[Action] = frozenset({A.REPLACE_RESULT})
# The applicant's own acts on the portal: no staff account ever takes them.
PORTAL_ACTIONS: frozenset[Action] = frozenset({A.SUPPLEMENT_ONLINE, A.PAY_ONLINE})
# Actions that create the dossier.
CREATING_ACTIONS: frozenset[Action] = frozenset({A.SUBMIT_ONLINE, A.RECEIVE_AT_COUNTER})


def _describe(state: State | None) -> str:
    return "chưa có hồ sơ" if state is None else f"“{STATE_LABELS[state]}”"


def next_state(state: State | str | None, action: Action | str) -> State:
    """The state after ``action``, or ``TransitionNotAllowed`` (409) with a Vietnamese message."""
    current = None if state is None else State(state)
    act = Action(action)
    target = TRANSITIONS.get((current, act))
    if target is None:
        possible = [ACTION_LABELS[a].lower() for (s, a) in TRANSITIONS if s == current]
        hint = f" Ở trạng thái này chỉ có thể: {', '.join(possible)}." if possible else ""
        raise TransitionNotAllowed(
            f"Không thể “{ACTION_LABELS[act].lower()}” khi hồ sơ đang ở trạng thái "
            f"{_describe(current)}.{hint}",
            details={"state": None if current is None else current.value, "action": act.value},
        )
    return target


class _AnyStep:
    """``step_role`` not given: the side-agnostic reading of ``PERMISSIONS`` ("at some step")."""

    def __repr__(self) -> str:
        return "ANY_STEP"


ANY_STEP = _AnyStep()
StepRole = str | None | _AnyStep


def permitted(action: Action | str, role: str, step_role: StepRole = ANY_STEP) -> frozenset[Side]:
    """The sides where holding ``role`` lets a person take ``action`` on a dossier whose current
    workflow step names ``step_role`` (``None``: the dossier is at no step).

    One cell of the role × action × step table: ``Side.STEP`` counts only when the step names
    ``role``; with no step, ``WITHOUT_STEP`` decides, and no other action has a step side."""
    act = Action(action)
    if step_role is None:
        if act in WITHOUT_STEP:
            return frozenset(WITHOUT_STEP[act].get(role, frozenset()) - {Side.STEP})
        sides = PERMISSIONS.get(act, {}).get(role, frozenset())
        return frozenset(sides - {Side.STEP}) | (
            frozenset({Side.COMPETENT}) if Side.STEP in sides else frozenset()
        )
    sides = PERMISSIONS.get(act, {}).get(role, frozenset())
    if isinstance(step_role, str) and role != step_role:
        sides = sides - {Side.STEP}
    return frozenset(sides)


def permission_table() -> dict[tuple[Action, str | None, str], frozenset[Side]]:
    """The whole role × action × step table: (action, role the current step names or ``None`` for no
    step, acting role) → the sides where the acting role counts (empty: refused). User actions only."""
    return {
        (action, step, role): permitted(action, role, step)
        for action in PERMISSIONS
        for step in (*STEP_ROLES, None)
        for role in (*STEP_ROLES, APPLICANT)
    }


RolesHeld = Collection[str] | Mapping[Side | str, Collection[str]]


def may(action: Action | str, roles: RolesHeld, step_role: StepRole = ANY_STEP) -> bool:
    """Whether someone holding ``roles`` may take ``action`` (state aside).

    ``roles`` is either a plain collection of role values (side-agnostic: "could someone with these
    roles ever do it") or a mapping side → roles held on that side of this dossier; for ``Side.STEP``
    the roles held in the unit of the current step. ``step_role``: the role the dossier's current step
    names (``None``: no current step); not given, the step is not considered.
    """
    act = Action(action)
    if isinstance(roles, Mapping):
        return any(
            Side(side) in permitted(act, role, step_role) for side, held in roles.items() for role in held
        )
    return any(permitted(act, role, step_role) for role in roles)


def allowed_actions(
    state: State | str | None, roles: RolesHeld, step_role: StepRole = ANY_STEP
) -> list[Action]:
    """The actions the tables allow from ``state`` to someone holding ``roles`` at a dossier whose
    current step names ``step_role``, in table order. The services (``actions_for``) also leave out
    what the dossier's situation refuses (no next step to hand over to, …)."""
    current = None if state is None else State(state)
    return [a for (s, a) in TRANSITIONS if s == current and may(a, roles, step_role)]


# -- dossier codes (TT 01/2018/TT-VPCP Điều 19; TT 03/2025 variant) -------------------------------

_TOKEN = re.compile(r"\{(unit_code|YYMMDD|YYYYMMDD|N+)\}")


class CodeFormatError(InvalidDossierInput):
    code = "dossier_code_format"


def _check_format(fmt: str) -> list[str]:
    tokens = _TOKEN.findall(fmt)
    leftover = _TOKEN.sub("", fmt)
    if "{" in leftover or "}" in leftover:
        raise CodeFormatError(
            f"Mẫu mã hồ sơ “{fmt}” có phần giữ chỗ không hỗ trợ; chỉ dùng "
            "{unit_code}, {YYMMDD}, {YYYYMMDD} và {NNNN} (số chữ N = số chữ số thứ tự)."
        )
    if tokens.count("unit_code") != 1 or sum(t.startswith("N") for t in tokens) != 1:
        raise CodeFormatError(
            f"Mẫu mã hồ sơ “{fmt}” phải có đúng một {{unit_code}} và một số thứ tự {{NNNN}}."
        )
    return tokens


def sequence_width(fmt: str) -> int:
    return next(len(t) for t in _check_format(fmt) if t.startswith("N"))


def max_sequence(fmt: str) -> int:
    """The largest serial number the format can hold (9999 for ``{NNNN}``)."""
    return int("9" * sequence_width(fmt))


def format_code(fmt: str, *, unit_code: str, day: date, sequence: int) -> str:
    """The code of the ``sequence``-th dossier of ``day`` at the unit coded ``unit_code``.

    ``{unit_code}-{YYYYMMDD}-{NNNNNNN}`` with G09.20, 09/06/2026 and 92637 → ``G09.20-20260609-0092637``.
    """
    _check_format(fmt)
    if not unit_code or "{" in unit_code:
        raise CodeFormatError("Đơn vị tiếp nhận chưa có mã để lập mã hồ sơ.")
    if sequence < 1 or sequence > max_sequence(fmt):
        raise DossierConflict(
            f"Số thứ tự hồ sơ {sequence} vượt quá {max_sequence(fmt)} — mức tối đa trong ngày theo mẫu "
            f"mã “{fmt}”; cần đổi mẫu mã hồ sơ (quy tắc dossiers.code_format).",
            code="dossier_code_exhausted",
        )

    def fill(match: re.Match[str]) -> str:
        part = match.group(1)
        if part == "unit_code":
            return unit_code
        if part == "YYMMDD":
            return day.strftime("%y%m%d")
        if part == "YYYYMMDD":
            return day.strftime("%Y%m%d")
        return str(sequence).zfill(len(part))

    return _TOKEN.sub(fill, fmt)


def parse_code(fmt: str, code: str) -> tuple[str, date, int] | None:
    """The unit code, day and serial number of ``code`` under ``fmt``; ``None`` when it does not fit."""
    _check_format(fmt)
    pattern = ""
    position = 0
    for match in _TOKEN.finditer(fmt):
        pattern += re.escape(fmt[position : match.start()])
        part = match.group(1)
        if part == "unit_code":
            pattern += r"(?P<unit>.+?)"
        elif part == "YYMMDD":
            pattern += r"(?P<yymmdd>\d{6})"
        elif part == "YYYYMMDD":
            pattern += r"(?P<yyyymmdd>\d{8})"
        else:
            pattern += rf"(?P<seq>\d{{{len(part)}}})"
        position = match.end()
    pattern += re.escape(fmt[position:])
    found = re.fullmatch(pattern, code)
    if found is None:
        return None
    parts = found.groupdict()
    try:
        if parts.get("yyyymmdd"):
            day = datetime.strptime(parts["yyyymmdd"], "%Y%m%d").date()
        elif parts.get("yymmdd"):
            # Dossier codes began in 2019 (TT 01/2018): a two-digit year is 20YY, never 19YY.
            text = parts["yymmdd"]
            day = date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
        else:
            return None
    except ValueError:
        return None
    return parts["unit"], day, int(parts["seq"])


# -- the receipt moment ---------------------------------------------------------------------------

ONLINE_NEXT_OPENING = "next_opening"
ONLINE_CUTOFF = "cutoff"


def receipt_clock(
    calendar: Calendar, received: datetime, *, online_mode: str | None
) -> tuple[Calendar, datetime]:
    """The calendar and moment the time limit of a dossier counts from.

    Paper and counter dossiers (``online_mode=None``) and online dossiers under the rule value
    ``cutoff``: the calendar as it is — the 15:00 cut-off applies (NĐ 61/2018 Điều 18).
    Online dossiers under ``next_opening`` (rule ``workdays.online_received``, domain.md §0): accepted
    outside office hours, the dossier counts from the next opening; inside office hours it counts that
    day, with no 15:00 cut-off (the cut-off is a paper-forwarding rule).
    """
    if online_mode is None or online_mode == ONLINE_CUTOFF:
        return calendar, to_local(received)
    if online_mode != ONLINE_NEXT_OPENING:
        raise InvalidDossierInput(
            f"Quy tắc tiếp nhận trực tuyến không hợp lệ: {online_mode!r}.", code="dossier_rule_invalid"
        )
    no_cutoff = replace(calendar, cutoff=calendar.office_hours[-1][1])
    return no_cutoff, counting_start(calendar, received)


def supplement_window_end(
    calendar: Calendar, received: datetime, working_days: int, *, online_mode: str | None = None
) -> datetime:
    """Last moment the processing unit may ask for a supplement: close of office hours on the N-th
    working day after the effective receipt day (NĐ 61/2018 Điều 19.4: within 3 working days)."""
    cal, start = receipt_clock(calendar, received, online_mode=online_mode)
    day, _ = effective_receipt(cal, start)
    return cal.closing(cal.add_working_days(day, working_days))


def apology_in_time(calendar: Calendar, now: datetime, due: datetime, min_working_days: int) -> bool:
    """NĐ 61/2018 Điều 19.9: the apology and new date come at least ``min_working_days`` working days
    before the due date — the recording day and the due day must be that many working days apart."""
    today, due_day = to_local(now).date(), to_local(due).date()
    return to_local(now) < to_local(due) and calendar.working_days_between(today, due_day) >= min_working_days


# -- consultation (liên thông) deadlines ----------------------------------------------------------

PARALLEL = "parallel"
SEQUENTIAL = "sequential"


def consultation_dues(
    calendar: Calendar, requested: datetime, working_days: Sequence[int], mode: str
) -> list[datetime]:
    """The deadline of each consulted unit (NĐ 61/2018 Điều 19, liên thông).

    ``parallel`` (electronic dossiers, sent to every unit at once): each unit's days count from the
    request, like a receipt (cut-off applies). ``sequential`` (paper dossiers passed from unit to
    unit): the first unit's days count from the request, each next unit's days from the close of the
    previous unit's last day.
    """
    if mode not in (PARALLEL, SEQUENTIAL):
        raise InvalidDossierInput(
            f"Cách lấy ý kiến không hợp lệ: {mode!r} (song song: parallel, lần lượt: sequential).",
            code="consultation_mode_invalid",
        )
    if not working_days:
        raise InvalidDossierInput(
            "Cần chọn ít nhất một đơn vị được lấy ý kiến.", code="consultation_units_required"
        )
    for n in working_days:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1 or n > 250:
            raise InvalidDossierInput(
                f"Thời hạn trả lời phải là số ngày làm việc từ 1 đến 250, nhận được {n!r}.",
                code="consultation_days_invalid",
            )
    start_day, _ = effective_receipt(calendar, requested)
    if mode == PARALLEL:
        return [calendar.closing(calendar.add_working_days(start_day, n)) for n in working_days]
    dues: list[datetime] = []
    last_day = start_day
    for n in working_days:
        last_day = calendar.add_working_days(last_day, n)
        dues.append(calendar.closing(last_day))
    return dues


# -- step timing (Mẫu 05, Phiếu kiểm soát quá trình giải quyết hồ sơ) -------------------------------


def step_result(spent_seconds: int, allotted_seconds: int) -> str:
    """Per-step outcome for the control slip: ``early`` (trước hạn), ``on_time`` (đúng hạn), ``late``."""
    if spent_seconds < allotted_seconds:
        return "early"
    if spent_seconds == allotted_seconds:
        return "on_time"
    return "late"


def require_text(value: str | None, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidDossierInput(f"Phải ghi {label}.", code=f"{field}_required", details={"field": field})
    return text


def require_items(values: Iterable[str] | None, field: str, label: str) -> list[str]:
    items = [v.strip() for v in (values or []) if v and v.strip()]
    if not items:
        raise InvalidDossierInput(f"Phải ghi {label}.", code=f"{field}_required", details={"field": field})
    return items


# -- the dossiers' configurable legal rules (registered in ``core.rules`` from ``DossiersConfig.ready``)


def code_format(value: Any) -> str:
    """A dossier code pattern: it names the unit and a running number ``{NNNN}``."""
    if not isinstance(value, str) or "{unit_code}" not in value or not re.search(r"\{N+\}", value):
        raise RuleValueError("Mẫu mã hồ sơ phải có {unit_code} và số thứ tự dạng {NNNN}.")
    return value


DEFINITIONS = (
    RuleDefinition(
        "dossiers.code_format",
        "Mẫu mã số hồ sơ",
        "{unit_code}-{YYMMDD}-{NNNN}",
        "TT 01/2018/TT-VPCP Điều 19 (mã cơ quan QCVN 102 – ngày tiếp nhận – số thứ tự 4 chữ số)",
        True,
        code_format,
    ),
    RuleDefinition(
        "dossiers.soon_due_working_days",
        "Ngưỡng “sắp đến hạn” của hồ sơ (ngày làm việc)",
        1,
        "Quy ước của motcua (domain.md §0)",
        False,
        non_negative_int,
    ),
    RuleDefinition(
        "dossiers.supplement_window_working_days",
        "Thời hạn cơ quan giải quyết yêu cầu bổ sung (ngày làm việc kể từ khi tiếp nhận)",
        3,
        "NĐ 61/2018/NĐ-CP Điều 19.4",
        True,
        non_negative_int,
    ),
    RuleDefinition(
        "dossiers.apology_min_working_days",
        "Xin lỗi, hẹn lại: chậm nhất trước hạn (ngày làm việc)",
        1,
        "NĐ 61/2018/NĐ-CP Điều 19.9",
        True,
        non_negative_int,
    ),
    RuleDefinition(
        "dossiers.max_due_resets",
        "Số lần được hẹn lại ngày trả kết quả",
        1,
        "NĐ 61/2018/NĐ-CP Điều 19.9 (chỉ hẹn lại một lần)",
        True,
        non_negative_int,
    ),
)
