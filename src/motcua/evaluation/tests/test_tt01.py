"""TT 01/2018 scoring, the pure layer: every indicator's 0/1/2 branches, averaging and rounding, the
bands at their boundaries, skipped and missing indicators. Expected values are worked by hand."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from motcua.evaluation import tt01
from motcua.evaluation.tt01 import DossierScore, UnitFacts
from motcua.workdays.domain import TZ

BANDS = tt01.parse_bands(tt01.BANDS_DEFAULT)


def at(day: int, hour: int = 17, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


# -- 1, 2 (and 7 by timing): shorter / equal / longer, by local date ---------------------------------


@pytest.mark.parametrize(
    ("actual", "allowed", "expected"),
    [
        (at(4, 16), at(5, 17), 2),  # a day before the due's day → shorter
        (at(5, 8), at(5, 17), 1),  # on the due's day, before the moment → equal
        (at(5, 17), at(5, 17), 1),  # exactly the due moment → equal
        (at(5, 17, 1), at(5, 17), 0),  # a minute after → longer
        (at(6, 8), at(5, 17), 0),  # the next day → longer
    ],
)
def test_compare(actual, allowed, expected):
    assert tt01.compare(actual, allowed) == expected


def test_compare_uses_local_dates_across_utc_midnight():
    from datetime import UTC

    # 16:00 UTC on 04/03 = 23:00 local on 04/03 (a day before the due's day) → shorter
    assert tt01.compare(datetime(2026, 3, 4, 16, tzinfo=UTC), at(5)) == 2
    # 17:30 UTC on 04/03 = 00:30 local on 05/03 (the due's day) → equal
    assert tt01.compare(datetime(2026, 3, 4, 17, 30, tzinfo=UTC), at(5)) == 1


@pytest.mark.parametrize(("requests", "expected"), [(0, 2), (1, 1), (2, 0), (5, 0)])
def test_contacts(requests, expected):
    assert tt01.score_contacts(requests) == expected


@pytest.mark.parametrize(
    ("channel", "delivery", "expected"),
    [
        (2, "online", 2),  # online both ways: no agency visited
        (3, "post", 2),  # by post both ways
        (2, "counter", 1),  # online, result collected at the Một cửa
        (1, "online", 1),  # at the counter
        (1, "counter", 1),
    ],
)
def test_agencies(channel, delivery, expected):
    assert tt01.score_agencies(channel, delivery) == expected


@pytest.mark.parametrize(
    ("timing", "complaints", "expected"),
    [(2, None, 2), (1, None, 1), (0, None, 0), (2, 0, 2), (2, 1, 0), (None, None, None)],
)
def test_attitude(timing, complaints, expected):
    assert tt01.score_attitude(timing, complaints) == expected


def test_worst():
    assert tt01.worst([2, None, 1]) == 1
    assert tt01.worst([None]) is None


# -- 5, 9 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "share", "through", "expected"),
    [
        ("ward", Decimal(100), True, 2),  # commune level: 100% → 2
        ("ward", Decimal("99.99"), True, 1),  # below 100% but all through the Một cửa → 1
        ("commune", Decimal(50), False, 0),
        ("district", Decimal(50), False, 2),  # district: ≥50%
        ("district", Decimal("49.99"), True, 1),
        ("department", Decimal(20), False, 2),  # province level: ≥20%
        ("department", Decimal("19.99"), False, 0),
    ],
)
def test_one_stop(kind, share, through, expected):
    assert tt01.score_one_stop(kind, share, through) == expected


@pytest.mark.parametrize(
    ("provision", "share", "late", "expected"),
    [
        (Decimal(20), Decimal(30), 0, 2),  # both thresholds exactly
        (Decimal(20), Decimal("29.99"), 0, 1),  # online share 15–<30 → 1
        (Decimal("19.99"), Decimal(30), 0, 1),  # some provision, share ≥15 → 1 (❓ reading)
        (Decimal(5), Decimal(15), 0, 1),
        (Decimal(5), Decimal("14.99"), 0, 0),
        (Decimal(0), Decimal(40), 0, 0),  # no online provision
        (Decimal(100), Decimal(100), 1, 0),  # one late online dossier
    ],
)
def test_online(provision, share, late, expected):
    assert tt01.score_online(provision, share, late) == expected


# -- averaging, rounding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([2, 1, 1], Decimal("1.3")),  # 4 ÷ 3 = 1.333… → 1.3
        ([2, 2, 1], Decimal("1.7")),  # 5 ÷ 3 = 1.666… → 1.7
        ([2, 1, 1, 1], Decimal("1.3")),  # 5 ÷ 4 = 1.25 → 1.3 (half up, not to even)
        ([1, 0, 0, 0], Decimal("0.3")),  # 1 ÷ 4 = 0.25 → 0.3
        ([0, 0, 1, 0, 0, 0, 0, 0], Decimal("0.1")),  # 1 ÷ 8 = 0.125 → 0.1
        ([2], Decimal("2.0")),
        ([], None),
    ],
)
def test_average(scores, expected):
    assert tt01.average(scores) == expected


# -- bands ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        ("10", "Hoàn thành 100% nhiệm vụ"),
        ("5.0", "Hoàn thành 100% nhiệm vụ"),
        ("4.9", "Hoàn thành từ 70% đến dưới 100% nhiệm vụ"),
        ("3.5", "Hoàn thành từ 70% đến dưới 100% nhiệm vụ"),
        ("3.4", "Hoàn thành dưới 70% nhiệm vụ"),
        ("0", "Hoàn thành dưới 70% nhiệm vụ"),
    ],
)
def test_official_bands(total, band):
    assert BANDS.official_band(Decimal(total)) == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        ("18", "Xuất sắc"),
        ("15.0", "Xuất sắc"),
        ("14.9", "Tốt"),
        ("12", "Tốt"),
        ("11.9", "Khá"),
        ("9", "Khá"),
        ("8.9", "Trung bình"),
        ("6", "Trung bình"),
        ("5.9", "Yếu"),
    ],
)
def test_agency_bands(total, band):
    assert BANDS.agency_band(Decimal(total)) == band


@pytest.mark.parametrize(
    "value",
    [
        None,
        {},
        {**tt01.BANDS_DEFAULT, "official": []},
        {**tt01.BANDS_DEFAULT, "agency": [[12, "Tốt"], [15, "Xuất sắc"]]},  # not decreasing
        {**tt01.BANDS_DEFAULT, "agency": [[15, ""]]},
        {**tt01.BANDS_DEFAULT, "agency_below": ""},
        {**tt01.BANDS_DEFAULT, "official": [[True, "x"]]},
    ],
)
def test_bad_bands_are_refused(value):
    with pytest.raises(tt01.BandError):
        tt01.bands_value(value)


# -- scorecards ---------------------------------------------------------------------------------------


def d(pk: int, s1, s2, s3, s4, s7, *, unit: int = 1, online: bool = False, handlers=(10,)) -> DossierScore:
    return DossierScore(pk, f"HS-{pk}", unit, handlers, s1, s2, s3, s4, s7, online)


def test_officer_card_sums_rounded_indicator_scores():
    rows = [d(1, 2, 2, 2, 1, 2), d(2, 1, 1, 1, 1, 1), d(3, 0, 0, 2, 2, 0)]
    card = tt01.officer_card(10, "cv", "Chuyên viên", rows, BANDS)
    # 1: (2+1+0)/3 = 1.0; 2: 1.0; 3: (2+1+2)/3 = 1.666… → 1.7; 4: (1+1+2)/3 = 1.333… → 1.3; 7: 1.0
    assert [i.score for i in card.indicators] == [
        Decimal("1.0"),
        Decimal("1.0"),
        Decimal("1.7"),
        Decimal("1.3"),
        Decimal("1.0"),
    ]
    assert card.total == Decimal("6.0")  # 1.0 + 1.0 + 1.7 + 1.3 + 1.0
    assert card.band == "Hoàn thành 100% nhiệm vụ" and card.max == 10
    assert card.indicator("7").status == "assumed" and "phản ánh" in card.indicator("7").note
    assert card.indicator("1").status == "computed"
    # with complaint data known, 7 is computed
    assert (
        tt01.officer_card(10, "cv", "x", rows, BANDS, complaints_known=True).indicator("7").status
        == "computed"
    )


def test_indicators_with_no_data_are_skipped():
    rows = [d(1, None, None, 2, 1, None), d(2, None, None, 1, 1, None)]
    card = tt01.officer_card(10, "cv", "x", rows, BANDS)
    assert card.indicator("1").status == "skipped" and card.indicator("1").score is None
    assert card.indicator("2").status == "skipped" and card.indicator("7").status == "skipped"
    # 3: 3/2 = 1.5; 4: 2/2 = 1.0 → total 2.5 (skipped ones add nothing) → below 3.5
    assert card.total == Decimal("2.5") and card.band == "Hoàn thành dưới 70% nhiệm vụ"


def test_unit_card():
    facts = UnitFacts(1, "pab", "Phường An Biên", "ward", 2, 2, True, 10, 3)
    rows = [
        d(1, 2, 2, 2, 2, 2, online=True),
        d(2, 1, 1, 2, 1, 1),
        d(3, 2, 2, 1, 1, 2),
        d(4, 2, 2, 2, 1, 2),
    ]
    card = tt01.unit_card(facts, rows, BANDS)
    scores = {i.code: i.score for i in card.indicators}
    # 1: (2+1+2+2)/4 = 1.75 → 1.8; 2: 1.8; 3: 7/4 = 1.75 → 1.8; 4: 5/4 = 1.25 → 1.3; 7: 1.8
    # 5: ward, 2/2 procedures = 100% → 2 (assumed); 6: 1 (assumed); 8: missing;
    # 9: provision 3/10 = 30% ≥ 20, online 1/4 = 25% (15–<30) and none late → 1
    assert scores == {
        "1": Decimal("1.8"),
        "2": Decimal("1.8"),
        "3": Decimal("1.8"),
        "4": Decimal("1.3"),
        "5": Decimal(2),
        "6": Decimal(1),
        "7": Decimal("1.8"),
        "8": None,
        "9": Decimal(1),
    }
    # 1.8 × 4 + 1.3 + 2 + 1 + 1 = 12.5 → Tốt
    assert card.total == Decimal("12.5") and card.band == "Tốt" and card.max == 18
    assert card.indicator("8").status == "missing" and card.indicator("5").status == "assumed"
    assert card.indicator("6").status == "assumed"
    assert "30.00%" in card.indicator("9").note and "25.00%" in card.indicator("9").note


def test_unit_without_procedure_list_skips_9():
    facts = UnitFacts(1, "pab", "x", "ward", 1, 0, False, 0, 0)
    card = tt01.unit_card(facts, [d(1, 0, 0, 0, 1, 0)], BANDS)
    assert card.indicator("9").status == "skipped"
    # 5: ward, 0/1 = 0% < 100%, not all through a Một cửa → 0
    assert card.indicator("5").score == Decimal(0)
    # 0 + 0 + 0 + 1.0 + 0 (5) + 1 (6) + 0 (7) = 2.0 → Yếu
    assert card.total == Decimal("2.0") and card.band == "Yếu"
    assert card.as_dict()["indicators"][7] == {
        "code": "8",
        "name": tt01.INDICATORS["8"][0],
        "score": None,
        "dossiers": 0,
        "status": "missing",
        "note": tt01.MISSING_COMPLAINTS,
    }
