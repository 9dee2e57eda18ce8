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

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from overhttp_common import (
    ROOT,
    SCENARIOS,
    STAFF_PREFIX,
    SUPERVISOR_USER,
    WORK_DIR,
    Client,
    ms_format,
    rate_format,
    say,
    sign_in,
    span,
)
from overhttp_prepare import Prepared, Server, prepare, production_checks, start_server
from overhttp_wrk import Scenario, build_scenarios, dashboard_times, lua_script, pgbench, precheck, run_wrk

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
    lines = [
        "| 766 dashboard (province) | path | first request, cache emptied | again (cached) "
        "| after one dossier of the period changed | status |"
    ]
    lines.append("|---|---|---|---|---|---|")
    for case in dict.fromkeys(r["case"] for r in rows):
        mine = [r for r in rows if r["case"] == case]
        cold = [r["cold_s"] for r in mine]
        warm = [r["warm_s"] * 1000 for r in mine]
        changed = [r["changed_s"] for r in mine]
        statuses = sorted({str(r[f"{w}_status"]) for r in mine for w in ("cold", "warm", "changed")})
        label = case + (
            f" ({mine[0]['dossiers_received']:,} received)" if mine[0]["dossiers_received"] else ""
        )
        lines.append(
            f"| {label} | `{mine[0]['path']}` | {span(cold, '{:.2f}', ' s')} | "
            f"{span(warm, ms_format(warm), ' ms')} | {span(changed, '{:.2f}', ' s')} | "
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
        "--paced-rate",
        type=float,
        default=200,
        help="requests a second of the paced lean-record scenario, whose p99 is the budget (default 200)",
    )
    parser.add_argument(
        "--paced-connections",
        type=int,
        default=50,
        help="connections of the paced scenario (default 50: each waits 250 ms between requests)",
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
