"""Leases of background jobs and the mail outbox: a job or a message left half-done by a dead worker
is taken up again, once; a live worker's job is never taken from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from motcua.core import leases
from motcua.core.mail import deliver_pending, send_digests
from motcua.core.models import OutgoingMail, WorkerHeartbeat
from motcua.core.tasks import purge_throttles

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def lease_of_two_minutes(settings):
    settings.MOTCUA_TASK_LEASE_SECONDS = 120
    settings.MOTCUA_TASK_MAX_ATTEMPTS = 3


def running(*workers: str, started: datetime) -> DBTaskResult:
    result = purge_throttles.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=list(workers), started_at=started
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_job_of_a_worker_that_stopped_beating_is_queued_again_after_the_lease():
    leases.beat("dead", T0)
    leases.beat("alive", T0)
    orphan = running("dead", started=T0)
    busy = running("alive", started=T0)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert leases.requeue_stale().requeued == []  # within the lease: nobody is suspected
    leases.beat("alive", T0 + timedelta(minutes=2))
    with time_machine.travel(T0 + timedelta(minutes=2, seconds=1), tick=False):
        recovery = leases.requeue_stale()
    assert recovery.requeued == [str(orphan.pk)]
    assert DBTaskResult.objects.get(pk=orphan.pk).status == "READY"
    assert DBTaskResult.objects.get(pk=busy.pk).status == "RUNNING"  # its worker still beats
    # The worker that queued it again, or another one, takes it; the queue offers it like any other.
    assert DBTaskResult.objects.ready().filter(pk=orphan.pk).exists()


def test_a_job_that_keeps_killing_its_worker_is_given_up_with_a_message():
    job = running("w1", "w2", "w3", started=T0)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        recovery = leases.requeue_stale()
    assert recovery.given_up == [str(job.pk)] and recovery.requeued == []
    job.refresh_from_db()
    assert job.status == "FAILED" and job.exception_class_path == leases.LOST_EXCEPTION
    assert "3 lần" in job.traceback


def test_two_workers_recovering_at_once_queue_the_job_once():
    job = running("dead", started=T0)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        first = leases.requeue_stale()
        # Another worker saw the same attempt; the attempt has changed, so it changes nothing.
        second = (
            DBTaskResult.objects.running().filter(pk=job.pk, started_at=job.started_at).update(status="READY")
        )
    assert first.requeued == [str(job.pk)] and second == 0


def test_a_worker_stopping_cleanly_removes_its_heartbeat_and_old_ones_are_forgotten():
    leases.beat("gone", T0)
    leases.beat("stopping", T0)
    leases.forget("stopping")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        leases.requeue_stale()
    assert not WorkerHeartbeat.objects.exists()


# -- the mail outbox ---------------------------------------------------------------------------------


def digest() -> int:
    return send_digests(
        {"a@phuong.gov.vn": ["HS-1"], "b@phuong.gov.vn": ["HS-1", "HS-2"], "c@phuong.gov.vn": []},
        subject=lambda items: f"{len(items)} hồ sơ",
        intro="Các hồ sơ:",
        line=lambda item: f"- {item}",
        signature="Hệ thống.",
    )


def test_digests_are_stored_with_the_change_and_leave_only_after_the_commit(
    django_capture_on_commit_callbacks,
):
    with pytest.raises(RuntimeError), transaction.atomic():
        digest()
        raise RuntimeError("the job failed")
    assert not OutgoingMail.objects.exists() and mail.outbox == []  # a rollback sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        assert digest() == 2  # no message for an address with nothing to say
        assert mail.outbox == []  # not before the commit
    assert sorted(m.to[0] for m in mail.outbox) == ["a@phuong.gov.vn", "b@phuong.gov.vn"]
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}
    assert deliver_pending() == 0 and len(mail.outbox) == 2  # sent once
    stored = OutgoingMail.objects.get(to="b@phuong.gov.vn")
    sent = next(m for m in mail.outbox if m.to == ["b@phuong.gov.vn"])
    assert sent.extra_headers["Message-ID"] == stored.message_id and "- HS-2" in sent.body


def test_a_message_claimed_by_a_sender_that_died_is_sent_once_after_the_lease():
    with time_machine.travel(T0, tick=False):
        digest()
        # A sender claimed the first message and died before sending it.
        claimed = OutgoingMail.objects.order_by("id").first()
        OutgoingMail.objects.filter(pk=claimed.pk).update(status="sending", claimed_at=T0, attempts=1)
        assert deliver_pending() == 1  # the other message; the claimed one is left to its sender
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        assert deliver_pending() == 1  # the lease is over: the claimed one goes now
        assert deliver_pending() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["a@phuong.gov.vn", "b@phuong.gov.vn"]


def test_a_mail_server_that_refuses_delays_the_message_without_losing_it(monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("máy chủ thư không trả lời")

    with time_machine.travel(T0, tick=False):
        digest()
        monkeypatch.setattr(EmailBackend, "send_messages", refuse)
        assert deliver_pending() == 0
        assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"pending"}
        assert "không trả lời" in OutgoingMail.objects.first().last_error
        monkeypatch.undo()
        assert deliver_pending() == 0  # not before the retry time
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        assert deliver_pending() == 2
    assert len(mail.outbox) == 2
