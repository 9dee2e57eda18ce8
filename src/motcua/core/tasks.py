"""Background work of the core (run by ``motcua worker``; scheduled as ``core.schedule.CORE_JOBS``)."""

from __future__ import annotations

from django.tasks import task

from motcua.core import checkpoints, mail, throttle


@task()
def deliver_mail() -> int:
    """Send the e-mail waiting in the outbox (left by a killed job, or refused by the mail server)."""
    return mail.deliver_pending()


@task()
def audit_checkpoint() -> bool:
    """Append a signed checkpoint of the audit chain head outside the database (when a key is set)."""
    return checkpoints.enabled() and checkpoints.write() is not None


@task()
def purge_throttles() -> int:
    """Forget the attempt counters whose window is over."""
    return throttle.purge()
