"""The dossier use cases, with deadlines worked out by hand on the statutory calendar of 2026.

Office hours 07:30–11:30 and 13:30–17:00 (7.5 hours a day), cut-off 15:00. Days off used below:
Monday 27/04/2026 (Giỗ Tổ Hùng Vương, in lieu), Thursday 30/04 and Friday 01/05. March 2026 has none.
The test procedure takes 3 working days; its workflow: tiep-nhan (one-stop, 2 h) → tham-dinh
(specialist, 12 h) → trinh-ky (division leader, 6 h) → ky-ban-hanh (agency leader, 2 h) →
tra-ket-qua (one-stop, 0.5 h).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.audit import verify_chain
from motcua.core.models import AuditEntry, Person, RuleVersion
from motcua.dossiers import services as s
from motcua.dossiers.models import Consultation, DailySequence, Dossier, DossierEvent, DueReset, Supplement
from motcua.dossiers.rules import (
    DossierConflict,
    DossierForbidden,
    DossierNotFound,
    InvalidDossierInput,
    StaleDossier,
    TransitionNotAllowed,
)
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations.models import OutboxMessage
from motcua.workdays.models import CalendarOverride, OfficeHours

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return df.world()


def counts() -> tuple[int, int, int]:
    return DossierEvent.objects.count(), AuditEntry.objects.count(), OutboxMessage.objects.count()


@contextmanager
def one_of_each():
    """The block writes exactly one event, one audit entry and one outbox row."""
    before = counts()
    yield
    after = counts()
    assert tuple(b - a for a, b in zip(before, after, strict=True)) == (1, 1, 1)


@contextmanager
def nothing_written():
    before = counts()
    dossiers = list(Dossier.objects.values_list("pk", "lock_version", "state", "due_at"))
    yield
    assert counts() == before
    assert list(Dossier.objects.values_list("pk", "lock_version", "state", "due_at")) == dossiers


def history(dossier) -> list[tuple[str, int, str]]:
    return list(
        DossierEvent.objects.filter(dossier=dossier)
        .order_by("seq")
        .values_list("action", "national_status", "step_code")
    )


# -- the happy path ----------------------------------------------------------------------------------


def test_counter_to_return_happy_path(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(w)
        assert d.code == "000.11.01.H31-260309-0001"
        assert (d.state, d.national_status, d.current_step.code) == ("received", 2, "tiep-nhan")
        # Monday 09:00 before the cut-off: Tuesday, Wednesday, Thursday → Thursday 12/03 at 17:00.
        assert d.due_at == d.appointment_at == at(2026, 3, 12, 17, 0) and d.promised_at is None
        assert d.received_at == d.submitted_at == at(2026, 3, 9, 9, 0)
        assert d.lock_version == 1

        clock.move_to(at(2026, 3, 9, 9, 30))
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1)
        assert (d.state, d.national_status, d.current_step.code, d.assignee) == (
            "in_progress",
            4,
            "tham-dinh",
            None,
        )
        # The step has 12 working hours from Monday 09:30: Monday 2 + 3.5 h, Tuesday 4 h in the morning
        # and the last 2.5 h from 13:30 → Tuesday 16:00.
        assert d.step_due_at == at(2026, 3, 10, 16, 0)

        clock.move_to(at(2026, 3, 9, 10, 0))
        d = s.assign(d.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a)
        assert d.assignee == w.specialist_a

        clock.move_to(at(2026, 3, 10, 9, 0))
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=3)
        assert (d.current_step.code, d.assignee) == ("trinh-ky", None)

        clock.move_to(at(2026, 3, 10, 14, 0))
        d = s.hand_over(d.code, by=w.leader_a, expected_version=4, assignee=w.head_a)
        assert (d.current_step.code, d.assignee) == ("ky-ban-hanh", w.head_a)

        clock.move_to(at(2026, 3, 11, 8, 0))
        d = s.mark_result_ready(d.code, by=w.head_a, expected_version=5)
        assert (d.state, d.national_status, d.current_step.code) == ("result_ready", 9, "tra-ket-qua")
        assert d.finished_at == at(2026, 3, 11, 8, 0) and d.assignee is None

        clock.move_to(at(2026, 3, 11, 10, 0))
        d = s.return_result(d.code, by=w.intake_a, expected_version=6, notified=True)

    d = df.fresh(d)
    assert (d.state, d.national_status, d.current_step, d.lock_version) == ("returned", 10, None, 7)
    assert d.returned_at == at(2026, 3, 11, 10, 0)
    assert history(d) == [
        ("receive_at_counter", 2, "tiep-nhan"),
        ("hand_over", 4, "tham-dinh"),
        ("assign", 4, "tham-dinh"),
        ("hand_over", 4, "trinh-ky"),
        ("hand_over", 4, "ky-ban-hanh"),
        ("mark_result_ready", 9, "tra-ket-qua"),
        ("return_result", 10, ""),
    ]
    # Time per step (Mẫu 05): tham-dinh ran Monday 09:30 → Tuesday 09:00 = 2 + 3.5 + 1.5 = 7 working hours.
    closed = DossierEvent.objects.get(dossier=d, seq=4).data["closed_step"]
    assert closed == {
        "code": "tham-dinh",
        "started_at": "2026-03-09T09:30:00+07:00",
        "working_seconds": 7 * 3600,
        "allotted_seconds": 12 * 3600,
        "result": "early",
    }
    returned = DossierEvent.objects.get(dossier=d, seq=7)
    assert returned.data["early"] is True and returned.data["notified"] is True
    assert returned.actor == w.intake_a and returned.from_state == "result_ready"
    statuses = [m.payload["data"][0]["TrangThaiHoSo"] for m in OutboxMessage.objects.filter(key=d.code)]
    assert statuses == [2, 4, 4, 4, 4, 9, 10]
    assert verify_chain().ok


def test_every_use_case_writes_one_event_one_audit_entry_and_one_outbox_row(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        with one_of_each():
            online = df.submit(w)
        with one_of_each():
            s.accept_online(online.code, by=w.intake_a, expected_version=1)
        with one_of_each():
            refused = df.submit(w)
        with one_of_each():
            s.refuse_at_intake(
                refused.code, by=w.intake_a, expected_version=1, reasons="Sai cơ quan giải quyết"
            )
        with one_of_each():
            d = df.receive(w)
        with one_of_each():
            s.hand_over(d.code, by=w.intake_a, expected_version=1)
        with one_of_each():
            s.assign(d.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a)
        with one_of_each():
            s.request_supplement(
                d.code, by=w.specialist_a, expected_version=3, items=["Giấy chứng sinh"], reasons="Bản sao mờ"
            )
        with one_of_each():
            s.receive_supplement(d.code, by=w.intake_a, expected_version=4)
        with one_of_each():
            s.request_payment(
                d.code, by=w.specialist_a, expected_version=5, items=[s.FeeInput("Lệ phí trích lục", 8000)]
            )
        with one_of_each():
            s.confirm_payment(d.code, by=w.intake_a, expected_version=6, receipt_ref="BL-01", online=True)
        with one_of_each():
            s.request_consultation(
                d.code,
                by=w.specialist_a,
                expected_version=7,
                targets=[s.ConsultationTarget(w.justice, 1)],
                question="Đề nghị cho ý kiến",
            )
        consultation = Consultation.objects.get(dossier=d)
        with one_of_each():
            s.answer_consultation(
                d.code, consultation.pk, by=w.justice_specialist, expected_version=8, answer="Đồng ý"
            )
        with one_of_each():
            s.reset_due(
                d.code, by=w.leader_a, expected_version=9, reason="Chờ xác minh", new_due=date(2026, 3, 27)
            )
        for step_by, version in ((w.specialist_a, 10), (w.leader_a, 11)):
            with one_of_each():
                s.hand_over(d.code, by=step_by, expected_version=version)
        with one_of_each():
            s.mark_result_ready(d.code, by=w.head_a, expected_version=12)
        with one_of_each():
            s.return_result(d.code, by=w.intake_a, expected_version=13)

        clock.move_to(at(2026, 3, 10, 9, 0))
        stopped = df.receive(w)
        with one_of_each():
            s.stop(
                stopped.code, by=w.leader_a, expected_version=1, reasons="Người nộp đã mất năng lực hành vi"
            )
        withdrawn = df.receive(w)
        with one_of_each():
            s.withdraw(withdrawn.code, applicant=w.person, expected_version=1, reason="Không còn nhu cầu")
        by_counter = df.receive(w)
        with one_of_each():
            s.withdraw(by_counter.code, by=w.intake_a, expected_version=1, reason="Đơn xin rút ngày 10/3")
        appraised = df.receive(w)
        with one_of_each():
            s.refuse_after_appraisal(
                appraised.code, by=w.head_a, expected_version=1, reasons="Không đủ điều kiện đăng ký"
            )

    assert df.fresh(d).state == "returned" and df.fresh(d).paid_online
    entry = AuditEntry.objects.filter(action="dossier.reset_due").get()
    assert entry.object_id == d.code and entry.actor_id == w.leader_a.pk
    assert verify_chain().ok


# -- supplements: restart (NĐ 61/2018 Điều 19.4) or shift ------------------------------------------


def _supplemented(w):
    """Received Monday 20/04/2026 09:00 (due Thursday 23/04 17:00); supplement asked Tuesday 21/04 10:00
    and received Friday 24/04 at 16:00, after the cut-off."""
    with time_machine.travel(at(2026, 4, 20, 9, 0), tick=False) as clock:
        d = df.receive(w)
        assert d.due_at == at(2026, 4, 23, 17, 0)
        clock.move_to(at(2026, 4, 21, 10, 0))
        d = s.request_supplement(
            d.code,
            by=w.specialist_a,
            expected_version=1,
            items=["Giấy chứng sinh (bản sao)"],
            reasons="Bản sao mờ",
        )
        assert (d.state, d.national_status) == ("awaiting_supplement", 5)
        clock.move_to(at(2026, 4, 24, 16, 0))
        return s.receive_supplement(d.code, by=w.intake_a, expected_version=2, note="Đã nhận đủ")


def test_supplement_restarts_the_time_limit_by_default(w):
    d = _supplemented(w)
    # After 15:00 on Friday 24/04 → counts from Tuesday 28/04 (Monday 27/04 is off); three working days:
    # Wednesday 29/04, (30/04 and 01/05 off) Monday 04/05, Tuesday 05/05 → 05/05/2026 at 17:00.
    assert d.due_at == d.appointment_at == at(2026, 5, 5, 17, 0)
    assert (d.state, d.national_status) == ("in_progress", 4)
    supplement = Supplement.objects.get(dossier=d)
    assert supplement.mode == "restart" and supplement.received_by == w.intake_a
    assert supplement.due_before == at(2026, 4, 23, 17, 0) and supplement.due_after == at(2026, 5, 5, 17, 0)
    record = OutboxMessage.objects.filter(key=d.code).order_by("-id").first().payload["data"][0]
    assert record["DanhSachHoSoBoSung"][0]["NgayHenTraMoi"] == "20260505170000"
    assert record["DanhSachHoSoBoSung"][0]["NgayTiepNhanBoSung"] == "20260424160000"


def test_supplement_shifts_the_due_moment_when_the_rule_says_so(w):
    RuleVersion.objects.create(key="workdays.supplement_mode", effective_from=date(2026, 1, 1), value="shift")
    d = _supplemented(w)
    # Waited Tuesday 10:00–17:00 (5 h), Wednesday and Thursday (15 h), Friday until 16:00 (6.5 h):
    # 26.5 office hours after Thursday 23/04 17:00 → Friday 7.5, Tuesday 28/04 15, Wednesday 22.5,
    # and 4 hours on Monday 04/05 → 11:30.
    assert d.due_at == d.appointment_at == at(2026, 5, 4, 11, 30)
    assert Supplement.objects.get(dossier=d).mode == "shift"


def test_supplement_is_refused_after_three_working_days(w):
    with time_machine.travel(at(2026, 4, 24, 9, 0), tick=False) as clock:
        late, in_time = df.receive(w), df.receive(w)
        # Friday 24/04: the window runs Tuesday 28/04, Wednesday 29/04 and Monday 04/05 until 17:00.
        clock.move_to(at(2026, 5, 5, 8, 0))
        with nothing_written(), pytest.raises(DossierConflict) as caught:
            s.request_supplement(
                late.code, by=w.specialist_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu"
            )
        assert caught.value.code == "supplement_window_closed" and caught.value.status == 409
        assert "3 ngày làm việc" in caught.value.message and "17:00 04/05/2026" in caught.value.message
        assert not Supplement.objects.exists()
        clock.move_to(at(2026, 5, 4, 16, 59))
        s.request_supplement(
            in_time.code, by=w.specialist_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu"
        )


def test_supplement_needs_items_and_reasons_and_only_the_processing_unit_asks(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        with nothing_written(), pytest.raises(InvalidDossierInput) as caught:
            s.request_supplement(d.code, by=w.specialist_a, expected_version=1, items=[" "], reasons="Thiếu")
        assert caught.value.code == "items_required" and caught.value.status == 422
        with pytest.raises(InvalidDossierInput, match="lý do"):
            s.request_supplement(d.code, by=w.specialist_a, expected_version=1, items=["Tờ khai"], reasons="")
        with pytest.raises(DossierForbidden):
            s.request_supplement(
                d.code, by=w.intake_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu"
            )


# -- consultation (liên thông) ---------------------------------------------------------------------


def test_paper_dossier_consults_in_turn_each_with_its_deadline(w):
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False) as clock:
        d = df.receive(w)
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1, assignee=w.specialist_a)
        targets = [s.ConsultationTarget(w.justice, 2), s.ConsultationTarget(w.police, 2)]
        d = s.request_consultation(
            d.code, by=w.specialist_a, expected_version=2, targets=targets, question="Xác minh nhân thân"
        )
        first, second = Consultation.objects.filter(dossier=d).order_by("order")
        # Paper: in turn. Justice: Wednesday, Thursday → 12/03 17:00; police: Friday, Monday → 16/03 17:00.
        assert (first.mode, first.due_at, second.due_at) == (
            "sequential",
            at(2026, 3, 12, 17, 0),
            at(2026, 3, 16, 17, 0),
        )
        assert (d.state, d.lock_version) == ("in_progress", 3)  # the state does not change
        with pytest.raises(DossierConflict) as caught:
            s.answer_consultation(
                d.code, second.pk, by=w.police_specialist, expected_version=3, answer="Đã xác minh"
            )
        assert caught.value.code == "consultation_out_of_order" and "Sở Tư pháp" in caught.value.message
        clock.move_to(at(2026, 3, 12, 10, 0))
        s.answer_consultation(
            d.code, first.pk, by=w.justice_specialist, expected_version=3, answer="Không vướng"
        )
        clock.move_to(at(2026, 3, 17, 8, 0))
        d = s.answer_consultation(
            d.code, second.pk, by=w.police_specialist, expected_version=4, answer="Đã xác minh"
        )
    second.refresh_from_db()
    assert second.answer == "Đã xác minh" and second.answered_by == w.police_specialist
    assert DossierEvent.objects.get(dossier=d, seq=5).data["late"] is True  # answered after 16/03 17:00


def test_result_waits_for_every_consulted_unit(w):
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        d = df.receive(w)
        for by, version in ((w.intake_a, 1), (w.specialist_a, 2), (w.leader_a, 3)):
            d = s.hand_over(d.code, by=by, expected_version=version)
        d = s.request_consultation(
            d.code,
            by=w.head_a,
            expected_version=4,
            targets=[s.ConsultationTarget(w.justice, 1)],
            question="Ý kiến trước khi ký",
        )
        # Staff of the consulted unit see the dossier, and may answer but nothing else.
        assert s.actions_for(w.justice_specialist, d) == ["answer_consultation"]
        with nothing_written(), pytest.raises(DossierConflict) as caught:
            s.mark_result_ready(d.code, by=w.head_a, expected_version=5)
        assert caught.value.code == "consultation_pending" and "Sở Tư pháp" in caught.value.message


def test_online_dossier_consults_in_parallel(w):
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        d = df.submit(w)
        d = s.accept_online(d.code, by=w.intake_a, expected_version=1)
        d = s.hand_over(d.code, by=w.intake_a, expected_version=2)
        targets = [s.ConsultationTarget(w.justice, 2), s.ConsultationTarget(w.police, 2)]
        d = s.request_consultation(
            d.code, by=w.specialist_a, expected_version=3, targets=targets, question="Ý kiến"
        )
        dues = list(Consultation.objects.filter(dossier=d).values_list("mode", "due_at"))
        assert dues == [("parallel", at(2026, 3, 12, 17, 0))] * 2
        police = Consultation.objects.get(dossier=d, unit=w.police)
        s.answer_consultation(d.code, police.pk, by=w.police_specialist, expected_version=4, answer="Đồng ý")
        # A consulted unit answers only its own question.
        justice = Consultation.objects.get(dossier=d, unit=w.justice)
        with pytest.raises(DossierForbidden):
            s.answer_consultation(
                d.code, justice.pk, by=w.police_specialist, expected_version=5, answer="Thay"
            )
        with pytest.raises(DossierConflict, match="đã trả lời"):
            s.answer_consultation(
                d.code, police.pk, by=w.police_specialist, expected_version=5, answer="Lần 2"
            )


# -- apology and new date (Điều 19.9) --------------------------------------------------------------


def test_apology_is_allowed_once_and_keeps_the_original_due(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(w)  # due Thursday 12/03 17:00
        clock.move_to(at(2026, 3, 11, 10, 0))  # Wednesday: one working day before
        d = s.reset_due(
            d.code,
            by=w.leader_a,
            expected_version=1,
            reason="Chờ kết quả xác minh",
            new_due=date(2026, 3, 16),
        )
        # the statutory due stays; the new date is the one promised to the citizen (and sent as NgayHenTra)
        assert d.due_at == at(2026, 3, 12, 17, 0) and d.promised_at == at(2026, 3, 16, 17, 0)
        assert d.appointment_at == at(2026, 3, 16, 17, 0)
        assert d.events.get(seq=2).due_at == at(2026, 3, 12, 17, 0)
        record = OutboxMessage.objects.filter(key=d.code).order_by("-id").first().payload["data"][0]
        assert record["NgayHenTra"] == "20260316170000"
        assert d.state == "received" and d.national_status == 2
        reset = DueReset.objects.get(dossier=d)
        assert (reset.old_due, reset.new_due, reset.by) == (
            at(2026, 3, 12, 17, 0),
            at(2026, 3, 16, 17, 0),
            w.leader_a,
        )
        clock.move_to(at(2026, 3, 12, 9, 0))  # still well before the new date
        with nothing_written(), pytest.raises(DossierConflict) as caught:
            s.reset_due(
                d.code, by=w.leader_a, expected_version=2, reason="Lần nữa", new_due=date(2026, 3, 20)
            )
        assert caught.value.code == "due_reset_limit" and "1 lần" in caught.value.message


def test_apology_is_refused_too_late_and_needs_a_reason_and_a_later_date(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(w)  # due Thursday 12/03 17:00
        with pytest.raises(InvalidDossierInput) as caught:
            s.reset_due(d.code, by=w.leader_a, expected_version=1, reason=" ", new_due=date(2026, 3, 16))
        assert caught.value.code == "reason_required"
        with pytest.raises(InvalidDossierInput) as caught:
            s.reset_due(d.code, by=w.leader_a, expected_version=1, reason="Chậm", new_due=date(2026, 3, 11))
        assert caught.value.code == "new_due_not_later"
        with pytest.raises(InvalidDossierInput) as caught:  # Saturday: not a working day
            s.reset_due(d.code, by=w.leader_a, expected_version=1, reason="Chậm", new_due=date(2026, 3, 14))
        assert caught.value.code == "new_due_invalid"
        clock.move_to(at(2026, 3, 12, 8, 0))  # the due day itself
        with nothing_written(), pytest.raises(DossierConflict) as caught:
            s.reset_due(d.code, by=w.leader_a, expected_version=1, reason="Chậm", new_due=date(2026, 3, 16))
        assert caught.value.code == "due_reset_too_late" and "1 ngày làm việc" in caught.value.message
        assert not DueReset.objects.exists()


# -- endings -----------------------------------------------------------------------------------------


def test_withdrawal_by_the_citizen_then_stop(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.submit(w)
        other = Person.objects.create(citizen_id="031090000456", full_name="Trần Văn Bình")
        with pytest.raises(DossierNotFound):
            s.withdraw(d.code, applicant=other, expected_version=1, reason="Không phải hồ sơ của tôi")
        d = s.withdraw(d.code, applicant=w.person, expected_version=1, reason="Nộp nhầm thủ tục")
        assert (d.state, d.national_status, d.finished_at) == ("withdrawn", 7, at(2026, 3, 9, 9, 0))
        event = DossierEvent.objects.get(dossier=d, seq=2)
        assert event.actor is None and "Nguyễn Thị Hồng Nhung" in event.actor_label
        d = s.stop(d.code, by=w.leader_a, expected_version=2, reasons="Công dân rút hồ sơ")
        assert (d.state, d.national_status) == ("stopped", 8)
        with pytest.raises(InvalidDossierInput):
            s.withdraw(d.code, expected_version=3, reason="x")  # neither the applicant nor an officer


def test_refusals_need_reasons_and_refusal_after_appraisal_only_before_due(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        online = df.submit(w)
        with pytest.raises(InvalidDossierInput) as caught:
            s.refuse_at_intake(online.code, by=w.intake_a, expected_version=1, reasons="")
        assert caught.value.code == "reasons_required"
        online = s.refuse_at_intake(
            online.code, by=w.intake_a, expected_version=1, reasons="Không thuộc thẩm quyền"
        )
        assert (online.state, online.national_status, online.received_at) == ("refused_at_intake", 3, None)

        d = df.receive(w)  # due Thursday 12/03 17:00
        with pytest.raises(DossierForbidden):  # a specialist proposes, a leader signs the refusal
            s.refuse_after_appraisal(
                d.code, by=w.specialist_a, expected_version=1, reasons="Không đủ điều kiện"
            )
        clock.move_to(at(2026, 3, 12, 17, 1))
        with nothing_written(), pytest.raises(DossierConflict) as caught:
            s.refuse_after_appraisal(d.code, by=w.head_a, expected_version=1, reasons="Không đủ điều kiện")
        assert caught.value.code == "refusal_after_due"
        clock.move_to(at(2026, 3, 12, 16, 59))
        d = s.refuse_after_appraisal(d.code, by=w.head_a, expected_version=1, reasons="Không đủ điều kiện")
        assert (d.state, d.national_status, d.finished_at) == (
            "refused_after_appraisal",
            8,
            at(2026, 3, 12, 16, 59),
        )


def test_wrong_transitions_are_conflicts_with_a_vietnamese_message(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        with nothing_written(), pytest.raises(TransitionNotAllowed) as caught:
            s.return_result(d.code, by=w.intake_a, expected_version=1)
        assert caught.value.status == 409
        assert caught.value.message.startswith(
            "Không thể “trả kết quả” khi hồ sơ đang ở trạng thái “Đã tiếp nhận”"
        )
        with pytest.raises(TransitionNotAllowed):
            s.accept_online(d.code, by=w.intake_a, expected_version=1)
        with pytest.raises(TransitionNotAllowed):
            s.receive_supplement(d.code, by=w.intake_a, expected_version=1)
        d = s.stop(d.code, by=w.leader_a, expected_version=1, reasons="Dừng")
        with pytest.raises(TransitionNotAllowed, match="Dừng xử lý"):
            s.refuse_after_appraisal(d.code, by=w.leader_a, expected_version=2, reasons="Không đủ điều kiện")


def test_workflow_boundaries(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        with pytest.raises(DossierConflict) as caught:  # the holder of the intake step, steps ahead
            s.mark_result_ready(d.code, by=w.intake_a, expected_version=1)
        assert caught.value.code == "dossier_steps_remaining" and "Bước tham-dinh" in caught.value.message
        for by, version in ((w.intake_a, 1), (w.specialist_a, 2), (w.leader_a, 3)):
            d = s.hand_over(d.code, by=by, expected_version=version)
        assert d.current_step.code == "ky-ban-hanh"
        with pytest.raises(DossierConflict) as caught:  # the return step is reached by "result ready"
            s.hand_over(d.code, by=w.head_a, expected_version=4)
        assert caught.value.code == "dossier_no_next_step"
        with pytest.raises(InvalidDossierInput) as caught:  # wrong ward
            s.assign(d.code, by=w.head_a, expected_version=4, assignee=w.specialist_b)
        assert caught.value.code == "assignee_invalid"
        with pytest.raises(InvalidDossierInput):  # right ward, wrong role for the signing step
            s.assign(d.code, by=w.head_a, expected_version=4, assignee=w.specialist_a)


# -- permissions -------------------------------------------------------------------------------------


def test_an_officer_of_another_ward_can_neither_act_on_nor_see_the_dossier(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        for call in (
            lambda: s.hand_over(d.code, by=w.intake_b, expected_version=1),
            lambda: s.request_supplement(
                d.code, by=w.specialist_b, expected_version=1, items=["x"], reasons="y"
            ),
            lambda: s.stop(d.code, by=w.specialist_b, expected_version=1, reasons="y"),
        ):
            with nothing_written(), pytest.raises(DossierNotFound) as caught:
                call()
            assert caught.value.status == 404
        # …and cannot receive at the other ward's counter either.
        with pytest.raises(DossierForbidden) as forbidden:
            df.receive(w, by=w.intake_b)
        assert forbidden.value.status == 403
        # Inside the ward, the wrong role is forbidden (403), not hidden.
        with pytest.raises(DossierForbidden):
            s.hand_over(d.code, by=w.specialist_a, expected_version=1)  # the step belongs to the one-stop
        # The supervisor sees the province but holds no processing role.
        with pytest.raises(DossierForbidden):
            s.stop(d.code, by=w.supervisor, expected_version=1, reasons="Giám sát")
        assert s.actions_for(w.intake_b, d) == []
        assert "hand_over" in s.actions_for(w.intake_a, d)


def test_receipt_may_be_routed_to_another_unit_regardless_of_boundaries(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w, unit=w.ward_b, competent_unit=w.ward_a)
        assert d.code.startswith("000.11.02.H31-260309-")  # the receiving unit's code
        d = s.hand_over(d.code, by=w.intake_b, expected_version=1)  # the one-stop step is ward B's
        d = s.assign(d.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a)
        assert d.assignee == w.specialist_a
        record = OutboxMessage.objects.filter(key=d.code).last().payload["data"][0]
        assert record["MaDonVi"] == "000.11.01.H31" and record["DonViXuLy"] == "Phường An Biên"


# -- optimistic concurrency --------------------------------------------------------------------------


def test_two_actions_on_the_same_version_apply_once(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        s.hand_over(d.code, by=w.intake_a, expected_version=1)
        with nothing_written(), pytest.raises(StaleDossier) as caught:
            s.hand_over(d.code, by=w.intake_a, expected_version=1)
        assert caught.value.status == 409 and caught.value.code == "dossier_stale"
        assert caught.value.message.startswith("Hồ sơ vừa được người khác cập nhật")
    assert DossierEvent.objects.filter(dossier=d).count() == 2
    assert df.fresh(d).lock_version == 2


def test_a_stale_write_is_refused_even_after_the_checks_passed(w):
    """The UPDATE … WHERE lock_version guard, not only the early comparison, protects the row."""
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        original = s._check_version

        def concurrent_writer_sneaks_in(dossier, expected):
            original(dossier, expected)
            Dossier.objects.filter(pk=dossier.pk).update(lock_version=5)

        s._check_version = concurrent_writer_sneaks_in
        try:
            with pytest.raises(StaleDossier):
                s.hand_over(d.code, by=w.intake_a, expected_version=1)
        finally:
            s._check_version = original
    assert DossierEvent.objects.filter(dossier=d).count() == 1


# -- intake checks and codes -------------------------------------------------------------------------


def test_intake_validates_components_and_the_applicant_id(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        components = df.all_components(w)
        with nothing_written(), pytest.raises(InvalidDossierInput) as caught:
            df.receive(w, components=[components[1]])
        assert (
            caught.value.code == "components_missing" and "Tờ khai đăng ký khai sinh" in caught.value.message
        )
        wrong = Person.objects.create(citizen_id="999085000123", full_name="Sai Mã Tỉnh")
        with pytest.raises(InvalidDossierInput) as caught:
            df.receive(w, applicant=wrong)
        assert caught.value.code == "applicant_id_invalid" and caught.value.status == 422
        assert not DailySequence.objects.exists()  # no number was spent on refused receipts
        d = df.receive(w, applicant=w.organisation)
        assert (d.applicant_organisation, d.applicant_person, d.applicant_type) == (w.organisation, None, 2)
        assert d.components.count() == 2 and d.fees.get().amount_vnd == 8000


def test_codes_follow_the_unit_and_day_and_the_rule_in_force(w):
    RuleVersion.objects.create(
        key="dossiers.code_format", effective_from=date(2026, 7, 1), value="{unit_code}-{YYYYMMDD}-{NNNNNNN}"
    )
    with time_machine.travel(at(2026, 6, 30, 9, 0), tick=False) as clock:
        codes = [df.receive(w).code, df.receive(w).code, df.receive(w, unit=w.ward_b).code]
        clock.move_to(at(2026, 7, 1, 9, 0))
        codes.append(df.receive(w).code)
    assert codes == [
        "000.11.01.H31-260630-0001",
        "000.11.01.H31-260630-0002",
        "000.11.02.H31-260630-0001",
        "000.11.01.H31-20260701-0000001",
    ]


def test_online_acceptance_counts_from_the_next_opening(w):
    with time_machine.travel(at(2026, 3, 7, 10, 0), tick=False) as clock:  # Saturday
        weekend = df.submit(w)
        evening = df.submit(w)
        assert weekend.due_at is None and weekend.national_status == 1
        weekend = s.accept_online(weekend.code, by=w.intake_a, expected_version=1)
        # Accepted on Saturday: counts from Monday 09/03 07:30 → Thursday 12/03 17:00.
        assert weekend.received_at == at(2026, 3, 7, 10, 0) and weekend.due_at == at(2026, 3, 12, 17, 0)
        clock.move_to(at(2026, 3, 9, 16, 0))  # Monday after the paper cut-off, inside office hours
        evening = s.accept_online(evening.code, by=w.intake_a, expected_version=1)
        assert evening.due_at == at(2026, 3, 12, 17, 0)
    RuleVersion.objects.create(
        key="workdays.online_received", effective_from=date(2026, 3, 10), value="cutoff"
    )
    with time_machine.travel(at(2026, 3, 10, 16, 0), tick=False):  # Tuesday 16:00 with the cut-off
        late = s.accept_online(df.submit(w).code, by=w.intake_a, expected_version=1)
        assert late.due_at == at(2026, 3, 16, 17, 0)  # counts from Wednesday: Thursday, Friday, Monday


def test_nothing_is_half_stored_when_a_late_step_fails(w, monkeypatch):
    def outbox_down(*args, **kwargs):
        raise RuntimeError("outbox table unavailable")

    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        monkeypatch.setattr(s, "enqueue", outbox_down)
        with nothing_written(), pytest.raises(RuntimeError):
            df.receive(w)
        with nothing_written(), pytest.raises(RuntimeError):
            s.request_supplement(
                d.code, by=w.specialist_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu"
            )
    assert DailySequence.objects.get().last_value == 1  # the failed receipt's number was not spent
    assert not Supplement.objects.exists() and Dossier.objects.count() == 1


def test_history_is_append_only(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
    event = DossierEvent.objects.get(dossier=d)
    event.data = {"sửa": True}
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(dossier=d).update(action="x")
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(dossier=d).delete()


# -- cost of a counter receipt, and the reference-data cache behind it --------------------------------


def statements(call) -> list[str]:
    """The SQL statements ``call()`` runs, reduced to their first words."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [" ".join(q["sql"].split()[:3]) for q in ctx.captured_queries]


def test_a_counter_receipt_runs_a_fixed_small_number_of_statements(w):
    """Pinned: the permission query (which also brings the cache token), the staffing of the workflow's
    steps (one query: nobody may be sent a dossier that would wait at a step nobody can do), the daily
    serial, the dossier with its components, fees and event, the audit head and entry, the outbox row —
    and nothing that reads the catalogue, the calendar or the rules, which come from the process cache."""
    components = df.all_components(w)
    three = [*components, s.ComponentInput(name="Ảnh chân dung", kind="copy")]
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        df.receive(w)  # fills the cache
        run = statements(lambda: df.receive(w, components=components))
        more = statements(lambda: df.receive(w, components=three))
    tables = " ".join(run)
    for cached in ("catalogue_", "workdays_", "core_ruleversion", 'core_orgunit" WHERE'):
        assert cached not in tables, run
    # The test runs inside a transaction, so the use case's own is a SAVEPOINT … RELEASE pair, where a
    # real request has BEGIN … COMMIT: the same count.
    if connection.vendor == "postgresql":
        # Begin; roles + token; staffing; serial; the dossier with its components, fees and event (one
        # statement, whatever their number); head lock; entry + head; outbox; end.
        assert len(run) == 9, run
        assert len(more) == len(run), more
    else:
        # SQLite: one INSERT per component, and the audit entry and the head in two statements.
        assert len(run) == 14, run
        assert len(more) == len(run) + 1, more
    assert verify_chain().ok


def test_an_admin_change_to_the_calendar_or_the_rules_applies_to_the_next_receipt(w):
    def due() -> datetime:
        return df.receive(w).due_at

    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        # Monday 09:00, three working days: Thursday 12/03 at 17:00.
        assert due() == at(2026, 3, 12, 17, 0)
        holiday = CalendarOverride.objects.create(
            date=date(2026, 3, 11), kind="day_off", name="Nghỉ đột xuất"
        )
        assert due() == at(2026, 3, 13, 17, 0)
        holiday.delete()
        assert due() == at(2026, 3, 12, 17, 0)
        local = CalendarOverride.objects.create(
            date=date(2026, 3, 10), kind="day_off", name="Lễ hội phường", unit=w.ward_a
        )
        assert due() == at(2026, 3, 13, 17, 0)
        local.kind = "cancel_day_off"
        local.save()
        assert due() == at(2026, 3, 12, 17, 0)
        hours = OfficeHours.objects.create(
            unit=w.ward_a, effective_from=date(2026, 3, 1), windows=[["07:30", "11:30"], ["13:30", "16:00"]]
        )
        assert due() == at(2026, 3, 12, 16, 0)
        hours.delete()
        cutoff = RuleVersion.objects.create(
            key="workdays.cutoff", effective_from=date(2026, 3, 9), value="08:30"
        )
        assert due() == at(2026, 3, 13, 17, 0)  # 09:00 is after the 08:30 cut-off: counts from Tuesday
        cutoff.value = "15:00"
        cutoff.save()
        assert due() == at(2026, 3, 12, 17, 0)
        RuleVersion.objects.create(
            key="dossiers.code_format",
            effective_from=date(2026, 3, 9),
            value="{unit_code}/{YYYYMMDD}/{NNNNN}",
        )
        assert df.receive(w).code.startswith("000.11.01.H31/20260309/000")
    assert verify_chain().ok


def test_a_catalogue_change_applies_to_the_next_receipt(w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        first = df.receive(w)
        version = w.version
        version.time_limit_value = 5
        version.save()
        fee = version.fees.get()
        fee.amount_vnd = 10000
        fee.save()
        second = df.receive(w)
        extra = version.components.create(order=9, name="Giấy tờ mới bắt buộc", required=True)
        with pytest.raises(InvalidDossierInput) as caught:
            df.receive(
                w, components=[s.ComponentInput(component_id=c.pk) for c in version.components.all()][:2]
            )
        assert caught.value.code == "components_missing" and extra.name in caught.value.message
    assert first.due_at == at(2026, 3, 12, 17, 0) and second.due_at == at(2026, 3, 16, 17, 0)
    assert [f.amount_vnd for f in second.fees.all()] == [10000]
    assert first.fees.get().amount_vnd == 8000


def test_a_change_made_by_another_process_is_seen_through_the_generation_token(w):
    """Another process (the admin's web worker) commits an override with a new token. Here the same is
    written without signals, as that process's rows would appear: the token alone makes this process
    drop its cache."""
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        assert df.receive(w).due_at == at(2026, 3, 12, 17, 0)
        CalendarOverride.objects.bulk_create(
            [CalendarOverride(date=date(2026, 3, 11), kind="day_off", name="Nghỉ đột xuất")]
        )  # bulk_create sends no signal: this process's cache is still the old one
        assert df.receive(w).due_at == at(2026, 3, 12, 17, 0)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_cachegeneration SET token = %s WHERE id = 1", ["other-process"])
        assert df.receive(w).due_at == at(2026, 3, 13, 17, 0)
