"""Attempt counters that parallel requests cannot overrun (sign-in, API tokens, citizen lookup).

Each counter is a ``Throttle`` row changed only under a row lock (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` holds the write lock), so twenty requests arriving together
are counted one after the other: ``attempt`` reserves one attempt on every counter it is given, or on
none when one of them is at its limit. A caller reserves *before* the costly or revealing check
(a password hash, a lookup of personal data) and gives the attempt back (``give_back``) when the check
succeeded, so at most ``limit`` checks fail within a window whatever the concurrency.

A counter's window restarts at every attempt: the lock lasts ``window`` seconds after the last one.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from motcua.core.models import Throttle


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int


def key(*parts: object) -> str:
    """A counter key; the parts (a user name, an address) are hashed so that none is stored in clear."""
    kind, *rest = (str(p) for p in parts)
    digest = hashlib.sha256("\x1f".join(rest).encode()).hexdigest()[:40]
    return f"{kind}:{digest}"


def attempt(limits: Sequence[Limit], window: int, now: datetime | None = None) -> int:
    """Reserve one attempt on every counter of ``limits``. Returns 0 when reserved, else the seconds
    left before the counter that refuses opens again (nothing is counted then)."""
    moment = now or timezone.now()
    wanted = {item.key: item.limit for item in limits}
    if not wanted:
        return 0
    keys = sorted(wanted)  # always locked in the same order: no deadlock between two requests
    with transaction.atomic():
        Throttle.objects.bulk_create(
            [Throttle(key=k, count=0, window_ends_at=moment) for k in keys], ignore_conflicts=True
        )
        rows = list(Throttle.objects.select_for_update().filter(key__in=keys).order_by("key"))
        left = 0
        for row in rows:
            if row.window_ends_at <= moment:
                row.count = 0  # the window is over
            if row.count >= wanted[row.key]:
                left = max(left, math.ceil((row.window_ends_at - moment).total_seconds()))
        if left:
            return left
        ends = moment + timedelta(seconds=window)
        for row in rows:
            Throttle.objects.filter(key=row.key).update(count=row.count + 1, window_ends_at=ends)
    return 0


def seconds_left(limits: Sequence[Limit], now: datetime | None = None) -> int:
    """Without counting: how long until the counters of ``limits`` all accept an attempt (0: now)."""
    moment = now or timezone.now()
    wanted = {item.key: item.limit for item in limits}
    left = 0
    for row in Throttle.objects.filter(key__in=list(wanted), window_ends_at__gt=moment):
        if row.count >= wanted[row.key]:
            left = max(left, math.ceil((row.window_ends_at - moment).total_seconds()))
    return left


def give_back(keys: Sequence[str]) -> None:
    """Return the attempt reserved on each of ``keys`` (the check succeeded)."""
    Throttle.objects.filter(key__in=list(keys), count__gt=0).update(count=F("count") - 1)


def clear(keys: Sequence[str]) -> None:
    Throttle.objects.filter(key__in=list(keys)).delete()


def purge(now: datetime | None = None) -> int:
    """Delete the counters whose window is over (the periodic housekeeping job)."""
    deleted, _ = Throttle.objects.filter(window_ends_at__lte=now or timezone.now()).delete()
    return deleted


def minutes(wait: int) -> int:
    """Seconds to wait, as the whole minutes a person is told (at least one)."""
    return max(1, (wait + 59) // 60)


def retry_details(wait: int) -> dict[str, int]:
    """The ``details`` of a refusal for too many attempts: seconds (``Retry-After``) and minutes."""
    return {"retry_after_seconds": wait, "minutes": minutes(wait)}
