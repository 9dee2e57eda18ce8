"""No step skipped, no dossier stuck: the step's holder acts, a dossier goes back a step with a reason,
only actions that will be accepted are offered, a stale version is always 409, and a dossier is never
sent to a unit where a step of its workflow has nobody to do it.

The test procedure takes 3 working days; its workflow: tiep-nhan (one-stop, 2 h) → tham-dinh
(specialist, 12 h) → trinh-ky (division leader, 6 h) → ky-ban-hanh (agency leader, 2 h) → tra-ket-qua
(one-stop). Office hours 07:30–11:30 and 13:30–17:00; March 2026 has no day off.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from motcua.catalogue.tests import factories as cf
from motcua.core.models import AuditEntry, Role, RoleAssignment
from motcua.dossiers import lookup, rules
from motcua.dossiers import selectors as q
from motcua.dossiers import services as s
from motcua.dossiers.models import DailySequence, Dossier, DossierEvent
from motcua.dossiers.rules import (
    Action,
    DossierConflict,
    DossierForbidden,
    DossierNotFound,
    InvalidDossierInput,
    StaleDossier,
)
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations.models import OutboxMessage
from motcua.workdays.domain import to_local
from motcua.workdays.services import calendar_for

SYNC = "dvcqg.DongBoHoSoMC"  # the full record (the progress event is its own topic)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return df.world()


def counts() -> tuple[int, int, int, int]:
    return (
        DossierEvent.objects.count(),
        AuditEntry.objects.count(),
        OutboxMessage.objects.filter(topic="dvcqg.DongBoHoSoMC").count(),
        OutboxMessage.objects.filter(topic="dvcqg.CapNhatTienDoHoSoMC").count(),
    )


@contextmanager
def nothing_written():
    before = counts()
    rows = list(Dossier.objects.values_list("pk", "lock_version", "state", "current_step", "assignee"))
    yield
    assert counts() == before
    assert (
        list(Dossier.objects.values_list("pk", "lock_version", "state", "current_step", "assignee")) == rows
    )


def to_signing(w) -> Dossier:
    """Received Monday 09/03 09:00 and walked by each step's holder to the agency leader's signing step."""
    d = df.receive(w)
    for by, version in ((w.intake_a, 1), (w.specialist_a, 2), (w.leader_a, 3)):
        d = s.hand_over(d.code, by=by, expected_version=version)
    assert d.current_step.code == "ky-ban-hanh" and d.lock_version == 4
    return d


def offered(user, d) -> list[Action]:
    return s.actions_for(user, df.fresh(d))


# -- the step's holder moves the dossier on ------------------------------------------------------------


def test_a_clerk_cannot_mark_the_result_ready_while_the_leader_has_not_signed(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = to_signing(w)
        assert Action.MARK_RESULT_READY not in offered(w.clerk_a, d)
        for someone in (w.clerk_a, w.specialist_a, w.leader_a):
            with nothing_written(), pytest.raises(DossierForbidden) as caught:
                s.mark_result_ready(d.code, by=someone, expected_version=4)
            assert caught.value.status == 403 and caught.value.code == "dossier_forbidden"
            assert caught.value.message == (
                f"Hồ sơ {d.code} đang chờ ở bước “Bước ky-ban-hanh” (Lãnh đạo cơ quan); chỉ người giữ "
                "bước này mới được “có kết quả, chuyển trả”."
            )
            assert caught.value.details == {"action": "mark_result_ready", "step": "ky-ban-hanh"}
        assert Action.MARK_RESULT_READY in offered(w.head_a, d)
        d = s.mark_result_ready(d.code, by=w.head_a, expected_version=4)
    assert (d.state, d.national_status, d.current_step.code) == ("result_ready", 9, "tra-ket-qua")


def test_a_leader_does_not_skip_the_specialists_step(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1)  # at the specialist's appraisal
        for leader in (w.leader_a, w.head_a):
            assert Action.HAND_OVER not in offered(leader, d)
            assert Action.ASSIGN in offered(leader, d)  # a leader names the handler instead
            with nothing_written(), pytest.raises(DossierForbidden, match="Bước tham-dinh"):
                s.hand_over(d.code, by=leader, expected_version=2)
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=2)
    assert d.current_step.code == "trinh-ky"


def test_a_clerk_marks_the_result_ready_at_the_clerks_own_last_step():
    workflow = [
        cf.step(1, "tiep-nhan", 1, "intake_officer", unit_mode="one_stop"),
        cf.step(2, "ky-duyet", 2, "agency_leader"),
        cf.step(3, "vao-so", 1, "clerk"),
        cf.step(4, "tra-ket-qua", 0.5, "intake_officer", unit_mode="one_stop"),
    ]
    w = df.world(procedure_doc=cf.procedure("1.001193", cf.version(workflow=workflow)))
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1)
        d = s.hand_over(d.code, by=w.head_a, expected_version=2)
        assert d.current_step.code == "vao-so"
        assert Action.MARK_RESULT_READY not in offered(w.head_a, d)  # signed already: the clerk's turn
        with pytest.raises(DossierForbidden, match="Bước vao-so"):
            s.mark_result_ready(d.code, by=w.head_a, expected_version=3)
        assert offered(w.clerk_a, d) == [Action.SEND_BACK, Action.MARK_RESULT_READY]
        d = s.mark_result_ready(d.code, by=w.clerk_a, expected_version=3)
    assert d.state == "result_ready"


# -- only what will be accepted is offered ------------------------------------------------------------


def test_hand_over_is_not_offered_at_the_last_processing_step(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = to_signing(w)
        actions = offered(w.head_a, d)
        assert Action.HAND_OVER not in actions and Action.MARK_RESULT_READY in actions
        blocked = lookup.dossier_detail(w.head_a, d.code).blocked
        assert blocked[Action.HAND_OVER].code == "dossier_no_next_step"
        with nothing_written(), pytest.raises(DossierConflict) as caught:
            s.hand_over(d.code, by=w.head_a, expected_version=4)
        assert caught.value.code == "dossier_no_next_step"


# One holder of each role at ward A, for the inputs of ``valid_call``.
def _holders(w) -> dict[str, object]:
    return {
        Role.INTAKE_OFFICER: w.intake_a,
        Role.SPECIALIST: w.specialist_a,
        Role.UNIT_LEADER: w.leader_a,
        Role.AGENCY_LEADER: w.head_a,
        Role.CLERK: w.clerk_a,
    }


def valid_call(w, d: Dossier, action: Action, user):
    """The use case of ``action`` with input that is valid whatever the dossier's situation."""
    code, v = d.code, d.lock_version
    calendar = calendar_for(d.competent_unit, to_local(at(2026, 3, 9)).date())
    later = calendar.add_working_days(to_local(d.appointment_at or at(2026, 3, 9)).date(), 2)
    calls = {
        Action.ACCEPT_ONLINE: lambda: s.accept_online(code, by=user, expected_version=v),
        Action.REFUSE_AT_INTAKE: lambda: s.refuse_at_intake(code, by=user, expected_version=v, reasons="Sai"),
        Action.HAND_OVER: lambda: s.hand_over(code, by=user, expected_version=v),
        Action.SEND_BACK: lambda: s.send_back(code, by=user, expected_version=v, reason="Thiếu chữ ký"),
        Action.ASSIGN: lambda: s.assign(
            code, by=user, expected_version=v, assignee=_holders(w)[d.current_step.role]
        ),
        Action.REQUEST_SUPPLEMENT: lambda: s.request_supplement(
            code, by=user, expected_version=v, items=["Tờ khai"], reasons="Thiếu"
        ),
        Action.RECEIVE_SUPPLEMENT: lambda: s.receive_supplement(code, by=user, expected_version=v),
        Action.REQUEST_INTAKE_SUPPLEMENT: lambda: s.request_intake_supplement(
            code, by=user, expected_version=v, items=["Tờ khai"], reasons="Thiếu chữ ký"
        ),
        Action.REQUEST_PAYMENT: lambda: s.request_payment(
            code, by=user, expected_version=v, items=[s.FeeInput("Lệ phí", 8000)]
        ),
        Action.CONFIRM_PAYMENT: lambda: s.confirm_payment(code, by=user, expected_version=v),
        Action.REQUEST_CONSULTATION: lambda: s.request_consultation(
            code, by=user, expected_version=v, targets=[s.ConsultationTarget(w.police, 1)], question="Hỏi"
        ),
        Action.ANSWER_CONSULTATION: lambda: s.answer_consultation(
            code, s.answerable_consultations(user, d)[0].pk, by=user, expected_version=v, answer="Đồng ý"
        ),
        Action.REFUSE_AFTER_APPRAISAL: lambda: s.refuse_after_appraisal(
            code, by=user, expected_version=v, reasons="Không đủ điều kiện"
        ),
        Action.STOP: lambda: s.stop(code, by=user, expected_version=v, reasons="Dừng"),
        Action.WITHDRAW: lambda: s.withdraw(code, by=user, expected_version=v, reason="Xin rút"),
        Action.RESET_DUE: lambda: s.reset_due(
            code, by=user, expected_version=v, reason="Chờ xác minh", new_due=later
        ),
        Action.MARK_RESULT_READY: lambda: s.mark_result_ready(code, by=user, expected_version=v),
        Action.RETURN_RESULT: lambda: s.return_result(code, by=user, expected_version=v),
        Action.REPLACE_RESULT: lambda: s.replace_result(
            code,
            by=user,
            expected_version=v,
            result=s.ResultRef("KQ-2222-2222-2222-2222", "https://dvc.example/xac-thuc/KQ-2222/"),
            replaced=d.result_code,
            reason="Sai họ tên người được cấp",
        ),
    }
    return calls[action]


class Rollback(Exception):
    pass


def every_offer_is_accepted(w, d: Dossier) -> dict[str, list[Action]]:
    """Each account of the world tries each action it is offered (rolled back): none is refused."""
    offers = {}
    for user in (
        w.intake_a,
        w.specialist_a,
        w.specialist_a2,
        w.leader_a,
        w.head_a,
        w.clerk_a,
        w.intake_b,
        w.specialist_b,
        w.justice_specialist,
        w.police_specialist,
        w.supervisor,
    ):
        actions = offered(user, d)
        offers[user.username] = actions
        for action in actions:
            try:
                with transaction.atomic():
                    valid_call(w, df.fresh(d), action, user)()
                    raise Rollback
            except Rollback:
                pass
    return offers


def test_every_action_offered_is_accepted_through_a_dossiers_life(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        online = df.submit(w)
        assert every_offer_is_accepted(w, online)["motcua_a"] == [
            Action.ACCEPT_ONLINE,
            Action.REFUSE_AT_INTAKE,
            Action.REQUEST_INTAKE_SUPPLEMENT,
            Action.WITHDRAW,
        ]
        d = df.receive(w)
        every_offer_is_accepted(w, d)
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1)
        d = s.request_consultation(
            d.code,
            by=w.specialist_a,
            expected_version=2,
            targets=[s.ConsultationTarget(w.justice, 2)],
            question="Xác minh",
        )
        offers = every_offer_is_accepted(w, d)
        assert offers["chuyenvien_stp"] == [Action.ANSWER_CONSULTATION]
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=3)
        d = s.hand_over(d.code, by=w.leader_a, expected_version=4)
        # At the last step, waiting for an opinion: the result cannot be marked ready, so it is not offered.
        offers = every_offer_is_accepted(w, d)
        assert Action.MARK_RESULT_READY not in offers["chutich_a"]
        assert offers["chutich_a"] == [
            Action.SEND_BACK,
            Action.ASSIGN,
            Action.REQUEST_SUPPLEMENT,
            Action.REQUEST_PAYMENT,
            Action.REQUEST_CONSULTATION,
            Action.REFUSE_AFTER_APPRAISAL,
            Action.STOP,
            Action.RESET_DUE,
        ]
        consultation = d.consultations.get()
        d = s.answer_consultation(
            d.code, consultation.pk, by=w.justice_specialist, expected_version=5, answer="Ok"
        )
        assert Action.MARK_RESULT_READY in offered(w.head_a, d)
        assert Action.ANSWER_CONSULTATION not in offered(w.justice_specialist, d)  # answered already

        # Friday 13/03, after the supplement window (3 working days from Monday: until Thursday 17:00)
        # and on the due day: no supplement, no apology any more.
        clock.move_to(at(2026, 3, 13, 9, 0))
        offers = every_offer_is_accepted(w, d)
        assert Action.REQUEST_SUPPLEMENT not in offers["chutich_a"]
        assert Action.RESET_DUE not in offers["chutich_a"]
        assert Action.REFUSE_AFTER_APPRAISAL not in offers["chutich_a"]  # due Thursday 12/03 17:00
        blocked = lookup.dossier_detail(w.head_a, d.code).blocked
        assert {a: e.code for a, e in blocked.items()} == {
            Action.HAND_OVER: "dossier_no_next_step",
            Action.REQUEST_SUPPLEMENT: "supplement_window_closed",
            Action.REFUSE_AFTER_APPRAISAL: "refusal_after_due",
            Action.RESET_DUE: "due_reset_too_late",
        }
        d = s.mark_result_ready(d.code, by=w.head_a, expected_version=6)
        assert every_offer_is_accepted(w, d)["motcua_a"] == [Action.RETURN_RESULT]


# -- send back to an earlier step ---------------------------------------------------------------------


def test_send_back_returns_the_dossier_to_the_previous_step_and_its_handler(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(w)
        clock.move_to(at(2026, 3, 9, 9, 30))
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1)
        clock.move_to(at(2026, 3, 9, 10, 0))
        d = s.assign(d.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a)
        clock.move_to(at(2026, 3, 9, 11, 0))
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=3)
        assert (d.current_step.code, d.assignee) == ("trinh-ky", None)
        assert Action.SEND_BACK in offered(w.leader_a, d)
        assert Action.SEND_BACK not in offered(w.specialist_a, d)  # not their step any more
        clock.move_to(at(2026, 3, 9, 14, 0))
        before = counts()
        d = s.send_back(d.code, by=w.leader_a, expected_version=4, reason="Thiếu biên bản xác minh")
        assert tuple(b - a for a, b in zip(before, counts(), strict=True)) == (1, 1, 1, 1)

    # Back at the appraisal step, with the specialist who did it; the state and its code are unchanged.
    assert (d.state, d.national_status, d.current_step.code, d.assignee) == (
        "in_progress",
        4,
        "tham-dinh",
        w.specialist_a,
    )
    # The appraisal's own clock starts again: 12 working hours from Monday 14:00 — Monday 3 h, Tuesday
    # 7.5 h, and 1.5 h on Wednesday from 07:30 → Wednesday 11/03 09:00.
    assert d.step_started_at == at(2026, 3, 9, 14, 0) and d.step_due_at == at(2026, 3, 11, 9, 0)
    event = DossierEvent.objects.get(dossier=d, seq=5)
    assert (event.action, event.from_state, event.to_state, event.national_status, event.step_code) == (
        "send_back",
        "in_progress",
        "in_progress",
        4,
        "tham-dinh",
    )
    assert event.actor == w.leader_a
    # The division leader's step, left after 1 working hour (11:00–11:30 and 13:30–14:00) of its 6.
    assert event.data["closed_step"] == {
        "code": "trinh-ky",
        "started_at": "2026-03-09T11:00:00+07:00",
        "working_seconds": 3600,
        "allotted_seconds": 21600,
        "result": "early",
    }
    assert (event.data["from_step"], event.data["to_step"], event.data["reason"]) == (
        "trinh-ky",
        "tham-dinh",
        "Thiếu biên bản xác minh",
    )
    assert event.data["assignee_id"] == w.specialist_a.pk
    entry = AuditEntry.objects.filter(action="dossier.send_back").get()
    assert entry.object_id == d.code and entry.actor_id == w.leader_a.pk
    assert "Thiếu biên bản xác minh" in entry.summary
    record = OutboxMessage.objects.filter(key=d.code, topic=SYNC).order_by("-id").first().payload["data"][0]
    assert record["TrangThaiHoSo"] == 4
    # The specialist finds it in their box and hands it over again.
    assert d.code in {x.code for x in q.inbox(w.specialist_a, q.Box.TO_PROCESS).items}
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=5)
    assert d.current_step.code == "trinh-ky"
    call_command("dossiers", "rebuild", "--verify", stdout=io.StringIO(), stderr=io.StringIO())


def test_send_back_to_a_chosen_earlier_step_and_its_refusals(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        assert Action.SEND_BACK not in offered(w.intake_a, d)  # received, at the first step
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1)
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=2)
        with nothing_written(), pytest.raises(InvalidDossierInput) as caught:
            s.send_back(d.code, by=w.leader_a, expected_version=3, reason="  ")
        assert caught.value.code == "reason_required" and caught.value.status == 422
        for wrong in ("ky-ban-hanh", "khong-co"):  # a later step, an unknown one
            with nothing_written(), pytest.raises(InvalidDossierInput) as caught:
                s.send_back(d.code, by=w.leader_a, expected_version=3, reason="Sai", to_step=wrong)
            assert caught.value.code == "step_invalid"
            assert "“Bước tham-dinh”, “Bước tiep-nhan”" in caught.value.message
        with nothing_written(), pytest.raises(DossierForbidden):  # the specialist's step is behind them
            s.send_back(d.code, by=w.specialist_a, expected_version=3, reason="Sai")
        # Back to the one-stop desk, to the officer who received it.
        d = s.send_back(d.code, by=w.leader_a, expected_version=3, reason="Bổ sung ảnh", to_step="tiep-nhan")
        assert (d.state, d.current_step.code, d.assignee) == ("in_progress", "tiep-nhan", w.intake_a)
        assert Action.SEND_BACK not in offered(w.intake_a, d)  # nothing before the first step
        with nothing_written(), pytest.raises(DossierConflict) as caught:
            s.send_back(d.code, by=w.intake_a, expected_version=4, reason="Sai")
        assert caught.value.code == "dossier_no_earlier_step"
        d = s.hand_over(d.code, by=w.intake_a, expected_version=4)
    assert d.current_step.code == "tham-dinh"


# -- a stale version is 409, whatever the permission ------------------------------------------------


def test_a_stale_version_is_409_whatever_the_permission_outcome(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = to_signing(w)  # version 4
        attempts = [
            lambda: s.mark_result_ready(d.code, by=w.clerk_a, expected_version=3),  # not their step
            lambda: s.hand_over(d.code, by=w.specialist_a, expected_version=3),
            lambda: s.request_supplement(d.code, by=w.intake_a, expected_version=3, items=["A"], reasons="B"),
            lambda: s.reset_due(
                d.code, by=w.specialist_a, expected_version=3, reason="Chậm", new_due=date(2026, 3, 16)
            ),
            lambda: s.send_back(d.code, by=w.clerk_a, expected_version=3, reason="Sai"),
            lambda: s.mark_result_ready(d.code, by=w.head_a, expected_version=3),  # allowed, but stale
        ]
        for call in attempts:
            with nothing_written(), pytest.raises(StaleDossier) as caught:
                call()
            assert caught.value.status == 409 and caught.value.code == "dossier_stale"
        # With the current version, the permission decides; a dossier out of sight stays unrevealed.
        with pytest.raises(DossierForbidden):
            s.mark_result_ready(d.code, by=w.clerk_a, expected_version=4)
        with pytest.raises(DossierNotFound):
            s.mark_result_ready(d.code, by=w.intake_b, expected_version=3)


# -- no dossier for a unit where a step has nobody -------------------------------------------------


def receive_at_b(w, **kw):
    """A counter receipt for ward B, which has no division leader, agency leader or clerk."""
    return s.receive_at_counter(
        by=w.intake_b,
        applicant=w.person,
        procedure=w.procedure,
        receiving_unit=w.ward_b,
        competent_unit=kw.pop("competent_unit", w.ward_b),
        components=df.all_components(w),
        **kw,
    )


def test_intake_refuses_a_competent_unit_where_a_step_has_nobody(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        with nothing_written(), pytest.raises(InvalidDossierInput) as caught:
            receive_at_b(w)
        error = caught.value
        assert (error.status, error.code) == (422, "step_unstaffed")
        assert error.message == (
            "Phường Lê Chân chưa có ai giữ vai trò “Lãnh đạo phòng” để thực hiện bước “Bước trinh-ky” "
            "của thủ tục 1.001193 ngày 09/03/2026, nên chưa thể nhận hồ sơ giao cho đơn vị này. Hãy chọn "
            "đơn vị giải quyết khác, hoặc đề nghị quản trị hệ thống phân công người giữ vai trò đó."
        )
        assert error.details == {
            "field": "competent_unit",
            "step": "trinh-ky",
            "role": "unit_leader",
            "unit": "plc",
        }
        assert not DailySequence.objects.exists()  # no number spent
        # A division leader of the city who covers only the city's own unit does not count; one who
        # covers the units below does — then the agency leader's step is the one missing.
        narrow = df.staff(Role.UNIT_LEADER, w.province, "lanhdao_hep")
        RoleAssignment.objects.filter(user=narrow).update(include_subunits=False)
        with pytest.raises(InvalidDossierInput, match="“Lãnh đạo phòng”"):
            receive_at_b(w)
        df.staff(Role.UNIT_LEADER, w.province, "lanhdao_tp")
        with pytest.raises(
            InvalidDossierInput, match="“Lãnh đạo cơ quan” để thực hiện bước “Bước ky-ban-hanh”"
        ):
            receive_at_b(w)
        # Nobody who left or whose assignment ended holds a step.
        gone = df.staff(Role.AGENCY_LEADER, w.ward_b, "chutich_b_cu")
        gone.is_active = False
        gone.save()
        ended = df.staff(Role.AGENCY_LEADER, w.ward_b, "chutich_b_het")
        RoleAssignment.objects.filter(user=ended).update(valid_to=date(2026, 3, 9))
        with pytest.raises(InvalidDossierInput, match="Lãnh đạo cơ quan"):
            receive_at_b(w)
        # Routed to a fully staffed ward, the same receipt is accepted.
        d = receive_at_b(w, competent_unit=w.ward_a)
    assert d.state == "received" and d.competent_unit == w.ward_a


def test_online_submission_and_acceptance_check_the_steps_too(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        with nothing_written(), pytest.raises(InvalidDossierInput) as caught:
            s.submit_online(
                applicant=w.person,
                procedure=w.procedure,
                receiving_unit=w.ward_b,
                competent_unit=w.ward_b,
                components=df.all_components(w),
            )
        assert caught.value.code == "step_unstaffed"
        online = df.submit(w)
        # The ward's chairman leaves before the dossier is accepted: it would wait for ever at signing.
        RoleAssignment.objects.filter(user=w.head_a).update(valid_to=date(2026, 3, 9))
        assert Action.ACCEPT_ONLINE not in offered(w.intake_a, online)
        assert Action.REFUSE_AT_INTAKE in offered(w.intake_a, online)
        with nothing_written(), pytest.raises(InvalidDossierInput, match="Lãnh đạo cơ quan"):
            s.accept_online(online.code, by=w.intake_a, expected_version=1)


def test_leaders_see_the_dossiers_nobody_can_handle(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        staffed = df.receive(w)
        staffed = s.hand_over(staffed.code, by=w.intake_a, expected_version=1)
        to_approve = df.receive(w)
        to_approve = s.hand_over(to_approve.code, by=w.intake_a, expected_version=1)
        to_approve = s.hand_over(to_approve.code, by=w.specialist_a, expected_version=2)
        assigned = df.receive(w)
        assigned = s.hand_over(assigned.code, by=w.intake_a, expected_version=1, assignee=w.specialist_a2)
        assert q.inbox(w.head_a, q.Box.UNHANDLED).items == []
        # The division leader's assignment ends; the second specialist leaves the service.
        RoleAssignment.objects.filter(user=w.leader_a).update(valid_to=date(2026, 3, 9))
        w.specialist_a2.is_active = False
        w.specialist_a2.save()
        listed = {d.code for d in q.inbox(w.head_a, q.Box.UNHANDLED).items}
        assert listed == {to_approve.code, assigned.code}
        assert q.box_counts(w.head_a)[q.Box.UNHANDLED] == 2
        access = q.user_access(w.head_a)
        assert q.Box.UNHANDLED in q.offered_boxes(access)
        assert q.Box.UNHANDLED not in q.offered_boxes(q.user_access(w.specialist_a))
        assert q.inbox(w.supervisor, q.Box.UNHANDLED).items == []  # a supervisor leads no unit
        assert staffed.code not in listed
        # Named again, the dossier leaves the box.
        s.assign(assigned.code, by=w.head_a, expected_version=2, assignee=w.specialist_a)
        assert {d.code for d in q.inbox(w.head_a, q.Box.UNHANDLED).items} == {to_approve.code}


def test_the_table_never_lets_a_role_act_at_a_step_it_does_not_hold():
    """Moving the dossier along (hand over, send back, result ready) is the current step's holder's only."""
    for action in (Action.HAND_OVER, Action.SEND_BACK, Action.MARK_RESULT_READY):
        for step in rules.STEP_ROLES:
            for role in rules.STEP_ROLES:
                expected = {rules.Side.STEP} if role == step else set()
                assert rules.permitted(action, role, step) == expected, (action, step, role)
