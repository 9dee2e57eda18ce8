"""Background work of the KPI set (scheduled from ``DashboardConfig.ready``)."""

from __future__ import annotations

from django.tasks import task

from motcua.core.audit import acting_as
from motcua.dashboard import services


@task()
def refresh_indicators() -> int:
    """Recompute the last 13 months of every computed indicator (province and units)."""
    with acting_as(None, label="việc định kỳ: bộ chỉ số điều hành"):
        return services.refresh_recent()
