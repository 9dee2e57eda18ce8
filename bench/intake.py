"""Counter intake rate: dossiers received one after another through ``services.receive_at_counter``.

Run (never in CI), on the database filled by bench/generate_dossiers.py:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/intake.py --count 1000

Each receipt is the full use case in its own transaction: permission, version and units, applicant
check, components, deadline on the unit's calendar, the day's serial number, dossier, event, audit
entry and outbox row. Prints receipts per second, the p50/p99 of one receipt and the CPU time this
process spent per receipt (on a busy machine the rate varies; the CPU time much less). Target: ≥ 200/s.
Runs with ``DEBUG`` off, as in production (``DEBUG=1`` in the environment measures Django's query
log too). The codes take the receiving unit's serial numbers of today (9,999 per unit and day; use
``--unit x10525 --officer haiduong.motcua`` for another ward).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ.setdefault("DEBUG", "0")  # production setting: no query log

import django

django.setup()

from django.utils import timezone  # noqa: E402

from motcua.catalogue.models import Procedure  # noqa: E402
from motcua.core.models import OrgUnit, Person, User  # noqa: E402
from motcua.core.rules import rule_value  # noqa: E402
from motcua.dossiers import rules, services  # noqa: E402
from motcua.dossiers.models import DailySequence, Dossier  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--unit", default="x10507")
    parser.add_argument("--officer", default="thanhdong.motcua")
    parser.add_argument("--procedure", default="2.000815")
    args = parser.parse_args()
    unit = OrgUnit.objects.get(code=args.unit)
    officer = User.objects.get(username=args.officer)
    procedure = Procedure.objects.get(code=args.procedure)
    version = procedure.current_version()
    assert version is not None
    components = [
        services.ComponentInput(component_id=c.pk)
        for c in version.components.all()
        if c.required and c.role == "submit"
    ]
    today = timezone.localdate()
    most = rules.max_sequence(str(rule_value("dossiers.code_format", today)))
    used = DailySequence.objects.filter(unit=unit, day=today).values_list("last_value", flat=True).first()
    used = used or 0
    if used + args.count > most:
        raise SystemExit(
            f"{unit.name} đã dùng {used} số thứ tự hôm nay; còn {most - used}, không đủ cho {args.count} hồ "
            "sơ. Dùng đơn vị khác: --unit x10525 --officer haiduong.motcua (Phường Hải Dương), "
            "x11359 giavien.motcua (Phường Gia Viên), x11914 cathai.motcua (Đặc khu Cát Hải)."
        )
    people = list(Person.objects.order_by("?")[: args.count])
    print(f"{Dossier.objects.count()} hồ sơ trước khi đo")
    samples = []
    started = time.perf_counter()
    cpu_started = time.process_time()
    for person in people:
        start = time.perf_counter()
        services.receive_at_counter(
            by=officer,
            applicant=person,
            procedure=procedure,
            receiving_unit=unit,
            competent_unit=unit,
            components=components,
        )
        samples.append((time.perf_counter() - start) * 1000)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    samples.sort()
    p99 = samples[max(0, int(len(samples) * 0.99) - 1)]
    print(
        f"{len(samples)} hồ sơ tiếp nhận trong {elapsed:.1f} s: {len(samples) / elapsed:.0f} hồ sơ/s; "
        f"mỗi hồ sơ p50 {statistics.median(samples):.2f} ms, p99 {p99:.2f} ms; "
        f"CPU của tiến trình đo {cpu / len(samples) * 1000:.2f} ms/hồ sơ"
    )


if __name__ == "__main__":
    main()
