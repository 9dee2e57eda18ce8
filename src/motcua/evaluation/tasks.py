"""Background work of the 766 dashboard (``motcua worker``; scheduled from ``EvaluationConfig.ready``)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.cache import cache as django_cache
from django.db import transaction
from django.tasks import task

from motcua.evaluation import cache


@task()
def precompute_index() -> int:
    """The last 13 months of the province and of its ranked units, into the cache (evaluation/cache.py)."""
    return cache.precompute()


@task()
def refresh_dashboard(work: list[list[Any]], flag: str = "") -> int:
    """What a dashboard view showed from an earlier state of the data, computed anew."""
    return cache.refresh(work, flag)


def refresh_later(board: cache.Board) -> bool:
    """Queue ``refresh_dashboard`` for what ``board`` showed lagging, once for a burst of views (a
    cache flag, removed when the task ends or after ``REFRESH_FLAG_SECONDS``). True when queued."""
    work = board.lagging_work()
    if not work:
        return False
    digest = hashlib.sha256(json.dumps(work).encode()).hexdigest()[:24]
    flag = f"motcua:eval766:refreshing:{digest}"
    if not django_cache.add(flag, 1, cache.REFRESH_FLAG_SECONDS):
        return False
    transaction.on_commit(lambda: refresh_dashboard.enqueue(work, flag))
    return True
