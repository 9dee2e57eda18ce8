"""A local mail server with a web inbox: what the applicants and the staff would receive.

``motcua integrations simulator smtp --port 8025 --http-port 8026 [--store FILE] [--refuse ADDRESS …]``

- SMTP on ``--port`` (``aiosmtpd``, a real SMTP server): every message accepted is kept (sender,
  recipients, subject, body, ``Message-ID``, time) in memory and, with ``--store FILE``, as one JSON
  line; a message whose ``Message-ID`` it already holds is accepted and not kept twice. ``--refuse
  ADDRESS`` answers ``550`` for that recipient (a mailbox that does not exist).
- The inbox on ``--http-port``: ``GET /`` lists the messages, newest first, as a page; ``GET
  /api/thu`` as JSON (``?to=ADDRESS`` filters); ``GET /thu/<n>`` shows one.
"""

from __future__ import annotations

import html
import json
import socket
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from motcua.integrations.simulators.common import SimulatorHandler, serve


class Mailbox:
    """The messages received (thread-safe)."""

    def __init__(self, path: Path | None = None, *, refuse: tuple[str, ...] = ()) -> None:
        self.path = path
        self.refuse = {a.lower() for a in refuse}
        self.lock = threading.Lock()
        self.messages: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self.repeats = 0
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    item = json.loads(line)
                    self.messages.append(item)
                    self.ids.add(item.get("message_id", ""))

    def keep(self, sender: str, recipients: list[str], raw: bytes) -> None:
        parsed = message_from_bytes(raw, policy=policy.default)
        body = parsed.get_body(preferencelist=("plain", "html"))
        item: dict[str, Any] = {
            "from": sender,
            "to": recipients,
            "subject": str(parsed.get("Subject", "")),
            "message_id": str(parsed.get("Message-ID", "")),
            "received_at": datetime.now(UTC).isoformat(),
            "body": body.get_content() if body is not None else "",
        }
        with self.lock:
            message_id = str(item["message_id"])
            if message_id and message_id in self.ids:
                self.repeats += 1
                return
            self.ids.add(message_id)
            self.messages.append(item)
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(item, ensure_ascii=False) + "\n")

    def to(self, address: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.messages if address.lower() in (r.lower() for r in m["to"])]


class Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.mailbox.refuse:
            return "550 5.1.1 Hộp thư không tồn tại"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode("utf-8")
        self.mailbox.keep(str(envelope.mail_from), list(envelope.rcpt_tos), raw)
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_smtp(mailbox: Mailbox, host: str = "127.0.0.1", port: int = 0) -> Controller:
    """A running SMTP server (``controller.port`` is its port, a free one for 0 — aiosmtpd cannot bind
    port 0 itself; ``controller.stop()`` ends it)."""
    controller = Controller(Handler(mailbox), hostname=host, port=port or _free_port(host))
    controller.start()
    return controller


def _e(value: Any) -> str:
    return html.escape(str(value))


HEAD = "<!doctype html><html lang='vi'><meta charset='utf-8'><title>{}</title>"
BODY = "<body style='font-family:sans-serif;margin:2rem'>"


def _page(mailbox: Mailbox) -> str:
    with mailbox.lock:
        items = list(enumerate(mailbox.messages))[::-1]
    rows = "".join(
        f"<tr><td>{_e(m['received_at'][:19].replace('T', ' '))}</td><td>{_e(', '.join(m['to']))}</td>"
        f"<td><a href='/thu/{n}'>{_e(m['subject'])}</a></td></tr>"
        for n, m in items
    )
    table = "<table border='1' cellpadding='6' style='border-collapse:collapse'>"
    return (
        HEAD.format("Hộp thư mô phỏng")
        + BODY
        + f"<h1>Hộp thư mô phỏng</h1><p>{len(items)} thư (mới nhất trước).</p>{table}"
        + "<tr><th>Nhận lúc (UTC)</th><th>Người nhận</th><th>Tiêu đề</th></tr>"
        + f"{rows}</table></body></html>"
    )


def _one(m: dict[str, Any]) -> str:
    return (
        HEAD.format("Thư")
        + BODY
        + "<p><a href='/'>← Hộp thư</a></p>"
        + f"<h1>{_e(m['subject'])}</h1><p>Từ: {_e(m['from'])}<br>Đến: {_e(', '.join(m['to']))}"
        + f"<br>Mã thư: {_e(m['message_id'])}</p>"
        + f"<pre style='white-space:pre-wrap'>{_e(m['body'])}</pre></body></html>"
    )


def inbox_handler(mailbox: Mailbox) -> type[BaseHTTPRequestHandler]:
    class Inbox(SimulatorHandler):
        server_version = "motcua-mail-simulator/1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/":
                self._send(200, _page(mailbox), "text/html")
            elif url.path == "/api/thu":
                address = (parse_qs(url.query).get("to") or [""])[0]
                found = mailbox.to(address) if address else list(mailbox.messages)
                self._reply(200, {"thu": found, "lap_lai": mailbox.repeats})
            elif (
                url.path.startswith("/thu/")
                and url.path[5:].isascii()
                and url.path[5:].isdigit()
                and int(url.path[5:]) < len(mailbox.messages)
            ):
                self._send(200, _one(mailbox.messages[int(url.path[5:])]), "text/html")
            else:
                self._send(404, "Không có địa chỉ này.", "text/plain")

    return Inbox


def make_inbox(mailbox: Mailbox, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    return serve(host, port, inbox_handler(mailbox))
