"""What the local simulators share: a threaded HTTP server that can be restarted on its port at once
(an outage test stops one and starts another in its place) and never keeps the process alive, and a
quiet request handler that answers in one write."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class SimulatorServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True


class SimulatorHandler(BaseHTTPRequestHandler):
    """A handler that logs nothing and sends headers and body at once (Nagle off: no 40 ms delayed-ACK
    stall between the two writes)."""

    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(
        self, status: int, body: str, kind: str = "text/html", headers: dict[str, str] | None = None
    ) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _reply(self, status: int, body: Any) -> None:
        """``body`` as JSON."""
        self._send(status, json.dumps(body, ensure_ascii=False), "application/json")


def serve(host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> SimulatorServer:
    """A server bound to ``host:port`` (0 = any free port); call ``serve_forever`` to run it."""
    return SimulatorServer((host, port), handler)
