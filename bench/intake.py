"""Counter intake rate: dossiers received one after another through ``services.receive_at_counter``.

Run (never in CI), on the database filled by bench/generate_dossiers.py:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/intake.py --count 1000

Each receipt is the full use case in its own transaction: permission, version and units, applicant
check, components, deadline on the unit's calendar, the day's serial number, dossier, event, audit
entry and outbox row. Prints receipts per second and the p50/p99 of one receipt. Target: ≥ 200/s.
The codes take the receiving unit's serial numbers of today (9,999 per unit and day).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from motcua.catalogue.models import Procedure  # noqa: E402
from motcua.core.models import OrgUnit, Person, User  # noqa: E402
from motcua.dossiers import services  # noqa: E402
from motcua.dossiers.models import Dossier  # noqa: E402


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
    people = list(Person.objects.order_by("?")[: args.count])
    print(f"{Dossier.objects.count()} hồ sơ trước khi đo")
    samples = []
    started = time.perf_counter()
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
    samples.sort()
    p99 = samples[max(0, int(len(samples) * 0.99) - 1)]
    print(
        f"{len(samples)} hồ sơ tiếp nhận trong {elapsed:.1f} s: {len(samples) / elapsed:.0f} hồ sơ/s; "
        f"mỗi hồ sơ p50 {statistics.median(samples):.2f} ms, p99 {p99:.2f} ms"
    )


if __name__ == "__main__":
    main()
