"""Background work of reporting (``django.tasks``), scheduled from ``ReportingConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from motcua.core.audit import acting_as


@task()
def periodic() -> dict[str, Any]:
    """Create the new report periods; send the accepted aggregated reports waiting in the outbox when
    ``REPORTING_ENDPOINT`` is configured."""
    from motcua.reporting import adapter, services

    with acting_as(None, label="việc định kỳ báo cáo"):
        created = services.generate_periods()
        endpoint = adapter.configured_endpoint()
        sent = adapter.send_pending(endpoint).as_dict() if endpoint else None
    return {"periods_created": created, "delivery": sent}
