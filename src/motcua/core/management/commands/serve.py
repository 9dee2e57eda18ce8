"""``motcua serve``: the web server, several processes (and threads in each, when asked for).

A page of motcua is mostly Python, and one Python process runs Python on one core at a time: one
process with many threads left the second core idle while requests queued (docs/benchmarks.md, "Web
server choice", measured the servers on this workload). So ``motcua serve`` runs gunicorn's
pre-fork server from its Python API: ``--workers`` processes of ``--threads`` threads each (one thread:
gunicorn's sync worker, a request at a time; more: its gthread worker), one command and no
configuration file. A sync worker answers one client at a time and reads slow clients slowly: in
production it sits behind nginx, which buffers requests and responses.

What the server leaves to motcua:

- Forwarded headers. ``core.middleware.TrustedProxyMiddleware`` believes ``X-Forwarded-For`` and
  ``X-Forwarded-Proto`` from ``TRUSTED_PROXIES`` only; gunicorn trusts no peer at all here
  (``forwarded_allow_ips`` empty, no ``secure_scheme_headers``), so it never sets the scheme from a
  header and hands the headers to the middleware as they came.
- The body's size: ``core.errorpages.RequestGuardMiddleware`` answers 413 in the area's format.

Without ``fork`` (not on the servers motcua runs on) it falls back to one waitress process.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

# Measured on 2 cores (docs/benchmarks.md, "Web server choice"): two single-threaded processes per
# core served the staff inbox at 16 connections 2.3 times as fast as waitress's 8 threads, with the
# lowest tail latency of all, and a lone visitor as fast. Threads in one process mostly wait for each
# other here (the pages are Python, not waiting on the database).
WORKERS_PER_CORE = 2
THREADS = 1
# A worker busy or silent this long is killed and replaced (the slowest page, the 766 index of a
# province-year, takes seconds); a request still running gets GRACEFUL_SECONDS at shutdown.
TIMEOUT_SECONDS = 120
GRACEFUL_SECONDS = 30


def default_workers() -> int:
    """``MOTCUA_WEB_WORKERS``, else ``WORKERS_PER_CORE`` × the number of cores."""
    raw = os.environ.get("MOTCUA_WEB_WORKERS", "").strip()
    if not raw:
        return WORKERS_PER_CORE * (os.cpu_count() or 1)
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise CommandError(
            f"MOTCUA_WEB_WORKERS: “{raw}” không phải số tiến trình hợp lệ (a whole number, at least 1)."
        )
    return int(raw)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def gunicorn_settings(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The settings given to gunicorn (its names, see its documentation)."""
    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers,
        # One thread: the plain pre-fork worker; more: a pool of threads in each process.
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        # Trust no peer with forwarded headers ("" is the empty list; "*" would trust every peer), and
        # let no header set the scheme even where gunicorn trusts the peer (a Unix socket).
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "forwarder_headers": "",
        # The longest request line gunicorn takes (its default is 4094): long filter URLs still reach
        # Django. Header and body limits stay as they are; the body's is motcua's own (see above).
        "limit_request_line": 8190,
        "timeout": TIMEOUT_SECONDS,
        "graceful_timeout": GRACEFUL_SECONDS,
        # Start, stop and worker lines on stderr, like waitress's; no access log (there was none).
        "errorlog": "-",
        "accesslog": None,
        "loglevel": "info",
        "proc_name": "motcua",
        # No control socket under $HOME: two servers on one machine would fight over it.
        "control_socket_disable": True,
        "pre_fork": _before_fork,
    }


def _before_fork(arbiter: object, worker: object) -> None:
    """In the master, before each worker is forked: no database connection may be shared by two
    processes (a socket, or an SQLite handle, used from both sides breaks). Each worker opens its own."""
    connections.close_all()


def run_gunicorn(application: Any, options: dict[str, Any]) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return application

    master = os.getpid()
    try:
        Server().run()
    except BaseException as stop:
        if os.getpid() == master:
            raise
        # A worker ends with sys.exit(); it must end here, not unwind into whoever called ``serve``
        # (``motcua demo`` stops its background worker on the way out, which is the master's job).
        code = stop.code if isinstance(stop, SystemExit) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else (0 if code is None else 1))


class Command(BaseCommand):
    help = (
        "Chạy máy chủ web (gunicorn: nhiều tiến trình × luồng) — serve the web application "
        "(several processes × threads)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=_positive,
            default=None,
            help=f"Số tiến trình — processes (default: $MOTCUA_WEB_WORKERS, else {WORKERS_PER_CORE}/core).",
        )
        parser.add_argument(
            "--threads",
            type=_positive,
            default=THREADS,
            help=f"Số luồng mỗi tiến trình — threads per process (default: {THREADS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.wsgi import application

        host, port, threads = options["host"], options["port"], options["threads"]
        workers = options["workers"] or default_workers()
        if not hasattr(os, "fork"):
            self._waitress(application, host, port, threads=workers * threads)
            return
        self.stderr.write(
            f"motcua đang chạy tại http://{host}:{port}/ ({workers} tiến trình × {threads} luồng; "
            "Ctrl+C để dừng)"
        )
        # Nothing this process opened (the system checks, ``motcua demo``'s loading) goes into a worker.
        connections.close_all()
        run_gunicorn(application, gunicorn_settings(host, port, workers, threads))

    def _waitress(self, application: Any, host: str, port: int, *, threads: int) -> None:
        from waitress import serve

        self.stderr.write(f"motcua đang chạy tại http://{host}:{port}/ (waitress, {threads} luồng)")
        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="motcua",
            # Behind TRUSTED_PROXIES the forwarded headers reach TrustedProxyMiddleware, which believes
            # them from those proxies only (waitress alone trusts a single address, no ranges).
            clear_untrusted_proxy_headers=not settings.TRUSTED_PROXIES,
        )
