"""A task led by several units is tracked per unit: each unit reports, asks for completion or an
extension of its own part, and the task completes only when every part has.

The plan (``factories.ROWS``, 07/12/2022) is imported on 05/01/2026. Task 2, "Hoàn thành số hóa hồ
sơ", is led by "Các sở, ban, ngành, UBND cấp xã" and due 30/06/2027: in the test province that is five
units — the departments Sở Tư pháp, Sở Tài chính, Sở Nội vụ and the wards Thành Đông and Gia Viên (not
the office, which is not a department). Before the parts, one ward's approved completion closed the task
for every department.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from motcua.core.errors import Conflict, Forbidden, NotFound
from motcua.core.models import AuditEntry
from motcua.directives import selectors
from motcua.directives import services as s
from motcua.directives.models import CompletionRequest, Decision, Part, Reminder
from motcua.directives.services import InvalidInput
from motcua.directives.status import Status
from motcua.directives.tasks import send_reminders
from motcua.directives.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with time_machine.travel(f.at(2026, 11, 27, 9), tick=False):
        world = f.world()
        world.document = f.imported(world)  # type: ignore[attr-defined]
        yield world


def task2(w):
    return f.task(w.document, "2")


def part(w, unit):
    return Part.objects.get(occurrence=task2(w).current, unit=unit)


def status_of(w, user, day: date) -> str:
    qs, _ = selectors.task_list(user, selectors.Filters(q="2"), today=day)
    return next(t.status for t in qs if t.number == "2")


def approve_completion(w, user, unit, day: date) -> None:
    request = s.request_completion(
        user, task2(w).pk, completed_on=day, now=f.at(day.year, day.month, day.day, 15)
    )
    assert request.unit == unit
    s.decide_completion(w.supervisor, request.pk, approve=True, now=f.at(day.year, day.month, day.day, 16))


def test_a_collective_lead_gives_each_covered_unit_its_own_part(w):
    parts = Part.objects.filter(occurrence=task2(w).current).order_by("unit__path")
    assert [p.unit for p in parts] == [w.home_affairs, w.finance, w.justice, w.ward, w.other_ward]
    assert {p.due_on for p in parts} == {date(2027, 6, 30)}
    # a task with one lead unit has one part; task 4 (Văn phòng UBND and Sở Tư pháp) has two
    assert Part.objects.filter(occurrence=f.task(w.document, "3").current).get().unit == w.finance
    assert set(
        Part.objects.filter(occurrence=f.task(w.document, "4").current).values_list("unit", flat=True)
    ) == {
        w.office.pk,
        w.justice.pk,
    }


def test_one_wards_completion_does_not_close_the_task_for_the_departments(w):
    with time_machine.travel(f.at(2026, 12, 1, 9), tick=False):
        approve_completion(w, w.ward_specialist, w.ward, date(2026, 12, 1))
        occurrence = task2(w).current
        assert occurrence.completed_on is None  # the defect: it used to be 01/12/2026 for everyone
        assert part(w, w.ward).completed_on == date(2026, 12, 1)
        assert part(w, w.finance).completed_on is None
        assert (
            status_of(w, w.supervisor, date(2026, 12, 1)) == Status.IN_PROGRESS
        )  # one unit of five has done its part
        # the ward's own view of the task: its part is done
        assert status_of(w, w.ward_specialist, date(2026, 12, 1)) == Status.IN_PROGRESS
        qs, _ = selectors.task_list(
            w.ward_specialist, selectors.Filters(unit=w.ward, role="lead"), today=date(2026, 12, 1)
        )
        assert {t.number: t.status for t in qs} == {"2": Status.DONE_ON_TIME}
        # the ward may not report on a department's part, nor again on its own finished part
        with pytest.raises(Forbidden):
            s.report_progress(
                w.ward_specialist, task2(w).pk, percent=50, text="Thay Sở.", part_id=part(w, w.finance).pk
            )
        with pytest.raises(Conflict, match="Phường Thành Đông"):
            s.report_progress(w.ward_specialist, task2(w).pk, percent=100, text="Đã xong.")


def test_each_unit_reports_its_own_progress_and_the_task_shows_the_average(w):
    with time_machine.travel(f.at(2026, 12, 1, 9), tick=False):
        s.report_progress(w.ward_specialist, task2(w).pk, percent=20, text="Phường: 20%.")
        s.report_progress(w.finance_specialist, task2(w).pk, percent=30, text="Sở Tài chính: 30%.")
    assert (part(w, w.ward).progress, part(w, w.finance).progress, part(w, w.justice).progress) == (20, 30, 0)
    assert task2(w).current.progress == 10  # (20 + 30 + 0 + 0 + 0) / 5
    assert AuditEntry.objects.filter(action="directives.report").count() == 2


def test_the_task_completes_when_the_last_unit_does_on_its_date(w):
    units = [
        (w.ward_specialist, w.ward, date(2026, 12, 1)),
        (w.finance_specialist, w.finance, date(2026, 12, 3)),
        (w.justice_specialist, w.justice, date(2026, 12, 2)),
        (w.outsider, w.home_affairs, date(2026, 12, 4)),
    ]
    with time_machine.travel(f.at(2026, 12, 7, 9), tick=False):
        for user, unit, day in units:
            approve_completion(w, user, unit, day)
            assert task2(w).current.completed_on is None  # Gia Viên has not finished
        # Phường Gia Viên has no staff who may act in the test province: the office records its part
        # from the ward's written report.
        records = s.record_completion(
            w.supervisor, task2(w).pk, completed_on=date(2026, 12, 5), note="Công văn số 12/UBND-GV."
        )
        assert [r.unit for r in records] == [w.other_ward]
        occurrence = task2(w).current
        assert (occurrence.completed_on, occurrence.progress, occurrence.done_late) == (
            date(2026, 12, 5),
            100,
            False,
        )
        assert status_of(w, w.supervisor, date(2026, 12, 7)) == Status.DONE_ON_TIME
        assert records[0].status == Decision.APPROVED and records[0].requested_by == w.supervisor


def test_an_extension_moves_only_the_units_deadline(w):
    with time_machine.travel(f.at(2027, 6, 1, 9), tick=False):
        request = s.request_extension(
            w.finance_specialist, task2(w).pk, proposed_due=date(2027, 9, 30), reason="Chờ phần mềm mới."
        )
        s.decide_extension(w.supervisor, request.pk, approve=True)
    assert part(w, w.finance).due_on == date(2027, 9, 30)
    assert part(w, w.justice).due_on == date(2027, 6, 30)
    # the others finish by 30/06/2027, the department with more time is still within its own deadline
    with time_machine.travel(f.at(2027, 6, 29, 9), tick=False):
        for user, unit in (
            (w.ward_specialist, w.ward),
            (w.justice_specialist, w.justice),
            (w.outsider, w.home_affairs),
        ):
            approve_completion(w, user, unit, date(2027, 6, 29))
        s.record_completion(
            w.supervisor,
            task2(w).pk,
            completed_on=date(2027, 6, 29),
            note="Báo cáo của Phường Gia Viên.",
            part_id=part(w, w.other_ward).pk,
        )
    # four units of five are done; Sở Tài chính is within its own deadline: in progress, not overdue
    assert status_of(w, w.supervisor, date(2027, 7, 1)) == Status.IN_PROGRESS
    assert task2(w).current.next_due_on == date(2027, 9, 30)
    # Tài chính finishes on 15/10/2027, after its extended deadline: the task is done, late.
    with time_machine.travel(f.at(2027, 10, 15, 9), tick=False):
        assert status_of(w, w.supervisor, date(2027, 10, 15)) == Status.OVERDUE
        approve_completion(w, w.finance_specialist, w.finance, date(2027, 10, 15))
    occurrence = task2(w).current
    assert (occurrence.completed_on, occurrence.done_late) == (date(2027, 10, 15), True)
    assert status_of(w, w.supervisor, date(2027, 10, 16)) == Status.DONE_LATE


def test_one_late_unit_makes_the_task_overdue(w):
    with time_machine.travel(f.at(2027, 6, 20, 9), tick=False):
        approve_completion(w, w.ward_specialist, w.ward, date(2027, 6, 20))
    assert status_of(w, w.supervisor, date(2027, 7, 1)) == Status.OVERDUE
    qs, _ = selectors.task_list(
        w.supervisor, selectors.Filters(unit=w.ward, role="lead"), today=date(2027, 7, 1)
    )
    assert [t.status for t in qs] == [Status.DONE_ON_TIME]  # the ward did its part
    qs, _ = selectors.task_list(
        w.supervisor, selectors.Filters(unit=w.finance, role="lead"), today=date(2027, 7, 1)
    )
    assert {t.number: t.status for t in qs} == {"2": Status.OVERDUE, "3": Status.OVERDUE}


def test_requests_are_one_at_a_time_per_unit_not_per_task(w):
    with time_machine.travel(f.at(2026, 12, 1, 9), tick=False):
        s.request_completion(w.ward_specialist, task2(w).pk, completed_on=date(2026, 12, 1))
        s.request_completion(w.finance_specialist, task2(w).pk, completed_on=date(2026, 12, 1))
        with pytest.raises(Conflict):
            s.request_completion(w.ward_specialist, task2(w).pk, completed_on=date(2026, 12, 1))
    assert CompletionRequest.objects.filter(status=Decision.PENDING).count() == 2


def test_the_office_sets_a_deadline_for_the_period_or_for_one_unit(w):
    with time_machine.travel(f.at(2026, 12, 1, 9), tick=False):
        s.set_deadline(
            w.supervisor,
            task2(w).pk,
            due=date(2027, 3, 31),
            reason="Rút ngắn theo chỉ đạo.",
            part_id=part(w, w.ward).pk,
        )
        assert (part(w, w.ward).due_on, part(w, w.finance).due_on) == (date(2027, 3, 31), date(2027, 6, 30))
        assert task2(w).current.next_due_on == date(2027, 3, 31)
        s.set_deadline(w.supervisor, task2(w).pk, due=date(2027, 5, 31), reason="Cả kỳ: theo kế hoạch mới.")
    assert set(Part.objects.filter(occurrence=task2(w).current).values_list("due_on", flat=True)) == {
        date(2027, 5, 31)
    }
    assert task2(w).current.due_on == date(2027, 5, 31)
    with pytest.raises(InvalidInput, match="trùng"):
        s.set_deadline(w.supervisor, task2(w).pk, due=date(2027, 5, 31), reason="Lại.")


def test_reminders_go_to_each_unit_not_yet_done(w, django_capture_on_commit_callbacks):
    with time_machine.travel(f.at(2027, 6, 1, 9), tick=False):
        approve_completion(w, w.justice_specialist, w.justice, date(2027, 6, 1))
    moment = f.at(2027, 6, 25, 8)  # Friday: 30/06/2027 is within 5 working days
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(moment, tick=False):
        counts = send_reminders.call(now=moment.isoformat())
    assert counts["before"] == 4  # the four units still working on task 2 (Tư pháp is done)
    reminded = Reminder.objects.filter(occurrence=task2(w).current, kind="before")
    assert set(reminded.values_list("part__unit", flat=True)) == {
        w.finance.pk,
        w.home_affairs.pk,
        w.ward.pk,
        w.other_ward.pk,
    }


def test_the_kpi_counts_tasks_for_the_province_and_parts_for_a_unit(w):
    with time_machine.travel(f.at(2027, 6, 20, 9), tick=False):
        approve_completion(w, w.ward_specialist, w.ward, date(2027, 6, 20))
    # On 01/07/2027: task 1's periods 2023–2026 (Sở Tư pháp) and task 3 (31/12/2026, Sở Tài chính) and
    # task 2 (30/06/2027, four units still open) are overdue.
    assert selectors.overdue_count(date(2027, 7, 1)) == 6
    assert selectors.overdue_count(date(2027, 7, 1), w.ward) == 0
    assert selectors.overdue_count(date(2027, 7, 1), w.finance) == 2  # its parts of tasks 2 and 3
    # June 2027: task 2 is due; not complete for the province, on time for the ward.
    assert selectors.on_time_counts(date(2027, 6, 1), date(2027, 6, 30)) == (1, 0)
    assert selectors.on_time_counts(date(2027, 6, 1), date(2027, 6, 30), w.ward) == (1, 1)
    assert selectors.on_time_counts(date(2027, 6, 1), date(2027, 6, 30), w.justice) == (1, 0)


def test_a_lead_name_matched_on_the_review_screen_gets_its_part(w):
    rows = [
        ("I", "Mục"),
        (
            "1.",
            "Nhiệm vụ của một sở chưa có trong danh mục.",
            "Sở Khoa học và Công nghệ",
            "",
            "Tháng 6/2027",
            "",
        ),
    ]
    with time_machine.travel(f.at(2026, 11, 27, 9), tick=False):
        document = f.imported(w, rows, number="98/KH-UBND")
        t = f.task(document, "1")
        assert not Part.objects.filter(occurrence=t.current).exists()  # nobody to act yet
        with pytest.raises(NotFound):  # Sở Nội vụ is not named yet: it does not even see the task
            s.report_progress(w.outsider, t.pk, percent=10, text="Chưa được giao.")
        key = t.units.get().name_key
        s.resolve_unit_name(w.supervisor, key, unit=w.home_affairs)
        part = Part.objects.get(occurrence=t.current)
        assert (part.unit, part.due_on) == (w.home_affairs, date(2027, 6, 30))
        assert s.report_progress(w.outsider, t.pk, percent=10, text="Sở Nội vụ nhận nhiệm vụ.").part == part


def test_the_office_records_a_completion_on_the_page_and_others_may_not(client, w):
    with time_machine.travel(f.at(2026, 12, 1, 9), tick=False):
        url = f"/can-bo/nhiem-vu/{task2(w).pk}/ghi-nhan/"
        client.force_login(w.finance_specialist)
        denied = client.post(url, {"completed_on": "01/12/2026", "note": "Tự ghi."})
        assert denied.status_code == 403
        client.force_login(w.supervisor)
        missing = client.post(url, {"completed_on": "01/12/2026", "note": ""})
        assert (
            missing.status_code == 400
            and "Vui lòng nêu căn cứ ghi nhận hoàn thành." in missing.content.decode()
        )
        future = client.post(url, {"completed_on": "02/12/2026", "note": "Công văn."})
        assert future.status_code == 422 and "không được sau ngày hôm nay" in future.content.decode()
        assert not Part.objects.filter(occurrence=task2(w).current, completed_on__isnull=False).exists()
        done = client.post(
            url, {"completed_on": "01/12/2026", "note": "Công văn của phường.", "part": part(w, w.ward).pk}
        )
        assert done.status_code == 302
        page = client.get(f"/can-bo/nhiem-vu/{task2(w).pk}/").content.decode()
        assert "Đã ghi nhận hoàn thành cho 1 đơn vị." in page and 'data-testid="parts-done">1/5<' in page
