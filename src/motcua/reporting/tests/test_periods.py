"""Report periods: cut-off windows (NĐ 09/2019 15 → 14, calendar months) and deadlines in working days
on the receiving unit's calendar — dates worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.core.models import RuleVersion
from motcua.reporting import periods as p
from motcua.reporting import services
from motcua.reporting.models import ReportPeriod
from motcua.reporting.tests import factories as f


@pytest.mark.parametrize(
    ("periodicity", "rule", "year", "number", "start", "end"),
    [
        ("month", "nd09", 2026, 3, date(2026, 2, 15), date(2026, 3, 14)),
        ("month", "nd09", 2026, 1, date(2025, 12, 15), date(2026, 1, 14)),  # crosses the year
        ("month", "calendar", 2026, 2, date(2026, 2, 1), date(2026, 2, 28)),
        ("month", "calendar", 2028, 2, date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        ("quarter", "nd09", 2026, 1, date(2025, 12, 15), date(2026, 3, 14)),
        ("quarter", "nd09", 2026, 3, date(2026, 6, 15), date(2026, 9, 14)),
        ("quarter", "calendar", 2026, 4, date(2026, 10, 1), date(2026, 12, 31)),
        ("half_year", "nd09", 2026, 1, date(2025, 12, 15), date(2026, 6, 14)),
        ("nine_months", "nd09", 2026, 1, date(2025, 12, 15), date(2026, 9, 14)),
        ("year", "nd09", 2026, 1, date(2025, 12, 15), date(2026, 12, 14)),
        ("year", "calendar", 2026, 1, date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_windows(periodicity, rule, year, number, start, end):
    w = p.window(periodicity, rule, year, number)
    assert (w.start, w.end) == (start, end)


def test_labels_and_keys():
    assert p.window("month", "nd09", 2026, 3).label == "Tháng 3/2026"
    assert p.window("quarter", "nd09", 2026, 2).label == "Quý II/2026"
    assert p.window("quarter", "nd09", 2026, 2).key == "2026-Q2"
    assert p.window("nine_months", "nd09", 2026, 1).key == "2026-9T"


def test_bad_numbers_are_refused():
    with pytest.raises(p.PeriodError):
        p.window("month", "nd09", 2026, 13)
    with pytest.raises(p.PeriodError):
        p.window("ad_hoc", "nd09", 2026, 1)


def test_windows_between_includes_the_period_being_collected():
    keys = [w.key for w in p.windows_between("month", "nd09", date(2026, 1, 1), date(2026, 3, 20))]
    # Tháng 1 (15/12–14/01) ends after 1/1; Tháng 4 (15/03–14/04) is being collected on 20/03.
    assert keys == ["2026-M01", "2026-M02", "2026-M03", "2026-M04"]


@pytest.mark.django_db
def test_generated_periods_and_deadlines_cross_tet():
    w = f.world()
    created = services.generate_periods(date(2026, 3, 20))
    assert created == 4
    periods = {x.key: x for x in ReportPeriod.objects.filter(definition=w.monthly)}
    # Tháng 1/2026: cut-off Wed 14/01 → Thu 15, Fri 16 → 16/01/2026.
    assert periods["2026-M01"].deadline == date(2026, 1, 16)
    # Tháng 2/2026: cut-off Sat 14/02; Tết 16/02–20/02/2026 is off, so the 2 working days are
    # Mon 23/02 and Tue 24/02.
    assert periods["2026-M02"].deadline == date(2026, 2, 24)
    # Tháng 3/2026: cut-off Sat 14/03 → Mon 16, Tue 17.
    assert periods["2026-M03"].deadline == date(2026, 3, 17)
    assert periods["2026-M02"].label == "Tháng 2/2026"
    assert periods["2026-M02"].cutoff_rule == "nd09"
    # Idempotent.
    assert services.generate_periods(date(2026, 3, 20)) == 0


@pytest.mark.django_db
def test_deadline_offset_of_the_definition_and_calendar_cut_off():
    w = f.world()
    w.monthly.cutoff_rule = "calendar"
    w.monthly.deadline_working_days = 5
    w.monthly.save()
    services.generate_periods(date(2026, 2, 10), w.monthly)
    jan = f.period(w.monthly, "2026-M01")
    # 01/01–31/01/2026 (Sat); five working days: Mon 2, Tue 3, Wed 4, Thu 5, Fri 6 February.
    assert (jan.start, jan.end, jan.deadline) == (date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 6))


@pytest.mark.django_db
def test_cut_off_rule_is_versioned():
    w = f.world()
    # From 01/03/2026 the province counts calendar months: periods whose last month starts then use it.
    RuleVersion.objects.create(key="reporting.cutoff", effective_from=date(2026, 3, 1), value="calendar")
    services.generate_periods(date(2026, 3, 20), w.monthly)
    feb, mar = f.period(w.monthly, "2026-M02"), f.period(w.monthly, "2026-M03")
    assert (feb.start, feb.end, feb.cutoff_rule) == (date(2026, 1, 15), date(2026, 2, 14), "nd09")
    assert (mar.start, mar.end, mar.cutoff_rule) == (date(2026, 3, 1), date(2026, 3, 31), "calendar")


@pytest.mark.django_db
def test_ad_hoc_period_needs_the_office():
    from motcua.core.errors import Forbidden

    w = f.world()
    period = services.create_ad_hoc_period(
        w.office_supervisor, w.monthly, start=date(2026, 4, 1), end=date(2026, 4, 10)
    )
    assert period.key == "2026-DX1"
    assert period.deadline == date(2026, 4, 14)  # Fri 10/04 → Mon 13, Tue 14
    with pytest.raises(Forbidden):
        services.create_ad_hoc_period(w.d.intake_a, w.monthly, start=date(2026, 4, 1), end=date(2026, 4, 10))
