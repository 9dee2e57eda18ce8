"""Soon-due and overdue alerts: once per dossier and kind, mailed to the handler and the head."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.utils.module_loading import import_string

from motcua.core.models import AuditEntry
from motcua.core.schedule import JOBS
from motcua.dossiers import services as s
from motcua.dossiers.models import Alert
from motcua.dossiers.tasks import flag_due_dossiers
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db


def test_alerts_are_raised_once_per_kind_and_mailed(django_capture_on_commit_callbacks):
    w = df.world()
    for user, email in ((w.specialist_a, "chuyenvien@phuong.gov.vn"), (w.head_a, "chutich@phuong.gov.vn")):
        user.email = email
        user.save()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)  # due Thursday 12/03 17:00
        s.hand_over(d.code, by=w.intake_a, expected_version=1, assignee=w.specialist_a)
        other = df.receive(w, unit=w.ward_b)  # nobody to mail: no address on file

    def run(*moment: int) -> dict[str, int]:
        # Mail leaves after the commit; the test transaction never commits, so run the callbacks.
        with django_capture_on_commit_callbacks(execute=True):
            return flag_due_dossiers.call(now=at(*moment).isoformat())

    assert run(2026, 3, 10, 9, 0) == {"overdue": 0, "soon_due": 0}
    assert run(2026, 3, 11, 17, 0) == {"overdue": 0, "soon_due": 2}
    assert run(2026, 3, 12, 9, 0) == {"overdue": 0, "soon_due": 0}
    assert run(2026, 3, 13, 8, 0) == {"overdue": 2, "soon_due": 0}
    assert run(2026, 3, 16, 8, 0) == {"overdue": 0, "soon_due": 0}

    assert set(Alert.objects.values_list("dossier__code", "kind")) == {
        (d.code, "soon_due"),
        (d.code, "overdue"),
        (other.code, "soon_due"),
        (other.code, "overdue"),
    }
    alert = Alert.objects.get(dossier=d, kind="overdue")
    assert alert.recipients == ["chutich@phuong.gov.vn", "chuyenvien@phuong.gov.vn"]
    assert len(mail.outbox) == 4  # two recipients × two runs with news, one digest each
    overdue_mail = next(
        m for m in mail.outbox if "1 hồ sơ quá hạn" in m.subject and m.to == ["chutich@phuong.gov.vn"]
    )
    assert d.code in overdue_mail.body and "17:00 12/03/2026" in overdue_mail.body
    assert AuditEntry.objects.filter(action="dossier.flag_due").count() == 2


def test_finished_or_paused_dossiers_raise_no_alert():
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        paused = df.receive(w)
        s.request_supplement(
            paused.code, by=w.specialist_a, expected_version=1, items=["Tờ khai"], reasons="Thiếu"
        )
        stopped = df.receive(w)
        s.stop(stopped.code, by=w.leader_a, expected_version=1, reasons="Dừng")
    assert flag_due_dossiers.call(now=at(2026, 3, 20, 9, 0).isoformat()) == {"overdue": 0, "soon_due": 0}


def test_the_task_is_a_periodic_job():
    job = next(j for j in JOBS if j.name == "dossiers.flag_due")
    assert import_string(job.task_path) is flag_due_dossiers
    assert JOBS[0].name == "catalogue.refresh_in_force"  # the existing job stays first
