"""The role × action × step table, walked cell by cell through the use cases.

A small province: the one-stop ward R receives, the department C is competent, the department K is
consulted. Every staff role has an account in each of the three units. For every action and every role
the current workflow step may name (or no step at all), a dossier is put where the action can succeed —
at that step, in a state the action starts from — and every account tries it: the use case accepts it
exactly when ``rules.permitted`` gives the account's side (the step's side counting only for the role
the step names), refuses it with 403 otherwise (404 when the account cannot see the dossier), and
``services.actions_for`` offers it exactly when the use case accepts it. Each attempt that succeeds is
rolled back, so every account meets the same dossier.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import time_machine
from django.db import transaction

from motcua.catalogue.models import Procedure, WorkflowStep
from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as cf
from motcua.core.models import Person, User
from motcua.core.tests import factories
from motcua.dossiers import rules
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action, DossierForbidden, DossierNotFound, Side, State
from motcua.dossiers.services._base import _load
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db

MONDAY = at(2026, 3, 9, 9, 0)  # received Monday 09/03/2026; five working days → due Monday 16/03 17:00
ROLES = rules.STEP_ROLES
NO_STEP = None


class Rollback(Exception):
    """Leaves the savepoint of one attempt: the next account meets the same dossier."""


def _steps(role: str | None) -> list[dict[str, Any]]:
    """The workflow of the procedure for ``role``: the one-stop intake step, two steps of ``role`` (the
    first has a step after it, the second is the last: a dossier can be handed over, sent back and
    finished at a step of that role), and the closing one-stop return step. ``None``: one step, removed
    after the import (a published version needs a workflow; a dossier at no step still happens — an
    imported record, a workflow taken away)."""
    if role is None:
        return [cf.step(1, "mot-buoc", 0.5, rules.SPECIALIST)]
    if role == rules.INTAKE_OFFICER:
        middle = [cf.step(2, "buoc-1", 0.5, role, unit_mode="one_stop")]
        middle.append(cf.step(3, "buoc-2", 0.5, role, unit_mode="one_stop"))
    else:
        middle = [cf.step(2, "buoc-1", 0.5, role), cf.step(3, "buoc-2", 0.5, role)]
    return [
        cf.step(1, "tiep-nhan", 0.5, rules.INTAKE_OFFICER, unit_mode="one_stop"),
        *middle,
        cf.step(4, "tra-ket-qua", 0.5, rules.INTAKE_OFFICER, unit_mode="one_stop"),
    ]


class Province:
    """R receives, C decides, K is consulted; one account per role in each; one procedure per step role."""

    def __init__(self) -> None:
        self.province = factories.unit("Tỉnh Thử", kind="province", code="tt")
        self.r = factories.unit(
            "Phường Tiếp Nhận", parent=self.province, code="ptn", eid_code="000.21.01.H99", is_one_stop=True
        )
        self.c = factories.unit("Sở Giải Quyết", parent=self.province, kind="department", code="sgq")
        self.k = factories.unit("Sở Cho Ý Kiến", parent=self.province, kind="department", code="sck")
        self.users: dict[tuple[str, str], User] = {}
        for role in ROLES:
            for side, unit in (("R", self.r), ("C", self.c), ("K", self.k)):
                self.users[(role, side)] = df.staff(role, unit, f"{role}.{side}".lower())
        procedures = []
        for n, role in enumerate((*ROLES, None), start=1):
            limit = {"value": 5, "unit": "working_days", "text": "05 ngày làm việc"}
            procedures.append(
                cf.procedure(f"9.00000{n}", cf.version(workflow=_steps(role), time_limit=limit))
            )
        import_catalogue(cf.document(*procedures))
        self.procedures = {
            role: Procedure.objects.get(code=f"9.00000{n}") for n, role in enumerate((*ROLES, None), start=1)
        }
        WorkflowStep.objects.filter(version__procedure=self.procedures[None]).delete()
        self.person = Person.objects.create(citizen_id=df.CITIZEN_ID, full_name="Nguyễn Thị Hồng Nhung")

    def user(self, role: str, side: str) -> User:
        return self.users[(role, side)]

    def receive(self, step_role: str | None) -> Dossier:
        procedure = self.procedures[step_role]
        return s.receive_at_counter(
            by=self.user(rules.INTAKE_OFFICER, "R"),
            applicant=self.person,
            procedure=procedure,
            receiving_unit=self.r,
            competent_unit=self.c,
            components=[
                s.ComponentInput(component_id=c.pk) for c in procedure.versions.get().components.all()
            ],
        )

    def holder(self, step_role: str) -> User:
        """The account holding a step of ``step_role`` where the step is done."""
        return self.user(step_role, "R" if step_role == rules.INTAKE_OFFICER else "C")


def fresh(code: str) -> Dossier:
    return _load(code)  # as the services load it to act


# -- putting a dossier where an action can succeed ------------------------------------------------------

# The state each action is tried in (a state it starts from where the dossier has a current step).
# The electronic result a dossier waiting for its return carries (replace_result replaces it).
RESULT = s.ResultRef("KQ-1111-1111-1111-1111", "https://dvc.example/xac-thuc/KQ-1111/")

START: dict[Action, State] = {
    Action.HAND_OVER: State.IN_PROGRESS,
    Action.SEND_BACK: State.IN_PROGRESS,
    Action.ASSIGN: State.IN_PROGRESS,
    Action.REQUEST_SUPPLEMENT: State.IN_PROGRESS,
    Action.RECEIVE_SUPPLEMENT: State.AWAITING_SUPPLEMENT,
    Action.REQUEST_PAYMENT: State.IN_PROGRESS,
    Action.CONFIRM_PAYMENT: State.AWAITING_PAYMENT,
    Action.REQUEST_CONSULTATION: State.IN_PROGRESS,
    Action.ANSWER_CONSULTATION: State.IN_PROGRESS,
    Action.REFUSE_AFTER_APPRAISAL: State.IN_PROGRESS,
    Action.STOP: State.IN_PROGRESS,
    Action.WITHDRAW: State.IN_PROGRESS,
    Action.RESET_DUE: State.IN_PROGRESS,
    Action.MARK_RESULT_READY: State.IN_PROGRESS,
    Action.RETURN_RESULT: State.RESULT_READY,
    Action.REPLACE_RESULT: State.RESULT_READY,
    Action.ACCEPT_ONLINE: State.SUBMITTED,
    Action.REFUSE_AT_INTAKE: State.SUBMITTED,
    Action.REQUEST_INTAKE_SUPPLEMENT: State.SUBMITTED,
}


def situation(p: Province, action: Action, step_role: str | None) -> Dossier:
    """A dossier at a step of ``step_role`` (None: no workflow) from which ``action`` can succeed."""
    state = START[action]
    if state is State.SUBMITTED:  # an online dossier waiting for intake is at no step
        procedure = p.procedures[None]
        return s.submit_online(
            applicant=p.person,
            procedure=procedure,
            receiving_unit=p.r,
            competent_unit=p.c,
            components=[
                s.ComponentInput(component_id=c.pk) for c in procedure.versions.get().components.all()
            ],
        )
    d = p.receive(step_role)
    by_leader = p.user(rules.AGENCY_LEADER, "C")
    if step_role is None:
        # Received, at no step; a complete supplement brings it into processing, still at no step.
        if state is State.RESULT_READY:
            return fresh(
                s.mark_result_ready(
                    d.code, by=p.user(rules.SPECIALIST, "C"), expected_version=1, result=RESULT
                ).code
            )
        if state is not State.RECEIVED:
            d = s.request_supplement(
                d.code, by=by_leader, expected_version=1, items=["Tờ khai"], reasons="Thiếu"
            )
            d = s.receive_supplement(d.code, by=p.user(rules.INTAKE_OFFICER, "R"), expected_version=2)
    else:
        # In processing: at the first step of the role (a step follows it) or at its last one (to finish
        # it, or to send it back); the intake role's first step is the one-stop's own, in "received".
        last = action in (Action.MARK_RESULT_READY, Action.SEND_BACK, Action.RETURN_RESULT)
        hops = 2 if last or (step_role == rules.INTAKE_OFFICER and action is not Action.HAND_OVER) else 1
        for version in range(1, hops + 1):
            holder = p.holder(rules.INTAKE_OFFICER) if version == 1 else p.holder(step_role)
            d = s.hand_over(d.code, by=holder, expected_version=version)
    if state is State.RESULT_READY:  # the result waits at the closing one-stop step
        d = s.mark_result_ready(
            d.code, by=p.holder(step_role), expected_version=d.lock_version, result=RESULT
        )
    if action is Action.RECEIVE_SUPPLEMENT:
        d = s.request_supplement(
            d.code, by=by_leader, expected_version=d.lock_version, items=["Tờ khai"], reasons="Thiếu"
        )
    if action is Action.CONFIRM_PAYMENT:
        d = s.request_payment(
            d.code,
            by=by_leader,
            expected_version=d.lock_version,
            items=[s.FeeInput(name="Lệ phí", amount_vnd=8000)],
        )
    if action is Action.ANSWER_CONSULTATION:
        d = s.request_consultation(
            d.code,
            by=by_leader,
            expected_version=d.lock_version,
            targets=[s.ConsultationTarget(unit=p.k, working_days=2)],
            question="Đề nghị cho ý kiến",
        )
    return fresh(d.code)


def attempt(p: Province, action: Action, d: Dossier, user: User) -> Callable[[], Any]:
    """The use case of ``action`` by ``user`` on ``d`` with valid input."""
    code, v = d.code, d.lock_version
    step = d.current_step
    calls: dict[Action, Callable[[], Any]] = {
        Action.HAND_OVER: lambda: s.hand_over(code, by=user, expected_version=v),
        Action.SEND_BACK: lambda: s.send_back(code, by=user, expected_version=v, reason="Thiếu chữ ký"),
        Action.ASSIGN: lambda: s.assign(
            code, by=user, expected_version=v, assignee=p.holder(step.role if step else rules.SPECIALIST)
        ),
        Action.REQUEST_SUPPLEMENT: lambda: s.request_supplement(
            code, by=user, expected_version=v, items=["Tờ khai"], reasons="Thiếu chữ ký"
        ),
        Action.RECEIVE_SUPPLEMENT: lambda: s.receive_supplement(code, by=user, expected_version=v),
        Action.REQUEST_PAYMENT: lambda: s.request_payment(
            code, by=user, expected_version=v, items=[s.FeeInput(name="Lệ phí", amount_vnd=8000)]
        ),
        Action.CONFIRM_PAYMENT: lambda: s.confirm_payment(code, by=user, expected_version=v),
        Action.REQUEST_CONSULTATION: lambda: s.request_consultation(
            code,
            by=user,
            expected_version=v,
            targets=[s.ConsultationTarget(unit=p.k, working_days=2)],
            question="Đề nghị cho ý kiến",
        ),
        Action.ANSWER_CONSULTATION: lambda: s.answer_consultation(
            code, d.consultations.get().pk, by=user, expected_version=v, answer="Đồng ý"
        ),
        Action.REFUSE_AFTER_APPRAISAL: lambda: s.refuse_after_appraisal(
            code, by=user, expected_version=v, reasons="Không đủ điều kiện"
        ),
        Action.STOP: lambda: s.stop(code, by=user, expected_version=v, reasons="Dừng"),
        Action.WITHDRAW: lambda: s.withdraw(code, by=user, expected_version=v, reason="Công dân xin rút"),
        Action.RESET_DUE: lambda: s.reset_due(
            code, by=user, expected_version=v, reason="Chờ xác minh", new_due=date(2026, 3, 18)
        ),
        Action.MARK_RESULT_READY: lambda: s.mark_result_ready(code, by=user, expected_version=v),
        Action.RETURN_RESULT: lambda: s.return_result(code, by=user, expected_version=v),
        Action.REPLACE_RESULT: lambda: s.replace_result(
            code,
            by=user,
            expected_version=v,
            result=s.ResultRef("KQ-2222-2222-2222-2222", "https://dvc.example/xac-thuc/KQ-2222/"),
            replaced=RESULT.code,
            reason="Sai họ tên người được cấp",
        ),
        Action.ACCEPT_ONLINE: lambda: s.accept_online(code, by=user, expected_version=v),
        Action.REFUSE_AT_INTAKE: lambda: s.refuse_at_intake(code, by=user, expected_version=v, reasons="Sai"),
        Action.REQUEST_INTAKE_SUPPLEMENT: lambda: s.request_intake_supplement(
            code, by=user, expected_version=v, items=["Tờ khai"], reasons="Thiếu chữ ký"
        ),
    }
    return calls[action]


def sides_of(p: Province, d: Dossier, role: str, side: str) -> set[Side]:
    """Where the account of ``role`` in unit ``side`` stands on ``d``."""
    held = {"R": Side.RECEIVING, "C": Side.COMPETENT, "K": Side.CONSULTED}[side]
    found = {held}
    step = d.current_step
    if step is not None and step.role == role:
        step_side = "R" if step.unit_mode == "one_stop" else "C"
        if step_side == side:
            found.add(Side.STEP)
    return found


def outcome(call: Callable[[], Any]) -> str:
    """``accepted`` (rolled back), ``forbidden`` or ``not_found``; anything else fails the test."""
    try:
        with transaction.atomic():
            call()
            raise Rollback
    except Rollback:
        return "accepted"
    except DossierForbidden:
        return "forbidden"
    except DossierNotFound:
        return "not_found"


def reachable(action: Action, step_role: str | None) -> bool:
    """Whether a dossier can wait for ``action`` at a step of ``step_role``: an online dossier waiting for
    intake is at no step; a result waits at the one-stop return step (the intake officer's) or at none."""
    if START[action] is State.SUBMITTED:
        return step_role is None
    if START[action] is State.RESULT_READY:
        return step_role in (None, rules.INTAKE_OFFICER)
    return True


CELLS = [(action, step) for action in START for step in (*ROLES, NO_STEP) if reachable(action, step)]


def test_the_table_covers_every_user_action_and_step():
    table = rules.permission_table()
    assert {a for a, _, _ in table} == set(rules.PERMISSIONS)
    assert set(START) == set(rules.PERMISSIONS) - rules.CREATING_ACTIONS - rules.PORTAL_ACTIONS
    assert all(
        table[(a, step, role)] == frozenset()
        for a, step, role in table
        if a in rules.PORTAL_ACTIONS and role != rules.APPLICANT
    )
    assert {step for _, step, _ in table} == {*ROLES, None}
    # the cells the issue names, worked by hand
    assert table[(Action.MARK_RESULT_READY, rules.AGENCY_LEADER, rules.CLERK)] == frozenset()
    assert table[(Action.MARK_RESULT_READY, rules.CLERK, rules.CLERK)] == {Side.STEP}
    assert table[(Action.MARK_RESULT_READY, rules.AGENCY_LEADER, rules.AGENCY_LEADER)] == {Side.STEP}
    assert table[(Action.MARK_RESULT_READY, None, rules.CLERK)] == {Side.COMPETENT}
    assert table[(Action.HAND_OVER, rules.SPECIALIST, rules.UNIT_LEADER)] == frozenset()
    assert table[(Action.HAND_OVER, None, rules.SPECIALIST)] == frozenset()
    assert table[(Action.SEND_BACK, rules.UNIT_LEADER, rules.UNIT_LEADER)] == {Side.STEP}
    assert table[(Action.ASSIGN, rules.SPECIALIST, rules.AGENCY_LEADER)] == {Side.COMPETENT}
    assert table[(Action.ASSIGN, rules.AGENCY_LEADER, rules.AGENCY_LEADER)] == {Side.COMPETENT, Side.STEP}
    assert table[(Action.ASSIGN, None, rules.AGENCY_LEADER)] == frozenset()
    assert table[(Action.REQUEST_SUPPLEMENT, rules.AGENCY_LEADER, rules.SPECIALIST)] == {Side.COMPETENT}
    assert table[(Action.RETURN_RESULT, rules.INTAKE_OFFICER, rules.INTAKE_OFFICER)] == {Side.RECEIVING}
    assert table[(Action.WITHDRAW, None, rules.APPLICANT)] == {Side.APPLICANT}
    assert table[(Action.REQUEST_INTAKE_SUPPLEMENT, None, rules.INTAKE_OFFICER)] == {Side.RECEIVING}
    assert table[(Action.REQUEST_INTAKE_SUPPLEMENT, None, rules.SPECIALIST)] == frozenset()


def test_walk_the_role_action_step_table():
    """Every reachable cell, every role in each of the three units: accepted exactly where the table
    says, refused with 403 elsewhere (404 where the account cannot see the dossier), offered exactly
    when accepted."""
    p = Province()
    mismatches = []
    seen: dict[str, int] = {}
    with time_machine.travel(MONDAY, tick=False):
        for action, step_role in CELLS:
            d = situation(p, action, step_role)
            assert (d.current_step.role if d.current_step else None) == step_role, (action, step_role)
            assert d.state == START[action] or (
                d.state == State.RECEIVED
                and action is Action.HAND_OVER
                and step_role in (rules.INTAKE_OFFICER, None)
            ), (action, step_role, d.state)
            consulted = d.consultations.exists()
            for role in ROLES:
                # accounts of the consulted unit see only a dossier sent to them for an opinion: one of
                # them checks the 404 elsewhere
                for side in "RCK" if consulted or role == rules.SPECIALIST else "RC":
                    user = p.user(role, side)
                    visible = side != "K" or consulted
                    allowed = visible and bool(
                        rules.permitted(action, role, step_role) & sides_of(p, d, role, side)
                    )
                    expected = "accepted" if allowed else ("forbidden" if visible else "not_found")
                    got = outcome(attempt(p, action, fresh(d.code), user))
                    offered = action in s.actions_for(user, fresh(d.code))
                    if got != expected or offered != (got == "accepted"):
                        mismatches.append((action.value, step_role, role, side, expected, got, offered))
                    seen[got] = seen.get(got, 0) + 1
    assert mismatches == []
    # 14 actions from states with a current step × 6 columns (5 step roles and "no step"); intake of an
    # online dossier (3 actions: accept, refuse, ask for a supplement first) at no step; the return and
    # the replacement of the result at the one-stop step or at none
    assert len(CELLS) == 14 * 6 + 3 + 2 + 2
    assert set(seen) == {"accepted", "forbidden", "not_found"}


def test_receiving_at_the_counter_is_for_the_receiving_units_intake_officer_only():
    p = Province()
    procedure = p.procedures[rules.SPECIALIST]
    components = [s.ComponentInput(component_id=c.pk) for c in procedure.versions.get().components.all()]
    with time_machine.travel(MONDAY, tick=False):
        for role in ROLES:
            for side in "RCK":
                got = outcome(
                    lambda role=role, side=side: s.receive_at_counter(
                        by=p.user(role, side),
                        applicant=p.person,
                        procedure=procedure,
                        receiving_unit=p.r,
                        competent_unit=p.c,
                        components=components,
                    )
                )
                expected = rules.permitted(Action.RECEIVE_AT_COUNTER, role, None) & {
                    {"R": Side.RECEIVING, "C": Side.COMPETENT, "K": Side.CONSULTED}[side]
                }
                assert got == ("accepted" if expected else "forbidden"), (role, side)
                assert (got == "accepted") == (role == rules.INTAKE_OFFICER and side == "R")
