"""bench/over_http.py, part 1: names, small helpers, and HTTP as a browser behind a TLS proxy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import re
import struct
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOTCUA = ROOT / ".venv" / "bin" / "motcua"
WORK_DIR = ROOT / "var" / "bench-http"
LABEL = "bench/over_http.py"
TOKEN_NAME = "bench/over_http.py"  # noqa: S105 - the name the tokens are listed under
STAFF_PREFIX = "bench.http."  # and the unit: bench.http.x10507
SUPERVISOR_USER = "bench.giamsat"
INTAKE_PREFIX = "bench.motcua."
SCENARIOS = (
    "inbox",
    "dossier",
    "api-list",
    "api-detail",
    "api-record",
    "api-record-paced",
    "search",
    "track",
    "track-page",
    "track-paced",
    "intake",
    "dashboard",
)
WRK_MARK = "@@wrk "


# -- small helpers -------------------------------------------------------------------------------------


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def totp(secret: str, step: int, digits: int = 6) -> str:
    """RFC 6238 (HOTP of RFC 4226 over 30-second steps): HMAC-SHA1 of the step counter, dynamic
    truncation, the last ``digits`` decimal digits."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def lua_string(text: str) -> str:
    out = []
    for byte in text.encode():
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_list(items: list[str]) -> str:
    return "{" + ",".join(lua_string(i) for i in items) + "}"


def lua_table(mapping: dict[str, str]) -> str:
    return "{" + ",".join(f"[{lua_string(k)}]={lua_string(v)}" for k, v in mapping.items()) + "}"


def span(values: list[float], fmt: str, unit: str = "") -> str:
    """The runs' figures as one value or a range: ``12.5 ms``, ``12.5–14.0 ms``."""
    if not values:
        return "—"
    low, high = fmt.format(min(values)), fmt.format(max(values))
    return (low if low == high else f"{low}–{high}") + unit


def rate_format(values: list[float]) -> str:
    return "{:,.0f}" if values and min(values) >= 100 else "{:,.1f}"


def ms_format(values: list[float]) -> str:
    low = min(values) if values else 0
    return "{:,.0f}" if low >= 100 else "{:.1f}" if low >= 10 else "{:.2f}"


# -- HTTP, as a browser behind a TLS-terminating proxy ---------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One visitor: keeps its cookies (the ``Secure`` ones too, as the browser on the far side of the
    proxy does) and sends ``X-Forwarded-Proto: https`` when the server is reached over plain HTTP."""

    def __init__(self, base_url: str) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.scheme = parts.scheme
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.netloc = parts.netloc
        self.forwarded = parts.scheme == "http"
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"https://{self.netloc}"

    def base_headers(self) -> dict[str, str]:
        return {"X-Forwarded-Proto": "https"} if self.forwarded else {}

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 60,
        send_cookies: bool = True,
    ) -> Reply:
        if self.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        sent = {**self.base_headers(), **(headers or {})}
        if send_cookies and self.cookies:
            sent["Cookie"] = self.cookie_header()
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - start
        for line in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = line.partition(";")
            name, _, value = pair.strip().partition("=")
            if re.search(r"(?i)max-age=0\b", attributes) or value in ('""', ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Reply(response.status, response.headers, data, seconds)


def csrf_field(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"\s+name="csrfmiddlewaretoken"', html
    )
    if not found:
        raise SystemExit("The sign-in page has no csrfmiddlewaretoken.")
    return found.group(1)


def sign_in(base_url: str, username: str, password: str, device_id: int) -> Client:
    """Sign in as a browser does: the login page (CSRF cookie and field), the password, then the TOTP
    code of a 30-second step the server has not seen used yet."""
    from motcua.core.models import TOTPDevice

    client = Client(base_url)
    page = client.request("GET", "/can-bo/dang-nhap/")
    if page.status != 200:
        raise SystemExit(f"GET /can-bo/dang-nhap/ → {page.status} (expected 200)")
    form = {"csrfmiddlewaretoken": csrf_field(page.text()), "step": "password", "next": "/can-bo/"}
    form.update(username=username, password=password)
    posted = {"Content-Type": "application/x-www-form-urlencoded", "Origin": client.origin}
    posted["Referer"] = client.origin + "/can-bo/dang-nhap/"
    reply = client.request(
        "POST", "/can-bo/dang-nhap/", headers=posted, body=urllib.parse.urlencode(form).encode()
    )
    if reply.status != 200 or 'value="otp"' not in reply.text():
        raise SystemExit(f"Sign-in {username}: password step → {reply.status}, no code step.")
    device = TOTPDevice.objects.get(pk=device_id)
    # The server takes the current step or a neighbour, each once: the first unused one from now.
    step = max(int(time.time()) // 30, device.last_used_step + 1)
    while step > int(time.time()) // 30 + 1:
        time.sleep(max(0.2, (step - 1) * 30 - time.time() + 0.3))
    form = {"csrfmiddlewaretoken": csrf_field(reply.text()), "step": "otp", "next": "/can-bo/"}
    form["code"] = totp(device.secret, step)
    reply = client.request(
        "POST", "/can-bo/dang-nhap/", headers=posted, body=urllib.parse.urlencode(form).encode()
    )
    if reply.status != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"Sign-in {username}: code step → {reply.status}, no session.")
    return client
