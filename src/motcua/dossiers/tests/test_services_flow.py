"""The dossier use cases end to end: the happy path, one event, audit entry and outbox row per
use case, the endings, and the workflow's boundaries.

Deadlines are worked out by hand on the calendar of 2026 described in this folder's ``conftest.py``.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from motcua.core.audit import verify_chain
from motcua.core.models import AuditEntry, Person
from motcua.dossiers import services as s
from motcua.dossiers.models import Consultation, DossierEvent
from motcua.dossiers.rules import (
    DossierConflict,
    DossierForbidden,
    DossierNotFound,
    InvalidDossierInput,
    TransitionNotAllowed,
)
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.dossiers.tests.ledger import history, nothing_written, one_of_each
from motcua.integrations.models import OutboxMessage

SYNC = "dvcqg.DongBoHoSoMC"  # the full record (the progress event is its own topic)

pytestmark = pytest.mark.django_db


# -- the happy path --------------------------------------------------------------------------------


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
    statuses = [
        m.payload["data"][0]["TrangThaiHoSo"] for m in OutboxMessage.objects.filter(key=d.code, topic=SYNC)
    ]
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


# -- endings ---------------------------------------------------------------------------------------


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
