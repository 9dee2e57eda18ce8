"""Background work of reporting (``django.tasks``), scheduled from ``ReportingConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from motcua.core.audit import acting_as


@task()
def periodic() -> dict[str, Any]:
    """Create the new report periods (the accepted aggregated reports are sent by the outbox's
    delivery loop in the worker)."""
    from motcua.reporting import services

    with acting_as(None, label="việc định kỳ báo cáo"):
        created = services.generate_periods()
    return {"periods_created": created}
