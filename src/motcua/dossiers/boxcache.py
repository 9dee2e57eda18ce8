"""The box counts of the side navigation, cached per user and invalidated by every write that can change
them.

Every staff page shows the counts (``selectors.box_counts``: one query of up to nine bounded counts, about
7 ms of PostgreSQL on the 1,000,000-dossier database, and as much again of Python to build it). They
change only when a dossier of the user's scope changes, when an assignment changes, or as time passes
(the soon-due and overdue boxes, a handler's assignment ending). So the counts are kept in the cache
(``settings.CACHES``: the database, or Redis with ``REDIS_URL``) under a key made of:

- the user and their scope as read for this request (``Access``: roles, units, workflow steps);
- a *generation token* for each unit of that scope, one for the user as assignee, and one for
  everything (``ALL``), read together from the ``BoxGeneration`` table (one query);
- the minute (``TIME_BUCKET_SECONDS``): a count that moves with the clock is at most that old;
- the reference-data token (``core.refcache``: procedures, workflow steps, calendars, rules).

**The rule.** Every write that can change a count replaces the tokens of what it touches, after its
transaction commits (``transaction.on_commit``), so a reader that sees the new token also sees the
write: ``touch_dossier`` for each action of the pipeline (the receiving and competent units, the fixed
unit of the old and new workflow step, the old and new assignee), ``touch_units`` for consultations
(the consulted units), ``touch_all`` for role assignments, imports and rebuilds. A count computed
before the commit can only have been stored under the old token, which no reader uses any more. The
tokens live in a table, not in the cache: a cache may evict a token, and a token read as missing again
after an eviction could bring back counts stored under it before. The counts themselves may be evicted
at any time (they are counted again). ``test_box_counts_cache`` proves it: a hand-over shows in the
recipient's and the sender's counts at once, through the pages.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction

from motcua.core import refcache
from motcua.dossiers.models import BoxGeneration

TIME_BUCKET_SECONDS = 60
COUNTS_TIMEOUT = 2 * TIME_BUCKET_SECONDS
ALL = "all"


def _unit_key(unit_id: int) -> str:
    return f"u{int(unit_id)}"


def _user_key(user_id: int) -> str:
    return f"a{int(user_id)}"


def _replace(keys: Iterable[str]) -> None:
    chosen = sorted(set(keys))
    if not chosen:
        return

    def write() -> None:
        token = uuid.uuid4().hex
        # One statement: insert the tokens never written, replace the others.
        BoxGeneration.objects.bulk_create(
            [BoxGeneration(key=k, token=token) for k in chosen],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["token"],
        )

    # Runs at once outside a transaction. ``robust``: a failure here is logged and never turns an action
    # already committed into an error page; the counts are then at most ``COUNTS_TIMEOUT`` old.
    transaction.on_commit(write, robust=True)


def touch_units(unit_ids: Iterable[int | None], user_ids: Iterable[int | None] = ()) -> None:
    """After this transaction commits, the counts of users of these units (and of these assignees) are
    read again."""
    keys = [_unit_key(u) for u in unit_ids if u is not None]
    keys += [_user_key(u) for u in user_ids if u is not None]
    _replace(keys)


def touch_dossier(before: dict[str, Any], after: Any, step_units: dict[int, int | None]) -> None:
    """A pipeline write: ``before`` holds the dossier's ``receiving_unit_id``, ``competent_unit_id``,
    ``current_step_id`` and ``assignee_id`` as they were; ``after`` is the dossier as written;
    ``step_units``: the fixed unit of each workflow step of its procedure version (or None)."""
    units = {
        before.get("receiving_unit_id"),
        before.get("competent_unit_id"),
        after.receiving_unit_id,
        after.competent_unit_id,
        step_units.get(before.get("current_step_id") or 0),
        step_units.get(after.current_step_id or 0),
    }
    touch_units(units, {before.get("assignee_id"), after.assignee_id})


def touch_all() -> None:
    """Every user's counts are read again (an assignment changed, dossiers were imported or rebuilt)."""
    _replace([ALL])


def assignments_changed(sender: Any, **kwargs: Any) -> None:
    """``post_save`` / ``post_delete`` of ``core.RoleAssignment``."""
    touch_all()


def _tokens(keys: list[str]) -> list[str]:
    found = dict(BoxGeneration.objects.filter(key__in=keys).values_list("key", "token"))
    return [found.get(k, "") for k in keys]  # "": never written yet (the first write inserts it)


def counts(
    access: Any, boxes: list[str], now: datetime, compute: Callable[[], dict[str, int]]
) -> dict[str, int]:
    """``compute()`` (the box counts of ``access.user``), from the cache when nothing they depend on has
    changed since they were stored."""
    units = sorted(access.unit_ids())
    keys = [ALL, _user_key(access.user.pk), *(_unit_key(u) for u in units)]
    scope = sorted((role, sorted(ids)) for role, ids in access.units.items())
    signature = repr(
        (
            access.user.pk,
            scope,
            sorted(boxes),
            int(now.timestamp()) // TIME_BUCKET_SECONDS,
            refcache.token(),
            _tokens(keys),
        )
    )
    key = "dossiers.boxcounts." + hashlib.sha256(signature.encode()).hexdigest()
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    fresh = compute()
    cache.set(key, fresh, timeout=COUNTS_TIMEOUT)
    return fresh
