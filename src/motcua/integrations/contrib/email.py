"""Adapter of the applicants' e-mail notices (channel ``email``): the configured mail server.

Sends through Django's mailer (``MAILERS``: SMTP in production with the ``SMTP_*`` settings, the
console in development, files with ``MOTCUA_EMAIL=file``), so the notices go where the rest of the
system's mail goes. Each notice keeps its ``Message-ID`` (``<code>.<seq>@domain``): a notice sent again
after a lost acknowledgement is the same message to the mail client.

Outcomes: accepted → delivered (the Message-ID is the receipt); the server refuses the recipient or
answers 5xx → rejected (dead letter); 4xx → temporary (retried); no connection, timed out or dropped →
unreachable (the channel pauses).
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, mailers

from motcua.integrations.registry import Envelope, Outcome


class EmailAdapter:
    def send(self, message: Envelope) -> Outcome:
        p = message.payload
        email = EmailMessage(
            subject=str(p["subject"]),
            body=str(p["body"]),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[str(p["to"])],
            headers={"Message-ID": str(p["message_id"])},
        )
        try:
            mailers.default.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            return Outcome("rejected", f"Máy chủ thư từ chối địa chỉ {p['to']}: {exc.recipients}")
        except smtplib.SMTPServerDisconnected as exc:
            return Outcome("unavailable", f"Máy chủ thư ngắt kết nối: {exc}")
        except smtplib.SMTPResponseException as exc:
            text = f"Máy chủ thư trả lời {exc.smtp_code}: {exc.smtp_error!r}"
            return Outcome("rejected" if exc.smtp_code >= 500 else "retry", text)
        except OSError as exc:  # refused, timed out (TimeoutError is an OSError)
            return Outcome("unavailable", f"Không kết nối được máy chủ thư: {exc}")
        return Outcome("delivered", receipt=str(p["message_id"])[:120])

    def close(self) -> None:
        pass


def from_settings() -> EmailAdapter:
    return EmailAdapter()
