"""Digest e-mails: one message per recipient listing every item that concerns them.

Alerts, reminders and flags are collected per e-mail address inside the job's transaction and sent
with ``send_digests`` from ``transaction.on_commit``, so a rollback never leaves mail sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.core.mail import EmailMessage, mailers


def send_digests[Item](
    digests: Mapping[str, Sequence[Item]],
    *,
    subject: Callable[[Sequence[Item]], str],
    intro: str,
    line: Callable[[Item], str],
    signature: str,
) -> int:
    """Send one message per address (in address order); return how many were sent."""
    messages = [
        EmailMessage(
            subject=subject(items),
            body=intro + "\n\n" + "\n".join(line(item) for item in items) + "\n\n" + signature,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
        )
        for email, items in sorted(digests.items())
        if items
    ]
    if messages:
        mailers.default.send_messages(messages)
    return len(messages)
