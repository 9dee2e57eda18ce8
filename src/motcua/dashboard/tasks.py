"""Background work of the KPI set (scheduled in ``core/schedule.py``)."""

from __future__ import annotations

from django.tasks import task

from motcua.dashboard import services


@task()
def refresh_indicators() -> int:
    """Recompute the last 13 months of every computed indicator (province and units)."""
    return services.refresh_recent()
