"""Speed as users feel it: requests over HTTP to the real server under the production settings, loaded
with wrk, beside a pgbench figure of the same machine.

Run by hand (never in CI) against the database filled by bench/generate_dossiers.py:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/over_http.py

By default the script starts ``motcua serve`` itself under ``MOTCUA_ENV=production`` (a random
``SECRET_KEY``, ``TRUSTED_PROXIES=127.0.0.1``, static files collected into ``var/bench-http/static``)
on a free port of 127.0.0.1, and stops it at the end; ``--base-url`` measures a server already running
instead (it must believe the load generator's ``X-Forwarded-Proto``: ``TRUSTED_PROXIES``).

What it prepares in the database, idempotently and through the project's own services (no SQL):

- ``bench.http.x10507``, specialist of Phường Thành Đông (``--unit``), like the demo's
  ``thanhdong.tuphap``: its inbox, its dossier pages (a pool of ``--pool`` codes of its scope, drawn
  once) and an API token;
- ``bench.giamsat``, supervisor of the whole province, for the 766 dashboard;
- ``bench.motcua.<unit>``, one intake officer and API token per one-stop unit of ``--intake-units``
  (each unit gives 9,999 dossier numbers a day: the intake load is spread over them);
- both staff accounts enrolled in two-factor sign-in (TOTP, RFC 6238 computed here), given a new random
  password each run, and signed in over HTTP like a browser (password, then the code).

Every request carries ``X-Forwarded-Proto: https``, as a TLS-terminating reverse proxy would send it, so
``SECURE_SSL_REDIRECT`` does not redirect and the secure cookies are accepted. Each scenario is checked
for its expected status before it is loaded; the Lua script given to wrk counts every response that is
not 2xx (3xx included), wrk the socket errors, and a run with any is reported as such.

Prints a Markdown table (request, connections, req/s, p50, p99, errors; runs as a range), the 766
dashboard timings (first request after the cache is emptied, then the same request again) and the tps
of ``pgbench -S -c 16 -j 2`` on a scratch database of the same PostgreSQL server, measured before and
after; writes every raw figure to a JSON file (``--out``). Needs wrk (``apt-get install -y wrk``) and
the PostgreSQL client programs (``pgbench``, ``psql``, ``createdb``).
"""

# ruff: noqa: S603, S607 - a benchmark that runs wrk, pgbench, psql and motcua by name
from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MOTCUA = ROOT / ".venv" / "bin" / "motcua"
WORK_DIR = ROOT / "var" / "bench-http"
LABEL = "bench/over_http.py"
TOKEN_NAME = "bench/over_http.py"  # noqa: S105 - the name the tokens are listed under
STAFF_PREFIX = "bench.http."  # and the unit: bench.http.x10507
SUPERVISOR_USER = "bench.giamsat"
INTAKE_PREFIX = "bench.motcua."
SCENARIOS = ("inbox", "dossier", "api-list", "api-detail", "search", "intake", "dashboard")
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


# -- preparing the bench database (through the services) ------------------------------------------------


@dataclass
class Prepared:
    staff_password: str
    staff_device: int
    supervisor_password: str
    supervisor_device: int
    staff_token: str
    intake: list[tuple[str, str]]  # (receiving unit code, token)
    intake_left: dict[str, int]
    competent: str
    procedure: str
    components: list[dict[str, Any]]
    codes: list[str]
    citizens: list[str]
    periods: dict[str, dict[str, Any]]
    dossiers: int


def _staff(username: str, full_name: str, unit: Any, roles: list[str]) -> tuple[Any, str]:
    from motcua.core.models import User
    from motcua.core.services import create_staff

    password = secrets.token_urlsafe(18)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_staff(
            username=username, full_name=full_name, password=password, unit=unit, roles=roles, job_title=LABEL
        )
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, password


def _enrolled(user: Any) -> int:
    """A confirmed TOTP device (enrolled with a code computed here, as an authenticator app would)."""
    from motcua.core import login as signin
    from motcua.core.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None and device.confirmed:
        return int(device.pk)
    device = signin.start_enrolment(user)
    for _ in range(3):
        step = max(int(time.time()) // 30, device.last_used_step + 1)
        if signin.confirm_enrolment(device, totp(device.secret, step)):
            return int(device.pk)
        time.sleep(1)
    raise SystemExit(f"Could not enrol {user.get_username()} in two-factor sign-in.")


def _token(user: Any) -> str:
    """A new API token; the ones this script issued before to the account are revoked."""
    from motcua.core import tokens
    from motcua.core.models import ApiToken

    for old in ApiToken.objects.filter(user=user, name=TOKEN_NAME, revoked_at__isnull=True):
        tokens.revoke(old)
    return tokens.issue(user, TOKEN_NAME, days=1).secret


def _periods(today: date, month: str | None, year: int | None) -> dict[str, dict[str, Any]]:
    """The 766 dashboard's three cases: a province-month (the last complete month unless given), a
    province-year (the last complete year unless given) and the complete month with the most dossiers
    received."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from motcua.dossiers.models import Dossier

    if month:
        y, m = (int(p) for p in month.split("-"))
    else:
        y, m = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    from django.utils import timezone

    this_month = timezone.make_aware(datetime(today.year, today.month, 1))
    busiest = (  # among the complete months: this month's intake runs would otherwise soon win
        Dossier.objects.filter(received_at__lt=this_month)
        .annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    out = {
        "province-month": {"period": "thang", "year": y, "month": m, "unit": "tinh"},
        "province-year": {"period": "nam", "year": year or today.year - 1, "unit": "tinh"},
    }
    if busiest:
        b = busiest["month"]
        out["busiest-month"] = {"period": "thang", "year": b.year, "month": b.month, "unit": "tinh"}
        out["busiest-month"]["dossiers_received"] = busiest["n"]
    return out


def prepare(args: argparse.Namespace) -> Prepared:
    from django.utils import timezone

    from motcua.catalogue.models import Procedure
    from motcua.core.audit import acting_as
    from motcua.core.identity import IdentityError, parse_citizen_id
    from motcua.core.models import OrgUnit, Person, Role
    from motcua.core.rules import rule_value
    from motcua.dossiers import rules, selectors
    from motcua.dossiers.models import DailySequence, Dossier

    today = timezone.localdate()
    with acting_as(None, label=LABEL):
        unit = OrgUnit.objects.get(code=args.unit)
        root = OrgUnit.objects.filter(parent__isnull=True, valid_to__isnull=True).order_by("path").first()
        if root is None:
            raise SystemExit("No root unit (province) in the database: was bench/generate_dossiers.py run?")
        staff, staff_password = _staff(
            STAFF_PREFIX + args.unit, "Chuyên viên đo tải (bench/over_http.py)", unit, [Role.SPECIALIST]
        )
        supervisor, supervisor_password = _staff(
            SUPERVISOR_USER, "Giám sát đo tải (bench/over_http.py)", root, [Role.SUPERVISOR]
        )
        staff_device, supervisor_device = _enrolled(staff), _enrolled(supervisor)
        staff_token = _token(staff)

        procedure = Procedure.objects.get(code=args.procedure)
        version = procedure.current_version()
        if version is None:
            raise SystemExit(f"Procedure {args.procedure} has no version in force.")
        components = [
            {"order": c.order} for c in version.components.all() if c.required and c.role == "submit"
        ]
        most = rules.max_sequence(str(rule_value("dossiers.code_format", today)))
        intake: list[tuple[str, str]] = []
        left: dict[str, int] = {}
        for code in [c.strip() for c in args.intake_units.split(",") if c.strip()]:
            desk = OrgUnit.objects.get(code=code)
            officer, _ = _staff(INTAKE_PREFIX + code, f"Một cửa đo tải {code}", desk, [Role.INTAKE_OFFICER])
            used = (
                DailySequence.objects.filter(unit=desk, day=today)
                .values_list("last_value", flat=True)
                .first()
            )
            left[code] = most - (used or 0)
            if left[code] < 100:
                say(f"  {code}: only {left[code]} dossier numbers left today, desk left out")
                continue
            intake.append((code, _token(officer)))

    codes = list(selectors.visible(staff).order_by("?").values_list("code", flat=True)[: args.pool])
    citizens: list[str] = []
    for number, birth in Person.objects.order_by("?").values_list("citizen_id", "birth_date")[
        : args.citizens * 2
    ]:
        try:
            citizens.append(parse_citizen_id(number, birth_date=birth).number)
        except IdentityError:
            continue
        if len(citizens) >= args.citizens:
            break
    return Prepared(
        staff_password=staff_password,
        staff_device=staff_device,
        supervisor_password=supervisor_password,
        supervisor_device=supervisor_device,
        staff_token=staff_token,
        intake=intake,
        intake_left=left,
        competent=args.unit,
        procedure=args.procedure,
        components=components,
        codes=codes,
        citizens=citizens,
        periods=_periods(today, args.eval_month, args.eval_year),
        dossiers=Dossier.objects.count(),
    )


# -- the server --------------------------------------------------------------------------------------------


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def alive(self) -> bool:
        return self.process is None or self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # the server and the workers it forked
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(args: argparse.Namespace) -> Server:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        MOTCUA_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        TRUSTED_PROXIES="127.0.0.1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="0",
        STATIC_ROOT=str(WORK_DIR / "static"),
    )
    env.pop("SECURE_SSL_REDIRECT", None)
    say("collectstatic (production storage: hashed names and compressed copies)…")
    subprocess.run([str(MOTCUA), "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    helptext = subprocess.run(
        [str(MOTCUA), "serve", "--help"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    port = _free_port()
    command = [str(MOTCUA), "serve", "--host", "127.0.0.1", "--port", str(port)]
    options: dict[str, Any] = {}
    for name in ("workers", "threads"):
        value = getattr(args, name)
        if value is not None and f"--{name}" in helptext:
            command += [f"--{name}", str(value)]
            options[name] = value
    log = WORK_DIR / f"serve-{port}.log"
    say(f"starting: {' '.join(command[1:])} (MOTCUA_ENV=production, log {log})")
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(f"http://127.0.0.1:{port}", process, log, {"command": command[1:], **options})
    client = Client(server.base_url)
    deadline = time.time() + 120
    while True:
        if not server.alive():
            raise SystemExit(f"The server stopped while starting:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if client.request("GET", "/thu-tuc/", timeout=5).status == 200:
                return server
        except OSError:
            pass
        if time.time() > deadline:
            server.stop()
            raise SystemExit(
                f"The server did not answer within 120 s:\n{log.read_text(errors='replace')[-3000:]}"
            )
        time.sleep(0.5)


def production_checks(base_url: str) -> dict[str, Any]:
    """What shows from outside that the production settings are on."""
    client = Client(base_url)
    client.forwarded = False
    plain = client.request("GET", "/thu-tuc/")
    client.forwarded = base_url.startswith("http:")
    secure = client.request("GET", "/thu-tuc/")
    cookie = secure.headers.get("Set-Cookie") or ""
    return {
        "plain_http_status": plain.status,
        "plain_http_location": plain.headers.get("Location"),
        "forwarded_https_status": secure.status,
        "hsts": secure.headers.get("Strict-Transport-Security"),
        "secure_cookie": "secure" in cookie.lower(),
        "server": secure.headers.get("Server"),
    }


# -- scenarios and wrk ---------------------------------------------------------------------------------


@dataclass
class Scenario:
    key: str
    label: str
    method: str
    paths: list[str]
    headers: dict[str, str]
    expected: int
    connections: list[int]
    lua_body: str = ""  # a request() of its own (intake); otherwise the paths in turn


LUA_COMMON = r"""
local threads = {}
local next_id = 1
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  statuses = {}
  n = (tid * 7919) %% #paths
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    if s then
      for k, v in pairs(s) do merged[k] = (merged[k] or 0) + v end
    end
  end
  local parts = {}
  for k, v in pairs(merged) do parts[#parts + 1] = string.format('"%%d":%%d', k, v) end
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests":%%d,"duration_us":%%d,"bytes":%%d,' ..
    '"errors":{"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d},' ..
    '"latency_us":{"mean":%%.1f,"stdev":%%.1f,"min":%%d,"max":%%d,"p50":%%d,"p90":%%d,"p99":%%d},' ..
    '"statuses":{%%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.min, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    table.concat(parts, ",")))
end
"""

LUA_GET = r"""
function request()
  n = n %% #paths + 1
  return wrk.format(%(method)s, paths[n], headers)
end
"""


def lua_script(scenario: Scenario) -> str:
    head = f"-- written by bench/over_http.py: {scenario.label}\nlocal paths = {lua_list(scenario.paths)}\n"
    head += f"local headers = {lua_table(scenario.headers)}\n"
    request = scenario.lua_body or LUA_GET % {"method": lua_string(scenario.method)}
    return head + LUA_COMMON % {"mark": WRK_MARK} + request


def intake_lua(prepared: Prepared, base: dict[str, str], prefix: str) -> str:
    """request() of the intake scenario: a counter receipt at the one-stop units in turn (each with
    its officer's token), for the data set's citizens in turn, with a new Idempotency-Key each time."""
    head = {**base, "Content-Type": "application/json"}
    return "\n".join(
        [
            f"local units = {lua_list([u for u, _ in prepared.intake])}",
            f"local tokens = {lua_list(['Bearer ' + t for _, t in prepared.intake])}",
            f"local citizens = {lua_list(prepared.citizens)}",
            f"local prefix = {lua_string(prefix)}",
            f"local nonce = {lua_string(secrets.token_hex(4))}",
            f"local base = {lua_table(head)}",
            "local sent = 0",
            "function request()",
            "  n = n % #paths + 1",
            "  sent = sent + 1",
            "  local u = (sent + tid) % #units + 1",
            "  local c = (sent * 7 + tid * 131) % #citizens + 1",
            '  local body = prefix .. citizens[c] .. \'"},"receiving_unit":"\' .. units[u] .. \'"}\'',
            "  local h = {}",
            "  for k, v in pairs(base) do h[k] = v end",
            '  h["Authorization"] = tokens[u]',
            '  h["Idempotency-Key"] = "bench-http-" .. nonce .. "-" .. tid .. "-" .. sent',
            '  return wrk.format("POST", paths[n], h, body)',
            "end",
            "",
        ]
    )


def intake_prefix(prepared: Prepared) -> str:
    """The JSON body up to the citizen's number; the Lua script (and the check) completes it."""
    return (
        '{"channel":1,"procedure":'
        + json.dumps(prepared.procedure)
        + ',"competent_unit":'
        + json.dumps(prepared.competent)
        + ',"components":'
        + json.dumps(prepared.components, separators=(",", ":"))
        + ',"applicant":{"citizen_id":"'
    )


def build_scenarios(
    args: argparse.Namespace, prepared: Prepared, staff: Client | None, base: dict[str, str]
) -> list[Scenario]:
    only = set(args.only_list)
    conns = args.connection_list
    session = {**base, "Cookie": staff.cookie_header()} if staff else {}
    bearer = {**base, "Authorization": f"Bearer {prepared.staff_token}"}
    dossier_paths = [f"/can-bo/ho-so/{urllib.parse.quote(c)}/" for c in prepared.codes]
    api_paths = [f"/api/ho-so/{urllib.parse.quote(c)}" for c in prepared.codes]
    out = []
    if "inbox" in only:
        out.append(
            Scenario(
                "inbox",
                "GET /can-bo/ho-so/ (staff inbox, 50 rows)",
                "GET",
                ["/can-bo/ho-so/"],
                session,
                200,
                conns,
            )
        )
    if "dossier" in only and dossier_paths:
        label = f"GET /can-bo/ho-so/<code>/ (dossier page, {len(dossier_paths)} codes)"
        out.append(Scenario("dossier", label, "GET", dossier_paths, session, 200, conns))
    if "api-list" in only:
        path = "/api/ho-so/?box=to_process&limit=50"
        out.append(Scenario("api-list", f"GET {path}", "GET", [path], bearer, 200, conns))
    if "api-detail" in only and api_paths:
        label = f"GET /api/ho-so/<code> ({len(api_paths)} codes)"
        out.append(Scenario("api-detail", label, "GET", api_paths, bearer, 200, conns))
    if "search" in only:
        out.append(
            Scenario(
                "search",
                "GET /thu-tuc/?q=khai+sinh (public search)",
                "GET",
                ["/thu-tuc/?q=khai+sinh"],
                dict(base),
                200,
                conns,
            )
        )
    if "intake" in only and prepared.intake and prepared.citizens:
        units = len(prepared.intake)
        label = f"POST /api/ho-so/ (counter intake, {units} desks)"
        scenario = Scenario(
            "intake", label, "POST", ["/api/ho-so/"], dict(base), 201, [args.intake_connections]
        )
        scenario.lua_body = intake_lua(prepared, base, intake_prefix(prepared))
        out.append(scenario)
    return out


def precheck(base_url: str, scenario: Scenario, prepared: Prepared) -> dict[str, Any]:
    """One request as wrk will send it (several paths for the rotating ones, one per desk for intake):
    every one must answer the expected status, or the scenario is not loaded."""
    client = Client(base_url)
    client.forwarded = (
        False  # the scenario's headers carry X-Forwarded-Proto and the cookies, as wrk sends them
    )
    replies = []
    if scenario.key == "intake":
        prefix = intake_prefix(prepared)
        for i, (unit, token) in enumerate(prepared.intake):
            body = prefix + prepared.citizens[i % len(prepared.citizens)] + f'"}},"receiving_unit":"{unit}"}}'
            headers = {
                **scenario.headers,
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
            }
            headers["Idempotency-Key"] = f"bench-http-check-{secrets.token_hex(6)}"
            replies.append(
                (
                    f"POST /api/ho-so/ @{unit}",
                    client.request(
                        "POST", "/api/ho-so/", headers=headers, body=body.encode(), send_cookies=False
                    ),
                )
            )
    else:
        for path in scenario.paths[:3]:
            reply = client.request("GET", path, headers=scenario.headers, send_cookies=False)
            replies.append((f"GET {path}", reply))
    found: dict[str, Any] = {"ok": True, "requests": []}
    for what, reply in replies:
        item: dict[str, Any] = {
            "request": what,
            "status": reply.status,
            "bytes": len(reply.body),
            "ms": round(reply.seconds * 1000, 1),
        }
        if scenario.key == "api-list" and reply.status == 200:
            item["items"] = len(json.loads(reply.body).get("items", []))
        if scenario.key == "inbox" and reply.status == 200:
            item["rows"] = reply.text().count("data-row-link")
        if reply.status != scenario.expected:
            found["ok"] = False
            item["body"] = reply.text()[:600]
        found["requests"].append(item)
    return found


def run_wrk(
    args: argparse.Namespace,
    base_url: str,
    scenario: Scenario,
    connections: int,
    seconds: float,
    script: Path,
) -> dict[str, Any]:
    threads = max(1, min(args.wrk_threads, connections))
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        f"{args.wrk_timeout:g}s",
    ]
    command += ["--latency", "-s", str(script), base_url + scenario.paths[0]]
    load = os.getloadavg()
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 180)
    line = next((x for x in done.stdout.splitlines() if x.startswith(WRK_MARK)), None)
    if line is None:
        raise SystemExit(f"wrk printed no result ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line[len(WRK_MARK) :])
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    socket_errors = sum(raw["errors"][k] for k in ("connect", "read", "write", "timeout"))
    non_2xx = {k: v for k, v in statuses.items() if not 200 <= k < 300}
    return {
        "connections": connections,
        "wrk_threads": threads,
        "seconds": seconds,
        "load_average_at_start": [round(x, 2) for x in load],
        "requests": raw["requests"],
        "req_per_s": raw["requests"] / (raw["duration_us"] / 1e6) if raw["duration_us"] else 0.0,
        "p50_ms": raw["latency_us"]["p50"] / 1000,
        "p90_ms": raw["latency_us"]["p90"] / 1000,
        "p99_ms": raw["latency_us"]["p99"] / 1000,
        "mean_ms": raw["latency_us"]["mean"] / 1000,
        "max_ms": raw["latency_us"]["max"] / 1000,
        "bytes": raw["bytes"],
        "statuses": statuses,
        "non_2xx": sum(non_2xx.values()),
        "socket_errors": socket_errors,
        "wrk_errors": raw["errors"],
        "wrk_output": done.stdout.replace(line, "").strip(),
        "command": " ".join([*command[:-3], "-s", script.name, command[-1]]),
    }


# -- pgbench, the machine's yardstick ---------------------------------------------------------------------


def _pg(url: str) -> tuple[list[str], dict[str, str], str]:
    import dj_database_url

    config = dj_database_url.parse(url)
    flags = []
    if config.get("HOST"):
        flags += ["-h", str(config["HOST"])]
    if config.get("PORT"):
        flags += ["-p", str(config["PORT"])]
    if config.get("USER"):
        flags += ["-U", str(config["USER"])]
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return flags, env, str(config["NAME"])


def pgbench(args: argparse.Namespace, seconds: float) -> dict[str, Any]:
    """``pgbench -S -c 16 -j 2`` (read-only, primary-key look-ups) on the scratch database, created and
    initialised at scale 10 the first time."""
    flags, env, bench_db = _pg(os.environ["DATABASE_URL"])
    scratch = args.pgbench_db

    def psql(database: str, sql: str) -> str:
        run = subprocess.run(
            ["psql", *flags, "-d", database, "-Atc", sql], env=env, capture_output=True, text=True
        )
        return run.stdout.strip()

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", scratch):
        raise SystemExit(f"--pgbench-db: “{scratch}” is not a plain database name.")
    if psql(bench_db, f"SELECT 1 FROM pg_database WHERE datname = '{scratch}'") != "1":  # noqa: S608
        say(f"createdb {scratch}")
        subprocess.run(["createdb", *flags, scratch], env=env, check=True)
    if psql(scratch, "SELECT to_regclass('pgbench_accounts') IS NOT NULL") != "t":
        say(f"pgbench -i -s 10 {scratch}")
        subprocess.run(
            ["pgbench", *flags, "-i", "-s", "10", "-q", scratch], env=env, check=True, capture_output=True
        )
    command = ["pgbench", *flags, "-S", "-c", "16", "-j", "2", "-T", f"{max(1, round(seconds))}", scratch]
    load = os.getloadavg()
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"^tps = ([\d.]+)", run.stdout, re.MULTILINE)
    return {
        "tps": float(found.group(1)) if found else None,
        "command": " ".join(["pgbench", "-S", "-c", "16", "-j", "2", "-T", command[-2], scratch]),
        "load_average_at_start": [round(x, 2) for x in load],
        "server_version": psql(scratch, "SHOW server_version"),
        "output": run.stdout,
    }


# -- the 766 dashboard -----------------------------------------------------------------------------------


def dashboard_times(
    args: argparse.Namespace, client: Client, periods: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """One request of /can-bo/danh-gia/ right after the cache is emptied (the page computes the index of
    the period, of the twelve months of its trend and the ranking of the units), then the same request
    again (every figure from the cache)."""
    from django.core.cache import cache

    out = []
    for name, params in periods.items():
        query = urllib.parse.urlencode(
            {k: params[k] for k in ("period", "year", "month", "unit") if k in params}
        )
        path = f"/can-bo/danh-gia/?{query}"
        for run in range(args.runs):
            cache.clear()  # Django's cache (the database's, or Redis): the evaluation's keys with it
            row: dict[str, Any] = {"case": name, "path": path, "run": run + 1}
            row["dossiers_received"] = params.get("dossiers_received")
            for when in ("cold", "warm"):
                start = time.perf_counter()
                try:
                    reply = client.request("GET", path, timeout=args.dashboard_timeout)
                    row[f"{when}_status"], row[f"{when}_s"] = reply.status, reply.seconds
                except OSError as exc:  # a timeout, the connection dropped: recorded, not fatal
                    row[f"{when}_status"], row[f"{when}_s"] = f"error: {exc}", time.perf_counter() - start
            out.append(row)
            say(
                f"  {name} {path}: {row['cold_status']} in {row['cold_s']:.2f} s, "
                f"again {row['warm_status']} in {row['warm_s'] * 1000:.0f} ms"
            )
    return out


# -- the report ------------------------------------------------------------------------------------------


def _errors_cell(runs: list[dict[str, Any]]) -> str:
    bad = [r for r in runs if r["non_2xx"] or r["socket_errors"]]
    if not bad:
        return "0"
    statuses: dict[int, int] = {}
    sockets: dict[str, int] = {}
    for r in bad:
        for k, v in r["statuses"].items():
            if not 200 <= k < 300:
                statuses[k] = statuses.get(k, 0) + v
        for k in ("connect", "read", "write", "timeout"):
            if r["wrk_errors"][k]:
                sockets[k] = sockets.get(k, 0) + r["wrk_errors"][k]
    parts = [f"{v} × {k}" for k, v in sorted(statuses.items())] + [f"{v} × {k}" for k, v in sockets.items()]
    return f"**{', '.join(parts)}** ({len(bad)} of {len(runs)} runs)"


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| Request | Connections | req/s | p50 | p99 | errors |", "|---|---|---|---|---|---|"]
    for item in results:
        runs = item["runs"]
        if not runs:
            lines.append(
                f"| {item['label']} | {item['connections']} | — | — | — | not run: {item['skipped']} |"
            )
            continue
        rates = [r["req_per_s"] for r in runs]
        p50 = [r["p50_ms"] for r in runs]
        p99 = [r["p99_ms"] for r in runs]
        lines.append(
            f"| {item['label']} | {item['connections']} | {span(rates, rate_format(rates))} | "
            f"{span(p50, ms_format(p50), ' ms')} | {span(p99, ms_format(p99), ' ms')} | "
            f"{_errors_cell(runs)} |"
        )
    return "\n".join(lines)


def dashboard_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| 766 dashboard (province) | path | first request, cache emptied | again (cached) | status |"]
    lines.append("|---|---|---|---|---|")
    for case in dict.fromkeys(r["case"] for r in rows):
        mine = [r for r in rows if r["case"] == case]
        cold = [r["cold_s"] for r in mine]
        warm = [r["warm_s"] * 1000 for r in mine]
        statuses = sorted({str(r["cold_status"]) for r in mine} | {str(r["warm_status"]) for r in mine})
        label = case + (
            f" ({mine[0]['dossiers_received']:,} received)" if mine[0]["dossiers_received"] else ""
        )
        lines.append(
            f"| {label} | `{mine[0]['path']}` | {span(cold, '{:.2f}', ' s')} | "
            f"{span(warm, ms_format(warm), ' ms')} | "
            f"{', '.join(map(str, statuses))} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        model = next(
            (
                x.split(":", 1)[1].strip()
                for x in Path("/proc/cpuinfo").read_text().splitlines()
                if x.startswith("model name")
            ),
            "",
        )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()[:1]
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "wrk": wrk_version[0] if wrk_version else "",
        "commit": commit,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# -- main ------------------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base-url", help="a running server (default: start `motcua serve` under production settings)"
    )
    parser.add_argument(
        "--duration", type=float, default=30, help="seconds of each measured run (default 30)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=10,
        help="seconds of load before each measured run, discarded (default 10)",
    )
    parser.add_argument(
        "--connections", default="1,16", help="connection counts, comma-separated (default 1,16)"
    )
    parser.add_argument(
        "--intake-connections", type=int, default=4, help="connections of the intake scenario (default 4)"
    )
    parser.add_argument(
        "--runs", type=int, default=2, help="measured runs of each scenario and connection count (default 2)"
    )
    parser.add_argument("--only", help=f"a subset of the scenarios: {','.join(SCENARIOS)}")
    parser.add_argument("--workers", type=int, help="passed to `motcua serve` when it has the option")
    parser.add_argument("--threads", type=int, help="passed to `motcua serve` when it has the option")
    parser.add_argument(
        "--unit",
        default="x10507",
        help="the ward of the staff user and competent unit of intake (default x10507)",
    )
    parser.add_argument(
        "--intake-units",
        default="x10507,x10525,x11359,x11914,hp-ttpvhcc",
        help="one-stop units whose desks receive in turn (default: four wards and the service centre)",
    )
    parser.add_argument(
        "--procedure", default="2.000815", help="procedure of the intake scenario (default 2.000815)"
    )
    parser.add_argument(
        "--pool", type=int, default=500, help="dossier codes drawn from the staff user's scope (default 500)"
    )
    parser.add_argument(
        "--citizens",
        type=int,
        default=300,
        help="citizens of the data set the intake cycles through (default 300)",
    )
    parser.add_argument(
        "--eval-month", help="YYYY-MM of the province-month case (default: the last complete month)"
    )
    parser.add_argument(
        "--eval-year", type=int, help="year of the province-year case (default: the last complete year)"
    )
    parser.add_argument(
        "--dashboard-timeout",
        type=float,
        default=900,
        help="seconds one dashboard request may take (default 900)",
    )
    parser.add_argument(
        "--wrk-threads", type=int, default=2, help="wrk threads (at most one per connection; default 2)"
    )
    parser.add_argument(
        "--wrk-timeout",
        type=float,
        default=30,
        help="wrk counts a response slower than this as a timeout (default 30 s)",
    )
    parser.add_argument(
        "--pgbench-db", default="motcua_pgbench", help="scratch database of pgbench (default motcua_pgbench)"
    )
    parser.add_argument(
        "--no-pgbench", action="store_true", help="skip pgbench (the figures then have no yardstick)"
    )
    parser.add_argument(
        "--out", help="JSON file of the raw figures (default var/bench-http/http-<time>.json)"
    )
    args = parser.parse_args()
    args.only_list = [s.strip() for s in (args.only or ",".join(SCENARIOS)).split(",") if s.strip()]
    unknown = set(args.only_list) - set(SCENARIOS)
    if unknown:
        parser.error(
            f"--only: unknown scenario(s) {', '.join(sorted(unknown))}; choose from {', '.join(SCENARIOS)}"
        )
    args.connection_list = [int(c) for c in args.connections.split(",") if c.strip()]
    return args


@dataclass
class Measured:
    """One scenario at one connection count: its runs (and the warm-ups before them)."""

    scenario: Scenario
    connections: int
    script: Path | None = None
    check: dict[str, Any] = field(default_factory=dict)
    check_after: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)
    warmups: list[dict[str, Any]] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return {
            "key": self.scenario.key,
            "label": self.scenario.label,
            "connections": self.connections,
            "expected_status": self.scenario.expected,
            "check": self.check,
            "check_after": self.check_after,
            "skipped": self.skipped,
            "runs": self.runs,
            "warmups": self.warmups,
        }


def checked(server: Server, scenarios: list[Scenario], prepared: Prepared, folder: Path) -> list[Measured]:
    """The scenarios, each checked once before any load; one that answers wrongly is not loaded."""
    out = []
    for scenario in scenarios:
        found = precheck(server.base_url, scenario, prepared)
        shown = [
            (r["request"][:50], r["status"], r.get("items", r.get("rows", ""))) for r in found["requests"]
        ]
        say(f"  check {scenario.key}: {shown}")
        script = None
        skipped = ""
        if found["ok"]:
            script = folder / f"{scenario.key}.lua"
            script.write_text(lua_script(scenario))
        else:
            skipped = "answered " + ", ".join(str(r["status"]) for r in found["requests"])
            if any(r["status"] == 301 for r in found["requests"]):
                skipped += " (to https: is this machine in the server's TRUSTED_PROXIES?)"
            say(f"  ! {scenario.key}: expected {scenario.expected}, not loaded: {found['requests']}")
        out += [Measured(scenario, c, script, found, skipped=skipped) for c in scenario.connections]
    return out


def load(args: argparse.Namespace, server: Server, items: list[Measured]) -> None:
    """Every run goes over all the read scenarios (a slow minute of the machine does not fall on one
    scenario only), each after its warm-up; the intake, which writes, comes after all the reads."""
    live = [m for m in items if m.script is not None]
    for group in (
        [m for m in live if m.scenario.key != "intake"],
        [m for m in live if m.scenario.key == "intake"],
    ):
        for run in range(args.runs):
            for item in group:
                if not server.alive():
                    raise SystemExit(f"The server stopped during the runs: see {server.log}")
                assert item.script is not None
                if args.warmup > 0:
                    warm = run_wrk(
                        args, server.base_url, item.scenario, item.connections, args.warmup, item.script
                    )
                    item.warmups.append(warm)
                got = run_wrk(
                    args, server.base_url, item.scenario, item.connections, args.duration, item.script
                )
                got["run"] = run + 1
                item.runs.append(got)
                say(
                    f"  {item.scenario.key} c={item.connections} run {run + 1}: {got['req_per_s']:.1f} req/s,"
                    " "
                    f"p50 {got['p50_ms']:.1f} ms, p99 {got['p99_ms']:.1f} ms, "
                    f"{got['non_2xx']} non-2xx, {got['socket_errors']} socket errors"
                )


def summary(report: dict[str, Any], args: argparse.Namespace) -> str:
    m, server = report["machine"], report["server"]
    lines = [
        f"{report['started']}, {m['cpus']} CPUs ({m['cpu_model']}), commit {m['commit']}, "
        f"load average {m['load_average'][0]} at the start",
        f"{report['database']['dossiers']:,} dossiers; server: {' '.join(server.get('command', []))}"
        + ("" if server["started_here"] else server["base_url"]),
    ]
    before, after = report.get("pgbench_before"), report.get("pgbench_after")
    if before:
        later = f"{after['tps']:,.0f} tps after" if after and after.get("tps") else "after: not measured"
        lines.append(
            f"pgbench -S -c 16 -j 2 -T {args.duration:g} (PostgreSQL {before['server_version']}): "
            f"{before['tps']:,.0f} tps before, {later}"
        )
    lines.append(
        f"{args.runs} runs of {args.duration:g} s, each after {args.warmup:g} s of warm-up; "
        "wrk on the same machine"
    )
    return "\n".join(lines)


def main() -> None:
    args = arguments()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("DATABASE_URL must name the bench database (PostgreSQL).")
    needed = ["wrk"] + ([] if args.no_pgbench else ["pgbench", "psql", "createdb"])
    for program in needed:
        if shutil.which(program) is None:
            raise SystemExit(f"{program} not found (apt-get install -y wrk postgresql-client).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        raise SystemExit("The bench database must be PostgreSQL.")
    started = datetime.now().astimezone()
    report: dict[str, Any] = {"started": started.isoformat(timespec="seconds"), "machine": machine()}
    report["args"] = {k: v for k, v in vars(args).items()}
    say("preparing accounts, tokens, dossier codes…")
    prepared = prepare(args)
    connections.close_all()
    say(
        f"  {prepared.dossiers:,} dossiers; {len(prepared.codes)} codes, {len(prepared.citizens)} citizens, "
        f"{len(prepared.intake)} intake desks (numbers left today: {prepared.intake_left})"
    )
    server = Server(args.base_url.rstrip("/")) if args.base_url else start_server(args)
    folder = Path(tempfile.mkdtemp(prefix="bench-http-"))
    items: list[Measured] = []
    dashboard: list[dict[str, Any]] = []
    try:
        report["server"] = {"base_url": server.base_url, "started_here": server.process is not None}
        report["server"].update(server.options, production_checks=production_checks(server.base_url))
        say(f"server {server.base_url}: {report['server']['production_checks']}")
        staff = None
        if {"inbox", "dossier"} & set(args.only_list):
            username = STAFF_PREFIX + args.unit
            staff = sign_in(server.base_url, username, prepared.staff_password, prepared.staff_device)
            say(f"  {username} signed in (password, then TOTP code)")
        base = Client(server.base_url).base_headers()
        scenarios = build_scenarios(args, prepared, staff, base)
        items = checked(server, scenarios, prepared, folder)
        if not args.no_pgbench:
            report["pgbench_before"] = pgbench(args, args.duration)
            say(f"pgbench before: {report['pgbench_before']['tps']} tps")
        load(args, server, items)
        for item in items:  # still answering as before the load (a lost session would show here)
            if item.script is not None and item.scenario.key != "intake":
                item.check_after = precheck(server.base_url, item.scenario, prepared)
        if "dashboard" in args.only_list:
            say("766 dashboard…")
            password, device = prepared.supervisor_password, prepared.supervisor_device
            supervisor = sign_in(server.base_url, SUPERVISOR_USER, password, device)
            dashboard = dashboard_times(args, supervisor, prepared.periods)
        if not args.no_pgbench:
            try:
                report["pgbench_after"] = pgbench(args, args.duration)
                say(f"pgbench after: {report['pgbench_after']['tps']} tps")
            except (OSError, subprocess.CalledProcessError) as exc:  # keep the figures of the runs
                report["pgbench_after"] = {"tps": None, "error": str(exc)}
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    report.update(
        finished=datetime.now().astimezone().isoformat(timespec="seconds"),
        database={
            "dossiers": prepared.dossiers,
            "pool": len(prepared.codes),
            "citizens": len(prepared.citizens),
        },
        intake_numbers_left={u: prepared.intake_left.get(u) for u, _ in prepared.intake},
        periods=prepared.periods,
        results=[item.record() for item in items],
        dashboard=dashboard,
    )
    out = Path(args.out) if args.out else WORK_DIR / f"http-{started:%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    print(summary(report, args) + "\n")
    print(table(report["results"]))
    if dashboard:
        print("\n" + dashboard_table(dashboard))
    print(f"\nraw figures: {out}")


if __name__ == "__main__":
    main()
