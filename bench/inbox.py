"""Staff inbox latency: one page of 50 dossiers through ``dossiers.selectors.inbox``, one user at a time,
and the box counts of the side navigation (``selectors.box_counts``).

Run against the database filled by bench/generate_dossiers.py (never in CI):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/inbox.py --repeat 200

Prints, per case, the median and p99 in milliseconds and the number of SQL queries of one call. Each call
resolves the user's scope again (``selectors.user_access``), as one request does. ``--explain`` also
prints PostgreSQL's plan of each case's page query (``EXPLAIN (ANALYZE, BUFFERS)``): the planning and
execution times are steadier than the wall clock on a shared machine. Target: p50 ≤ 15 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from motcua.catalogue.models import Procedure  # noqa: E402
from motcua.core.models import User  # noqa: E402
from motcua.dossiers import selectors  # noqa: E402
from motcua.dossiers.models import Dossier  # noqa: E402
from motcua.workdays.domain import to_local  # noqa: E402

Box = selectors.Box


def cases() -> list[tuple[str, dict[str, Any]]]:
    today = to_local(timezone.now()).date()
    copy = Procedure.objects.get(code="2.000815").pk
    return [
        ("chuyên viên phường: cần xử lý", {"user": "thanhdong.tuphap", "box": Box.TO_PROCESS}),
        ("chủ tịch phường: quá hạn", {"user": "thanhdong.chutich", "box": Box.OVERDUE}),
        ("chủ tịch phường: sắp đến hạn", {"user": "thanhdong.chutich", "box": Box.SOON_DUE}),
        ("một cửa TTPVHCC: chờ trả kết quả", {"user": "ttpvhcc.motcua1", "box": Box.TO_RETURN}),
        ("lãnh đạo Công an: chờ ký", {"user": "ca.lanhdao", "box": Box.TO_SIGN}),
        ("giám sát thành phố: quá hạn (toàn tỉnh)", {"user": "giamsat.tinh", "box": Box.OVERDUE}),
        (
            "chuyên viên phường: lọc thủ tục + 90 ngày",
            {
                "user": "thanhdong.tuphap",
                "box": Box.TO_PROCESS,
                "filters": selectors.Filters(
                    procedure_id=copy, received_from=today - timedelta(days=90), received_to=today
                ),
            },
        ),
        ("chủ tịch phường: quá hạn, trang 2", {"user": "thanhdong.chutich", "box": Box.OVERDUE, "page": 2}),
        ("chủ tịch thành phố: chờ ký (toàn tỉnh)", {"user": "chutich", "box": Box.TO_SIGN}),
        ("chuyên viên Sở Tư pháp: chờ cho ý kiến", {"user": "stp.chuyenvien1", "box": Box.TO_ANSWER}),
        ("chủ tịch phường: tất cả trong phạm vi", {"user": "thanhdong.chutich", "box": Box.IN_SCOPE}),
        ("lãnh đạo Công an: tất cả trong phạm vi", {"user": "ca.lanhdao", "box": Box.IN_SCOPE}),
        ("giám sát thành phố: tất cả (toàn tỉnh)", {"user": "giamsat.tinh", "box": Box.IN_SCOPE}),
        # A department with no dossier yet: the list must not read the whole table looking for 50.
        ("giám đốc Sở Tư pháp: tất cả (chưa có hồ sơ)", {"user": "stp.giamdoc", "box": Box.IN_SCOPE}),
    ]


# The side navigation of every inbox page: the count of each box offered to the user (up to 1,000).
COUNT_USERS = (
    "thanhdong.chutich",
    "thanhdong.tuphap",
    "ttpvhcc.motcua1",
    "ca.lanhdao",
    "chutich",
    "giamsat.tinh",
)


def measure(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    for _ in range(5):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.99) - 1)]


def explain(sql: str) -> None:
    with connection.cursor() as c:
        c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        print("\n".join("    " + row[0] for row in c.fetchall()))


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

        reset_queries()  # DEBUG keeps the last 9,000 queries only: counting from a full log fails
        with CaptureQueriesContext(connection) as queries:
            page = call()
        p50, p99 = measure(call, args.repeat)
        print(
            f"{label:44s} {len(page.items):3d} dòng  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  "
            f"{len(queries)} truy vấn"
        )
        if args.explain and connection.vendor == "postgresql":
            # The page query: the one reading dossiers in order (the last one reads the names).
            pages = [q["sql"] for q in queries.captured_queries if 'FROM "dossiers_dossier"' in q["sql"]]
            if pages:
                explain(pages[-1])
    for username in COUNT_USERS:
        user = User.objects.get(username=username)

        def count(user=user):
            return selectors.box_counts(user)

        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            counts = count()
        p50, p99 = measure(count, args.repeat)
        shown = ", ".join(f"{box} {selectors.count_label(n)}" for box, n in counts.items())
        print(
            f"số đếm {username:36s} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  {len(queries)} truy vấn  ({shown})"
        )


if __name__ == "__main__":
    main()
