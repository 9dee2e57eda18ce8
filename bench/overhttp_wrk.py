"""bench/over_http.py, part 3: scenarios and wrk, pgbench beside them, the 766 dashboard timings."""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from overhttp_common import WRK_MARK, Client, lua_list, lua_string, lua_table, say
from overhttp_prepare import Prepared

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
    pace_ms: float = 0.0  # each connection waits this long between requests (a fixed rate, not flat out)


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
    if scenario.pace_ms:
        request += f"function delay()\n  return {scenario.pace_ms:g}\nend\n"
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


def paced(
    args: argparse.Namespace, key: str, what: str, paths: list[str], headers: dict[str, str]
) -> Scenario:
    """A GET at about ``--paced-rate`` requests a second over ``--paced-connections``. wrk 4 has no
    fixed-rate mode (wrk2's -R): each connection waits between its requests so that together they send
    about that rate; the latency is measured from each request's sending, the rate reached reported."""
    connections = args.paced_connections
    label = f"{what} at about {args.paced_rate} req/s ({connections} connections)"
    scenario = Scenario(key, label, "GET", paths, headers, 200, [connections])
    scenario.pace_ms = 1000.0 * connections / args.paced_rate
    return scenario


def build_scenarios(
    args: argparse.Namespace, prepared: Prepared, staff: Client | None, base: dict[str, str]
) -> list[Scenario]:
    only = set(args.only_list)
    conns = args.connection_list
    session = {**base, "Cookie": staff.cookie_header()} if staff else {}
    bearer = {**base, "Authorization": f"Bearer {prepared.staff_token}"}
    dossier_paths = [f"/can-bo/ho-so/{urllib.parse.quote(c)}/" for c in prepared.codes]
    api_paths = [f"/api/ho-so/{urllib.parse.quote(c)}" for c in prepared.codes]
    record_paths = [f"{p}/tinh-trang" for p in api_paths]
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
    if "api-record" in only and record_paths:
        label = f"GET /api/ho-so/<code>/tinh-trang (lean record, {len(record_paths)} codes)"
        out.append(Scenario("api-record", label, "GET", record_paths, bearer, 200, conns))
    if "api-record-paced" in only and record_paths:
        out.append(paced(args, "api-record-paced", "GET /api/ho-so/<code>/tinh-trang", record_paths, bearer))
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
    public = dict(base)  # no session, no token: a citizen's phone
    api_tracked = [f"/api/tra-cuu-ho-so/{urllib.parse.quote(c)}?xac_thuc={f}" for c, f in prepared.tracked]
    if "track" in only and api_tracked:
        label = f"GET /api/tra-cuu-ho-so/<code>?xac_thuc=… (public tracking, {len(api_tracked)} codes)"
        out.append(Scenario("track", label, "GET", api_tracked, public, 200, conns))
    if "track-page" in only and prepared.tracked:
        paths = [f"/tra-cuu-ho-so/?ma={urllib.parse.quote(c)}&xac_thuc={f}" for c, f in prepared.tracked]
        label = f"GET /tra-cuu-ho-so/?ma=…&xac_thuc=… (tracking page, {len(paths)} codes)"
        out.append(Scenario("track-page", label, "GET", paths, public, 200, conns))
    if "track-paced" in only and api_tracked:
        out.append(paced(args, "track-paced", "GET /api/tra-cuu-ho-so/<code>", api_tracked, public))
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
    again (every figure from the cache), then once more after one dossier of the period changed (the
    page computes the period asked; the ranking shows its last value while the worker recomputes it)."""
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
            for when in ("cold", "warm", "changed"):
                if when == "changed":
                    _change_one_dossier(params)
                start = time.perf_counter()
                try:
                    reply = client.request("GET", path, timeout=args.dashboard_timeout)
                    row[f"{when}_status"], row[f"{when}_s"] = reply.status, reply.seconds
                except OSError as exc:  # a timeout, the connection dropped: recorded, not fatal
                    row[f"{when}_status"], row[f"{when}_s"] = f"error: {exc}", time.perf_counter() - start
            out.append(row)
            say(
                f"  {name} {path}: {row['cold_status']} in {row['cold_s']:.2f} s, "
                f"again {row['warm_status']} in {row['warm_s'] * 1000:.0f} ms, "
                f"after a change {row['changed_status']} in {row['changed_s']:.2f} s"
            )
    return out


def _change_one_dossier(params: dict[str, Any]) -> None:
    """Stand in for a use case acting on a dossier of the period: every use case raises the dossier's
    ``lock_version`` and ``updated_at``, which is all the dashboard's data stamp reads."""
    from django.db.models import F
    from django.utils import timezone

    from motcua.dossiers.models import Dossier
    from motcua.evaluation.formulas import Period

    year = int(params["year"])
    period = Period.month(year, int(params["month"])) if "month" in params else Period.year(year)
    one = Dossier.objects.filter(
        received_at__gte=period.start_at, received_at__lt=period.end_exclusive
    ).values("pk")[:1]
    Dossier.objects.filter(pk__in=one).update(lock_version=F("lock_version") + 1, updated_at=timezone.now())
