"""The use cases that stop, extend or wait on the clock: supplements, consultation between units,
and the apology with a new date.

Deadlines are worked out by hand on the calendar of 2026 described in this folder's ``conftest.py``.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from motcua.core.models import RuleVersion
from motcua.dossiers import services as s
from motcua.dossiers.models import Consultation, DossierEvent, DueReset, Supplement
from motcua.dossiers.rules import (
    DossierConflict,
    DossierForbidden,
    InvalidDossierInput,
)
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.dossiers.tests.ledger import nothing_written
from motcua.integrations.models import OutboxMessage

SYNC = "dvcqg.DongBoHoSoMC"  # the full record (the progress event is its own topic)

pytestmark = pytest.mark.django_db


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
    record = OutboxMessage.objects.filter(key=d.code, topic=SYNC).order_by("-id").first().payload["data"][0]
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
        record = (
            OutboxMessage.objects.filter(key=d.code, topic=SYNC).order_by("-id").first().payload["data"][0]
        )
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
