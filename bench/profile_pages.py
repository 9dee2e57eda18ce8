"""Where a request's time goes: pyinstrument over whole requests (middleware, view, template, SQL) of
the pages measured by bench/over_http.py, in-process, under the production settings.

Run against the database filled by bench/generate_dossiers.py (never in CI), after bench/over_http.py
has created its accounts (or with ``--user`` naming a specialist):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/profile_pages.py

For each page it makes ``--warmup`` requests, then profiles ``--repeat`` more and prints: the mean wall
time of one request (in-process: no network, no server, no other request beside it), the SQL statements
of one request and their time, and pyinstrument's call tree cut at ``--depth`` frames with the frames
under 2% hidden. ``--html DIR`` also writes each profile as an interactive HTML page. These are
in-process figures, labelled so in docs/benchmarks.md; the HTTP figures come from bench/over_http.py.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ["MOTCUA_ENV"] = "production"
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
os.environ["TRUSTED_PROXIES"] = "127.0.0.1"
os.environ["DEBUG"] = "0"
os.environ.setdefault(
    "STATIC_ROOT", str(Path(__file__).resolve().parent.parent / "var" / "bench-http" / "static")
)  # collected by bench/over_http.py

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from motcua.core.models import User  # noqa: E402
from motcua.dossiers import selectors  # noqa: E402

PAGES = ("inbox", "dossier", "api-list", "api-detail", "api-record")


def _paths(user: Any, token: str | None) -> dict[str, tuple[str, dict[str, str]]]:
    code = (
        selectors.visible(user)
        .filter(returned_at__isnull=False)
        .order_by("-id")
        .values_list("code", flat=True)[0]
    )
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return {
        "inbox": ("/can-bo/ho-so/", {}),
        "dossier": (f"/can-bo/ho-so/{code}/", {}),
        "api-list": ("/api/ho-so/?box=to_process&limit=50", bearer),
        "api-detail": (f"/api/ho-so/{code}", bearer),
        "api-record": (f"/api/ho-so/{code}/tinh-trang", bearer),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--user", default="bench.http.x10507", help="a specialist (default: bench/over_http.py's)"
    )
    parser.add_argument("--only", default=",".join(PAGES), help="pages to profile: " + ", ".join(PAGES))
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--depth", type=int, default=40, help="frames of the call tree shown")
    parser.add_argument("--html", type=Path, help="folder for the HTML profiles")
    args = parser.parse_args()

    user = User.objects.filter(username=args.user).first()
    if user is None:
        sys.exit(
            f"No user {args.user}: run bench/over_http.py once (it creates its accounts) or give --user."
        )
    token = None
    if any(page.startswith("api") for page in args.only.split(",")):
        from motcua.core import tokens
        from motcua.core.audit import acting_as

        with acting_as(None, label="bench/profile_pages.py"):
            token = tokens.issue(user, "bench/profile_pages.py", days=1).secret
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    paths = _paths(user, token)
    for page in [p.strip() for p in args.only.split(",") if p.strip()]:
        path, headers = paths[page]
        for _ in range(args.warmup):
            reply = client.get(path, secure=True, **headers)  # type: ignore[arg-type]
            if reply.status_code != 200:
                sys.exit(f"{page}: {path} answered {reply.status_code}")
        # Django empties ``connection.queries`` when a request starts (CaptureQueriesContext would see
        # nothing of a request made through the test client): count with an execute wrapper instead.
        statements: list[float] = []

        def timed(
            execute: Any, sql: str, params: Any, many: bool, context: Any, out: list[float] = statements
        ) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                out.append(time.perf_counter() - started)

        with connection.execute_wrapper(timed):
            client.get(path, secure=True, **headers)  # type: ignore[arg-type]
        sql_ms = sum(statements) * 1000
        walls: list[float] = []
        for _ in range(args.repeat):  # timed without the profiler, which slows Python down
            started = time.perf_counter()
            client.get(path, secure=True, **headers)  # type: ignore[arg-type]
            walls.append((time.perf_counter() - started) * 1000)
        profiler = Profiler(interval=0.001)
        profiler.start()
        for _ in range(args.repeat):
            client.get(path, secure=True, **headers)  # type: ignore[arg-type]
        profiler.stop()
        print(f"\n=== {page}: GET {path}")
        print(
            f"in-process, {args.repeat} requests: mean {statistics.fmean(walls):.1f} ms, "
            f"p50 {statistics.median(walls):.1f} ms; {len(statements)} SQL statements, {sql_ms:.1f} ms of SQL"
        )
        print(profiler.output_text(unicode=True, color=False, show_all=False, timeline=False))
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            (args.html / f"{page}.html").write_text(profiler.output_html())


if __name__ == "__main__":
    main()
