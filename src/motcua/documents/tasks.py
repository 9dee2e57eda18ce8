"""Background work of the documents (``motcua worker``; scheduled from ``DocumentsConfig.ready``)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from motcua.documents import services

# Events older than this are left to be issued when someone asks (the job is not a back-fill).
LOOK_BACK = timedelta(hours=6)


@task()
def issue_recent_forms() -> int:
    """The receipts, supplement requests, refusals and apologies of the last hours that have no form yet."""
    return services.issue_recent(timezone.now() - LOOK_BACK)
