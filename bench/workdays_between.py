"""In-process cost of counting working time between two moments — the time-left column of the staff
inbox, the 766 index and the late lists — on the statutory calendar with the default office hours.

Run: .venv/bin/python bench/workdays_between.py [--repeat 10000]
Prints one line per case with the median and p99 in microseconds (per-year caches warm). Results go
to docs/benchmarks.md ("Deadline engine").
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime

from motcua.workdays.domain import TZ, Calendar, working_seconds_between

NOW = datetime(2026, 12, 7, 9, 40, tzinfo=TZ)  # a Monday morning
OVERDUE_SINCE_2022 = datetime(2022, 8, 4, 10, 15, tzinfo=TZ)  # 1,586 days before NOW
DUE_THIS_WEEK = datetime(2026, 12, 10, 17, 0, tzinfo=TZ)


def _cases(calendar: Calendar) -> list[tuple[str, Callable[[], object]]]:
    return [
        (
            "working seconds, 04/08/2022 → 07/12/2026",
            lambda: working_seconds_between(calendar, OVERDUE_SINCE_2022, NOW),
        ),
        (
            "working days, 04/08/2022 → 07/12/2026",
            lambda: calendar.working_days_between(date(2022, 8, 4), date(2026, 12, 7)),
        ),
        (
            "working seconds, 07/12 → 10/12/2026 (due soon)",
            lambda: working_seconds_between(calendar, NOW, DUE_THIS_WEEK),
        ),
        ("add 2,500 working days to 07/12/2026", lambda: calendar.add_working_days(date(2026, 12, 7), 2500)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10_000)
    args = parser.parse_args()
    calendar = Calendar.statutory()
    for label, call in _cases(calendar):
        call()  # warm the per-year caches of the calendar
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            call()
            samples.append((time.perf_counter() - start) * 1e6)
        samples.sort()
        p99 = samples[int(len(samples) * 0.99) - 1]
        print(f"{label:48s} median {statistics.median(samples):9.1f} µs   p99 {p99:9.1f} µs")


if __name__ == "__main__":
    main()
