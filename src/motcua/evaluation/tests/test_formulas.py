"""The QĐ 766 formulas on small hand-made record sets (pure: no database).

Period of every test unless said otherwise: March 2026 (01/03 00:00:00 – 31/03 23:59:59 local).
March 2026 has no public holiday; 01/03 is a Sunday, so Mon 02/03 … Fri 06/03 are working days.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from motcua.evaluation import formulas as f
from motcua.evaluation.formulas import DossierFacts, Period, SupplementFacts, VersionFacts
from motcua.evaluation.weights import INDEX766_DEFAULT, IndicatorWeight, parse
from motcua.workdays.domain import TZ, Calendar

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
CAL = Calendar.statutory()
WEIGHTS = parse(INDEX766_DEFAULT)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def calendars(unit_id: int) -> Calendar:
    return CAL


VERSION = VersionFacts(
    id=1,
    procedure_id=10,
    procedure_code="1.001193",
    name="Đăng ký khai sinh",
    online_level="full",
    paper_result_required=True,
    has_fee=True,
    target_groups=("Công dân Việt Nam",),
    time_limit_value=Decimal(3),
    time_limit_unit="working_days",
    filled=frozenset({"name", "sequence", "method", "components", "time_limit", "target_groups", "agency"}),
)
VERSIONS = {1: VERSION}


def dossier(n: int, received: datetime | None, due: datetime | None = None, **kw) -> DossierFacts:
    data = {
        "id": n,
        "code": f"HS-{n:04d}",
        "procedure_id": 10,
        "version_id": 1,
        "unit_id": 1,
        "national_status": 4,
        "received_at": received,
        "due_at": due,
        "finished_at": None,
    }
    data.update(kw)
    return DossierFacts(**data)


def judge(d: DossierFacts, period: Period = MARCH) -> f.OnTime:
    return f.on_time(d, period, VERSION, calendars)


# -- 2.1: every branch of the on-time rule ------------------------------------------------------------


def test_finished_early_on_the_due_day_and_late():
    due = at(6, 17)  # due Fri 06/03 17:00
    early = judge(dossier(1, at(2), due, national_status=10, finished_at=at(4, 10), returned_at=at(4, 14)))
    assert (early.counted, early.on_time, early.reason) == (True, True, "early")
    same_day = judge(dossier(2, at(2), due, national_status=9, finished_at=at(6, 16)))
    assert (same_day.on_time, same_day.reason) == (True, "on_time")
    exactly = judge(dossier(3, at(2), due, national_status=9, finished_at=at(6, 17)))
    assert exactly.on_time  # end ≤ due: the due moment itself is still on time
    late = judge(dossier(4, at(2), due, national_status=10, finished_at=at(9, 8), returned_at=at(9, 9)))
    assert (late.counted, late.on_time, late.reason) == (True, False, "late")


def test_unfinished_ends_at_23_59_59_on_the_last_day():
    in_due = judge(dossier(1, at(25), at(2, 17, month=4)))  # due 02/04: after 31/03 23:59:59
    assert (in_due.on_time, in_due.reason, in_due.end) == (
        True,
        "in_progress_in_time",
        at(31, 23, 59).replace(second=59),
    )
    overdue = judge(dossier(2, at(10), at(13, 17)))  # due 13/03, still open on 31/03
    assert (overdue.on_time, overdue.reason) == (False, "in_progress_overdue")
    # due at 31/03 23:59:59 exactly: the end equals the due → on time
    assert judge(dossier(3, at(30), datetime(2026, 3, 31, 23, 59, 59, tzinfo=TZ))).on_time


def test_finished_after_the_period_is_unfinished_as_of_its_end():
    # received 25/03, due 27/03 17:00, finished 02/04: on 31/03 23:59:59 it was open and overdue
    d = dossier(1, at(25), at(27, 17), national_status=10, finished_at=at(2, 10, month=4))
    t = judge(d)
    assert (t.ended, t.reason) == (False, "in_progress_overdue")
    # the same dossier in April: ended 02/04 10:00 > due → late
    assert judge(d, Period(date(2026, 4, 1), date(2026, 4, 30))).reason == "late"


def test_waiting_for_the_citizen_ends_at_the_request():
    due = at(13, 17)
    waiting = dossier(1, at(10), due, national_status=5, supplements=(SupplementFacts(at(11, 10), None),))
    t = judge(waiting)
    assert (t.on_time, t.reason, t.end, t.waiting) == (True, "waiting_supplement_in_time", at(11, 10), True)
    late = dossier(2, at(10), due, national_status=5, supplements=(SupplementFacts(at(16, 10), None),))
    assert judge(late).reason == "waiting_supplement_late"  # asked on 16/03, after the due 13/03
    # a supplement brought after the period: still waiting on 31/03
    after = dossier(3, at(10), due, supplements=(SupplementFacts(at(11, 10), at(2, 8, month=4)),))
    assert judge(after).reason == "waiting_supplement_in_time"


def test_supplement_time_is_subtracted():
    # received Mon 02/03 09:00, due Thu 05/03 17:00; supplement asked 03/03 09:00, brought 04/03 08:00 (23 h);
    # finished Fri 06/03 15:00 → 06/03 15:00 − 23 h = 05/03 16:00 ≤ 05/03 17:00 → on time.
    d = dossier(
        1,
        at(2),
        at(5, 17),
        national_status=9,
        finished_at=at(6, 15),
        supplements=(SupplementFacts(at(3, 9), at(4, 8)),),
    )
    t = judge(d)
    assert t.supplement_seconds == 23 * 3600
    assert t.effective_end == at(5, 16)
    assert (t.on_time, t.reason) == (True, "on_time")
    # without the supplement the same dossier is 22 hours late
    assert judge(dossier(2, at(2), at(5, 17), national_status=9, finished_at=at(6, 15))).reason == "late"


def test_more_than_one_supplement_request_is_late():
    # finished on 09/03, long before the due 20/03, but supplement was asked twice
    d = dossier(
        1,
        at(2),
        at(20, 17),
        national_status=10,
        finished_at=at(9, 10),
        supplements=(SupplementFacts(at(3, 9), at(4, 9)), SupplementFacts(at(5, 9), at(6, 9))),
    )
    t = judge(d)
    assert (t.counted, t.on_time, t.reason, t.supplement_requests) == (
        True,
        False,
        "supplement_requested_twice",
        2,
    )
    # a second request after the period does not count yet
    later = dossier(
        2,
        at(2),
        at(20, 17),
        supplements=(SupplementFacts(at(3, 9), at(4, 9)), SupplementFacts(at(2, 9, month=4), None)),
    )
    assert judge(later).reason == "in_progress_overdue"


def test_no_due_date_compares_with_the_legal_limit():
    # the version's limit: 3 working days from Mon 02/03 09:00 → Thu 05/03 17:00 (workdays engine)
    within = judge(dossier(1, at(2), None, national_status=9, finished_at=at(5, 10)))
    assert (within.on_time, within.reason, within.due, within.legal_due) == (
        True,
        "no_due_within_limit",
        at(5, 17),
        True,
    )
    over = judge(dossier(2, at(2), None, national_status=9, finished_at=at(6, 9)))
    assert (over.on_time, over.reason) == (False, "no_due_over_limit")
    # the limit recorded on the dossier (ThoiGianGiaiQuyet/DonViTinh) wins: 2 working days → 04/03 17:00
    own = judge(
        dossier(
            3,
            at(2),
            None,
            national_status=9,
            finished_at=at(5, 10),
            time_limit_value=Decimal(2),
            time_limit_unit="Ngày làm việc",
        )
    )
    assert (own.due, own.reason) == (at(4, 17), "no_due_over_limit")
    # supplement time is subtracted here too: (end − start − supplement) ≤ limit.
    # finished 06/03 09:00 − 1 day of supplement = 05/03 09:00 ≤ 05/03 17:00
    paused = judge(
        dossier(
            4,
            at(2),
            None,
            national_status=9,
            finished_at=at(6, 9),
            supplements=(SupplementFacts(at(3, 9), at(4, 9)),),
        )
    )
    assert paused.reason == "no_due_within_limit"
    # without any usable limit the dossier cannot be shown on time
    unknown = f.on_time(dossier(5, at(2), None), MARCH, None, calendars)
    assert (unknown.counted, unknown.on_time, unknown.reason) == (True, False, "no_due_no_limit")


def test_stopped_refused_and_withdrawn_end_at_their_moment():
    due = at(6, 17)
    stopped = judge(dossier(1, at(2), due, national_status=8, finished_at=at(4, 10)))
    assert (stopped.on_time, stopped.reason) == (True, "ended_in_time")
    withdrawn = judge(dossier(2, at(2), due, national_status=7, finished_at=at(10, 10)))
    assert (withdrawn.on_time, withdrawn.reason) == (False, "ended_late")
    # stopped while waiting for a supplement: the wait up to the stop is subtracted, so the end is the request
    waiting = dossier(
        3,
        at(2),
        at(5, 17),
        national_status=8,
        finished_at=at(10, 9),
        supplements=(SupplementFacts(at(3, 9), None),),
    )
    t = judge(waiting)
    assert (t.effective_end, t.reason) == (at(3, 9), "ended_in_time")


def test_priority_processed_before_returned():
    # Đã xử lý xong on 05/03 (before the due 06/03) and returned on 09/03: the 9 moment is the end
    d = dossier(1, at(2), at(6, 17), national_status=10, finished_at=at(5, 10), returned_at=at(9, 10))
    assert f.terminal_moment(d) == at(5, 10)
    assert judge(d).reason == "early"
    # with no "finished" moment recorded, the return is the end
    assert f.terminal_moment(dossier(2, at(2), national_status=10, returned_at=at(9, 10))) == at(9, 10)
    # an open dossier has no terminal moment even if a date was left on it
    assert f.terminal_moment(dossier(3, at(2), national_status=4, finished_at=at(9, 10))) is None


def test_who_is_not_counted():
    assert judge(dossier(1, None, national_status=1)).reason == "not_received"
    assert judge(dossier(2, at(2), national_status=3)).reason == "not_received"  # refused at intake
    # ended before --from
    before = dossier(3, at(10, month=2), at(13, 17, month=2), national_status=10, finished_at=at(20, month=2))
    assert (judge(before).counted, judge(before).reason) == (False, "ended_before_period")
    # received after --to
    assert judge(dossier(4, at(1, month=4))).reason == "received_after_period"
    # waiting for a supplement asked before the period: its end (the request) is before --from
    old_wait = dossier(
        5, at(10, month=2), at(25, 17, month=2), supplements=(SupplementFacts(at(12, month=2), None),)
    )
    assert judge(old_wait).reason == "ended_before_period"
    # carried over and still counted: received in February, open, or ended in March
    assert judge(dossier(6, at(20, month=2), at(25, 17, month=2))).reason == "in_progress_overdue"
    carried = dossier(7, at(20, month=2), at(27, 17, month=2), national_status=10, finished_at=at(3, 10))
    assert (judge(carried).counted, judge(carried).reason) == (True, "late")
    # ended at 00:00:00 on the first day: not before --from → counted
    assert judge(dossier(8, at(20, month=2), at(2, 17), national_status=9, finished_at=at(1, 0))).counted


# -- saturation and rounding ------------------------------------------------------------------------


def w(points: int, target: int | None = None) -> IndicatorWeight:
    return IndicatorWeight("x", "x", Decimal(points), None if target is None else Decimal(target))


def test_saturation_and_rounding():
    # no target: points = rate × max ÷ 100; 2/3 = 66.666…% → rate 66.67, 20 × 2/3 = 13.333… → 13.33
    assert f.score(2, 3, w(20)) == (Decimal("66.67"), Decimal("13.33"))
    # target 80%: 70% → 4 × 70 ÷ 80 = 3.5
    assert f.score(7, 10, w(4, 80)) == (Decimal("70.00"), Decimal("3.50"))
    # at or above the target: full points
    assert f.score(8, 10, w(4, 80)) == (Decimal("80.00"), Decimal("4.00"))
    assert f.score(10, 10, w(4, 80)) == (Decimal("100.00"), Decimal("4.00"))
    # half-up, exactly: 1/16 = 6.25% → 2 × 0.0625 = 0.125 → 0.13 (banker's rounding would give 0.12)
    assert f.score(1, 16, w(2)) == (Decimal("6.25"), Decimal("0.13"))
    # 1/3 = 33.333…% with target 50% and max 6: 6 × (100/3) ÷ 50 = 4 exactly
    assert f.score(1, 3, w(6, 50)) == (Decimal("33.33"), Decimal("4.00"))
    # the points come from the exact rate, not the rounded one: 1/7 = 14.2857…%, max 20 → 2.857… → 2.86
    assert f.score(1, 7, w(20)) == (Decimal("14.29"), Decimal("2.86"))
    # empty denominator: no rate, no points
    assert f.score(0, 0, w(20)) == (None, Decimal("0.00"))


# -- a whole index on a hand-made set ----------------------------------------------------------------


def march_set() -> list[DossierFacts]:
    due = at(6, 17)
    return [
        # 1: counter, early; synced; digitised components; result file; paid online with a fee
        dossier(
            1,
            at(2),
            due,
            national_status=10,
            finished_at=at(4, 10),
            channel=1,
            sync_status="delivered",
            components_digitised=True,
            result_code=True,
            result_file=True,
            fee_rows=1,
            fee_positive=True,
            online_payment=1,
            citizen=True,
            vneid_authenticated=True,
        ),
        # 2: online, late, no result file, fee 0 only, imported
        dossier(
            2,
            at(2),
            due,
            national_status=10,
            finished_at=at(9, 10),
            channel=2,
            imported=True,
            fee_rows=1,
            citizen=True,
        ),
        # 3: online, open and within due, with a pending sync, reused component from the warehouse
        dossier(
            3,
            at(25),
            at(2, 17, month=4),
            channel=2,
            sync_status="pending",
            components_reused=True,
            fee_rows=1,
            fee_positive=True,
            citizen=True,
        ),
        # 4: carried over from February, open, overdue (2.1 only)
        dossier(4, at(20, month=2), at(25, 17, month=2)),
        # 5: ended in February: not counted anywhere
        dossier(5, at(10, month=2), at(13, 17, month=2), national_status=10, finished_at=at(12, month=2)),
    ]


def test_evaluate_a_small_set_by_hand():
    result = f.evaluate(WEIGHTS, MARCH, march_set(), [VERSION], VERSIONS, calendars)
    i = result.indicator
    # 2.1: denominator = dossiers 1, 2, 3 (received in March) + 4 (carried over) = 4; on time: 1 (early),
    # 3 (open, due 02/04) = 2 → 50.00%; no target: 20 × 50 ÷ 100 = 10.00 points
    assert (i("2.1").numerator, i("2.1").denominator, i("2.1").rate, i("2.1").points) == (
        2,
        4,
        Decimal("50.00"),
        Decimal("10.00"),
    )
    assert {r.code: r.count for r in i("2.1").reasons} == {
        "early": 1,
        "in_progress_in_time": 1,
        "late": 1,
        "in_progress_overdue": 1,
    }
    # 1.4: received in March = 1, 2, 3; synced: 1 (delivered), 2 (imported) → 2/3 = 66.67%; 6 × 2/3 = 4.00
    assert (i("1.4").numerator, i("1.4").denominator, i("1.4").rate, i("1.4").points) == (
        2,
        3,
        Decimal("66.67"),
        Decimal("4.00"),
    )
    # 3.TT (version online "full"): online dossiers 2 and 3 of 3; but 2 is finished, its TTHC needs a paper
    # result and it has no electronic result → 1/3 = 33.33%; 12 × 1/3 = 4.00
    assert (i("3.TT").numerator, i("3.TT").denominator, i("3.TT").points) == (1, 3, Decimal("4.00"))
    assert i("3.TT").assumed
    # 3.6: fee-bearing TTHC, minus dossier 2 (all fees 0) → 1 and 3; paid online: 1 → 50% × 6 = 3.00
    assert (i("3.6").numerator, i("3.6").denominator, i("3.6").points) == (1, 2, Decimal("3.00"))
    # 4.1: finished dossiers of a paper-result TTHC: 1 and 2; with a result file: 1 → 50% × 6 = 3.00
    assert (i("4.1").numerator, i("4.1").denominator, i("4.1").points) == (1, 2, Decimal("3.00"))
    # 4.2 (target 80): dossier 1 only (digitised + result file) → 1/3 = 33.33%;
    # 4 × (100/3) ÷ 80 = 1.666… → 1.67
    assert (i("4.2").numerator, i("4.2").rate, i("4.2").points) == (1, Decimal("33.33"), Decimal("1.67"))
    # 4.4: reused from the warehouse: dossier 3 → 1/3; 4 × 1/3 = 1.33
    assert (i("4.4").numerator, i("4.4").points) == (1, Decimal("1.33"))
    # 4.5b: VNeID (1) or warehouse (3) → 2/3; 2 × 2/3 = 1.33
    assert (i("4.5b").numerator, i("4.5b").points) == (2, Decimal("1.33"))
    # procedure level: one TTHC, complete, online, with fees, with an online dossier and population data
    assert (i("1.3").rate, i("1.3").points) == (Decimal("100.00"), Decimal("2.00"))
    assert (i("3.5").rate, i("3.5").points, i("3.5b").points, i("4.5a").points) == (
        Decimal("100.00"),
        Decimal("2.00"),
        Decimal("2.00"),
        Decimal("2.00"),
    )
    # missing inputs: 0 points, no rate
    for code in ("1.1", "1.2", "5.1", "5.2", "5.3"):
        assert (i(code).missing, i(code).points, i(code).rate, i(code).numerator) == (
            True,
            Decimal("0.00"),
            None,
            None,
        )
    # 4.CT: no procedure of certified copies in the set: nothing to count, no points, not missing
    assert (i("4.CT").missing, i("4.CT").denominator, i("4.CT").points) == (False, 0, Decimal("0.00"))
    # 5.4: 100 − (late 50% by 2.1 + 0 of the 3 received in March rated "không hài lòng") = 50%;
    # target 90: 6 × 50 / 90 = 3.333… → 3.33
    assert (i("5.4").missing, i("5.4").rate, i("5.4").points, i("5.4").denominator) == (
        False,
        Decimal("50.00"),
        Decimal("3.33"),
        3,
    )
    assert "trễ hạn" in i("5.4").notes[0] and "50,00%" in i("5.4").notes[0]
    # groups are sums of their rounded indicator points; all six groups, 100 points in total
    assert [g.code for g in result.groups] == ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"]
    assert [g.max for g in result.groups] == [18, 20, 12, 10, 22, 18] and result.max == 100
    ckmb = result.group("CKMB")
    assert ckmb.points == Decimal("6.00")  # 1.3 (2.00) + 1.4 (4.00)
    assert result.points == sum(g.points for g in result.groups)


def test_missing_and_assumed_flags():
    result = f.evaluate(WEIGHTS, MARCH, [], [], {}, calendars)
    i = result.indicator
    # empty denominators: rate None, 0 points, but not "missing"
    assert (i("2.1").rate, i("2.1").points, i("2.1").missing, i("2.1").denominator) == (
        None,
        Decimal("0.00"),
        False,
        0,
    )
    # linear scaling without a target is an assumption; a saturation target is not
    assert i("2.1").assumed and f.LINEAR in i("2.1").assumptions
    assert not i("4.3").assumed  # target 80, formula F766
    assert i("3.5b").assumed and i("1.4").assumed
    assert result.points == 0 and len(result.groups) == 6


def test_unknown_code_in_a_new_table_shows_as_missing():
    table = {
        "groups": [
            {
                "code": "MOI",
                "name": "Nhóm mới",
                "indicators": [
                    {"code": "2.1", "name": "Đúng hạn", "max": 50, "target": 90},
                    {"code": "9.9", "name": "Chỉ số mới", "max": 50, "target": None},
                ],
            }
        ]
    }
    result = f.evaluate(parse(table), MARCH, march_set(), [VERSION], VERSIONS, calendars)
    # 2.1 with target 90: 50% → 50 × 50 ÷ 90 = 27.777… → 27.78
    assert result.indicator("2.1").points == Decimal("27.78")
    assert result.indicator("9.9").missing and result.indicator("9.9").missing_reason == f.NO_FORMULA
    assert result.max == 100


def test_processing_time_only_for_one_procedure():
    done = dossier(1, at(2), at(6, 17), national_status=10, finished_at=at(4, 13, 30))
    # 02/03 09:00 → 04/03 13:30 in office time (07:30–11:30, 13:30–17:00): 02/03 2.5 + 3.5 = 6 h,
    # 03/03 7.5 h, 04/03 4 h (07:30–11:30) → 17.5 h = 17.5 ÷ 7.5 = 2.333… working days → 2.33
    one = f.evaluate(WEIGHTS, MARCH, [done], [VERSION], VERSIONS, calendars, single_procedure=True)
    assert (one.indicator("2.2").value, one.indicator("2.2").value_unit, one.indicator("2.2").numerator) == (
        Decimal("2.33"),
        "ngày làm việc",
        1,
    )
    province = f.evaluate(WEIGHTS, MARCH, [done], [VERSION], VERSIONS, calendars)
    assert province.indicator("2.2").value is None and province.indicator("2.2").notes


# -- procedure indicators --------------------------------------------------------------------------


def test_procedure_indicators_and_scope():
    bare = VersionFacts(
        id=2,
        procedure_id=20,
        procedure_code="2.000815",
        name="Chứng thực",
        online_level="none",
        paper_result_required=False,
        has_fee=False,
        filled=frozenset({"name"}),
    )
    activity = f.Activity()
    assert f.judge_procedure("1.3", bare, activity).reason == "incomplete"
    assert "trình tự thực hiện" in f.explain_procedure(f.judge_procedure("1.3", bare, activity), bare)
    assert f.judge_procedure("3.1", bare, activity).reason == "no_online_service"
    assert f.judge_procedure("3.2", bare, activity) is None  # not an online service
    assert f.judge_procedure("3.5", bare, activity) is None  # no financial obligation
    # no target group recorded: counts as serving individuals only with citizens' dossiers in the period
    assert f.judge_procedure("4.5a", bare, activity) is None
    activity.add(dossier(1, at(2), citizen=True, procedure_id=20))
    assert f.judge_procedure("4.5a", bare, activity).reason == "population_data_not_used"
    # a unit's procedures: assigned ones plus those with the unit's dossiers
    assert f.procedures_in_scope([VERSION, bare], frozenset(), activity) == [bare]  # its dossier
    assert f.procedures_in_scope([VERSION, bare], frozenset({10}), f.Activity()) == [VERSION]  # assigned
    assert f.procedures_in_scope([VERSION, bare], None, f.Activity()) == [VERSION, bare]


def test_certified_copies_by_hand():
    """4.CT (2 points): two procedures certify copies from originals; one issued an electronic
    certified copy in March, the other only paper ones → 1 ÷ 2 = 50% → 1.00 point. Birth registration
    (VERSION) certifies nothing and is outside the population."""
    copies = VersionFacts(
        id=2,
        procedure_id=20,
        procedure_code="2.000815",
        name="Chứng thực bản sao",
        online_level="partial",
        paper_result_required=True,
        has_fee=True,
        certifies_copies=True,
    )
    signatures = VersionFacts(
        id=3,
        procedure_id=30,
        procedure_code="2.000815-x",
        name="Chứng thực (khác)",
        online_level="partial",
        paper_result_required=True,
        has_fee=True,
        certifies_copies=True,
    )
    versions = {1: VERSION, 2: copies, 3: signatures}
    dossiers = [
        dossier(1, at(3), at(3, 17), procedure_id=20, version_id=2, certified_copy=True),
        dossier(2, at(4), at(4, 17), procedure_id=30, version_id=3),
        dossier(3, at(5), at(9, 17)),
    ]
    result = f.evaluate(WEIGHTS, MARCH, dossiers, [VERSION, copies, signatures], versions, calendars)
    ct = result.indicator("4.CT")
    assert (ct.numerator, ct.denominator, ct.rate, ct.points) == (1, 2, Decimal("50.00"), Decimal("1.00"))
    assert [(r.code, r.count) for r in ct.reasons] == [("ecopy_issued", 1), ("no_ecopy", 1)]
    assert f.judge_procedure("4.CT", VERSION, f.Activity()) is None


def test_period_kinds_and_labels():
    assert Period.month(2026, 2) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert Period.month(2026, 12).end == date(2026, 12, 31)
    assert Period.quarter(2026, 1) == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert Period.first_months(2026, 6).end == date(2026, 6, 30)
    assert Period.first_months(2026, 9).end == date(2026, 9, 30)
    assert Period.year(2026) == Period(date(2026, 1, 1), date(2026, 12, 31))
    labels = [
        p.label
        for p in (
            Period.month(2026, 3),
            Period.quarter(2026, 2),
            Period.first_months(2026, 6),
            Period.first_months(2026, 9),
            Period.year(2026),
            Period(date(2026, 3, 5), date(2026, 3, 9)),
        )
    ]
    assert labels == [
        "Tháng 3/2026",
        "Quý II/2026",
        "6 tháng đầu năm 2026",
        "9 tháng năm 2026",
        "Năm 2026",
        "Từ 05/03/2026 đến 09/03/2026",
    ]
    with pytest.raises(ValueError, match="trước ngày đầu"):
        Period(date(2026, 3, 31), date(2026, 3, 1))
    assert MARCH.end_at == datetime(2026, 3, 31, 23, 59, 59, tzinfo=TZ)


def test_explain_gives_the_dossier_figures():
    d = dossier(
        1,
        at(2),
        at(5, 17),
        national_status=9,
        finished_at=at(6, 15),
        supplements=(SupplementFacts(at(3, 9), at(4, 8)),),
    )
    verdict = f.judge_dossier("2.1", d, MARCH, VERSION, calendars)
    text = f.explain("2.1", verdict, d, MARCH, VERSION, calendars)
    assert text == (
        "Xử lý xong đúng hạn (trong ngày hẹn trả); kết thúc 06/03/2026 15:00; "
        "trừ 23 giờ chờ bổ sung → 05/03/2026 16:00; hạn trả 05/03/2026 17:00; sớm 1 giờ"
    )
    late = dossier(2, at(10), at(13, 17))
    text = f.explain(
        "2.1", f.judge_dossier("2.1", late, MARCH, VERSION, calendars), late, MARCH, VERSION, calendars
    )
    assert text.startswith(
        "Chưa xử lý xong, đã quá hạn tính đến cuối kỳ; tính đến 31/03/2026 23:59 (cuối kỳ)"
    )
    assert text.endswith("trễ 18 ngày 6 giờ")


def _month_of(on_time: int, late: int, disliked: int) -> list[DossierFacts]:
    """Dossiers received in March and finished in it: ``on_time`` before their due, ``late`` after it;
    the first ``disliked`` of them rated "không hài lòng"."""
    rows = []
    for n in range(on_time + late):
        rows.append(
            dossier(
                n + 1,
                at(2, 9),
                at(5, 17),
                national_status=10,
                finished_at=at(4 if n < on_time else 9, 10),
                returned_at=at(10, 10),
                disliked=n < disliked,
            )
        )
    return rows


def test_5_4_subtracts_the_late_rate_and_the_disliked_rate_and_saturates_at_90():
    def five_four(rows: list[DossierFacts]):
        return f.evaluate(WEIGHTS, MARCH, rows, [VERSION], VERSIONS, calendars).indicator("5.4")

    # 19 on time, 1 late (5%); 1 of 20 disliked (5%): 100 − 5 − 5 = 90 → the target: 6 points
    saturated = five_four(_month_of(19, 1, 1))
    assert (saturated.rate, saturated.points, saturated.numerator, saturated.denominator) == (
        Decimal("90.00"),
        Decimal("6.00"),
        19,
        20,
    )
    # 18 on time, 2 late (10%); 2 of 20 disliked (10%) — one of them the late one's twin: 80% →
    # 6 × 80 / 90 = 5.333… → 5.33
    below = five_four(_month_of(18, 2, 2))
    assert (below.rate, below.points) == (Decimal("80.00"), Decimal("5.33"))
    assert {r.code: r.count for r in below.reasons} == {"not_disliked": 18, "disliked": 2}
    # a dossier both late and disliked is subtracted in both rates: 1 late of 3, that one disliked:
    # 100 − 33.33… − 33.33… = 33.33… → 6 × 33.33… / 90 = 2.222… → 2.22
    rows = _month_of(2, 1, 0)
    late_and_disliked = {"finished_at": at(9, 10), "returned_at": at(10, 10), "disliked": True}
    rows[2] = dossier(3, at(2, 9), at(5, 17), national_status=10, **late_and_disliked)
    both = five_four(rows)
    assert (both.rate, both.points) == (Decimal("33.33"), Decimal("2.22"))
    # never below 0: 3 late of 4, 3 of 4 disliked → 100 − 75 − 75 → 0
    floor = five_four(_month_of(1, 3, 3))
    assert (floor.rate, floor.points) == (Decimal("0.00"), Decimal("0.00"))
    # nothing received, nothing to judge: no rate, 0 points, not missing
    empty = five_four([])
    assert (empty.rate, empty.points, empty.missing) == (None, Decimal("0.00"), False)
