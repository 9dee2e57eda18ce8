"""The computed sources of the KPI set, worked by hand: the 766 index, task tracking and reported
indicators; and the public page's query count. Period: March 2026 unless said otherwise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dashboard import sources
from motcua.dashboard.models import Indicator, IndicatorValue
from motcua.directives import services as ds
from motcua.directives.models import Occurrence
from motcua.directives.tests import factories as dirf
from motcua.dossiers.tests import factories as df
from motcua.evaluation.index766 import compute
from motcua.evaluation.tests.builders import NOW, WARD_B, line, load, stamp
from motcua.reporting import services as rs
from motcua.reporting.tests import factories as rf

pytestmark = pytest.mark.django_db

M1, M31 = date(2026, 3, 1), date(2026, 3, 31)
A1, A30 = date(2026, 4, 1), date(2026, 4, 30)


def ind(code: str, source: str, key: str = "", **kw) -> Indicator:
    return Indicator.objects.create(code=code, name=code, source=source, source_key=key, **kw)


# -- the 766 index ------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)  # 15/04/2026: March is over, April is under way
def test_index766_source_matches_compute_and_a_hand_worked_2_1_rate():
    cache.clear()
    w = df.world()
    load(
        [
            # P: Phường An Biên, finished 04/03 before its due 05/03 → on time
            line(stamp(2), stamp(5, 17), status=10, NgayKetThucXuLy=stamp(4, 10), NgayTra=stamp(4, 15)),
            # Q: An Biên, finished 09/03 after its due 06/03 → late
            line(stamp(3), stamp(6, 17), status=9, NgayKetThucXuLy=stamp(9, 10)),
            # R: An Biên, finished 12/03 before its due 13/03 → on time
            line(stamp(10), stamp(13, 17), status=10, NgayKetThucXuLy=stamp(12, 10), NgayTra=stamp(12, 15)),
            # S: Phường Lê Chân, still open on 31/03, due 09/03 → late
            line(stamp(4), stamp(9, 17), prefix=WARD_B),
            # T: Lê Chân, finished 06/03 before its due 10/03 → on time
            line(stamp(5), stamp(10, 17), status=10, NgayKetThucXuLy=stamp(6, 10), prefix=WARD_B),
        ]
    )
    points = ind("p", "index766", "points")
    rate = ind("r21", "index766", "rate_2_1")
    for unit in (None, w.ward_a, w.ward_b):
        expected = compute(M1, M31, unit=unit)
        assert sources.index766(points, M1, M31, unit) == expected.points.quantize(Decimal("0.01"))
        assert sources.index766(rate, M1, M31, unit) == expected.indicator("2.1").rate
    # 2.1 by hand: province P, R, T on time of P, Q, R, S, T → 3 / 5 = 60.00 %
    assert sources.index766(rate, M1, M31, None) == Decimal("60.00")
    # An Biên: P, R of P, Q, R → 2 / 3 = 66.666… → 66.67 %
    assert sources.index766(rate, M1, M31, w.ward_a) == Decimal("66.67")
    # Lê Chân: T of S, T → 1 / 2 = 50.00 %
    assert sources.index766(rate, M1, M31, w.ward_b) == Decimal("50.00")
    # A month that has not started has no value.
    assert sources.index766(rate, date(2026, 5, 1), date(2026, 5, 31), None) is None


# -- task tracking -------------------------------------------------------------------------------------

TASK_ROWS: list[tuple[str, ...]] = [
    ("I", "Nhiệm vụ thử"),
    ("1.", "Nhiệm vụ một.", "Sở Tư pháp", "", "Trước ngày 10/03/2026.", "Báo cáo"),
    ("2.", "Nhiệm vụ hai.", "Sở Tư pháp", "", "Trước ngày 20/03/2026.", "Báo cáo"),
    ("3.", "Nhiệm vụ ba.", "Sở Tư pháp", "", "Trước ngày 25/03/2026.", "Báo cáo"),
    ("4.", "Nhiệm vụ bốn.", "Sở Nội vụ", "Sở Tư pháp", "Trước ngày 15/03/2026.", "Báo cáo"),
    ("5.", "Nhiệm vụ năm.", "Sở Nội vụ", "Sở Tư pháp", "Trước ngày 30/03/2026.", "Báo cáo"),
    ("6.", "Nhiệm vụ sáu.", "Sở Tư pháp", "", "Trước ngày 28/02/2026.", "Báo cáo"),
    ("7.", "Nhiệm vụ bảy.", "Sở Tư pháp", "", "Trước ngày 15/04/2026.", "Báo cáo"),
]


def complete(w, document, number: str, by, on: date) -> None:
    """The lead unit reports the task done on ``on`` and the office approves, that same day."""
    with time_machine.travel(dirf.at(on.year, on.month, on.day, 10), tick=False):
        request = ds.request_completion(by, dirf.task(document, number).pk, completed_on=on)
        ds.decide_completion(w.supervisor, request.pk, approve=True)


def test_task_sources_hand_worked():
    w = dirf.world()
    document = dirf.imported(w, TASK_ROWS)
    occurrences = Occurrence.objects.filter(directive__document=document)
    due = dict(occurrences.values_list("directive__number", "due_on"))
    assert due == {
        "1": date(2026, 3, 10),
        "2": date(2026, 3, 20),
        "3": date(2026, 3, 25),
        "4": date(2026, 3, 15),
        "5": date(2026, 3, 30),
        "6": date(2026, 2, 28),
        "7": date(2026, 4, 15),
    }
    complete(w, document, "1", w.justice_specialist, date(2026, 3, 5))  # on time
    complete(w, document, "2", w.justice_specialist, date(2026, 3, 25))  # 5 days late
    complete(w, document, "4", w.outsider, date(2026, 3, 14))  # on time (Sở Nội vụ leads)
    complete(w, document, "5", w.outsider, date(2026, 4, 2))  # late, after the month's end
    # 3 and 6 are never completed; 7 is due in April.
    overdue = ind("od", "directives", "overdue")
    share = ind("ot", "directives", "on_time_share")
    with time_machine.travel(dirf.at(2026, 4, 10, 9), tick=False):
        # March, as of 31/03: due before 31/03 and not completed by then → 3, 5 (done 02/04), 6.
        assert sources.directives(overdue, M1, M31, None) == Decimal(3)
        # Due in March: 1, 2, 3, 4, 5; completed by the due date: 1, 4 → 2 / 5 = 40.00 %.
        assert sources.directives(share, M1, M31, None) == Decimal("40.00")
        # Sở Tư pháp leads 1, 2, 3, 6, 7 (it only coordinates 4 and 5): overdue 3, 6.
        assert sources.directives(overdue, M1, M31, w.justice) == Decimal(2)
        # Sở Tư pháp, due in March: 1, 2, 3; on time: 1 → 1 / 3 = 33.333… → 33.33 %.
        assert sources.directives(share, M1, M31, w.justice) == Decimal("33.33")
        # Sở Nội vụ leads 4, 5: overdue 5; on time 4 of 4, 5 → 50.00 %.
        assert sources.directives(overdue, M1, M31, w.home_affairs) == Decimal(1)
        assert sources.directives(share, M1, M31, w.home_affairs) == Decimal("50.00")
        # Sở Tài chính leads nothing: none overdue, no share.
        assert sources.directives(overdue, M1, M31, w.finance) == Decimal(0)
        assert sources.directives(share, M1, M31, w.finance) is None
        # April, as of today 10/04: 3 and 6 still open (5 was done 02/04; 7 is due 15/04) → 2.
        assert sources.directives(overdue, A1, A30, None) == Decimal(2)
        # Nothing due from 01/04 to today: no share (7, due 15/04, is not counted yet).
        assert sources.directives(share, A1, A30, None) is None
        # A month that has not started has no value.
        assert sources.directives(overdue, date(2026, 5, 1), date(2026, 5, 31), None) is None


# -- reported indicators -------------------------------------------------------------------------------


@time_machine.travel(rf.at(2026, 3, 20), tick=False)
def test_reporting_source_unit_aggregate_and_fallback():
    w = rf.world()
    rs.generate_periods(date(2026, 3, 20))
    period = rf.period(w.monthly, "2026-M03")  # the period of March (the dashboard's month)
    received = ind("bc1", "reporting", f"{w.monthly.code}:1")
    share = ind("bc5", "reporting", f"{w.monthly.code}:5")

    def value(i: Indicator, unit=None) -> Decimal | None:
        return sources.reporting(i, M1, M31, unit)

    # Lê Chân submits 30 received dossiers, not accepted yet: nothing counts anywhere.
    sub_b = rs.save_report(w.d.intake_b, period, w.ward_b, {**rf.FULL, "1": 30, "5": "50"}, submit=True)
    assert value(received, w.ward_b) is None
    assert value(received) is None  # no accepted report: no fallback sum either
    # An Biên's report (10 received, 87.5 %) is accepted.
    sub_a = rs.save_report(w.d.intake_a, period, w.ward_a, {**rf.FULL, "1": 10}, submit=True)
    rs.accept(w.office_supervisor, sub_a)
    assert value(received, w.ward_a) == Decimal("10.00")
    assert value(share, w.ward_a) == Decimal("87.50")
    assert value(received, w.ward_b) is None  # still only submitted
    # The province, no aggregate accepted: the accepted reports added up → An Biên's 10 alone.
    assert value(received) == Decimal("10.00")
    # The office accepts the aggregate now (version 1: 10), then Lê Chân's report.
    rs.accept_aggregate(w.office_supervisor, period)
    rs.accept(w.office_supervisor, sub_b)
    assert value(received, w.ward_b) == Decimal("30.00")
    # The accepted aggregate wins over the sum of the accepted reports (10 + 30 = 40).
    assert value(received) == Decimal("10.00")
    assert value(share) == Decimal("87.50")
    # A second version of the aggregate: the last one counts → 10 + 30 = 40; the share weighted by
    # indicator 3 (8 finished each): (87.5 × 8 + 50 × 8) / 16 = 68.75.
    rs.accept_aggregate(w.office_supervisor, period)
    assert value(received) == Decimal("40.00")
    assert value(share) == Decimal("68.75")
    # A month without a period, and a definition that does not exist.
    assert sources.reporting(received, date(2025, 6, 1), date(2025, 6, 30), None) is None
    assert sources.reporting(ind("x", "reporting", "KHONG-CO:1"), M1, M31, None) is None


@time_machine.travel(rf.at(2026, 3, 20), tick=False)
def test_reporting_fallback_adds_up_every_accepted_report():
    w = rf.world()
    rs.generate_periods(date(2026, 3, 20))
    period = rf.period(w.monthly, "2026-M03")
    received = ind("bc1", "reporting", f"{w.monthly.code}:1")
    for user, unit, n in ((w.d.intake_a, w.ward_a, 10), (w.d.intake_b, w.ward_b, 30)):
        rs.accept(w.office_supervisor, rs.save_report(user, period, unit, {**rf.FULL, "1": n}, submit=True))
    # No aggregate accepted: 10 + 30 = 40.
    assert sources.reporting(received, M1, M31, None) == Decimal("40.00")


# -- the public page's query count ----------------------------------------------------------------------


@time_machine.travel(df.at(2026, 3, 20), tick=False)
def test_public_page_queries_do_not_grow_with_indicators(client):
    first = ind("pub0", "manual", target=Decimal(10), public=True)
    IndicatorValue.objects.create(indicator=first, month=M1, value=Decimal(11))
    client.get("/chi-so-dieu-hanh/")  # warm up (sessions, site caches)
    with CaptureQueriesContext(connection) as few:
        body = client.get("/chi-so-dieu-hanh/").content.decode()
    assert "pub0" in body
    for n in range(1, 6):
        extra = ind(f"pub{n}", "index766", "points", target=Decimal(5), public=True)
        for m in range(1, 4):
            IndicatorValue.objects.create(indicator=extra, month=date(2026, m, 1), value=Decimal(m))
    with CaptureQueriesContext(connection) as many:
        body = client.get("/chi-so-dieu-hanh/").content.decode()
    assert all(f"pub{n}" in body for n in range(6))
    assert len(many) == len(few)
