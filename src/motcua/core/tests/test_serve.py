"""``motcua serve`` as an operator runs it: several worker processes on the test database, pages served,
a clean stop on SIGTERM."""

from __future__ import annotations

import re
import signal
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as catalogue
from motcua.core.management.commands import serve
from motcua.core.tests.processes import Processes, free_port, processes, wait_for  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own test server)
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended while we looked
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ")".
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.add(int(text.split(" ", 1)[0]))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_serve_runs_the_workers_asked_for_serves_pages_and_stops_cleanly(processes: Processes):  # noqa: F811
    import_catalogue(catalogue.document(catalogue.procedure()))
    port = free_port()
    server = processes.motcua("serve", "serve", "--workers", "2", "--port", str(port))
    base = f"http://127.0.0.1:{port}"

    def two_workers_booted() -> bool:
        assert server.poll() is None, processes.log("serve")
        return len(re.findall(r"Booting worker with pid: \d+", processes.log("serve"))) >= 2

    wait_for(two_workers_booted, timeout=120, what="two workers of motcua serve")
    booted = {int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", processes.log("serve"))}
    assert booted == children(server.pid), processes.log("serve")
    assert len(booted) == 2

    status, page = get(base + "/thu-tuc/?q=khai")
    assert status == 200
    assert "Thủ tục đăng ký khai sinh" in page  # read from the test database by a worker
    status, page = get(base + "/khong-co-trang-nay/")
    assert status == 404
    assert "Không tìm thấy trang" in page and "Traceback" not in page

    # SIGTERM to the master alone, as an operator's ``kill``: it stops its workers and exits 0.
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0, processes.log("serve")
    log = processes.log("serve")
    assert "Traceback" not in log and "Shutting down: Master" in log
    assert not [pid for pid in booted if Path(f"/proc/{pid}").exists()], "a worker outlived the master"


def test_the_server_trusts_no_forwarded_header_itself():
    """Only TrustedProxyMiddleware decides (TRUSTED_PROXIES): gunicorn trusts no peer, and no header may
    set the scheme."""
    from gunicorn.config import Config

    config = Config()
    for name, value in serve.gunicorn_settings("127.0.0.1", 8000, workers=3, threads=2).items():
        config.set(name, value)
    assert config.forwarded_allow_ips == []
    assert config.forwarded_allow_networks() == []
    assert config.secure_scheme_headers == {}
    assert config.workers == 3 and config.threads == 2 and config.worker_class_str == "gthread"
    assert config.address == [("127.0.0.1", 8000)]


def test_workers_default_to_the_environment_else_per_core(monkeypatch):
    monkeypatch.setenv("MOTCUA_WEB_WORKERS", "5")
    assert serve.default_workers() == 5
    monkeypatch.delenv("MOTCUA_WEB_WORKERS")
    monkeypatch.setattr(serve.os, "cpu_count", lambda: 3)
    assert serve.default_workers() == 3 * serve.WORKERS_PER_CORE
    monkeypatch.setenv("MOTCUA_WEB_WORKERS", "none")
    with pytest.raises(serve.CommandError, match="MOTCUA_WEB_WORKERS"):
        serve.default_workers()
