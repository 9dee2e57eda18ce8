"""Background work of the 766 dashboard (run by ``motcua worker``; scheduled in ``core/schedule.py``)."""

from __future__ import annotations

from django.tasks import task

from motcua.evaluation import cache


@task()
def precompute_index() -> int:
    """The last 13 months of the province and of its ranked units, into the cache (evaluation/cache.py)."""
    return cache.precompute()
