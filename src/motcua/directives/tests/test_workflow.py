"""The work on a task: progress reports, completion and extension requests, the office's decisions,
deadline history — with role × unit permissions and scoping. The clock is frozen on Friday
27/11/2026; the plan (``factories.ROWS``) is dated 07/12/2022.

Task 1: lead Sở Tư pháp (the former Hải Dương one → Hải Phòng's), 30/9 every year;
task 2: lead "các sở, ban, ngành" and "UBND cấp xã", due 30/06/2027;
task 3: lead Sở Kế hoạch và Đầu tư (→ Sở Tài chính), due 31/12/2026;
task 4: lead Văn phòng UBND and Sở Tư pháp, no deadline; task 5: lead Sở Nội vụ, "theo tiến độ".
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from motcua.core.errors import Conflict, Forbidden, NotFound
from motcua.core.models import AuditEntry
from motcua.directives import selectors
from motcua.directives import services as s
from motcua.directives.models import CompletionRequest, DeadlineChange, Decision, ReportAttachment
from motcua.directives.services import InvalidInput
from motcua.directives.tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def w():
    with time_machine.travel(f.at(2026, 11, 27, 9), tick=False):
        world = f.world()
        world.document = f.imported(world)  # type: ignore[attr-defined]
        yield world


def task(w, number: str):
    return f.task(w.document, number)


def visible_numbers(user) -> set[str]:
    return set(selectors.visible(user).values_list("number", flat=True))


def test_each_unit_sees_the_tasks_it_leads_or_coordinates(w):
    assert visible_numbers(w.supervisor) == {"1", "2", "3", "4", "5"}  # the office sees everything
    assert visible_numbers(w.province_admin) == {"1", "2", "3", "4", "5"}
    assert visible_numbers(w.justice_specialist) == {"1", "2", "4"}  # by name (a successor) and "các sở"
    assert visible_numbers(w.finance_specialist) == {"2", "3"}
    assert visible_numbers(w.outsider) == {"2", "5"}
    assert visible_numbers(w.ward_specialist) == {
        "2",
        "5",
    }  # "UBND cấp xã" leads 2; "UBND cấp huyện" (→ wards) coordinates 5
    assert visible_numbers(w.ward_intake) == {"2", "5"}


def test_the_lead_unit_reports_progress_with_attachments(w, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        report = s.report_progress(
            w.justice_specialist,
            task(w, "1").pk,
            percent=40,
            text="Đã rà soát 12 thủ tục.",
            files=[SimpleUploadedFile("Báo cáo rà soát.pdf", PDF, content_type="application/pdf")],
        )
        attachment = ReportAttachment.objects.get(report=report)
        assert attachment.name == "Báo cáo rà soát.pdf" and attachment.size == len(PDF)
        assert "Báo cáo" not in attachment.file.name and attachment.file.name.endswith(
            ".pdf"
        )  # a random name on disk
        assert attachment.file.read() == PDF
    occurrence = task(w, "1").current
    assert (occurrence.progress, occurrence.last_report_at is not None) == (40, True)
    assert report.unit == w.justice  # the specialist of a division reports for the department
    assert AuditEntry.objects.filter(action="directives.report").count() == 1


def test_a_collective_lead_is_reported_by_each_covered_units_staff(w):
    report = s.report_progress(
        w.ward_specialist, task(w, "2").pk, percent=20, text="Phường đã số hóa 20% hồ sơ."
    )
    assert report.unit == w.ward
    assert (
        s.report_progress(w.finance_specialist, task(w, "2").pk, percent=30, text="Sở Tài chính: 30%.").unit
        == w.finance
    )


def test_who_may_not_report(w):
    with pytest.raises(NotFound):
        s.report_progress(
            w.outsider, task(w, "1").pk, percent=10, text="Không thuộc phạm vi."
        )  # existence not revealed
    with pytest.raises(Forbidden):
        s.report_progress(
            w.ward_specialist, task(w, "5").pk, percent=10, text="Chỉ phối hợp."
        )  # coordinating only
    with pytest.raises(Forbidden):
        s.report_progress(
            w.ward_intake, task(w, "2").pk, percent=10, text="Cán bộ một cửa."
        )  # not an acting role
    with pytest.raises(Forbidden):
        s.report_progress(w.supervisor, task(w, "1").pk, percent=10, text="Văn phòng không chủ trì.")
    assert s.report_progress(w.supervisor, task(w, "4").pk, percent=10, text="Văn phòng chủ trì nhiệm vụ 4.")


@pytest.mark.parametrize(
    ("percent", "text", "files", "message"),
    [
        (101, "x", [], "từ 0 đến 100"),
        (50, "   ", [], "nội dung báo cáo"),
        (50, "x", [SimpleUploadedFile("a.exe", b"MZ...")], "chỉ nhận PDF"),
        (50, "x", [SimpleUploadedFile("gia.pdf", b"not a pdf")], "không phải tệp PDF"),
        (50, "x", [SimpleUploadedFile("rong.pdf", b"")], "rỗng"),
        (50, "x", [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(6)], "tối đa 5 tệp"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_stored(w, percent, text, files, message):
    with pytest.raises(InvalidInput, match=message):
        s.report_progress(w.justice_specialist, task(w, "1").pk, percent=percent, text=text, files=files)
    assert task(w, "1").current.last_report_at is None


def test_completion_returned_then_approved_moves_a_recurring_task_to_its_next_period(w):
    t = task(w, "1")
    first = t.current
    assert first.due_on == date(2023, 9, 30)
    request = s.request_completion(
        w.justice_specialist, t.pk, completed_on=date(2023, 9, 25), note="Quyết định phê duyệt."
    )
    with pytest.raises(Conflict):
        s.request_completion(w.justice_head, t.pk, completed_on=date(2023, 9, 25))
    with pytest.raises(Forbidden):
        s.decide_completion(w.justice_head, request.pk, approve=True)  # only the office decides
    with pytest.raises(InvalidInput, match="lý do trả lại"):
        s.decide_completion(w.supervisor, request.pk, approve=False)
    returned = s.decide_completion(
        w.supervisor, request.pk, approve=False, note="Thiếu quyết định phê duyệt."
    )
    assert returned.status == Decision.RETURNED
    first.refresh_from_db()
    assert first.completed_on is None and first.completion_requested_at is None
    again = s.request_completion(w.justice_specialist, t.pk, completed_on=date(2023, 9, 29))
    approved = s.decide_completion(w.supervisor, again.pk, approve=True)
    with pytest.raises(Conflict):
        s.decide_completion(w.supervisor, again.pk, approve=True)
    first.refresh_from_db()
    assert (approved.status, first.completed_on, first.progress) == (
        Decision.APPROVED,
        date(2023, 9, 29),
        100,
    )
    t.refresh_from_db()
    assert t.current.due_on == date(2024, 9, 30)  # the next period is now tracked
    with pytest.raises(Conflict, match="đã được xác nhận hoàn thành"):
        s.report_progress(w.justice_specialist, t.pk, percent=100, text="Muộn.", occurrence_id=first.pk)


def test_completion_dates_are_checked(w):
    t = task(w, "3")
    with pytest.raises(InvalidInput, match="sau ngày hôm nay"):
        s.request_completion(w.finance_specialist, t.pk, completed_on=date(2026, 11, 28))
    with pytest.raises(InvalidInput, match="trước ngày ban hành"):
        s.request_completion(w.finance_specialist, t.pk, completed_on=date(2022, 12, 6))
    assert CompletionRequest.objects.count() == 0


def test_extension_approved_moves_the_deadline_and_keeps_the_history(w):
    t = task(w, "3")
    assert t.current.due_on == date(2026, 12, 31)
    with pytest.raises(InvalidInput, match="sau hạn hiện tại"):
        s.request_extension(w.finance_specialist, t.pk, proposed_due=date(2026, 12, 31), reason="Chưa xong.")
    with pytest.raises(InvalidInput, match="lý do"):
        s.request_extension(w.finance_specialist, t.pk, proposed_due=date(2027, 3, 31), reason="")
    request = s.request_extension(
        w.finance_specialist, t.pk, proposed_due=date(2027, 3, 31), reason="Chờ số liệu quý IV."
    )
    with pytest.raises(Conflict):
        s.request_extension(w.finance_specialist, t.pk, proposed_due=date(2027, 4, 30), reason="Lần hai.")
    s.decide_extension(w.supervisor, request.pk, approve=True)
    occurrence = task(w, "3").current
    part = occurrence.parts.get()  # Sở Tài chính (successor of Sở Kế hoạch và Đầu tư) alone leads it
    assert (part.unit, part.due_on) == (w.finance, date(2027, 3, 31))
    # the task's own deadline stays as written; the deadline that applies is the unit's
    assert (occurrence.due_on, occurrence.next_due_on) == (date(2026, 12, 31), date(2027, 3, 31))
    change = DeadlineChange.objects.get(occurrence=occurrence)
    assert (change.part, change.old_due, change.new_due, change.extension, change.changed_by) == (
        part,
        date(2026, 12, 31),
        date(2027, 3, 31),
        request,
        w.supervisor,
    )


def test_extension_refused_needs_a_reason_and_leaves_the_deadline(w):
    t = task(w, "3")
    request = s.request_extension(
        w.finance_specialist, t.pk, proposed_due=date(2027, 3, 31), reason="Chờ số liệu."
    )
    with pytest.raises(InvalidInput, match="lý do không đồng ý"):
        s.decide_extension(w.supervisor, request.pk, approve=False)
    s.decide_extension(w.supervisor, request.pk, approve=False, note="Đề nghị hoàn thành đúng hạn.")
    assert task(w, "3").current.due_on == date(2026, 12, 31)
    assert not DeadlineChange.objects.exists()


def test_a_task_without_a_deadline_has_none_to_extend_until_the_office_sets_one(w):
    t = task(w, "5")
    with pytest.raises(InvalidInput, match="không có thời hạn"):
        s.request_extension(w.outsider, t.pk, proposed_due=date(2027, 6, 30), reason="x")
    with pytest.raises(Forbidden):
        s.set_deadline(w.outsider, t.pk, due=date(2027, 6, 30), reason="Tự đặt.")
    s.set_deadline(
        w.supervisor, t.pk, due=date(2027, 6, 30), reason="Đề án 06 giao hoàn thành trong quý II/2027."
    )
    assert task(w, "5").current.due_on == date(2027, 6, 30)
    assert DeadlineChange.objects.get().old_due is None
