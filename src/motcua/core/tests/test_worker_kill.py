"""Background work survives a killed worker: a real ``motcua worker`` is killed with SIGKILL in the
middle of a job, another worker takes the job up after the lease and completes it — once."""

from __future__ import annotations

import csv
import signal
from email import message_from_string
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from motcua.core.models import AuditEntry, OutgoingMail
from motcua.core.tests.processes import pause_at, processes, wait_for  # noqa: F401 (fixture)
from motcua.dossiers import services as ds
from motcua.dossiers.models import Alert
from motcua.dossiers.tasks import flag_due_dossiers
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.exports import services as exports
from motcua.exports.models import ExportJob

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = "2"  # seconds: the second worker takes the job up about two seconds after the kill


def the_task() -> DBTaskResult:
    return DBTaskResult.objects.get()


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def mailed(folder: Path) -> list[Message]:
    """The messages Django's file mail backend wrote (one file per connection, 79 dashes apart)."""
    chunks = "".join(p.read_text() for p in files_in(folder)).split("\n" + "-" * 79 + "\n")
    return [message_from_string(chunk) for chunk in chunks if chunk.strip()]


def test_an_export_killed_after_writing_its_file_is_written_once_by_the_next_worker(processes, tmp_path):  # noqa: F811
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        first_dossier, second_dossier = df.receive(w), df.receive(w)
    with override_settings(EXPORT_INLINE_ROWS=0):  # to the worker
        job = exports.request_export(
            w.intake_a, "dossiers.list", {"received_from": "01/03/2026", "received_to": "31/03/2026"}, "csv"
        )
    assert job.status == ExportJob.Status.QUEUED and the_task().status == "READY"
    media, marker = tmp_path / "media", tmp_path / "paused"
    env = {"MEDIA_ROOT": str(media), "MOTCUA_TASK_LEASE_SECONDS": LEASE}

    # The first worker stores the file, then is killed before it can mark the export done.
    first = processes.motcua(
        "worker-1",
        "worker",
        "--no-schedule",
        prelude=pause_at("django.core.files.storage:FileSystemStorage.save", marker, run_first=True),
        **env,
    )
    processes.reach("worker-1", first, marker)
    processes.kill(first)  # SIGKILL
    assert first.returncode == -signal.SIGKILL
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING and the_task().status == "RUNNING"
    assert len(files_in(media)) == 1  # the killed attempt's file

    second = processes.motcua("worker-2", "worker", "--no-schedule", **env)
    wait_for(
        lambda: the_task().status == "SUCCESSFUL",
        timeout=120,
        what="the second worker to finish the export\n" + processes.log("worker-2"),
    )
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 2 and job.rows_done == 2
    # One file for the export, not one per attempt; it holds the two dossiers.
    assert files_in(media) == [media / job.file.name]
    with (media / job.file.name).open(encoding="utf-8-sig") as fh:
        codes = [row[0] for row in list(csv.reader(fh))[1:]]
    assert sorted(codes) == sorted([first_dossier.code, second_dossier.code])
    assert len(the_task().worker_ids) == 2  # two workers, the first one lost
    processes.kill(second, signal.SIGTERM)


def test_a_digest_killed_after_its_commit_is_mailed_once_by_the_next_worker(processes, tmp_path):  # noqa: F811
    w = df.world()
    for user, email in ((w.specialist_a, "chuyenvien@phuong.gov.vn"), (w.head_a, "chutich@phuong.gov.vn")):
        user.email = email
        user.save()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        dossier = df.receive(w)  # due Thursday 12/03 17:00
        ds.hand_over(dossier.code, by=w.intake_a, expected_version=1, assignee=w.specialist_a)
    flag_due_dossiers.enqueue(now=at(2026, 3, 13, 8, 0).isoformat())  # overdue by then
    mail_dir, marker = tmp_path / "mail", tmp_path / "paused"
    env = {"MOTCUA_EMAIL": "file", "EMAIL_FILE_PATH": str(mail_dir), "MOTCUA_TASK_LEASE_SECONDS": LEASE}

    # The first worker commits the alert and its digests, then is killed before mailing them.
    first = processes.motcua(
        "worker-1",
        "worker",
        "--no-schedule",
        prelude=pause_at("motcua.core.mail:deliver_pending", marker),
        **env,
    )
    processes.reach("worker-1", first, marker)
    processes.kill(first)  # SIGKILL
    assert the_task().status == "RUNNING"
    assert Alert.objects.filter(dossier=dossier, kind="overdue").count() == 1
    assert OutgoingMail.objects.filter(status="pending").count() == 2
    assert files_in(mail_dir) == []  # nothing mailed yet

    second = processes.motcua("worker-2", "worker", "--no-schedule", **env)
    wait_for(
        lambda: the_task().status == "SUCCESSFUL",
        timeout=120,
        what="the second worker to finish the digest\n" + processes.log("worker-2"),
    )
    sent = mailed(mail_dir)
    # Each of the two people got the digest exactly once; the alert was raised once.
    assert sorted(m["To"] for m in sent) == ["chutich@phuong.gov.vn", "chuyenvien@phuong.gov.vn"]
    assert all(dossier.code in m.get_payload(decode=True).decode() for m in sent)
    assert all("1 hồ sơ quá hạn" in str(make_header(decode_header(m["Subject"]))) for m in sent)
    assert Alert.objects.filter(dossier=dossier).count() == 1
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}
    assert AuditEntry.objects.filter(action="dossier.flag_due").count() == 1
    assert the_task().return_value == {"overdue": 0, "soon_due": 0}  # the second run had nothing new
    assert OutgoingMail.objects.filter(sent_at__lte=timezone.now()).count() == 2
    processes.kill(second, signal.SIGTERM)
