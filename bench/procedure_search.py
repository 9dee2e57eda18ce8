"""The public procedure search over HTTP (issue 14): /thu-tuc/ with the words a citizen types and the
filters (field, level, implementing unit, online level), as a visitor without a session gets it.

Run by hand (never in CI), against any database with the catalogue (the demo's, or the bench database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/procedure_search.py
    MOTCUA_VAR_DIR=/tmp/demo .venv/bin/python bench/procedure_search.py --procedures 2000   # SQLite

By default the script starts ``motcua serve`` itself under ``MOTCUA_ENV=production`` on a free port of
127.0.0.1 (as bench/over_http.py does, with its ``start_server``) and stops it at the end; ``--base-url``
measures a server already running. A province publishes one to two thousand procedures: ``--procedures N``
first imports synthetic procedures up to N in the catalogue (codes ``9.9xxxxx``, field ``Thủ tục mẫu``
followed by a number, every commune and ward of the database as implementing units), through the
catalogue's own import, idempotently — a bench or demo database only.

Each scenario is requested once and checked (status 200, the results fragment present), then requested
``--requests`` times in turn by each of ``--concurrency`` visitors (threads, one connection each), after
``--warmup`` requests that are not counted. Prints a Markdown table (scenario, rows shown, p50, p90, p99,
requests per second) and the target: p50 ≤ 30 ms for the search at one visitor (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime

from overhttp_common import Client, ms_format, say  # the script's folder is first on sys.path

TARGET_P50_MS = 30.0
SYNTHETIC_PREFIX = "9.9"
WORDS = (
    "đăng ký",
    "cấp",
    "cấp lại",
    "điều chỉnh",
    "gia hạn",
    "xác nhận",
    "thẩm định",
    "phê duyệt",
    "công nhận",
    "thu hồi",
)
OBJECTS = (
    "giấy phép kinh doanh",
    "chứng chỉ hành nghề",
    "giấy chứng nhận",
    "hồ sơ đất đai",
    "khai sinh",
    "hộ kinh doanh",
    "hợp tác xã",
    "trợ cấp xã hội",
    "giấy phép xây dựng",
    "bản sao trích lục",
)


@dataclass
class Scenario:
    name: str
    path: str
    htmx: bool = False
    times: list[float] = field(default_factory=list)
    rows: int = 0
    rate: float = 0.0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base-url", help="a running server (default: start `motcua serve` in production mode)"
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="measured requests per scenario and visitor"
    )
    parser.add_argument("--warmup", type=int, default=20, help="requests per scenario before measuring")
    parser.add_argument("--concurrency", type=int, default=1, help="visitors at the same time (default 1)")
    parser.add_argument(
        "--procedures", type=int, default=0, help="fill the catalogue up to N procedures first"
    )
    parser.add_argument("--workers", type=int, help="passed to `motcua serve`")
    parser.add_argument("--threads", type=int, help="passed to `motcua serve`")
    return parser.parse_args()


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()


def fill_catalogue(target: int) -> int:
    """Synthetic procedures up to ``target`` procedures in all, through the catalogue's import."""
    from motcua.catalogue.models import Procedure
    from motcua.catalogue.services import import_catalogue
    from motcua.core.audit import acting_as
    from motcua.core.models import OrgUnit

    have = Procedure.objects.filter(is_placeholder=False).count()
    if have >= target:
        return have
    communes = list(
        OrgUnit.objects.filter(
            kind__in=["ward", "commune", "special_zone"], valid_to__isnull=True
        ).values_list("code", flat=True)
    )
    taken = set(Procedure.objects.filter(code__startswith=SYNTHETIC_PREFIX).values_list("code", flat=True))
    procedures = []
    n = 0
    while have + len(procedures) < target:
        code = f"{SYNTHETIC_PREFIX}{n:05d}"
        n += 1
        if code in taken:
            continue
        name = f"Thủ tục {WORDS[n % len(WORDS)]} {OBJECTS[(n // 10) % len(OBJECTS)]} số {n}"
        procedures.append(
            {
                "code": code,
                "name": name,
                "field": {"code": f"TTM-{n % 40:02d}", "name": f"Thủ tục mẫu {n % 40:02d}"},
                "level": "commune" if n % 3 else "province",
                "versions": [
                    {
                        "version": 1,
                        "status": "published",
                        "effective_from": "2025-07-01",
                        "name": name,
                        "implementing_agency": "Ủy ban nhân dân cấp xã",
                        "implementing_units": communes if n % 3 else [],
                        "channels": ["direct", "online"],
                        "time_limit": {"value": 3, "unit": "working_days"},
                        "target_groups": ["Công dân Việt Nam"],
                        "online_level": ("full", "partial", "none")[n % 3],
                        "online_partial_reason": "Bản mẫu của bài đo." if n % 3 == 1 else "",
                        "components": [{"name": "Tờ khai"}],
                        "workflow": [
                            {
                                "order": 1,
                                "code": "xu-ly",
                                "name": "Tiếp nhận và xử lý",
                                "role": "specialist",
                                "allotted_hours": 7.5,
                            }
                        ],
                    }
                ],
            }
        )
    with acting_as(None, label="bench/procedure_search.py"):
        for start in range(0, len(procedures), 200):
            import_catalogue(
                {"format": "motcua.catalogue", "version": 1, "procedures": procedures[start : start + 200]}
            )
    return Procedure.objects.filter(is_placeholder=False).count()


def scenarios() -> list[Scenario]:
    """The searches a citizen makes, with filter values the database holds."""
    from motcua.catalogue.selectors import filter_choices

    fields, units = filter_choices()
    field = next((f.code for f in fields if f.name == "Hộ tịch"), fields[0].code if fields else "")
    unit = units[len(units) // 2].code if units else ""

    def path(**params: str) -> str:
        return "/thu-tuc/?" + urllib.parse.urlencode({k: v for k, v in params.items() if v})

    return [
        Scenario("list, no words", "/thu-tuc/"),
        Scenario("“khai sinh”", path(q="khai sinh")),
        Scenario(
            "“dang ky” + field + level + online",
            path(q="dang ky", field=field, level="commune", online="partial"),
        ),
        Scenario("implementing unit + online (full)", path(unit=unit, online="full")),
        Scenario("“giay phep” as you type (htmx fragment)", path(q="giay phep"), htmx=True),
        Scenario("a procedure's page", "/thu-tuc/1.001193/"),
    ]


def _get(client: Client, scenario: Scenario) -> tuple[int, bytes, float]:
    headers = {"HX-Request": "true"} if scenario.htmx else {}
    reply = client.request("GET", scenario.path, headers=headers, send_cookies=False)
    return reply.status, reply.body, reply.seconds


def measure(base_url: str, items: list[Scenario], requests: int, warmup: int, concurrency: int) -> None:
    probe = Client(base_url)
    for s in items:
        status, body, _ = _get(probe, s)
        if status != 200:
            raise SystemExit(f"{s.path} → {status} (expected 200)")
        s.rows = body.count(b'class="proc-card')
    for s in items:
        lock = threading.Lock()

        def visitor(s: Scenario = s, lock: threading.Lock = lock) -> None:
            client = Client(base_url)
            for _ in range(warmup):
                _get(client, s)
            mine = []
            for _ in range(requests):
                status, _, seconds = _get(client, s)
                if status != 200:
                    raise SystemExit(f"{s.path} → {status} during the run")
                mine.append(seconds * 1000)
            with lock:
                s.times += mine

        threads = [threading.Thread(target=visitor) for _ in range(concurrency)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        s.rate = len(s.times) / (time.perf_counter() - started)
        say(f"  {s.name}: p50 {statistics.median(s.times):.1f} ms")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def table(items: list[Scenario]) -> str:
    lines = ["| Request | rows shown | p50 | p90 | p99 | req/s |", "|---|---|---|---|---|---|"]
    for s in items:
        p50, p90, p99 = (percentile(s.times, q) for q in (0.5, 0.9, 0.99))
        fmt = ms_format([p50])
        lines.append(
            f"| {s.name} `{s.path}` | {s.rows} | {fmt.format(p50)} ms | {fmt.format(p90)} ms | "
            f"{fmt.format(p99)} ms | {s.rate:,.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    args = arguments()
    _django()
    from django.db import connection, connections

    from motcua.catalogue.models import Procedure

    if args.procedures:
        say(f"filling the catalogue up to {args.procedures} procedures…")
        fill_catalogue(args.procedures)
    count = Procedure.objects.filter(is_placeholder=False).count()
    items = scenarios()
    vendor = connection.vendor
    connections.close_all()
    if args.base_url:
        server = None
        base_url = args.base_url.rstrip("/")
    else:
        from overhttp_prepare import start_server

        server = start_server(args)
        base_url = server.base_url
    try:
        say(f"{count} procedures, {vendor}; {args.concurrency} visitor(s), {args.requests} requests each")
        measure(base_url, items, args.requests, args.warmup, args.concurrency)
    finally:
        if server is not None:
            server.stop()
    print(
        f"\n{datetime.now().astimezone():%Y-%m-%d %H:%M}, {count} procedures ({vendor}), "
        f"{args.concurrency} visitor(s), load average {os.getloadavg()[0]:.2f}\n"
    )
    print(table(items))
    search = [s for s in items if s.path.startswith("/thu-tuc/?") and not s.htmx]
    worst = max(statistics.median(s.times) for s in search)
    verdict = "met" if worst <= TARGET_P50_MS else "missed"
    print(f"\nTarget p50 ≤ {TARGET_P50_MS:.0f} ms for the searches: {verdict} (slowest p50 {worst:.1f} ms).")


if __name__ == "__main__":
    main()
