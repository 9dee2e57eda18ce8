"""Status of a task from its dates and progress (domain.md §9), worked by hand on the real calendar,
and the SQL version the lists use agreeing with the Python one."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
import time_machine

from motcua.core.models import RuleVersion
from motcua.directives import selectors, services
from motcua.directives.models import Directive, Occurrence, Part
from motcua.directives.status import Status, Summary, derive, derive_summary, soon_until, summarise
from motcua.directives.tests import factories as f
from motcua.workdays.domain import Calendar

CAL = Calendar.statutory()
FRIDAY = date(2026, 11, 27)


def status(due, *, done=None, started=False, today=FRIDAY, days=5):
    return derive(
        due=due, completed_on=done, started=started, today=today, soon_until=soon_until(CAL, today, days)
    )


def test_near_means_at_most_five_working_days_ahead():
    # Friday 27/11/2026: the working days after it are Mon 30/11, 1/12, 2/12, 3/12, Fri 4/12, Mon 7/12.
    assert soon_until(CAL, FRIDAY, 5) == date(2026, 12, 7)
    assert status(date(2026, 11, 27)) == Status.SOON_DUE  # due today: still within
    assert status(date(2026, 12, 4)) == Status.SOON_DUE  # 5 working days
    assert status(date(2026, 12, 6)) == Status.SOON_DUE  # Sunday: still 5 working days
    assert status(date(2026, 12, 7)) == Status.NOT_STARTED  # 6 working days
    assert status(date(2026, 12, 7), started=True) == Status.IN_PROGRESS
    assert status(date(2026, 11, 26)) == Status.OVERDUE  # yesterday
    assert status(date(2026, 11, 26), started=True) == Status.OVERDUE


def test_tet_holidays_do_not_count_as_working_days():
    # Wednesday 03/02/2027: Tết is Thursday 04/02 to Wednesday 10/02; then 11, 12, 15, 16, 17, 18/02.
    wednesday = date(2027, 2, 3)
    assert status(date(2027, 2, 17), today=wednesday) == Status.SOON_DUE  # 14 days away, 5 working days
    assert status(date(2027, 2, 18), today=wednesday) == Status.NOT_STARTED


def test_the_threshold_is_a_rule():
    assert status(date(2026, 12, 1), days=1) == Status.NOT_STARTED
    assert status(date(2026, 11, 30), days=1) == Status.SOON_DUE
    assert status(date(2026, 11, 27), days=0) == Status.SOON_DUE  # only the day itself


def test_completed_tasks():
    due = date(2023, 6, 30)
    assert status(due, done=date(2023, 6, 30)) == Status.DONE_ON_TIME
    assert status(due, done=date(2023, 7, 1)) == Status.DONE_LATE
    assert status(None, done=date(2023, 7, 1)) == Status.DONE_ON_TIME  # nothing to be late for


def test_tasks_without_a_deadline():
    assert status(None) == Status.NO_DEADLINE
    assert status(None, started=True) == Status.NO_DEADLINE


@pytest.mark.django_db
def test_the_threshold_rule_version_applies_from_its_day():
    RuleVersion.objects.create(
        key="directives.soon_due_working_days", effective_from=date(2026, 11, 1), value=2
    )
    assert selectors.soon_until(FRIDAY) == date(2026, 12, 2)  # 3rd working day after: Wed 02/12
    assert selectors.soon_until(date(2026, 10, 30)) == CAL.add_working_days(date(2026, 10, 30), 6)


@pytest.mark.django_db
def test_sql_and_python_agree():
    w = f.world()
    document = f.imported(
        w,
        [("I", "Mục")]
        + [(f"{n}.", f"Nhiệm vụ {n}.", "Sở Tư pháp", "", "Thường xuyên", "") for n in range(1, 37)],
    )
    until = soon_until(CAL, FRIDAY, 5)
    dues = [None, FRIDAY - timedelta(days=1), FRIDAY, date(2026, 12, 4), date(2026, 12, 7), date(2027, 6, 30)]
    dones = [None, date(2026, 11, 20), date(2026, 12, 10)]
    combos = list(itertools.product(dues, dones, [False, True]))  # 36
    expected = {}
    for directive, (due, done, started) in zip(
        Directive.objects.filter(document=document).order_by("position"), combos, strict=False
    ):
        occurrence = Occurrence.objects.get(directive=directive)
        # the one lead unit's part (Sở Tư pháp), then what the occurrence shows of it
        occurrence.parts.update(
            due_on=due, completed_on=done, last_report_at=f.at(2026, 11, 2) if started else None
        )
        occurrence.due_on = due
        occurrence.save(update_fields=["due_on"])
        services.sync_occurrence(occurrence)
        expected[directive.pk] = derive(
            due=due, completed_on=done, started=started, today=FRIDAY, soon_until=until
        )
    with time_machine.travel(f.at(2026, 11, 27, 10), tick=False):
        rows = dict(
            selectors.annotated(Directive.objects.filter(document=document), FRIDAY, until).values_list(
                "pk", "status"
            )
        )
    assert rows == {pk: s.value for pk, s in expected.items()}
    assert set(expected.values()) == set(Status)
    parts = dict(
        Part.objects.filter(occurrence__directive__document=document)
        .annotate(status=selectors.part_status_expression(FRIDAY, until))
        .values_list("occurrence__directive_id", "status")
    )
    assert parts == rows  # a unit's part follows the same rules


def test_a_period_led_by_several_units_sums_up_its_parts():
    d = date
    # not all done: the earliest deadline among the parts not done applies
    assert summarise([(d(2027, 6, 30), d(2027, 6, 1)), (d(2027, 9, 30), None), (d(2027, 7, 31), None)]) == (
        Summary(None, False, d(2027, 7, 31))
    )
    # all done: on the last date; late when one part was done after its own deadline
    assert summarise([(d(2027, 6, 30), d(2027, 6, 1)), (d(2027, 9, 30), d(2027, 9, 15))]) == Summary(
        d(2027, 9, 15), False, None
    )
    assert summarise([(d(2027, 6, 30), d(2027, 7, 2)), (d(2027, 9, 30), d(2027, 6, 15))]) == Summary(
        d(2027, 7, 2), True, None
    )
    assert summarise([(None, None), (None, None)]) == Summary(None, False, None)
    assert summarise([]) == Summary(None, False, None)  # no unit matched yet: nothing is complete
    until = soon_until(CAL, FRIDAY, 5)
    one_late = summarise([(d(2026, 11, 26), None), (d(2027, 6, 30), d(2026, 11, 2))])
    assert derive_summary(one_late, started=True, today=FRIDAY, soon_until=until) == Status.OVERDUE
