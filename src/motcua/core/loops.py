"""Continuous loops of the background worker, beside its jobs.

Some work cannot wait for a periodic job: the outbox's deliveries go out as soon as they are written.
A feature app registers a loop from its ``AppConfig.ready`` (the foundation imports no feature app);
``motcua worker`` runs each registered loop in a thread of its own until it stops. A loop is a
function ``loop(stop, owner=…)`` that returns when ``stop`` is set; ``owner`` names the worker (for
claims and leases).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Loop:
    name: str
    run: Callable[..., None]
    description: str


LOOPS: list[Loop] = []


def register(loop: Loop) -> None:
    """Add a loop (registering the same one again is harmless)."""
    known = next((existing for existing in LOOPS if existing.name == loop.name), None)
    if known is not None:
        if known != loop:
            raise ValueError(f"Vòng xử lý {loop.name} đã được đăng ký với định nghĩa khác.")
        return
    LOOPS.append(loop)


def start_all(stop: threading.Event, owner: str) -> list[threading.Thread]:
    """Start every registered loop in a daemon thread."""
    threads = []
    for loop in LOOPS:
        thread = threading.Thread(
            target=loop.run, args=(stop,), kwargs={"owner": owner}, daemon=True, name=f"motcua-{loop.name}"
        )
        thread.start()
        threads.append(thread)
    return threads
