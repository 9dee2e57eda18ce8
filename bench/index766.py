"""QĐ 766 index: ``evaluation.index766.compute`` for one period and scope, end to end in Python.

Run against the database filled by bench/generate_dossiers.py (never in CI), after
``motcua migrate evaluation`` (its period indexes):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/index766.py --repeat 5

Prints, per case, the fastest, the median and the slowest of ``--repeat`` calls (after one warm-up call;
on a shared machine the fastest is the best estimate of the uncontended time), the median
CPU time of this process (the Python side; the rest is PostgreSQL and waiting), the number
of dossiers read (2.1's denominator plus the received-in-period dossiers that are not in it) and the
total points. Targets (docs/benchmarks.md): one province-month ≤ 1 s, one province-year ≤ 10 s.
``--fill-supplements`` first writes the ``Supplement`` rows the generator leaves out (it records
supplements as events only), from the events, for the dossiers that have none — so that the index
reads as many supplement rows as a real province would.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from motcua.dossiers.models import Dossier  # noqa: E402
from motcua.evaluation import index766  # noqa: E402

CASES = [
    ("tỉnh, tháng 3/2025", {"period_from": date(2025, 3, 1), "period_to": date(2025, 3, 31)}),
    ("tỉnh, tháng 10/2026", {"period_from": date(2026, 10, 1), "period_to": date(2026, 10, 31)}),
    ("tỉnh, quý III/2026", {"period_from": date(2026, 7, 1), "period_to": date(2026, 9, 30)}),
    ("tỉnh, năm 2025", {"period_from": date(2025, 1, 1), "period_to": date(2025, 12, 31)}),
    ("tỉnh, 9 tháng 2026", {"period_from": date(2026, 1, 1), "period_to": date(2026, 9, 30)}),
    (
        "phường Thành Đông, năm 2025",
        {"period_from": date(2025, 1, 1), "period_to": date(2025, 12, 31), "unit": "x10507"},
    ),
    (
        "thủ tục 2.000815, năm 2025",
        {"period_from": date(2025, 1, 1), "period_to": date(2025, 12, 31), "procedure": "2.000815"},
    ),
]


def fill_supplements() -> int:
    """Supplement rows from request/receive events, for dossiers that have events but no rows."""
    sql = """
        INSERT INTO dossiers_supplement
            (dossier_id, requested_at, items, reasons, received_at, received_note, mode, source)
        SELECT r.dossier_id, r.at, '[]'::jsonb, 'Bổ sung (dựng từ sự kiện cho bench)',
               (SELECT min(v.at) FROM dossiers_dossierevent v
                 WHERE v.dossier_id = r.dossier_id AND v.action = 'receive_supplement' AND v.seq > r.seq),
               '', 'restart', '{}'::jsonb
          FROM dossiers_dossierevent r
         WHERE r.action = 'request_supplement'
           AND NOT EXISTS (SELECT 1 FROM dossiers_supplement s WHERE s.dossier_id = r.dossier_id)
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fill-supplements", action="store_true")
    parser.add_argument("--only", help="chỉ chạy các trường hợp có chuỗi này trong tên")
    args = parser.parse_args()
    if args.fill_supplements:
        print(f"Đã dựng {fill_supplements()} dòng yêu cầu bổ sung từ sự kiện.")
    count = Dossier.objects.count()
    print(f"{count} hồ sơ trong cơ sở dữ liệu ({connection.vendor}); tải máy {os.getloadavg()[0]:.1f}")
    for label, case in CASES:
        if args.only and args.only not in label:
            continue
        result = index766.compute(**case)  # warm-up: calendars, rules, versions, the OS page cache
        samples, cpu = [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = index766.compute(**case)
            samples.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        on_time = result.indicator("2.1")
        received = result.indicator("1.4").denominator
        print(
            f"{label:30s} min {min(samples):6.2f} s  median {statistics.median(samples):6.2f} s  "
            f"max {max(samples):6.2f} s  "
            f"(Python {statistics.median(cpu):5.2f} s)  "
            f"2.1: {on_time.denominator:7d} hồ sơ, nhận trong kỳ {received:7d}  tổng {result.points} điểm"
        )


if __name__ == "__main__":
    main()
