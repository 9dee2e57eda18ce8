"""Where a request's time goes: pyinstrument over whole requests (middleware, view, template, SQL) of
the pages measured by bench/over_http.py, in-process, under the production settings. Each request is
handed to Django's WSGI application as the web server hands it (an environ, the response iterated to
its end), without the test client's instrumentation.

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
import io
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

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from motcua.core.models import User  # noqa: E402
from motcua.dossiers import selectors  # noqa: E402

PAGES = ("inbox", "dossier", "api-list", "api-detail", "api-record", "track", "track-page")
PUBLIC = {"track", "track-page"}
APPLICATION = get_wsgi_application()


def call(path: str, headers: dict[str, str], cookie: str) -> int:
    """One GET through the WSGI application, from 127.0.0.1 behind the TLS proxy; the status."""
    route, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    environ.update(headers)
    status: list[str] = []

    def start_response(line: str, _headers: Any, _exc: Any = None) -> Any:
        status.append(line)
        return lambda _data: None

    body = APPLICATION(environ, start_response)
    try:
        for _ in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return int(status[0].split()[0])


def _tracked() -> tuple[str, str]:
    from motcua.dossiers.models import Dossier

    code, number = (
        Dossier.objects.exclude(applicant_id_number="")
        .order_by("-id")
        .values_list("code", "applicant_id_number")[0]
    )
    return code, number[-4:]


def _paths(user: Any, token: str | None) -> dict[str, tuple[str, dict[str, str]]]:
    tracked, factor = _tracked()
    public = {
        "track": (f"/api/tra-cuu-ho-so/{tracked}?xac_thuc={factor}", {}),
        "track-page": (f"/tra-cuu-ho-so/?ma={tracked}&xac_thuc={factor}", {}),
    }
    if user is None:
        return public
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
        **public,
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

    pages = [p.strip() for p in args.only.split(",") if p.strip()]
    user = User.objects.filter(username=args.user).first()
    if user is None and not set(pages) <= PUBLIC:
        sys.exit(
            f"No user {args.user}: run bench/over_http.py once (it creates its accounts) or give --user."
        )
    token = None
    if user is not None and any(page.startswith("api") for page in pages):
        from motcua.core import tokens
        from motcua.core.audit import acting_as

        with acting_as(None, label="bench/profile_pages.py"):
            token = tokens.issue(user, "bench/profile_pages.py", days=1).secret
    cookie = ""
    if user is not None:
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        client.force_login(user)
        cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    paths = _paths(user, token)
    for page in pages:
        path, headers = paths[page]
        if page in PUBLIC:
            headers, jar = {}, ""  # a citizen's phone: no session, no token
        else:
            jar = cookie
        for _ in range(args.warmup):
            answered = call(path, headers, jar)
            if answered != 200:
                sys.exit(f"{page}: {path} answered {answered}")
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
            call(path, headers, jar)
        sql_ms = sum(statements) * 1000
        walls: list[float] = []
        for _ in range(args.repeat):  # timed without the profiler, which slows Python down
            started = time.perf_counter()
            call(path, headers, jar)
            walls.append((time.perf_counter() - started) * 1000)
        profiler = Profiler(interval=0.001)
        profiler.start()
        for _ in range(args.repeat):
            call(path, headers, jar)
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
