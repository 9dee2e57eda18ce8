"""Behind a reverse proxy: a real ``motcua serve`` with a small TLS-terminating proxy in front (written
here with the standard library), all on loopback with ephemeral ports. Clients connect from distinct
loopback addresses (127.0.0.2, 127.0.0.3 …), as people behind the proxy would from theirs."""

from __future__ import annotations

import http.client
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest

from motcua.core.models import AuditEntry, Role
from motcua.core.tests import factories
from motcua.core.tests.processes import Processes, free_port, processes, wait_for  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
LOGIN = "/can-bo/dang-nhap/"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}


def proxy_to(backend_port: int) -> ThreadingHTTPServer:
    """A reverse proxy as nginx is set up in front of motcua: it terminates TLS (here it only says
    so), appends the peer's address to X-Forwarded-For and sets X-Forwarded-Proto."""

    class Forward(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            earlier = self.headers.get("X-Forwarded-For")
            headers["X-Forwarded-For"] = (earlier + ", " if earlier else "") + self.client_address[0]
            headers["X-Forwarded-Proto"] = "https"
            upstream = http.client.HTTPConnection(
                "127.0.0.1", backend_port, timeout=60, source_address=("127.0.0.1", 0)
            )
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                reply = upstream.getresponse()
                content = reply.read()
            finally:
                upstream.close()
            self.send_response(reply.status)
            for name, value in reply.getheaders():
                if name.lower() not in HOP_BY_HOP | {"content-length"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _forward

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Browser:
    """A client connecting from its own loopback address, keeping its cookies."""

    def __init__(self, address: str, port: int) -> None:
        self.address, self.port, self.cookies = address, port, {}

    def request(self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None):
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(self.address, 0)
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body.encode(), headers=sent)
            reply = conn.getresponse()
            text = reply.read().decode(errors="replace")
        finally:
            conn.close()
        for name, value in reply.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return reply, text

    def sign_in(self, username: str, password: str) -> int:
        _, page = self.request("GET", LOGIN)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        origin = f"https://127.0.0.1:{self.port}"
        form = {"csrfmiddlewaretoken": token.group(1), "step": "password", "username": username}
        reply, _ = self.request(
            "POST",
            LOGIN,
            urlencode({**form, "password": password}),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + LOGIN,
            },
        )
        return reply.status


@pytest.fixture
def deployment(processes) -> Iterator[tuple[int, int]]:  # noqa: F811
    """``motcua serve`` trusting the proxy at 127.0.0.1, with the TLS redirect on, and the proxy."""
    port = free_port()
    server = processes.motcua(
        "serve",
        "serve",
        "--port",
        str(port),
        TRUSTED_PROXIES="127.0.0.1/32",
        SECURE_SSL_REDIRECT="1",
        MOTCUA_LOGIN_MAX_FAILURES="3",
        ALLOWED_HOSTS="127.0.0.1",
    )

    def listening() -> bool:
        assert server.poll() is None, processes.log("serve")
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_for(listening, timeout=120, what="motcua serve")
    proxy = proxy_to(port)
    try:
        yield port, proxy.server_address[1]
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_behind_the_trusted_proxy_tls_is_seen_and_a_direct_client_cannot_claim_it(deployment):
    backend, proxy = deployment
    reply, _ = Browser("127.0.0.2", proxy).request("GET", LOGIN)
    assert reply.status == 200  # the proxy said https: no redirect, so no loop
    direct, _ = Browser("127.0.0.2", backend).request("GET", LOGIN)
    assert direct.status == 301 and direct.getheader("Location").startswith("https://")
    # A client reaching the server directly cannot pass itself off as a proxy that terminated TLS.
    spoofed, _ = Browser("127.0.0.5", backend).request(
        "GET", LOGIN, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
    )
    assert spoofed.status == 301


def test_throttling_and_the_audit_see_each_client_behind_the_proxy(deployment):
    _, proxy = deployment
    ward = factories.unit("Phường Sau Proxy")
    factories.staff([Role.INTAKE_OFFICER], ward, username="motcua.an")
    factories.staff([Role.INTAKE_OFFICER], ward, username="motcua.binh")
    office = Browser("127.0.0.2", proxy)
    for _ in range(3):
        assert office.sign_in("motcua.an", "sai-mat-khau") == 400
    assert office.sign_in("motcua.an", factories.PASSWORD) == 429  # this account at this address waits
    # The same proxy address carries everyone: a colleague at the same office, and the owner elsewhere,
    # still sign in.
    assert Browser("127.0.0.2", proxy).sign_in("motcua.binh", factories.PASSWORD) == 302
    assert Browser("127.0.0.3", proxy).sign_in("motcua.an", factories.PASSWORD) == 302
    failures = AuditEntry.objects.filter(action="login_failed")
    assert set(failures.values_list("ip", flat=True)) == {"127.0.0.2"}  # the client, not the proxy
    assert AuditEntry.objects.get(action="login", actor__username="motcua.an").ip == "127.0.0.3"


def test_an_address_a_client_writes_into_x_forwarded_for_is_not_believed(deployment):
    _, proxy = deployment
    factories.staff([Role.INTAKE_OFFICER], factories.unit("Phường Giả"), username="motcua.gia")
    liar = Browser("127.0.0.4", proxy)
    _, page = liar.request("GET", LOGIN)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    origin = f"https://127.0.0.1:{proxy}"
    reply, _ = liar.request(
        "POST",
        LOGIN,
        urlencode(
            {"csrfmiddlewaretoken": token, "step": "password", "username": "motcua.gia", "password": "x"}
        ),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + LOGIN,
            "X-Forwarded-For": "198.51.100.7",  # chosen to dodge the lock on its own address
        },
    )
    assert reply.status == 400
    assert AuditEntry.objects.get(action="login_failed").ip == "127.0.0.4"
