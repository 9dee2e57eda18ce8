"""Fill a PostgreSQL database with many dossiers (about 10 events each) for the dossier benchmarks.

Run (never in CI; DATABASE_URL must name a separate, throw-away PostgreSQL database):

    createdb -h 127.0.0.1 -U postgres motcua_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \\
        .venv/bin/python bench/generate_dossiers.py --count 1000000

It migrates, loads the demo province without its history (units, staff, the 14 procedures), then
writes ``--count`` dossiers with ``COPY`` in chunks: received over five years at the demo wards,
communes and the service centre, each with a native-looking history — receipt (or online submission and
acceptance), assignment and hand-over along the procedure's workflow steps, sometimes a supplement,
then result and return — and the projection columns computed with ``projection.apply`` (so
``motcua dossiers rebuild --verify`` passes). Recent dossiers are still open; some are overdue.
Due moments come from the real deadline engine. Applicants: a pool of citizens with valid CCCD numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from motcua.catalogue.models import ProcedureVersion, WorkflowStep  # noqa: E402
from motcua.core import audit  # noqa: E402
from motcua.core.models import OrgUnit, Person, User  # noqa: E402
from motcua.core.text import fold  # noqa: E402
from motcua.demo import history  # noqa: E402
from motcua.demo.loader import load_demo  # noqa: E402
from motcua.dossiers import projection, rules  # noqa: E402
from motcua.dossiers.importing import _copy  # noqa: E402
from motcua.dossiers.models import Dossier, DossierEvent  # noqa: E402
from motcua.workdays.domain import TZ, compute_due  # noqa: E402
from motcua.workdays.services import calendar_for  # noqa: E402

START = date(2021, 12, 1)
OPEN_SHARE = 0.03  # dossiers left open at a random step, whatever their age
AS_OF = datetime(2026, 11, 26, 17, 0, tzinfo=TZ)
A = rules.Action
S = rules.State


def _person_pool(rng: random.Random, size: int) -> list[tuple[int, str, str]]:
    existing = Person.objects.count()
    if existing < size:
        people = history._people(rng, size)
        known = set(Person.objects.values_list("citizen_id", flat=True))
        rows = [(p.number, p.name, fold(p.name), p.phone) for p in people if p.number not in known][
            : size - existing
        ]
        with transaction.atomic():
            _copy(
                "core_person",
                [
                    "citizen_id",
                    "full_name",
                    "full_name_folded",
                    "phone",
                    "email",
                    "address",
                    "verified_with_population_db",
                ],
                ([n, name, folded, phone, "", "", False] for n, name, folded, phone in rows),
            )
    return list(Person.objects.values_list("pk", "citizen_id", "full_name")[:size])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--people", type=int, default=200_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("generate_dossiers.py: DATABASE_URL must name a PostgreSQL database.")
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    load_demo(verbose=False, history=0)
    rng = random.Random(args.seed)
    people = _person_pool(rng, args.people)
    units = {u.code: u for u in OrgUnit.objects.all()}
    users: dict[tuple[str, str], int] = {}
    for user in User.objects.select_related("primary_unit").prefetch_related("role_assignments"):
        for assignment in user.role_assignments.all():
            users.setdefault((assignment.unit.code, assignment.role), user.pk)
    versions = {
        v.procedure.code: v
        for v in ProcedureVersion.objects.select_related("procedure").filter(status="published")
    }
    steps: dict[int, list[WorkflowStep]] = {}
    for step in WorkflowStep.objects.order_by("order"):
        steps.setdefault(step.version_id, []).append(step)
    codes = [c for c in history.PROCEDURE_WEIGHTS if c in versions]
    weights = [history.PROCEDURE_WEIGHTS[c] for c in codes]
    communes = list(history.COMMUNE_WEIGHTS)
    commune_weights = list(history.COMMUNE_WEIGHTS.values())
    calendars: dict[int, object] = {}
    span_days = (AS_OF.date() - START).days
    dossier_fields = [f for f in Dossier._meta.concrete_fields]
    dossier_columns = [f.column for f in dossier_fields]
    defaults = {f.attname: f.get_default() for f in dossier_fields}
    event_columns = [f.column for f in DossierEvent._meta.concrete_fields if not f.primary_key]
    serials: dict[tuple[int, date], int] = {}
    done = events_total = 0
    print(f"{args.count} hồ sơ, mỗi lô {args.chunk}…", file=sys.stderr)
    while done < args.count:
        n = min(args.chunk, args.count - done)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('dossiers_dossier', 'id')) "
                "FROM generate_series(1, %s)",
                [n],
            )
            ids = [row[0] for row in cursor.fetchall()]
        dossier_rows, event_rows = [], []
        for pk in ids:
            code = rng.choices(codes, weights)[0]
            version = versions[code]
            all_steps = steps.get(version.pk, [])
            closing = all_steps[-1] if len(all_steps) >= 2 and all_steps[-1].unit_mode == "one_stop" else None
            processing = [s for s in all_steps if not s.is_consultation and s is not closing]
            step_ids = {s.code: s.pk for s in all_steps}
            if code in ("2.000488", "1.002809"):
                receiving, competent = units["hp-ttpvhcc"], units["hp-ca"]
            elif code == "2.001583":
                receiving, competent = units["hp-ttpvhcc"], units["hp-stc"]
            else:
                receiving = competent = units[rng.choices(communes, commune_weights)[0]]
            calendar = calendars.get(competent.pk)
            if calendar is None:
                calendar = calendars[competent.pk] = calendar_for(competent, AS_OF.date())
            # received: a working day over five years, busier recently; inside office hours
            day = START + timedelta(days=int(span_days * (rng.random() ** 0.8)))
            day = calendar.working_day_on_or_after(day)  # type: ignore[attr-defined]
            if day > AS_OF.date():
                day = AS_OF.date() - timedelta(days=1)
                day = calendar.working_day_on_or_after(day - timedelta(days=3))  # type: ignore[attr-defined]
            opening = calendar.opening(day)  # type: ignore[attr-defined]
            received = opening + timedelta(minutes=rng.randrange(0, 8 * 60 - 30))
            if dtime(11, 30) <= received.timetz().replace(tzinfo=None) < dtime(13, 30):
                received += timedelta(hours=2)
            online = rng.random() < 0.4 and version.online_level != "none"
            submitted = received - timedelta(minutes=rng.randrange(10, 60 * 30)) if online else received
            due = compute_due(calendar, received, version.time_limit_value, version.time_limit_unit).due  # type: ignore[arg-type]
            person_pk, citizen_id, name = people[rng.randrange(len(people))]
            specialist = users.get((competent.code, "specialist"))
            leader = users.get((competent.code, "agency_leader")) or users.get(
                (competent.code, "unit_leader")
            )
            # the history
            plan: list[tuple[A, datetime, str, dict]] = []
            moment = received
            if online:
                plan.append((A.SUBMIT_ONLINE, submitted, "", {"channel": 2}))
                plan.append(
                    (A.ACCEPT_ONLINE, received, processing[0].code, {"received_at": received.isoformat()})
                )
            else:
                plan.append(
                    (
                        A.RECEIVE_AT_COUNTER,
                        received,
                        processing[0].code,
                        {"channel": 1, "received_at": received.isoformat()},
                    )
                )
            total = max(int((due - received).total_seconds()), 3600)
            late = rng.random() < 0.07
            finish = received + timedelta(
                seconds=total * (rng.uniform(1.02, 1.6) if late else rng.uniform(0.1, 0.95))
            )
            stride = (finish - received) / (2 * len(processing) + 2)
            for i, step in enumerate(processing):
                if i:
                    moment += stride
                    plan.append((A.HAND_OVER, moment, step.code, {"to_step": step.code, "assignee_id": None}))
                moment += stride
                who = specialist if step.role == "specialist" else leader
                plan.append((A.ASSIGN, moment, step.code, {"assignee_id": who}))
                if i == 0 and rng.random() < 0.1:
                    plan.append(
                        (A.REQUEST_SUPPLEMENT, moment + stride / 4, step.code, {"reasons": "Thiếu giấy tờ"})
                    )
                    plan.append((A.RECEIVE_SUPPLEMENT, moment + stride / 2, step.code, {}))
            plan.append((A.MARK_RESULT_READY, finish, closing.code if closing else "", {"assignee_id": None}))
            plan.append(
                (A.RETURN_RESULT, finish + timedelta(hours=rng.uniform(1, 30)), "", {"assignee_id": None})
            )
            plan = [p for p in plan if p[1] <= AS_OF]
            if rng.random() < OPEN_SHARE:
                # a backlog: stopped somewhere before the result (overdue when its due has passed)
                plan = plan[: rng.randint(1, max(1, len(plan) - 2))]
            state = projection.Projection()
            current: S | None = None
            rows = []
            for seq, (action, at, step_code, data) in enumerate(plan, 1):
                to_state = rules.next_state(current, action)
                facts = projection.EventFacts(
                    seq,
                    action.value,
                    at,
                    to_state.value,
                    rules.national_status(to_state),
                    step_code,
                    due,
                    data,
                )
                state = projection.apply(state, facts, step_ids)
                before = current.value if current else ""
                label = "Sinh dữ liệu đo hiệu năng"
                national = rules.national_status(to_state)
                payload = json.dumps(data)
                rows.append(
                    [
                        pk,
                        seq,
                        at,
                        None,
                        label,
                        action.value,
                        before,
                        to_state.value,
                        national,
                        step_code,
                        payload,
                        due,
                    ]
                )
                current = to_state
            event_rows.extend(rows)
            serial_key = (receiving.pk, received.date())
            serials[serial_key] = serials.get(serial_key, 0) + 1
            row = dict(defaults)
            row.update(
                id=pk,
                code=f"{receiving.eid_code}-{received:%y%m%d}-{serials[serial_key]:04d}",
                procedure_id=version.procedure_id,
                procedure_version_id=version.pk,
                receiving_unit_id=receiving.pk,
                competent_unit_id=competent.pk,
                applicant_person_id=person_pk,
                applicant_organisation_id=None,
                applicant_name=name,
                applicant_name_folded=fold(name),
                applicant_id_number=citizen_id,
                channel=2 if online else 1,
                result_delivery="online" if online else "counter",
                submitted_at=submitted,
                lock_version=len(rows),
                created_at=submitted,
                updated_at=rows[-1][2],
                extra={},
                import_overrides={},
                **{name: getattr(state, name) for name in projection.PROJECTED_FIELDS},
            )
            dossier_rows.append(
                [
                    json.dumps(row[f.attname]) if f.get_internal_type() == "JSONField" else row[f.attname]
                    for f in dossier_fields
                ]
            )
        with transaction.atomic():
            _copy("dossiers_dossier", dossier_columns, dossier_rows)
            _copy("dossiers_dossierevent", event_columns, event_rows)
        done += n
        events_total += len(event_rows)
        rate = done / (time.perf_counter() - started)
        print(f"  {done} hồ sơ, {events_total} sự kiện ({rate:.0f} hồ sơ/s)", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with audit.acting_as(None, label="bench/generate_dossiers.py"):
        audit.record(
            "bench.generate",
            summary=f"Sinh {done} hồ sơ đo hiệu năng",
            data={"count": done, "events": events_total, "seed": args.seed},
        )
    print(
        f"Xong: {done} hồ sơ, {events_total} sự kiện ({events_total / max(done, 1):.1f}/hồ sơ) "
        f"trong {time.perf_counter() - started:.0f} s.",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
