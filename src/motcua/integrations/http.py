"""A small JSON-over-HTTP client for adapters: one persistent connection per sender thread.

``http.client`` with keep-alive (the standard library: no extra dependency in the delivery path). A
connection that failed is dropped and opened again on the next call. Transport failures (refused,
reset, timed out, a reply that is not HTTP) raise ``Unreachable``; every HTTP reply, whatever its
status, is returned with its body parsed as JSON when it is JSON.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from motcua.integrations.registry import Outcome

UNREACHABLE_STATUSES = (502, 503, 504)
TEMPORARY_STATUSES = (408, 429)


class Unreachable(Exception):
    """The receiver could not be reached, or did not answer in time."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]

    def text(self) -> str:
        """The receiver's answer in words for an operator: its message, then its error code, the field
        it names and the HTTP status."""
        body = self.body
        message = str(body.get("message") or body.get("MoTa") or "").strip()
        code = body.get("error_code", body.get("MaLoi", ""))
        field = body.get("field") or body.get("Truong") or ""
        details = [f"mã lỗi {code}"] if code not in ("", None) else []
        if field:
            details.append(f"trường {field}")
        details.append(f"HTTP {self.status}")
        return f"{message or 'Không có nội dung trả lời'} ({', '.join(details)})"[:2000]


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"message": raw[:200].decode("utf-8", "replace")}
    return body if isinstance(body, dict) else {"value": body}


class JsonClient:
    """POST JSON to one server (``base_url``), keeping one connection per thread."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"Địa chỉ kết nối không hợp lệ: {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.base_path = parts.path.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()
        self._all: set[http.client.HTTPConnection] = set()
        self._lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.scheme == "https":
                conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
            with self._lock:
                self._all.add(conn)
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                self._all.discard(conn)
            conn.close()

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        sent = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            **(headers or {}),
        }
        # A kept-alive connection the server has closed fails on first use: one fresh retry, which is
        # safe because the receiver de-duplicates by idempotency key.
        for fresh in (False, True):
            conn = self._connection()
            try:
                conn.request("POST", (self.base_path + path) or "/", body=data, headers=sent)
                response = conn.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self._drop()
                if fresh:
                    raise Unreachable(f"{exc.__class__.__name__}: {exc}") from exc
                continue
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self._drop()
                raise Unreachable(f"{exc.__class__.__name__}: {exc}") from exc
            if response.will_close:
                self._drop()
            return Reply(response.status, _json(raw))
        raise Unreachable("no reply")  # pragma: no cover - the loop returns or raises

    def close(self) -> None:
        """Close every connection this client opened, in any thread."""
        with self._lock:
            conns, self._all = list(self._all), set()
        for conn in conns:
            conn.close()
        self._local = threading.local()


def status_outcome(reply: Reply, system: str) -> Outcome | None:
    """What an HTTP status alone says of a send, for every adapter (``None`` for a 2xx: the body
    decides): 502/503/504 → the receiver is unreachable; another 5xx, 408, 429 → a temporary error; 401
    → it does not accept our credentials (unreachable until they are fixed, never the message's fault);
    another 4xx → the message is refused."""
    if reply.status in UNREACHABLE_STATUSES:
        return Outcome("unavailable", f"{system} tạm ngừng: {reply.text()}")
    if reply.status >= 500 or reply.status in TEMPORARY_STATUSES:
        return Outcome("retry", reply.text())
    if reply.status == 401:
        return Outcome("unavailable", f"{system} không nhận mã truy cập, phiên làm việc: {reply.text()}")
    if reply.status >= 400:
        return Outcome("rejected", reply.text())
    return None
