"""Background work of exports (run by ``motcua worker``)."""

from __future__ import annotations

from django.tasks import task

from motcua.exports import running


@task()
def run_export(job_id: int) -> str:
    # Run again only when the worker running it died (core.leases): take the job over and start over.
    job = running.run_job(job_id, take_over=True)
    return job.status if job else "taken"


@task()
def expire_exports() -> int:
    return running.expire_old()
