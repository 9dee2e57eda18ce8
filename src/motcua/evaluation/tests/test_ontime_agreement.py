"""Every measure that says "on time" agrees, on dossiers built through the services.

The test procedure takes 3 working days; its workflow: tiep-nhan (one-stop) → tham-dinh (specialist) →
trinh-ky (division leader) → ky-ban-hanh (agency leader) → tra-ket-qua (one-stop). March 2026 has no
day off; office hours 07:30–11:30, 13:30–17:00; cut-off 15:00. Each dossier is received on Monday 02/03
at 09:00, so its statutory due is Thursday 05/03 at 17:00. Worked by hand:

- early: finished Wednesday 04/03 10:00 → early in both readings.
- double: supplement asked 03/03 09:00, complete Monday 16/03 09:00 (13 days), so the due restarts to
  Thursday 19/03 17:00; finished Tuesday 24/03 10:00. 766 (national): 24/03 10:00 − 13 days = 11/03
  10:00, after 05/03 17:00 → late. Late list (statutory): 24/03 10:00 after 19/03 17:00 → late.
- apology: apology on 03/03 promising Tuesday 10/03; finished Monday 09/03 10:00 → late in both.
- short: supplement asked 03/03 09:00, complete Wednesday 04/03 09:00 (due restarts to Monday 09/03
  17:00); finished Thursday 05/03 10:00. 766: 05/03 10:00 − 1 day = 04/03 10:00 → early; late list:
  early.
- plain_late: finished Friday 06/03 10:00 → late in both.

Before the fix, "double" counted as on time in 766 2.1 and was missing from the late list (the wait was
credited twice), and "apology" was on time everywhere that compared with the apology's date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Q

from motcua.dashboard import sources
from motcua.dashboard.models import Indicator
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import Box, box_queryset
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.dossiers.timeliness import Basis, overdue_open
from motcua.evaluation import index766, latelist, ontime, selectors, tt01_selectors
from motcua.evaluation.formulas import Period
from motcua.evaluation.models import LateNote
from motcua.reporting.prefill import one_stop_figures

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
LATE = {"double", "apology", "plain_late"}


def _to_specialist(w, d, clock, when):
    clock.move_to(when)
    d = s.hand_over(d.code, by=w.intake_a, expected_version=d.lock_version)
    d = s.assign(d.code, by=w.leader_a, expected_version=d.lock_version, assignee=w.specialist_a)
    return d


def _finish(w, d, clock, when):
    """Specialist → division leader → agency leader, who issues the result at ``when``."""
    d = s.hand_over(d.code, by=w.specialist_a, expected_version=d.lock_version)
    d = s.hand_over(d.code, by=w.leader_a, expected_version=d.lock_version, assignee=w.head_a)
    clock.move_to(when)
    return s.mark_result_ready(d.code, by=w.head_a, expected_version=d.lock_version)


def _supplemented(w, clock, received):
    d = df.receive(w)
    d = _to_specialist(w, d, clock, at(2026, 3, 2, 9, 30))
    clock.move_to(at(2026, 3, 3, 9, 0))
    d = s.request_supplement(
        d.code, by=w.specialist_a, expected_version=d.lock_version, items=["Tờ khai"], reasons="Thiếu chữ ký"
    )
    clock.move_to(received)
    return s.receive_supplement(d.code, by=w.intake_a, expected_version=d.lock_version, note="Đã đủ")


def build(w) -> dict[str, Dossier]:
    built: dict[str, Dossier] = {}
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False) as clock:
        d = df.receive(w)
        assert d.due_at == at(2026, 3, 5, 17, 0)
        d = _to_specialist(w, d, clock, at(2026, 3, 2, 9, 30))
        built["early"] = _finish(w, d, clock, at(2026, 3, 4, 10, 0))

        clock.move_to(at(2026, 3, 2, 9, 0))
        d = _supplemented(w, clock, at(2026, 3, 16, 9, 0))
        assert d.due_at == at(2026, 3, 19, 17, 0)  # restarted: Tuesday, Wednesday, Thursday
        clock.move_to(at(2026, 3, 20, 9, 0))
        built["double"] = _finish(w, d, clock, at(2026, 3, 24, 10, 0))

        clock.move_to(at(2026, 3, 2, 9, 0))
        d = df.receive(w)
        clock.move_to(at(2026, 3, 3, 10, 0))
        d = s.reset_due(
            d.code, by=w.leader_a, expected_version=1, reason="Chờ xác minh", new_due=date(2026, 3, 10)
        )
        assert (d.due_at, d.promised_at) == (at(2026, 3, 5, 17, 0), at(2026, 3, 10, 17, 0))
        d = _to_specialist(w, d, clock, at(2026, 3, 3, 10, 30))
        built["apology"] = _finish(w, d, clock, at(2026, 3, 9, 10, 0))

        clock.move_to(at(2026, 3, 2, 9, 0))
        d = _supplemented(w, clock, at(2026, 3, 4, 9, 0))
        assert d.due_at == at(2026, 3, 9, 17, 0)
        built["short"] = _finish(w, d, clock, at(2026, 3, 5, 10, 0))

        clock.move_to(at(2026, 3, 2, 9, 0))
        d = df.receive(w)
        d = _to_specialist(w, d, clock, at(2026, 3, 2, 9, 30))
        built["plain_late"] = _finish(w, d, clock, at(2026, 3, 6, 10, 0))
    return {k: Dossier.objects.get(pk=v.pk) for k, v in built.items()}


@time_machine.travel(at(2026, 4, 15, 9, 0), tick=False)
def test_every_measure_gives_the_same_on_time_figures():
    w = df.world()
    built = build(w)
    code_of = {d.code: name for name, d in built.items()}

    # 766 indicator 2.1 (what the CLI and the dashboard show)
    found = index766.compute(*MARCH).indicator("2.1")
    assert (found.numerator, found.denominator) == (2, 5)
    page = index766.drill_down("2.1", *MARCH, include="against")
    assert {code_of[i.code] for i in page.items} == LATE

    # the monthly late list (NĐ 61/2018)
    rows = latelist.late_list(date(2026, 3, 1), None).rows
    assert {code_of[r.code] for r in rows} == LATE
    apology = next(r for r in rows if code_of[r.code] == "apology")
    assert apology.apology and apology.apology_new_due == at(2026, 3, 10, 17, 0)
    assert apology.due_at == at(2026, 3, 5, 17, 0)  # compared with the statutory due, not the promise

    # TT 01/2018 indicator 1 (0: longer than allowed)
    scores, _ = tt01_selectors._scores(selectors.scope_filter(None, None), Period(*MARCH))
    assert {code_of[x.code] for x in scores if x.s1 == 0} == LATE
    assert {code_of[x.code]: x.s1 for x in scores if x.s1 != 0} == {"early": 2, "short": 2}

    # the KPI set's on-time rate: 2 of 5, for the ward and the province; nothing for the other ward
    kpi = Indicator.objects.create(code="t", name="t", source="dossiers", source_key="on_time_rate")
    assert sources.dossiers(kpi, *MARCH, None) == Decimal("40.00")
    assert sources.dossiers(kpi, *MARCH, w.ward_a) == Decimal("40.00")
    assert sources.dossiers(kpi, *MARCH, w.ward_b) is None

    # the NĐ 09 one-stop prefill
    figures = one_stop_figures(w.ward_a, *MARCH)
    assert (figures["resolved"], figures["resolved_on_time"], figures["resolved_late"]) == (5, 2, 3)
    assert figures["on_time_rate"] == "40.00"

    # the dossier page's clock (the late-list reading)
    for name, d in built.items():
        t = ontime.judge_now(d, at(2026, 4, 15, 9, 0), ontime.waits_from(d.supplements.all()))
        assert t.ended and t.on_time is (name not in LATE), name


@time_machine.travel(at(2026, 4, 15, 9, 0), tick=False)
def test_the_open_period_counts_what_is_overdue_at_its_end():
    """The prefill's "pending overdue" and the overdue box give the verdict of the same rule."""
    w = df.world()
    with time_machine.travel(at(2026, 3, 30, 9, 0), tick=False):
        d = df.receive(w)  # due Thursday 02/04 17:00: open and on time at the end of March
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        late = df.receive(w)  # due 05/03: open and overdue at the end of March
    figures = one_stop_figures(w.ward_a, *MARCH)
    assert (figures["pending"], figures["pending_overdue"], figures["pending_on_schedule"]) == (2, 1, 1)
    judged = {j.facts.code: j.verdict.on_time for j in ontime.open_at(Q(), Period(*MARCH), Basis.STATUTORY)}
    assert judged == {d.code: True, late.code: False}
    # the overdue box filters in SQL (statutory due passed, clock running): the same verdict
    end = Period(*MARCH).end_at
    boxed = set(box_queryset(w.head_a, Box.OVERDUE, now=end).values_list("code", flat=True))
    assert boxed == {code for code, good in judged.items() if not good}
    assert not overdue_open(d.due_at, False, end) and overdue_open(late.due_at, False, end)


@time_machine.travel(at(2026, 4, 15, 9, 0), tick=False)
def test_a_unit_records_a_late_apology_and_its_reason_in_plain_words(client):
    w = df.world()
    built = build(w)
    late = built["plain_late"]
    client.force_login(w.leader_a)
    page = client.get("/can-bo/tre-han/", {"month": "2026-03", "unit": "pab"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Số ngày làm việc trễ" in html and html.count("Chưa có thư xin lỗi") >= 2
    posted = client.post(
        "/can-bo/tre-han/ghi-nhan/",
        {
            "code": late.code,
            "month": "2026-03",
            "unit": "pab",
            "reason": "Chờ  kết quả xác minh\nnhân thân từ Công an phường",
            "apology_sent_on": "2026-03-09",
        },
    )
    assert posted.status_code == 302
    row = next(r for r in latelist.late_list(date(2026, 3, 1), w.ward_a).rows if r.code == late.code)
    # the letter was sent after the due: recorded, still late; the reason shown is the unit's words
    assert row.apology and row.apology_sent_on == date(2026, 3, 9)
    assert row.reason == "Chờ kết quả xác minh nhân thân từ Công an phường"
    assert "Xử lý xong quá hạn" in row.computed
    assert index766.compute(*MARCH).indicator("2.1").numerator == 2  # still late in the index
    publication = latelist.publish(w.head_a, date(2026, 3, 1), w.ward_a)
    public = next(r for r in publication.rows if r["code"] == late.code)
    assert public["reason"] == row.reason and public["apology_sent_on"] == "2026-03-09"
    assert (
        "Đã gửi thư xin lỗi ngày 09/03/2026"
        in client.get("/ho-so-tre-han/", {"month": "2026-03", "unit": "pab"}).content.decode()
    )

    # bad input: a 4xx with a Vietnamese message, nothing stored
    for data, status in (
        ({"code": late.code, "month": "2026-03", "apology_sent_on": "2026-05-01"}, 400),  # in the future
        ({"code": late.code, "month": "2026-03", "apology_sent_on": "31/02/2026"}, 400),
        ({"code": late.code, "month": "2026-03"}, 400),  # nothing to record
        ({"code": late.code, "month": "2026-03", "reason": "x\x00y"}, 400),
        ({"code": "KHONG-CO", "month": "2026-03", "reason": "Lý do"}, 403),
    ):
        assert client.post("/can-bo/tre-han/ghi-nhan/", data).status_code == status
    client.force_login(w.intake_b)  # another ward's officer
    denied = client.post(
        "/can-bo/tre-han/ghi-nhan/", {"code": late.code, "month": "2026-03", "reason": "Sửa"}
    )
    assert denied.status_code == 403
    assert LateNote.objects.get().reason == row.reason
