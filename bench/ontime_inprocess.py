"""In-process cost of the on-time verdict (766 2.1) per dossier — ``formulas.on_time`` through
``dossiers.timeliness.judge`` — on synthetic facts: 100,000 dossiers received in March 2026, one in ten
with a supplement. An in-process figure (no database, no HTTP): the end-to-end index is
``bench/index766.py``.

    DJANGO_SETTINGS_MODULE=motcua.settings .venv/bin/python bench/ontime_inprocess.py [--count N]
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime, timedelta

import django

django.setup()

from motcua.evaluation.formulas import DossierFacts, Period, SupplementFacts, on_time  # noqa: E402
from motcua.workdays.domain import TZ  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    count = parser.parse_args().count
    period = Period(date(2026, 3, 1), date(2026, 3, 31))
    base = datetime(2026, 3, 2, 9, tzinfo=TZ)
    facts = []
    for i in range(count):
        received = base + timedelta(minutes=i % 40_000)
        supplements = (
            (
                SupplementFacts(
                    received + timedelta(days=1), received + timedelta(days=2), received + timedelta(days=3)
                ),
            )
            if i % 10 == 0
            else ()
        )
        facts.append(
            DossierFacts(
                i,
                "x",
                1,
                1,
                1,
                10,
                received,
                received + timedelta(days=3),
                received + timedelta(days=2 + i % 3),
                None,
                None,
                "",
                supplements,
            )
        )
    started = time.perf_counter()
    cpu = time.process_time()
    on_time_count = sum(on_time(d, period, None, lambda unit: None).on_time for d in facts)
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    each = 1e6 * used / count
    print(f"{count} verdicts: {wall:.2f} s wall, {used:.2f} s CPU, {each:.1f} µs each")
    print(f"on time: {on_time_count}")


if __name__ == "__main__":
    main()
