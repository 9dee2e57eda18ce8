"""Benchmark of the deadline engine: how long one due-date computation takes.

Run: .venv/bin/python bench/workdays.py [--repeat 2000]
Prints one line per case with the median and p99 in microseconds. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime

from motcua.workdays.domain import TZ, Calendar, compute_due

CASES = [
    ("3 working days", "3", "working_days"),
    ("15 calendar days", "15", "calendar_days"),
    ("40 working hours", "40", "working_hours"),
    ("2,500 working days (10 years)", "2500", "working_days"),
    ("20,000 working hours (10 years)", "20000", "working_hours"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    calendar = Calendar.statutory()
    received = datetime(2026, 11, 27, 16, 10, tzinfo=TZ)
    compute_due(calendar, received, "2500", "working_days")  # warm the per-year holiday cache
    for label, limit, unit in CASES:
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            compute_due(calendar, received, limit, unit)
            samples.append((time.perf_counter() - start) * 1e6)
        samples.sort()
        p99 = samples[int(len(samples) * 0.99) - 1]
        print(f"{label:34s} median {statistics.median(samples):9.1f} µs   p99 {p99:9.1f} µs")


if __name__ == "__main__":
    main()
