"""E-mail through an outbox: digests are stored with the change they report, then delivered once.

``send_digests`` writes one ``OutgoingMail`` per recipient in the caller's transaction (the job's
alerts, reminders or flags), so a rollback leaves no mail and a commit leaves the mail to send even
if the worker is killed the next instant. ``deliver_pending`` runs after the commit, on the periodic
``core.deliver_mail`` job and when a killed job is taken up again (``core.leases``): it claims each
message (*sending*) before handing it to the mail server and marks it *sent* after, so no two
deliveries send the same message. A message claimed by a worker that died before marking it is
claimed again after the lease; its ``Message-ID`` is the same, so in the rare case where the server
had already accepted it, the mail client still shows one message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from motcua.core import leases
from motcua.core.models import OutgoingMail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # then the message is marked failed for an operator to look at
RETRY_BASE = timedelta(minutes=1)  # 1, 2, 4 … minutes between attempts


def send_digests[Item](
    digests: Mapping[str, Sequence[Item]],
    *,
    subject: Callable[[Sequence[Item]], str],
    intro: str,
    line: Callable[[Item], str],
    signature: str,
) -> int:
    """Queue one message per address (in address order) in the current transaction; deliver them
    once it commits. Returns how many were queued."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "motcua"
    rows = [
        OutgoingMail(
            to=email,
            subject=subject(items)[:255],
            body=intro + "\n\n" + "\n".join(line(item) for item in items) + "\n\n" + signature,
            message_id=make_msgid("motcua", domain=domain),
        )
        for email, items in sorted(digests.items())
        if items
    ]
    if rows:
        OutgoingMail.objects.bulk_create(rows)
    # Even with nothing new: a job run again after its worker was killed has nothing new to say, but
    # the mail its first run committed may still be waiting.
    transaction.on_commit(deliver_pending)
    return len(rows)


def _due(moment: datetime) -> Q:
    stale = moment - leases.lease()
    waiting = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment)
    return (Q(status=OutgoingMail.Status.PENDING) & waiting) | Q(
        status=OutgoingMail.Status.SENDING, claimed_at__lt=stale
    )


def _claim(moment: datetime) -> OutgoingMail | None:
    """The oldest message due, now marked *sending* by this process (committed before it is sent)."""
    for candidate in OutgoingMail.objects.filter(_due(moment)).order_by("id")[:20]:
        taken = OutgoingMail.objects.filter(
            pk=candidate.pk, status=candidate.status, claimed_at=candidate.claimed_at
        ).update(status=OutgoingMail.Status.SENDING, claimed_at=moment, attempts=F("attempts") + 1)
        if taken:
            candidate.refresh_from_db()
            return candidate
    return None


def deliver_pending(limit: int = 500) -> int:
    """Send the messages due (at most ``limit``); returns how many were sent."""
    sent = 0
    for _ in range(limit):
        moment = timezone.now()
        mail = _claim(moment)
        if mail is None:
            break
        message = EmailMessage(
            subject=mail.subject,
            body=mail.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[mail.to],
            headers={"Message-ID": mail.message_id},
        )
        try:
            mailers.default.send_messages([message])
        except Exception as exc:  # the mail server refused or is down: try again later
            log.warning("mail %s to %s not sent: %s", mail.pk, mail.to, exc)
            failed = mail.attempts >= MAX_ATTEMPTS
            OutgoingMail.objects.filter(pk=mail.pk, claimed_at=mail.claimed_at).update(
                status=OutgoingMail.Status.FAILED if failed else OutgoingMail.Status.PENDING,
                next_attempt_at=moment + RETRY_BASE * 2 ** (mail.attempts - 1),
                last_error=str(exc)[:2000],
            )
            continue
        OutgoingMail.objects.filter(pk=mail.pk, claimed_at=mail.claimed_at).update(
            status=OutgoingMail.Status.SENT, sent_at=timezone.now(), last_error=""
        )
        sent += 1
    return sent
