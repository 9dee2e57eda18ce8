"""Helpers of the integration tests: the national portal simulator on an ephemeral port, in a thread of
the test process (``running_portal``) or as a real ``motcua integrations simulator dvcqg`` process, and
dossiers walked through the services."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.integrations.simulators.dvcqg import Portal, make_server

RECORD = "dvcqg.DongBoHoSoMC"
PROGRESS = "dvcqg.CapNhatTienDoHoSoMC"


@pytest.fixture
def portal(tmp_path: Path, settings: Any) -> Iterator[Portal]:
    """The national portal simulator, running, and the settings pointing at it (its default account)."""
    simulated = Portal(tmp_path / "dvcqg.jsonl")
    with running_portal(simulated) as url:
        settings.DVCQG_ENDPOINT, settings.DVCQG_USERNAME, settings.DVCQG_PASSWORD = url, "motcua", "motcua"
        yield simulated


@contextmanager
def running_portal(portal: Portal) -> Iterator[str]:
    """The simulator serving ``portal`` on a free port; yields its address."""
    server, _ = make_server("127.0.0.1", 0, portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()


def stored(path: Path) -> list[dict[str, Any]]:
    """The lines of a simulator's ``--store`` file."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def seq_of(idempotency_key: str) -> int:
    """The event number in a dossier message's idempotency key (``topic:code:seq``)."""
    return int(idempotency_key.rsplit(":", 1)[1])


# The steps after the counter intake of the test workflow (dossiers/tests/factories.py).
def step(w: df.World, d: Dossier) -> Dossier:
    """One more transition of ``d`` along the happy path (intake → … → returned)."""
    v = d.lock_version
    if v == 1:
        return s.hand_over(d.code, by=w.intake_a, expected_version=v)
    if v == 2:
        return s.assign(d.code, by=w.leader_a, expected_version=v, assignee=w.specialist_a)
    if v == 3:
        return s.hand_over(d.code, by=w.specialist_a, expected_version=v)
    if v == 4:
        return s.hand_over(d.code, by=w.leader_a, expected_version=v, assignee=w.head_a)
    if v == 5:
        return s.mark_result_ready(d.code, by=w.head_a, expected_version=v)
    if v == 6:
        return s.return_result(d.code, by=w.intake_a, expected_version=v, notified=True)
    raise AssertionError(f"{d.code} has no further step")
