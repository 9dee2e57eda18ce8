"""Parsing figures and aggregating them across units — hand-worked numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.reporting.values import ValueProblem, aggregate, display, parse


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("12", "integer", 12),
        ("1.234", "integer", 1234),  # Vietnamese thousands separator
        ("1 234", "integer", 1234),
        (7.0, "integer", 7),
        ("12,5", "decimal", "12.5"),
        ("12.5", "decimal", "12.5"),
        ("0.125", "decimal", "0.125"),
        ("1.234,5", "decimal", "1234.5"),
        (Decimal("3.10"), "decimal", "3.1"),
        ("87,5 %", "percent", "87.5"),
        (100, "percent", "100"),
        ("  ", "integer", None),
        (None, "percent", None),
        (" Ghi chú ", "text", "Ghi chú"),
    ],
)
def test_parse(raw, kind, expected):
    assert parse(raw, kind) == expected


@pytest.mark.parametrize(
    ("raw", "kind", "message"),
    [
        ("abc", "integer", "không phải là số"),
        ("2,5", "integer", "phải là số nguyên"),
        ("-3", "integer", "không được âm"),
        ("101", "percent", "từ 0 đến 100"),
        (True, "integer", "phải là số nguyên"),
        ("1e400", "decimal", "không phải là số"),
    ],
)
def test_parse_refusals_say_what_is_wrong(raw, kind, message):
    with pytest.raises(ValueProblem, match=message):
        parse(raw, kind)


def test_negative_allowed_when_the_indicator_says_so():
    assert parse("-3", "integer", allow_negative=True) == -3


def test_aggregation_rules_by_hand():
    # Three units; the second gave nothing for the rate (skipped, never read as 0).
    counts = [10, 4, 6]
    assert aggregate(counts, "integer", "sum") == 20
    assert aggregate(counts, "integer", "min") == 4
    assert aggregate(counts, "integer", "max") == 10
    # (10 + 4 + 6) / 3 = 6.666… → 6.67
    assert aggregate(counts, "integer", "average") == "6.67"
    rates = ["90", None, "50"]
    # Weighted by the counts: (90×10 + 50×6) / (10 + 6) = 1200 / 16 = 75
    assert aggregate(rates, "percent", "weighted_average", counts) == "75"
    # Plain average of the units that gave a rate: (90 + 50) / 2 = 70
    assert aggregate(rates, "percent", "average") == "70"
    assert aggregate(["a", "b"], "text", "none") is None
    assert aggregate([None, None], "integer", "sum") is None
    assert aggregate(["90", "50"], "percent", "weighted_average", [0, 0]) is None
    assert aggregate(["1.5", "2.25"], "decimal", "sum") == "3.75"


def test_display_is_vietnamese():
    assert display(1234567, "integer") == "1.234.567"
    assert display("87.5", "percent") == "87,5 %"
    assert display(None, "integer") == ""
