"""Real ``motcua`` processes for tests: a worker, a web server, on the test database.

The test must use ``transactional_db`` (``django_db(transaction=True)``) so what it writes is committed
and the other process sees it. Every process started here is stopped (SIGKILL at worst) by the
``processes`` fixture before the test database is flushed. Each starts its own process group, and a
signal goes to the whole group: ``motcua serve``'s worker processes stop with it and never outlive the
test holding connections to its database.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

SRC = Path(__file__).resolve().parents[3]


def database_url() -> str:
    """The URL of the test database this process uses, for another process."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = quote(s.get("USER") or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], object], *, timeout: float = 60, what: str = "") -> object:
    """Poll ``check`` every 0.1 s until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")


class Processes:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.started: list[subprocess.Popen[bytes]] = []

    def env(self, **extra: str) -> dict[str, str]:
        full = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "DATABASE_URL": database_url(),
            "MOTCUA_VAR_DIR": str(self.tmp / "var"),
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        }
        full.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        full.update(extra)
        return full

    def start(self, name: str, argv: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, *argv],
            env=self.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def motcua(self, name: str, *args: str, prelude: str = "", **env: str) -> subprocess.Popen[bytes]:
        """``motcua ARGS`` in a new process; ``prelude`` is Python run first (a pause point)."""
        code = f"{prelude}\nfrom motcua.cli import main\nmain({list(args)!r})\n"
        return self.start(name, ["-c", code], **env)

    def reach(
        self, name: str, process: subprocess.Popen[bytes], marker: Path, *, timeout: float = 120
    ) -> None:
        """Wait until the process paused at its marker (fail at once, with its log, if it died)."""
        wait_for(lambda: marker.exists() or process.poll() is not None, timeout=timeout, what=f"{name}")
        assert marker.exists(), f"{name} stopped before its pause point:\n{self.log(name)}"

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self, process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the process and its group, wait for it (SIGKILL after 30 s)."""
        if process.poll() is None:
            self._signal_group(process, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._signal_group(process, signal.SIGKILL)
            process.wait(timeout=10)
        # What the process left behind in its group (a server's workers) goes with it.
        self._signal_group(process, signal.SIGKILL)

    @staticmethod
    def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # the group is gone already
            os.killpg(process.pid, sig)

    def stop_all(self) -> None:
        for process in self.started:
            self.kill(process)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    running = Processes(tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


# Python run in a worker before ``motcua worker``: when the job reaches ``target`` (``module:attr`` or
# ``module:Class.method``), write ``marker`` and wait there, so the test kills the worker at a known
# point of the job.
PAUSE = """
import importlib, pathlib, time
import django
django.setup()
_module, _path = {target!r}.split(":")
_owner = importlib.import_module(_module)
*_parents, _name = _path.split(".")
for _part in _parents:
    _owner = getattr(_owner, _part)
_real = getattr(_owner, _name)
def _paused(*args, **kwargs):
    {before}
    pathlib.Path({marker!r}).write_text("reached")
    time.sleep(600)
setattr(_owner, _name, _paused)
"""


def pause_at(target: str, marker: Path, *, run_first: bool = False) -> str:
    """A prelude pausing at ``target``; with ``run_first`` the real function runs before the pause."""
    before = "_real(*args, **kwargs)" if run_first else "pass"
    return PAUSE.format(target=target, marker=str(marker), before=before)
