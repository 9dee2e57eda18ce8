"""Attempt counters that parallel requests cannot overrun (sign-in, API tokens, citizen lookup, public
tracking).

``attempt`` reserves one attempt on every counter it is given, or on none when one of them is at its
limit, atomically: twenty requests arriving together are counted one after the other. A caller reserves
*before* the costly or revealing check (a password hash, a lookup of personal data) and gives the
attempt back (``give_back``) when the check succeeded, so at most ``limit`` checks fail within a window
whatever the concurrency.

A counter's window restarts at every attempt: the lock lasts ``window`` seconds after the last one.

Two stores, one behaviour:

- the database (the default): a ``Throttle`` row changed only under a row lock (``SELECT … FOR
  UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` holds the write lock);
- Redis when ``REDIS_URL`` is set: a hash per counter (``c`` the count, ``e`` the window's end in
  milliseconds of the application's clock), read and written by one Lua script, which Redis runs
  alone — a reservation is one round trip and locks no database row, so a busy public page (tracking,
  from one address behind a carrier's NAT) does not queue on one row. Redis expires a counter by
  itself shortly after its window.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
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
    store = _redis()
    if store is not None:
        left_ms = store.attempt(keys, [wanted[k] for k in keys], _ms(moment), window * 1000)
        return math.ceil(left_ms / 1000)
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
    store = _redis()
    if store is not None:
        return math.ceil(store.seconds_left(wanted, _ms(moment)) / 1000) if wanted else 0
    left = 0
    for row in Throttle.objects.filter(key__in=list(wanted), window_ends_at__gt=moment):
        if row.count >= wanted[row.key]:
            left = max(left, math.ceil((row.window_ends_at - moment).total_seconds()))
    return left


def give_back(keys: Sequence[str]) -> None:
    """Return the attempt reserved on each of ``keys`` (the check succeeded)."""
    store = _redis()
    if store is not None:
        store.give_back(list(keys))
        return
    Throttle.objects.filter(key__in=list(keys), count__gt=0).update(count=F("count") - 1)


def clear(keys: Sequence[str]) -> None:
    store = _redis()
    if store is not None:
        store.clear(list(keys))
        return
    Throttle.objects.filter(key__in=list(keys)).delete()


def purge(now: datetime | None = None) -> int:
    """Delete the counters whose window is over (the periodic housekeeping job; Redis expires its own)."""
    deleted, _ = Throttle.objects.filter(window_ends_at__lte=now or timezone.now()).delete()
    return deleted


def minutes(wait: int) -> int:
    """Seconds to wait, as the whole minutes a person is told (at least one)."""
    return max(1, (wait + 59) // 60)


def retry_details(wait: int) -> dict[str, int]:
    """The ``details`` of a refusal for too many attempts: seconds (``Retry-After``) and minutes."""
    return {"retry_after_seconds": wait, "minutes": minutes(wait)}


# -- the Redis store --------------------------------------------------------------------------------

# KEYS: the counters, sorted; ARGV: now (ms), window (ms), then each counter's limit. Returns 0 when
# reserved (each counter +1, its window restarted), else the milliseconds before the refusing one opens.
_ATTEMPT = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local left = 0
local counts = {}
for i, k in ipairs(KEYS) do
  local v = redis.call('HMGET', k, 'c', 'e')
  local c = tonumber(v[1]) or 0
  local e = tonumber(v[2]) or 0
  if e <= now then c = 0 end
  counts[i] = c
  if c >= tonumber(ARGV[2 + i]) and e - now > left then left = e - now end
end
if left > 0 then return left end
for i, k in ipairs(KEYS) do
  redis.call('HSET', k, 'c', counts[i] + 1, 'e', now + window)
  redis.call('PEXPIRE', k, window + 60000)
end
return 0
"""

# KEYS: the counters; one attempt back on each that has one.
_GIVE_BACK = """
for _, k in ipairs(KEYS) do
  local c = tonumber(redis.call('HGET', k, 'c') or '0')
  if c ~= nil and c > 0 then redis.call('HINCRBY', k, 'c', -1) end
end
return 0
"""


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class RedisCounters:
    """The counters in Redis (``REDIS_URL``), under ``MOTCUA_THROTTLE_PREFIX``."""

    def __init__(self, url: str) -> None:
        import redis  # the cache's client; imported only where Redis is configured

        self.client = redis.Redis.from_url(url)
        self._attempt = self.client.register_script(_ATTEMPT)
        self._give_back = self.client.register_script(_GIVE_BACK)

    @staticmethod
    def _names(keys: Sequence[str]) -> list[str]:
        prefix = getattr(settings, "MOTCUA_THROTTLE_PREFIX", "motcua:throttle:")
        return [prefix + k for k in keys]

    def attempt(self, keys: list[str], limits: list[int], now_ms: int, window_ms: int) -> int:
        return int(self._attempt(keys=self._names(keys), args=[now_ms, window_ms, *limits]))

    def seconds_left(self, wanted: dict[str, int], now_ms: int) -> int:
        names = self._names(list(wanted))
        if len(names) == 1:  # the public look-ups' case: one plain command, no pipeline to build
            found = [self.client.hmget(names[0], "c", "e")]
        else:
            pipe = self.client.pipeline(transaction=False)
            for name in names:
                pipe.hmget(name, "c", "e")
            found = pipe.execute()
        left = 0
        for limit, (count, ends) in zip(wanted.values(), found, strict=True):
            ends_ms = int(ends or 0)
            if ends_ms > now_ms and int(count or 0) >= limit:
                left = max(left, ends_ms - now_ms)
        return left

    def give_back(self, keys: list[str]) -> None:
        self._give_back(keys=self._names(keys), args=[])

    def clear(self, keys: list[str]) -> None:
        if keys:
            self.client.delete(*self._names(keys))

    def raw(self, key_: str) -> dict[str, Any]:
        """A counter as stored (tests and the operator's look at a lock)."""
        count, ends = self.client.hmget(self._names([key_])[0], "c", "e")
        return {"count": int(count or 0), "ends_ms": int(ends or 0)}


@functools.cache
def _store_for(url: str) -> RedisCounters:
    return RedisCounters(url)


def _redis() -> RedisCounters | None:
    url = getattr(settings, "REDIS_URL", None)
    return _store_for(url) if url else None


def count_of(key_: str) -> int:
    """The attempts counted now on ``key_`` (whichever store holds it)."""
    store = _redis()
    if store is not None:
        return int(store.raw(key_)["count"])
    row = Throttle.objects.filter(key=key_).first()
    return row.count if row is not None else 0
