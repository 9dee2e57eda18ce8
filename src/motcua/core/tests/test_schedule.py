from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.tasks import Task
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tasks import refresh_procedures_in_force
from motcua.catalogue.tests import factories as cf
from motcua.core import schedule
from motcua.core.schedule import CORE_JOBS, JOBS, PeriodicJob, enqueue_due

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def test_a_job_is_enqueued_once_per_interval_even_when_asked_twice():
    job = PeriodicJob("test.job", "x", timedelta(hours=1), "thử")
    seen: list[str] = []
    assert enqueue_due(T0, jobs=[job], enqueue=lambda j: seen.append(j.name)) == ["test.job"]
    assert enqueue_due(T0 + timedelta(minutes=59), jobs=[job], enqueue=lambda j: seen.append(j.name)) == []
    assert enqueue_due(T0 + timedelta(hours=1), jobs=[job], enqueue=lambda j: seen.append(j.name)) == [
        "test.job"
    ]
    assert seen == ["test.job", "test.job"]


@time_machine.travel(T0 + timedelta(minutes=30), tick=False)
def test_the_worker_schedule_enqueues_real_tasks_in_the_database_queue():
    enqueue_due(T0)
    assert DBTaskResult.objects.filter(task_path=JOBS[0].task_path).count() == 1
    call_command("schedule", verbosity=0)  # not yet due again
    assert DBTaskResult.objects.filter(task_path=JOBS[0].task_path).count() == 1


@time_machine.travel(T0, tick=False)
def test_refresh_task_switches_to_a_version_that_came_into_force():
    old = cf.version(name="Tên cũ", effective_from="2025-07-01", effective_to="2026-11-01")
    new = cf.version(name="Tên mới theo quyết định 2026", effective_from="2026-11-01", version=2)
    import_catalogue(cf.document(cf.procedure("7.000001", old, new)))
    # Pretend the name was computed before the new version came into force.
    Procedure.objects.filter(code="7.000001").update(name="Tên cũ", search_text="ten cu")
    assert ProcedureVersion.objects.filter(procedure__code="7.000001").count() == 2
    assert refresh_procedures_in_force.call() == 1
    procedure = Procedure.objects.get(code="7.000001")
    assert procedure.name == "Tên mới theo quyết định 2026" and "ten moi" in procedure.search_text
    assert refresh_procedures_in_force.call() == 0


def test_the_apps_register_their_jobs_and_the_core_runs_its_housekeeping_after_them():
    table = {job.name: (job.task_path, job.every) for job in JOBS}
    assert table == {
        "catalogue.refresh_in_force": (
            "motcua.catalogue.tasks.refresh_procedures_in_force",
            timedelta(hours=1),
        ),
        "dossiers.flag_due": ("motcua.dossiers.tasks.flag_due_dossiers", timedelta(minutes=30)),
        "dossiers.pull_national": ("motcua.dossiers.tasks.pull_national", timedelta(minutes=5)),
        "documents.issue_forms": ("motcua.documents.tasks.issue_recent_forms", timedelta(minutes=1)),
        "directives.remind": ("motcua.directives.tasks.send_reminders", timedelta(hours=1)),
        "evaluation.flag_missing_apologies": (
            "motcua.evaluation.latelist.flag_missing_apologies",
            timedelta(hours=6),
        ),
        "reporting.periodic": ("motcua.reporting.tasks.periodic", timedelta(minutes=30)),
        "evaluation.precompute": ("motcua.evaluation.tasks.precompute_index", timedelta(hours=1)),
        "exports.expire": ("motcua.exports.tasks.expire_exports", timedelta(hours=6)),
        "dashboard.refresh": ("motcua.dashboard.tasks.refresh_indicators", timedelta(hours=1)),
        "core.deliver_mail": ("motcua.core.tasks.deliver_mail", timedelta(minutes=5)),
        "core.audit_checkpoint": ("motcua.core.tasks.audit_checkpoint", timedelta(minutes=10)),
        "core.purge_throttles": ("motcua.core.tasks.purge_throttles", timedelta(hours=1)),
    }
    assert len(JOBS) == len(table)  # each name once
    assert all(isinstance(import_string(job.task_path), Task) for job in JOBS)
    assert JOBS[-len(CORE_JOBS) :] == list(CORE_JOBS)
    schedule.register(JOBS[0])  # the same job again: harmless
    assert len(JOBS) == len(table)
    with pytest.raises(ValueError):
        schedule.register(PeriodicJob(JOBS[0].name, JOBS[0].task_path, timedelta(minutes=1), "khác"))
