"""The calendar a unit works by: statutory holidays + override table + office hours, by date."""

from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.models import RuleVersion
from motcua.core.tests import factories
from motcua.workdays.domain import TZ, compute_due
from motcua.workdays.models import CalendarOverride, OfficeHours
from motcua.workdays.services import calendar_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    province = factories.unit("Thành phố", kind="province", code="p")
    ward = factories.unit("Phường A", parent=province, code="wa")
    other = factories.unit("Phường B", parent=province, code="wb")
    return province, ward, other


def test_province_day_off_applies_everywhere_and_a_local_day_only_there(org):
    _, ward, other = org
    CalendarOverride.objects.create(date=date(2026, 12, 2), kind="day_off", name="Nghỉ theo quyết định UBND")
    CalendarOverride.objects.create(
        date=date(2026, 12, 3), kind="day_off", name="Lễ hội địa phương", unit=ward
    )
    assert not calendar_for(other).is_working_day(date(2026, 12, 2))
    assert calendar_for(other).is_working_day(date(2026, 12, 3))
    assert not calendar_for(ward).is_working_day(date(2026, 12, 3))


def test_make_up_saturday_counts_as_a_working_day(org):
    CalendarOverride.objects.create(date=date(2026, 12, 5), kind="working_day", name="Làm bù")
    # Received Friday 04/12 at 16:00 (after cut-off): counts from the make-up Saturday 05/12.
    deadline = compute_due(calendar_for(None), datetime(2026, 12, 4, 16, 0, tzinfo=TZ), 1, "working_days")
    assert deadline.effective_received == datetime(2026, 12, 5, 7, 30, tzinfo=TZ)
    assert deadline.due == datetime(2026, 12, 7, 17, 0, tzinfo=TZ)


def test_cancelled_statutory_day_off(org):
    CalendarOverride.objects.create(date=date(2026, 11, 24), kind="cancel_day_off", name="Đi làm ngày 24/11")
    assert calendar_for(None).is_working_day(date(2026, 11, 24))


def test_unit_specific_override_beats_the_province_one_on_the_same_day(org):
    _, ward, other = org
    CalendarOverride.objects.create(date=date(2026, 12, 2), kind="day_off", name="Nghỉ toàn thành phố")
    CalendarOverride.objects.create(
        date=date(2026, 12, 2), kind="cancel_day_off", name="Phường A trực", unit=ward
    )
    assert calendar_for(ward).is_working_day(date(2026, 12, 2))
    assert not calendar_for(other).is_working_day(date(2026, 12, 2))


def test_office_hours_and_cutoff_are_versioned_by_date(org):
    _, ward, _ = org
    OfficeHours.objects.create(
        unit=None, effective_from=date(2025, 7, 1), windows=[["07:30", "11:30"], ["13:30", "17:00"]]
    )
    OfficeHours.objects.create(
        unit=ward, effective_from=date(2027, 1, 1), windows=[["08:00", "12:00"], ["13:00", "16:30"]]
    )
    RuleVersion.objects.create(key="workdays.cutoff", effective_from=date(2027, 1, 1), value="16:00")
    old = calendar_for(ward, date(2026, 12, 31))
    new = calendar_for(ward, date(2027, 1, 4))
    assert old.closing(date(2026, 12, 31)).time().isoformat() == "17:00:00"
    assert new.closing(date(2027, 1, 4)).time().isoformat() == "16:30:00"
    assert old.cutoff.isoformat() == "15:00:00" and new.cutoff.isoformat() == "16:00:00"


def test_holidays_command_includes_the_override_table(org, capsys):
    CalendarOverride.objects.create(date=date(2026, 12, 2), kind="day_off", name="Nghỉ theo quyết định UBND")
    call_command("workdays", "holidays", "2026", "--json")
    out = capsys.readouterr().out
    assert '"2026-12-02", "name": "Nghỉ theo quyết định UBND"' in out


def test_calendars_are_read_once_and_follow_every_change(org):
    province, ward, other = org
    day = date(2026, 12, 2)
    assert calendar_for(ward, day).is_working_day(day)
    with CaptureQueriesContext(connection) as ctx:
        calendar_for(ward, day)
        calendar_for(ward, date(2026, 12, 3))
    assert len(ctx.captured_queries) == 2  # the generation token, once a call; no table is read again
    override = CalendarOverride.objects.create(date=day, kind="day_off", name="Nghỉ theo quyết định UBND")
    assert not calendar_for(ward, day).is_working_day(day)
    override.unit = other
    override.save()
    assert calendar_for(ward, day).is_working_day(day) and not calendar_for(other, day).is_working_day(day)
    override.delete()
    assert calendar_for(other, day).is_working_day(day)
    hours = OfficeHours.objects.create(
        unit=province, effective_from=date(2026, 1, 1), windows=[["08:00", "16:00"]]
    )
    assert calendar_for(ward, day).closing(day).time().isoformat() == "16:00:00"
    hours.windows = [["08:00", "15:00"]]
    hours.save()
    assert calendar_for(ward, day).closing(day).time().isoformat() == "15:00:00"
    hours.delete()
    assert calendar_for(ward, day).closing(day).time().isoformat() == "17:00:00"


def test_a_unit_moved_under_another_parent_takes_the_new_parent_calendar(org):
    _, ward, other = org
    CalendarOverride.objects.create(date=date(2026, 12, 3), kind="day_off", name="Lễ hội", unit=other)
    assert calendar_for(ward, date(2026, 12, 3)).is_working_day(date(2026, 12, 3))
    ward.parent = other
    ward.save()
    ward.refresh_from_db()
    assert not calendar_for(ward, date(2026, 12, 3)).is_working_day(date(2026, 12, 3))
