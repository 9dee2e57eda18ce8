"""Reminders before and after the deadline: once per unit's part and kind, mailed to that unit."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.utils.module_loading import import_string

from motcua.core.models import AuditEntry
from motcua.core.schedule import JOBS
from motcua.directives import services as s
from motcua.directives.models import Part, Reminder
from motcua.directives.tasks import send_reminders
from motcua.directives.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = f.world()
    world.document = f.imported(world, now=f.at(2026, 1, 5))  # type: ignore[attr-defined]
    return world


def run(capture, *moment: int) -> dict[str, int]:
    # Mail leaves after the commit; the test transaction never commits, so run the callbacks.
    with capture(execute=True), time_machine.travel(f.at(*moment), tick=False):
        return send_reminders.call(now=f.at(*moment).isoformat())


def test_reminders_are_sent_once_per_occurrence_and_kind(w, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    # Task 1 (30/9 every year, lead Sở Tư pháp): 2023, 2024, 2025 and 2026 are overdue; 2027 is created.
    assert run(capture, 2026, 11, 27, 8) == {"before": 0, "overdue": 4, "periods": 1}
    assert run(capture, 2026, 11, 27, 9) == {"before": 0, "overdue": 0, "periods": 0}
    # Thursday 24/12: task 3 (31/12/2026) is within 5 working days (25, 28, 29, 30, 31; 01/01 is a holiday).
    assert run(capture, 2026, 12, 22, 8) == {"before": 0, "overdue": 0, "periods": 0}
    assert run(capture, 2026, 12, 24, 8) == {"before": 1, "overdue": 0, "periods": 0}
    assert run(capture, 2026, 12, 28, 8) == {"before": 0, "overdue": 0, "periods": 0}
    assert run(capture, 2027, 1, 4, 8) == {"before": 0, "overdue": 1, "periods": 0}
    assert run(capture, 2027, 1, 5, 8) == {"before": 0, "overdue": 0, "periods": 0}

    task1 = f.task(w.document, "1")
    assert Reminder.objects.filter(occurrence__directive=task1, kind="overdue").count() == 4
    # The lead unit's staff: the department head and the specialist of its division, one digest each.
    first = mail.outbox[:2]
    assert sorted(m.to[0] for m in first) == ["cv@stp.gov.vn", "gd@stp.gov.vn"]
    assert "4 nhiệm vụ quá hạn" in first[0].subject and "hạn 30/09/2023" in first[0].body
    task3_mail = [m for m in mail.outbox if m.to == ["cv@stc.gov.vn"]]
    assert [m.subject for m in task3_mail] == [
        "[Theo dõi nhiệm vụ] 0 nhiệm vụ quá hạn, 1 nhiệm vụ sắp đến hạn",
        "[Theo dõi nhiệm vụ] 1 nhiệm vụ quá hạn, 0 nhiệm vụ sắp đến hạn",
    ]
    assert "31/12/2026" in task3_mail[0].body and "Xây dựng bộ chỉ số" in task3_mail[0].body
    assert AuditEntry.objects.filter(action="directives.remind").count() == 3


def test_a_collective_lead_is_reminded_through_the_heads_of_its_units(w, django_capture_on_commit_callbacks):
    # Task 2 (30/06/2027; "các sở, ban, ngành", "UBND cấp xã"): one reminder per covered unit's part
    # (three departments, two wards), to the head of the unit — only Sở Tư pháp's has an address.
    assert run(django_capture_on_commit_callbacks, 2027, 6, 25, 8)["before"] == 5
    reminders = Reminder.objects.filter(occurrence__directive__number="2")
    assert {r.part.unit.code: r.recipients for r in reminders} == {
        "hp-stp": ["gd@stp.gov.vn"],
        "hp-stc": [],
        "hp-snv": [],
        "x10507": [],
        "x11359": [],
    }


def test_no_reminder_while_the_office_reviews_a_completion(w, django_capture_on_commit_callbacks):
    t = f.task(w.document, "3")
    with time_machine.travel(f.at(2026, 12, 21, 9), tick=False):
        s.request_completion(w.finance_specialist, t.pk, completed_on=date(2026, 12, 21))
    assert run(django_capture_on_commit_callbacks, 2026, 12, 24, 8)["before"] == 0
    assert not Reminder.objects.filter(occurrence__directive=t).exists()


def test_completed_parts_are_not_reminded(w, django_capture_on_commit_callbacks):
    Part.objects.filter(occurrence__directive__number="1").update(completed_on=date(2023, 9, 1))
    assert run(django_capture_on_commit_callbacks, 2026, 11, 27, 8)["overdue"] == 0


def test_the_reminder_job_is_scheduled():
    job = next(j for j in JOBS if j.name == "directives.remind")
    assert import_string(job.task_path) is send_reminders
