from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tasks import refresh_procedures_in_force
from motcua.catalogue.tests import factories as cf
from motcua.core.schedule import JOBS, PeriodicJob, enqueue_due

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
