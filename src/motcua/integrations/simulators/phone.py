"""A local stand-in for the phone notice providers: Zalo OA template messages (ZNS) and a brandname SMS
gateway, in one real HTTP server with an inbox page.

``motcua integrations simulator phone --port 8027 [--token T] [--store FILE]``

- ``POST /zns`` (header ``access_token``) ``{"phone", "template_id", "template_data", "tracking_id"}`` →
  ``{"error": 0, "data": {"msg_id"}}``; a wrong token → ``error`` -124; a number that is not ``84…``
  (11 digits) → -108; a missing template → -1123.
- ``POST /sms`` (``Authorization: Bearer``) ``{"brandname", "phone", "message", "request_id"}`` →
  ``{"code": 0, "message_id"}``; a wrong token → HTTP 401; a text with diacritics or over 160 characters
  → ``code`` 2.
- A message whose ``tracking_id`` / ``request_id`` it already holds is acknowledged with its first id and
  not kept twice. ``GET /`` lists the messages as a phone would show them; ``GET /api/tin`` as JSON.
"""

from __future__ import annotations

import html
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from motcua.integrations.simulators.common import SimulatorHandler, serve


class Phones:
    def __init__(self, token: str = "motcua", path: Path | None = None) -> None:  # noqa: S107 — demo token
        self.token, self.path = token, path
        self.lock = threading.Lock()
        self.messages: list[dict[str, Any]] = []
        self.by_key: dict[str, str] = {}

    def _keep(self, kind: str, key: str, phone: str, text: str, raw: dict[str, Any]) -> tuple[str, bool]:
        with self.lock:
            if key and key in self.by_key:
                return self.by_key[key], False
            number = f"{kind}-{len(self.messages) + 1:06d}"
            item = {
                "kind": kind,
                "id": number,
                "key": key,
                "phone": phone,
                "text": text,
                "raw": raw,
                "at": datetime.now(UTC).isoformat(),
            }
            self.messages.append(item)
            if key:
                self.by_key[key] = number
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            return number, True

    def zns(self, token: str, body: Any) -> dict[str, Any]:
        if token != self.token:
            return {"error": -124, "message": "Access token không hợp lệ"}
        if not isinstance(body, dict):
            return {"error": -100, "message": "Dữ liệu không hợp lệ"}
        phone = str(body.get("phone") or "")
        if not (phone.startswith("84") and len(phone) == 11 and phone.isascii() and phone.isdigit()):
            return {"error": -108, "message": "Số điện thoại không hợp lệ"}
        if not body.get("template_id") or not isinstance(body.get("template_data"), dict):
            return {"error": -1123, "message": "Thiếu mẫu tin hoặc dữ liệu mẫu tin"}
        data = body["template_data"]
        text = "; ".join(f"{k}: {v}" for k, v in data.items())
        msg_id, _ = self._keep("zalo", str(body.get("tracking_id") or ""), phone, text, body)
        return {"error": 0, "message": "Success", "data": {"msg_id": msg_id}}

    def sms(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            return {"code": 1, "message": "Dữ liệu không hợp lệ"}
        text = str(body.get("message") or "")
        if not text or len(text) > 160 or not text.isascii():
            return {"code": 2, "message": "Tin nhắn phải không dấu, tối đa 160 ký tự"}
        phone = str(body.get("phone") or "")
        message_id, _ = self._keep("sms", str(body.get("request_id") or ""), phone, text, body)
        return {"code": 0, "message_id": message_id}


def _row(m: dict[str, Any]) -> str:
    at = html.escape(m["at"][:19].replace("T", " "))
    kind = "Zalo" if m["kind"] == "zalo" else "SMS"
    phone, text = html.escape(m["phone"]), html.escape(m["text"])
    return f"<tr><td>{at}</td><td>{kind}</td><td>{phone}</td><td>{text}</td></tr>"


def _page(phones: Phones) -> str:
    with phones.lock:
        items = list(reversed(phones.messages))
    table = "<table border='1' cellpadding='6' style='border-collapse:collapse'>"
    return (
        "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Tin nhắn mô phỏng</title>"
        "<body style='font-family:sans-serif;margin:2rem'><h1>Tin nhắn mô phỏng (Zalo, SMS)</h1>"
        f"<p>{len(items)} tin (mới nhất trước).</p>{table}"
        "<tr><th>Lúc (UTC)</th><th>Kênh</th><th>Số điện thoại</th><th>Nội dung</th></tr>"
        + "".join(_row(m) for m in items)
        + "</table></body></html>"
    )


def handler_for(phones: Phones) -> type[BaseHTTPRequestHandler]:
    class Handler(SimulatorHandler):
        server_version = "motcua-phone-simulator/1"
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "":
                self._send(200, _page(phones), "text/html")
            elif self.path.startswith("/api/tin"):
                with phones.lock:
                    self._reply(200, {"tin": phones.messages})
            else:
                self._reply(404, {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(min(length, 1_000_000)).decode("utf-8") or "null")
            except (UnicodeDecodeError, json.JSONDecodeError):
                body = None
            if self.path.rstrip("/") == "/zns":
                self._reply(200, phones.zns(self.headers.get("access_token", ""), body))
            elif self.path.rstrip("/") == "/sms":
                if self.headers.get("Authorization", "") != f"Bearer {phones.token}":
                    self._reply(401, {"code": 401, "message": "Sai mã truy cập"})
                else:
                    self._reply(200, phones.sms(body))
            else:
                self._reply(404, {})

    return Handler


def make_server(host: str, port: int, phones: Phones) -> ThreadingHTTPServer:
    return serve(host, port, handler_for(phones))
