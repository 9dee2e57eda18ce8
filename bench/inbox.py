"""Staff inbox latency: one page of 50 dossiers through ``dossiers.selectors.inbox``, one user at a time.

Run against the database filled by bench/generate_dossiers.py (never in CI):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/inbox.py --repeat 200

Prints, per case, the median and p99 in milliseconds and the number of SQL queries of one call.
``--explain`` also prints PostgreSQL's plan of each case's page query. Target: p50 ≤ 15 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from motcua.catalogue.models import Procedure  # noqa: E402
from motcua.core.models import User  # noqa: E402
from motcua.dossiers import selectors  # noqa: E402
from motcua.dossiers.models import Dossier  # noqa: E402
from motcua.workdays.domain import to_local  # noqa: E402


def cases() -> list[tuple[str, dict]]:
    today = to_local(timezone.now()).date()
    copy = Procedure.objects.get(code="2.000815").pk
    return [
        ("chuyên viên phường: cần xử lý", {"user": "thanhdong.tuphap", "box": "to_process"}),
        ("chủ tịch phường: quá hạn", {"user": "thanhdong.chutich", "box": "overdue"}),
        ("chủ tịch phường: sắp đến hạn", {"user": "thanhdong.chutich", "box": "soon_due"}),
        ("một cửa TTPVHCC: chờ trả kết quả", {"user": "ttpvhcc.motcua1", "box": "to_return"}),
        ("lãnh đạo Công an: chờ ký", {"user": "ca.lanhdao", "box": "to_sign"}),
        ("giám sát thành phố: quá hạn (toàn tỉnh)", {"user": "giamsat.tinh", "box": "overdue"}),
        (
            "chuyên viên phường: lọc thủ tục + 90 ngày",
            {
                "user": "thanhdong.tuphap",
                "box": "to_process",
                "filters": selectors.Filters(
                    procedure_id=copy, received_from=today - timedelta(days=90), received_to=today
                ),
            },
        ),
        ("chủ tịch phường: quá hạn, trang 2", {"user": "thanhdong.chutich", "box": "overdue", "page": 2}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    print(f"{Dossier.objects.count()} hồ sơ trong cơ sở dữ liệu ({connection.vendor})")
    for label, case in cases():
        user = User.objects.get(username=case["user"])
        cursor = None
        if case.get("page") == 2:
            cursor = selectors.inbox(user, case["box"]).next_cursor

        def call(user=user, case=case, cursor=cursor):
            return selectors.inbox(user, case["box"], filters=case.get("filters"), cursor=cursor)

        for _ in range(5):
            call()
        with CaptureQueriesContext(connection) as queries:
            page = call()
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            call()
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        p99 = samples[max(0, int(len(samples) * 0.99) - 1)]
        print(
            f"{label:44s} {len(page.items):3d} dòng  p50 {statistics.median(samples):7.2f} ms  "
            f"p99 {p99:7.2f} ms  {len(queries)} truy vấn"
        )
        if args.explain and connection.vendor == "postgresql":
            sql = queries.captured_queries[-1]["sql"]
            with connection.cursor() as c:
                c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                print("\n".join("    " + row[0] for row in c.fetchall()))


if __name__ == "__main__":
    main()
