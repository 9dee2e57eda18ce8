"""Reliability of the national portal sync, with real processes: the portal simulator and ``motcua
worker`` run as processes of their own on the test database (compressed back-off settings).

- A long outage of the portal while dossiers keep changing: when it comes back, every message arrives,
  none twice in effect, in order per dossier — by itself, from the worker's delivery loop.
- The worker is killed (SIGKILL) in the middle of a delivery batch, after the portal accepted the batch
  and before the worker recorded it: the next worker sends the batch again after the lease; the portal
  acknowledges the repeats without storing them, nothing is lost or doubled.
"""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

from motcua.core.tests.processes import free_port, pause_at, processes, wait_for  # noqa: F401 (fixture)
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.integrations.models import OutboxMessage
from motcua.integrations.tests.portal import seq_of, step, stored

pytestmark = pytest.mark.django_db(transaction=True)

FAST = {  # seconds: back-off and lease compressed so the test runs in seconds
    "MOTCUA_OUTBOX_BASE_DELAY_SECONDS": "0.05",
    "MOTCUA_OUTBOX_MAX_DELAY_SECONDS": "0.5",
    "MOTCUA_OUTBOX_LEASE_SECONDS": "2",
    "MOTCUA_OUTBOX_IDLE_SECONDS": "0.05",
    "DVCQG_USERNAME": "motcua",
    "DVCQG_PASSWORD": "motcua",
}


def start_portal(processes, name: str, port: int, store: Path, *extra: str):  # noqa: F811
    process = processes.motcua(
        name, "integrations", "simulator", "dvcqg", "--port", str(port), "--store", str(store), *extra
    )

    def up() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_simulator/state", timeout=1):
                return True
        except OSError:
            return process.poll() is not None

    wait_for(up, timeout=60, what=f"the portal simulator {name}")
    assert process.poll() is None, processes.log(name)
    return process


def portal_state(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_simulator/state", timeout=5) as reply:
        return json.loads(reply.read())


def check_arrived_once_in_order(store: Path) -> None:
    """Every message of the outbox is in the portal's store exactly once, in order per dossier, and
    the portal's copy of each dossier is its current state."""
    lines = stored(store)
    keys = [line["idempotency_key"] for line in lines]
    assert len(keys) == len(set(keys)), "a message was stored twice"
    assert set(keys) == set(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    by_dossier: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for line in lines:
        by_dossier[line["MaHoSo"]].append((seq_of(line["idempotency_key"]), line["service"]))
    for code, arrived in by_dossier.items():
        expected = [
            (n, s) for n in range(1, len(arrived) // 2 + 1) for s in ("DongBoHoSoMC", "CapNhatTienDoHoSoMC")
        ]
        assert arrived == expected, code
    latest = {}
    for line in lines:
        if line["service"] == "DongBoHoSoMC":
            latest[line["MaHoSo"]] = line["payload"]["data"][0]["TrangThaiHoSo"]
    assert latest == dict(Dossier.objects.values_list("code", "national_status"))


def advance_all(w, codes: list[str]) -> None:
    for code in codes:
        step(w, Dossier.objects.get(code=code))


def all_delivered() -> bool:
    return not OutboxMessage.objects.exclude(status="delivered").exists()


def test_a_long_outage_while_dossiers_change_then_everything_arrives_once_in_order(processes, tmp_path):  # noqa: F811
    port, store = free_port(), tmp_path / "dvcqg.jsonl"
    env = {**FAST, "DVCQG_ENDPOINT": f"http://127.0.0.1:{port}"}
    w = df.world()
    codes = [df.receive(w).code for _ in range(6)]
    portal = start_portal(processes, "portal-1", port, store)
    processes.motcua("worker", "worker", "--no-schedule", **env)
    wait_for(all_delivered, timeout=60, what="the first deliveries\n" + processes.log("worker"))
    assert len(stored(store)) == 12

    # The portal goes down (killed) for a long while; the dossiers keep moving.
    processes.kill(portal)
    for _ in range(3):
        advance_all(w, codes)
        time.sleep(0.5)  # the worker keeps probing the dead portal
    waiting = OutboxMessage.objects.filter(status="pending").count()
    assert waiting == 6 * 3 * 2 and not OutboxMessage.objects.filter(status="dead").exists()
    assert len(stored(store)) == 12

    # Back: the backlog clears by itself, in order, once.
    start_portal(processes, "portal-2", port, store)
    wait_for(all_delivered, timeout=120, what="the backlog to clear\n" + processes.log("worker"))
    check_arrived_once_in_order(store)
    assert len(stored(store)) == 6 * 4 * 2


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(processes, tmp_path):  # noqa: F811
    port, store, marker = free_port(), tmp_path / "dvcqg.jsonl", tmp_path / "paused"
    env = {**FAST, "DVCQG_ENDPOINT": f"http://127.0.0.1:{port}", "MOTCUA_OUTBOX_BATCH": "5"}
    w = df.world()
    codes = [df.receive(w).code for _ in range(8)]
    advance_all(w, codes)
    start_portal(processes, "portal", port, store, "--slow-ms", "20")
    # The first worker sends a batch, the portal accepts it; the worker is killed before recording it.
    first = processes.motcua(
        "worker-1",
        "worker",
        "--no-schedule",
        prelude=pause_at("motcua.integrations.delivery:_record", marker),
        **env,
    )
    processes.reach("worker-1", first, marker)
    processes.kill(first)  # SIGKILL
    assert first.returncode == -signal.SIGKILL
    sent_by_the_dead = len(stored(store))
    assert sent_by_the_dead == 5  # accepted by the portal…
    claimed = OutboxMessage.objects.exclude(claimed_by="")
    assert (
        claimed.count() == 5 and not OutboxMessage.objects.filter(status="delivered").exists()
    )  # …never recorded

    second = processes.motcua("worker-2", "worker", "--no-schedule", **env)
    wait_for(all_delivered, timeout=120, what="the second worker\n" + processes.log("worker-2"))
    assert second.poll() is None
    check_arrived_once_in_order(store)
    assert len(stored(store)) == 8 * 2 * 2
    assert portal_state(port)["repeats"] == 5  # the killed batch, acknowledged again, stored once
    assert not OutboxMessage.objects.exclude(claimed_by="").exists()
