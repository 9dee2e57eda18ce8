"""Background work of the 766 dashboard (``motcua worker``; scheduled from ``EvaluationConfig.ready``)."""

from __future__ import annotations

from django.tasks import task

from motcua.evaluation import cache


@task()
def precompute_index() -> int:
    """The last 13 months of the province and of its ranked units, into the cache (evaluation/cache.py)."""
    return cache.precompute()
