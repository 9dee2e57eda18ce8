"""bench/over_http.py, part 2: the bench database prepared through the services, and the server."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from overhttp_common import (
    INTAKE_PREFIX,
    LABEL,
    MOTCUA,
    ROOT,
    STAFF_PREFIX,
    SUPERVISOR_USER,
    TOKEN_NAME,
    WORK_DIR,
    Client,
    say,
    totp,
)

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
    tracked: list[tuple[str, str]]  # (dossier code, last four digits of its applicant's number)
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
    # Public tracking: any dossier of the province, with the second factor its applicant holds.
    tracked = [
        (code, number[-4:])
        for code, number in Dossier.objects.exclude(applicant_id_number="")
        .order_by("?")
        .values_list("code", "applicant_id_number")[: args.pool]
    ]
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
        tracked=tracked,
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
