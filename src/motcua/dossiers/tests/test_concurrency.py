"""Real concurrency against the configured database (SQLite file in WAL mode, or PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection

from motcua.core.audit import verify_chain
from motcua.core.models import AuditEntry, Role
from motcua.dossiers import services as s
from motcua.dossiers.models import DailySequence, DossierEvent
from motcua.dossiers.rules import StaleDossier
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(n: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(i)`` in ``n`` threads released at the same moment; each thread has its own connection."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            value = work(i)
            with lock:
                results.append(value)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results, errors


def test_twenty_concurrent_receipts_get_twenty_consecutive_codes():
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        codes, errors = run_together(20, lambda i: df.receive(w).code)
    assert errors == []
    assert sorted(codes) == [f"000.11.01.H31-260309-{n:04d}" for n in range(1, 21)]
    assert DailySequence.objects.get(unit=w.ward_a).last_value == 20
    assert OutboxMessage.objects.filter(topic="dvcqg.DongBoHoSoMC").count() == 20
    # One audit entry each, on one unforked chain (the head is locked until each receipt commits).
    assert AuditEntry.objects.filter(action="dossier.receive_at_counter").count() == 20
    assert verify_chain().ok


def test_a_day_starts_with_concurrent_receipts_at_two_units():
    """The day's first receipt inserts the serial row; concurrent first receipts wait on it, and each
    unit numbers on its own."""
    w = df.world()
    df.staff_for_workflow(w.ward_b)  # ward B can do every step of the workflow (intake checks it)
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        codes, errors = run_together(10, lambda i: df.receive(w, unit=w.ward_a if i % 2 else w.ward_b).code)
    assert errors == []
    assert sorted(c for c in codes if c.startswith("000.11.01")) == [
        f"000.11.01.H31-260310-{n:04d}" for n in range(1, 6)
    ]
    assert sorted(c for c in codes if c.startswith("000.11.02")) == [
        f"000.11.02.H31-260310-{n:04d}" for n in range(1, 6)
    ]
    assert verify_chain().ok


def test_two_officers_on_the_same_version_only_one_wins():
    w = df.world()
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        d = df.receive(w)
        # two one-stop officers of the ward, each holding the intake step the dossier waits at
        users = [w.intake_a, df.staff(Role.INTAKE_OFFICER, w.ward_a, "motcua_a2")]
        results, errors = run_together(2, lambda i: s.hand_over(d.code, by=users[i], expected_version=1).code)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], StaleDossier), errors
    assert errors[0].message.startswith("Hồ sơ vừa được người khác cập nhật")
    assert list(DossierEvent.objects.filter(dossier=d).values_list("seq", flat=True)) == [1, 2]
    assert df.fresh(d).lock_version == 2
