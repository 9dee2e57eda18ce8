"""What the local simulators share: a threaded HTTP server that can be restarted on its port at once
(an outage test stops one and starts another in its place) and never keeps the process alive."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SimulatorServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True


def serve(host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> SimulatorServer:
    """A server bound to ``host:port`` (0 = any free port); call ``serve_forever`` to run it."""
    return SimulatorServer((host, port), handler)
