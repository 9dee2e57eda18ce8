"""Hand-worked deadlines a citizen could check on a wall calendar.

Office hours are the province default 07:30–11:30 and 13:30–17:00 (7.5 h a day) with the 15:00
reception cut-off unless a test says otherwise. Holidays come from ``holidays`` 0.108.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from motcua.workdays.domain import (
    TZ,
    Calendar,
    CalendarError,
    CalendarOverrides,
    Deadline,
    LimitUnit,
    add_working_seconds,
    compute_due,
    due_after_pauses,
    working_seconds_between,
)

STATUTORY = Calendar.statutory()


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware Vietnamese-time datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


def due(received: datetime, limit: Any, unit: str, calendar: Calendar = STATUTORY) -> datetime:
    return compute_due(calendar, received, limit, unit).due


# -- the receipt day and the 15:00 cut-off (NĐ 61/2018 Điều 18) -------------------------------------


def test_received_friday_after_cutoff_counts_from_monday_morning() -> None:
    # Fri 27/11/2026 16:10 is after 15:00 → counts from Mon 30/11 07:30; 3 working days: Tue 1,
    # Wed 2, Thu 3 December → due at the close of Thursday.
    deadline = compute_due(STATUTORY, vn(2026, 11, 27, 16, 10), 3, LimitUnit.WORKING_DAYS)
    assert deadline == Deadline(vn(2026, 11, 30, 7, 30), vn(2026, 12, 3, 17, 0))
    assert deadline.effective_received.isoformat() == "2026-11-30T07:30:00+07:00"
    assert deadline.due.isoformat() == "2026-12-03T17:00:00+07:00"


def test_one_second_before_cutoff_still_counts_that_day() -> None:
    before = compute_due(STATUTORY, vn(2026, 3, 2, 14, 59, 59), 1, "working_days")
    at = compute_due(STATUTORY, vn(2026, 3, 2, 15, 0, 0), 1, "working_days")
    # 14:59:59 Monday: the clock starts at that moment, due Tuesday's close.
    assert before == Deadline(vn(2026, 3, 2, 14, 59, 59), vn(2026, 3, 3, 17))
    # 15:00:00 sharp is already too late: counts from Tuesday 07:30, due Wednesday's close.
    assert at == Deadline(vn(2026, 3, 3, 7, 30), vn(2026, 3, 4, 17))


def test_naive_and_foreign_zone_receipts_are_read_as_vietnamese_time() -> None:
    expected = Deadline(vn(2026, 11, 30, 7, 30), vn(2026, 12, 3, 17))
    # A naive 16:10 is Vietnamese wall-clock time.
    assert compute_due(STATUTORY, datetime(2026, 11, 27, 16, 10), 3, "working_days") == expected
    # 09:10 UTC is 16:10 in Hà Nội, after the cut-off.
    assert compute_due(STATUTORY, datetime(2026, 11, 27, 9, 10, tzinfo=UTC), 3, "working_days") == expected
    assert expected.due.tzinfo is TZ


def test_received_on_saturday_counts_from_monday() -> None:
    assert compute_due(STATUTORY, vn(2026, 3, 7, 9), 0, "working_days") == Deadline(
        vn(2026, 3, 9, 7, 30), vn(2026, 3, 9, 17)
    )


def test_zero_working_days_is_due_at_close_of_receipt_day() -> None:
    assert due(vn(2026, 3, 2, 8), 0, "working_days") == vn(2026, 3, 2, 17)


# -- statutory holidays --------------------------------------------------------------------------


def test_tet_2026_is_five_weekdays_off_each_listed() -> None:
    tet = [d for d, _ in STATUTORY.days_off(2026) if date(2026, 2, 1) <= d <= date(2026, 2, 28)]
    assert tet == [date(2026, 2, 16) + timedelta(days=i) for i in range(5)]
    assert not any(STATUTORY.is_working_day(d) for d in tet)
    # Received Fri 13/02 morning, 1 working day: Mon–Fri 16–20 are Tết, 21–22 the weekend → Mon 23/02.
    assert due(vn(2026, 2, 13, 10), 1, "working_days") == vn(2026, 2, 23, 17)


def test_hung_kings_day_on_sunday_gives_a_separate_compensatory_monday() -> None:
    days_off = dict(STATUTORY.days_off(2026))
    assert days_off[date(2026, 4, 26)] == "Ngày Giỗ Tổ Hùng Vương"
    assert days_off[date(2026, 4, 27)] == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert not STATUTORY.is_working_day(date(2026, 4, 27))
    # Received Fri 24/04 10:00, 1 working day: Mon 27 is nghỉ bù → Tue 28/04.
    assert due(vn(2026, 4, 24, 10), 1, "working_days") == vn(2026, 4, 28, 17)


def test_make_up_saturday_2025_is_worked_and_friday_2_may_is_off() -> None:
    assert STATUTORY.is_working_day(date(2025, 4, 26))
    assert not STATUTORY.is_working_day(date(2025, 5, 2))
    assert dict(STATUTORY.days_off(2025))[date(2025, 5, 2)] == "Ngày nghỉ (thay cho ngày 26/04/2025)"
    assert dict(STATUTORY.extra_working_days(2025)) == {
        date(2025, 4, 26): "Ngày làm việc bù (cho ngày nghỉ 02/05/2025)"
    }
    # Received Fri 25/04 10:00, 1 working day → the make-up Saturday 26/04 itself.
    assert due(vn(2025, 4, 25, 10), 1, "working_days") == vn(2025, 4, 26, 17)
    # Received Tue 29/04: 30/04, 01/05, 02/05 off, then the weekend → Mon 05/05.
    assert due(vn(2025, 4, 29, 10), 1, "working_days") == vn(2025, 5, 5, 17)


def test_days_off_list_holidays_only_not_ordinary_weekends() -> None:
    listed = [d for d, _ in STATUTORY.days_off(2026)]
    assert listed == sorted(listed)
    assert date(2026, 3, 7) not in listed  # an ordinary Saturday
    assert not STATUTORY.is_working_day(date(2026, 3, 7))


def test_vietnamese_culture_day_24_november_2026_is_off() -> None:
    assert dict(STATUTORY.days_off(2026))[date(2026, 11, 24)] == "Ngày Văn hóa Việt Nam"
    assert due(vn(2026, 11, 23, 10), 1, "working_days") == vn(2026, 11, 25, 17)


def test_make_up_day_across_a_year_boundary_is_found() -> None:
    # Mon 31/12/2018 was given off in exchange for Saturday 05/01/2019: the package files the Saturday
    # under 2018's data, yet it must count as a 2019 working day.
    assert not STATUTORY.is_working_day(date(2018, 12, 31))
    assert STATUTORY.is_working_day(date(2019, 1, 5))


def test_year_boundary_received_new_years_eve_after_cutoff() -> None:
    # Thu 31/12/2026 16:00 → next working day skips Fri 01/01/2027 (Tết Dương lịch) and the weekend.
    assert compute_due(STATUTORY, vn(2026, 12, 31, 16), 1, "working_days") == Deadline(
        vn(2027, 1, 4, 7, 30), vn(2027, 1, 5, 17)
    )
    # Before the cut-off it counts 31/12 and the one working day is Mon 04/01/2027.
    assert due(vn(2026, 12, 31, 10), 1, "working_days") == vn(2027, 1, 4, 17)


def test_next_and_add_working_days() -> None:
    assert STATUTORY.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert STATUTORY.add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)
    assert STATUTORY.add_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)
    assert STATUTORY.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5
    with pytest.raises(CalendarError):
        STATUTORY.add_working_days(date(2026, 3, 2), -1)


def test_windows_opening_closing() -> None:
    assert STATUTORY.windows(date(2026, 3, 2)) == [
        (vn(2026, 3, 2, 7, 30), vn(2026, 3, 2, 11, 30)),
        (vn(2026, 3, 2, 13, 30), vn(2026, 3, 2, 17)),
    ]
    assert STATUTORY.windows(date(2026, 2, 17)) == []  # Tết
    assert STATUTORY.opening(date(2026, 3, 2)) == vn(2026, 3, 2, 7, 30)
    assert STATUTORY.closing(date(2026, 3, 2)) == vn(2026, 3, 2, 17)
    with pytest.raises(CalendarError, match="Tết Nguyên Đán"):
        STATUTORY.closing(date(2026, 2, 17))


def test_ten_years_of_working_days_is_consistent_with_working_seconds() -> None:
    start = vn(2026, 1, 2, 9)
    deadline = compute_due(STATUTORY, start, 2500, "working_days")
    assert deadline.due.date().year == 2036
    # 6 h left on 02/01 (09:00–11:30, 13:30–17:00) plus 2 500 full days of 7.5 h.
    assert working_seconds_between(STATUTORY, start, deadline.due) == 6 * 3600 + 2500 * 27000


# -- working hours -------------------------------------------------------------------------------


def test_working_hours_skip_the_lunch_break() -> None:
    # Mon 10:00 + 4 h: 1.5 h until 11:30, the remaining 2.5 h from 13:30 → 16:00.
    assert compute_due(STATUTORY, vn(2026, 3, 2, 10), 4, "working_hours") == Deadline(
        vn(2026, 3, 2, 10), vn(2026, 3, 2, 16)
    )


def test_working_hours_skip_the_weekend_and_ignore_cutoff() -> None:
    # Fri 16:00 is after the cut-off but hours still count from 16:00: 1 h Friday, 4 h Monday
    # morning, 3 h from 13:30 → Mon 16:30.
    deadline = compute_due(STATUTORY, vn(2026, 3, 6, 16), 8, "working_hours")
    assert deadline == Deadline(vn(2026, 3, 6, 16), vn(2026, 3, 9, 16, 30))


def test_working_hours_ending_exactly_at_close_are_due_at_close() -> None:
    assert due(vn(2026, 3, 2, 16), 1, "working_hours") == vn(2026, 3, 2, 17)
    assert due(vn(2026, 3, 2, 7, 30), Decimal("7.5"), "working_hours") == vn(2026, 3, 2, 17)
    # Same for the morning window: due 11:30, not 13:30.
    assert due(vn(2026, 3, 2, 10, 30), 1, "working_hours") == vn(2026, 3, 2, 11, 30)


def test_working_hours_received_outside_windows_start_at_next_opening() -> None:
    assert compute_due(STATUTORY, vn(2026, 3, 2, 12), 1, "working_hours") == Deadline(
        vn(2026, 3, 2, 13, 30), vn(2026, 3, 2, 14, 30)
    )
    assert compute_due(STATUTORY, vn(2026, 3, 7, 10), 2, "working_hours") == Deadline(
        vn(2026, 3, 9, 7, 30), vn(2026, 3, 9, 9, 30)
    )
    # Received at 11:30:00 sharp: the morning window is over, counting starts 13:30.
    assert compute_due(STATUTORY, vn(2026, 3, 2, 11, 30), 0, "working_hours") == Deadline(
        vn(2026, 3, 2, 13, 30), vn(2026, 3, 2, 13, 30)
    )


def test_working_hours_decimals_and_rounding_to_seconds() -> None:
    assert due(vn(2026, 3, 2, 8), "1.5", "working_hours") == vn(2026, 3, 2, 9, 30)
    assert due(vn(2026, 3, 2, 8), 0.25, "working_hours") == vn(2026, 3, 2, 8, 15)
    # 0.0001 h = 0.36 s rounds to 0 s; 0.00015 h = 0.54 s rounds to 1 s.
    assert due(vn(2026, 3, 2, 8), "0.0001", "working_hours") == vn(2026, 3, 2, 8)
    assert due(vn(2026, 3, 2, 8), "0.00015", "working_hours") == vn(2026, 3, 2, 8, 0, 1)


def test_working_seconds_between_and_add_are_inverse() -> None:
    # Fri 16:00 → Mon 09:00: 1 h on Friday and 1.5 h on Monday.
    assert working_seconds_between(STATUTORY, vn(2026, 3, 6, 16), vn(2026, 3, 9, 9)) == 9000
    assert add_working_seconds(STATUTORY, vn(2026, 3, 6, 16), 9000) == vn(2026, 3, 9, 9)
    assert working_seconds_between(STATUTORY, vn(2026, 3, 9, 9), vn(2026, 3, 6, 16)) == 0
    # Zero seconds from a close stays at that close (a day-based due date does not move).
    assert add_working_seconds(STATUTORY, vn(2026, 3, 6, 17), 0) == vn(2026, 3, 6, 17)
    with pytest.raises(CalendarError):
        add_working_seconds(STATUTORY, vn(2026, 3, 6, 17), -1)


# -- calendar days and months ----------------------------------------------------------------------


def test_calendar_days_landing_on_weekend_move_to_monday() -> None:
    # Mon 02/03 + 5 days = Sat 07/03 → Mon 09/03.
    assert due(vn(2026, 3, 2, 9), 5, "calendar_days") == vn(2026, 3, 9, 17)


def test_calendar_days_landing_on_holidays_move_past_them() -> None:
    # Tue 28/04/2026 + 2 days = Thu 30/04 (Chiến thắng), Fri 01/05 (Lao động), weekend → Mon 04/05.
    assert due(vn(2026, 4, 28, 9), 2, "calendar_days") == vn(2026, 5, 4, 17)


def test_calendar_days_use_the_cutoff() -> None:
    # Fri 06/03 15:00 counts from Mon 09/03; + 1 day = Tue 10/03.
    assert compute_due(STATUTORY, vn(2026, 3, 6, 15), 1, "calendar_days") == Deadline(
        vn(2026, 3, 9, 7, 30), vn(2026, 3, 10, 17)
    )


def test_calendar_months_clamp_to_end_of_month() -> None:
    # 31/01 + 1 month is the last day of February: 29/02 in a leap year, 28/02 otherwise.
    assert due(vn(2028, 1, 31, 9), 1, "calendar_months") == vn(2028, 2, 29, 17)
    assert due(vn(2029, 1, 31, 9), 1, "calendar_months") == vn(2029, 2, 28, 17)
    # 31/03/2026 + 1 month = 30/04 (holiday), 01/05 (holiday), weekend → Mon 04/05.
    assert due(vn(2026, 3, 31, 9), 1, "calendar_months") == vn(2026, 5, 4, 17)
    # Across a year: 31/12/2025 + 2 months = Sat 28/02/2026 → Mon 02/03.
    assert due(vn(2025, 12, 31, 9), 2, "calendar_months") == vn(2026, 3, 2, 17)


# -- same day ------------------------------------------------------------------------------------


def test_same_day_before_and_after_cutoff() -> None:
    assert compute_due(STATUTORY, vn(2026, 3, 2, 10), 0, "same_day") == Deadline(
        vn(2026, 3, 2, 10), vn(2026, 3, 2, 17)
    )
    # After the cut-off a "same day" procedure is returned at the close of the next working day.
    assert compute_due(STATUTORY, vn(2026, 3, 2, 15, 5), None, "same_day") == Deadline(  # type: ignore[arg-type]
        vn(2026, 3, 3, 7, 30), vn(2026, 3, 3, 17)
    )
    assert due(vn(2026, 3, 7, 10), 99, "same_day") == vn(2026, 3, 9, 17)


# -- bad limits and units --------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [-1, "-0.5", "abc", "", float("nan"), "Infinity", True, None, [3]])
def test_negative_or_non_numeric_limits_are_refused(limit: Any) -> None:
    with pytest.raises(CalendarError, match=r"^Thời hạn phải là số không âm"):
        compute_due(STATUTORY, vn(2026, 3, 2, 9), limit, "working_days")


@pytest.mark.parametrize("unit", ["working_days", "calendar_days", "calendar_months"])
def test_day_based_limits_must_be_whole(unit: str) -> None:
    with pytest.raises(CalendarError, match="phải là số nguyên"):
        compute_due(STATUTORY, vn(2026, 3, 2, 9), "2.5", unit)
    # 3.0 is a whole number written with a decimal point.
    assert compute_due(STATUTORY, vn(2026, 3, 2, 9), Decimal("3.0"), unit).due >= vn(2026, 3, 5, 17)


def test_unknown_unit_lists_accepted_units() -> None:
    with pytest.raises(CalendarError) as info:
        compute_due(STATUTORY, vn(2026, 3, 2, 9), 3, "weeks")
    message = str(info.value)
    assert "'weeks'" in message
    for unit in LimitUnit:
        assert unit.value in message


def test_absurdly_large_limit_is_refused() -> None:
    with pytest.raises(CalendarError, match="quá lớn"):
        compute_due(STATUTORY, vn(2026, 3, 2, 9), 10**9, "calendar_days")


# -- fixed calendars and from_json ---------------------------------------------------------------


def test_from_json_replaces_statutory_holidays() -> None:
    calendar = Calendar.from_json({"holidays": ["2026-03-03"]})
    # The listed Tuesday is off, so 1 working day from Mon 02/03 lands on Wed 04/03.
    assert not calendar.is_working_day(date(2026, 3, 3))
    assert due(vn(2026, 3, 2, 9), 1, "working_days", calendar) == vn(2026, 3, 4, 17)
    # Nothing statutory remains: Tết Monday 16/02/2026 is an ordinary working day here.
    assert calendar.is_working_day(date(2026, 2, 16))
    assert calendar.days_off(2026) == [(date(2026, 3, 3), "Ngày nghỉ")]


def test_from_json_extra_working_saturday_counts() -> None:
    calendar = Calendar.from_json({"extra_working_days": ["2026-03-07"]})
    assert calendar.is_working_day(date(2026, 3, 7))
    # Fri 06/03 10:00 + 1 working day = the worked Saturday.
    assert due(vn(2026, 3, 6, 10), 1, "working_days", calendar) == vn(2026, 3, 7, 17)


def test_from_json_office_hours_and_cutoff_change_the_close_and_the_receipt_day() -> None:
    calendar = Calendar.from_json(
        {"office_hours": [["08:00", "12:00"], ["13:00", "16:30"]], "cutoff": "16:00", "holidays": {}}
    )
    # 15:30 is before this office's 16:00 cut-off, so the day counts; due at its 16:30 close.
    assert compute_due(calendar, vn(2026, 3, 2, 15, 30), 0, "working_days") == Deadline(
        vn(2026, 3, 2, 15, 30), vn(2026, 3, 2, 16, 30)
    )
    assert calendar.opening(date(2026, 3, 2)) == vn(2026, 3, 2, 8)


def test_from_json_named_holidays_and_defaults() -> None:
    calendar = Calendar.from_json({"holidays": {"2026-09-02": "Quốc khánh"}})
    assert calendar.days_off(2026) == [(date(2026, 9, 2), "Quốc khánh")]
    assert calendar.office_hours == ((time(7, 30), time(11, 30)), (time(13, 30), time(17)))
    assert calendar.cutoff == time(15)
    assert Calendar.from_json({}) == Calendar.fixed()


def test_cutoff_after_the_office_closes_cannot_count_a_closed_day() -> None:
    # Morning-only office with the default 15:00 cut-off: a 13:00 receipt comes after closing time,
    # so the "same day" answer is tomorrow's close, never a due date before the receipt.
    calendar = Calendar.from_json({"office_hours": [["08:00", "12:00"]]})
    assert compute_due(calendar, vn(2026, 3, 2, 13), 0, "same_day") == Deadline(
        vn(2026, 3, 3, 8), vn(2026, 3, 3, 12)
    )


@pytest.mark.parametrize(
    ("obj", "fragment"),
    [
        ([], "đối tượng JSON"),
        ({"holiday": []}, '"holiday"'),
        ({"holidays": "2026-01-01"}, "«holidays» phải là danh sách"),
        ({"holidays": [20260101]}, "số 20260101"),
        ({"holidays": ["2026-02-30"]}, '"2026-02-30"'),
        ({"holidays": ["02/09/2026"]}, '"02/09/2026"'),
        ({"holidays": {"2026-09-02": 1}}, "phải là chuỗi"),
        ({"extra_working_days": ["2026-13-01"]}, "«extra_working_days»"),
        ({"holidays": ["2026-03-07"], "extra_working_days": ["2026-03-07"]}, "2026-03-07"),
        ({"office_hours": "07:30-17:00"}, "«office_hours»"),
        ({"office_hours": []}, "«office_hours»"),
        ({"office_hours": [["07:30"]]}, '["07:30"]'),
        ({"office_hours": [["07:30", "25:00"]]}, '"25:00"'),
        ({"office_hours": [["7h30", "11:30"]]}, '"7h30"'),
        ({"office_hours": [["11:30", "07:30"]]}, "11:30–07:30"),
        ({"office_hours": [["07:30", "07:30"]]}, "giờ mở phải trước giờ đóng"),
        ({"office_hours": [["07:30", "12:00"], ["11:00", "17:00"]]}, "chồng lấn"),
        ({"office_hours": [["13:30", "17:00"], ["07:30", "11:30"]]}, "thứ tự"),
        ({"cutoff": 15}, "«cutoff»"),
        ({"cutoff": "3pm"}, '"3pm"'),
    ],
)
def test_from_json_errors_name_the_key_and_value(obj: Any, fragment: str) -> None:
    with pytest.raises(CalendarError) as info:
        Calendar.from_json(obj)
    assert fragment in str(info.value)


def test_calendar_error_is_a_value_error() -> None:
    assert issubclass(CalendarError, ValueError)


# -- statutory calendar with local overrides -------------------------------------------------------


def test_overrides_add_days_off_working_days_and_cancel_statutory_days() -> None:
    calendar = Calendar.statutory(
        overrides=CalendarOverrides(
            days_off={date(2026, 3, 3): "Nghỉ lễ địa phương"},
            working_days={date(2026, 3, 7): "Làm bù theo quyết định của UBND tỉnh"},
            cancelled_days_off={date(2026, 4, 27): "Đơn vị trực, không nghỉ bù"},
        )
    )
    assert not calendar.is_working_day(date(2026, 3, 3))
    assert calendar.is_working_day(date(2026, 3, 7))
    assert calendar.is_working_day(date(2026, 4, 27))
    listed = dict(calendar.days_off(2026))
    assert listed[date(2026, 3, 3)] == "Nghỉ lễ địa phương"
    assert date(2026, 4, 27) not in listed
    assert date(2026, 4, 26) in listed  # the Sunday itself stays listed
    # Statutory data is untouched elsewhere.
    assert not calendar.is_working_day(date(2026, 2, 17))
    assert STATUTORY.is_working_day(date(2026, 3, 3))


def test_override_working_day_beats_statutory_day_off_and_day_off_beats_make_up_day() -> None:
    calendar = Calendar.statutory(
        overrides=CalendarOverrides(
            working_days={date(2026, 2, 20): "Trực Tết"},
            days_off={date(2025, 4, 26): "Không làm bù"},
        )
    )
    assert calendar.is_working_day(date(2026, 2, 20))
    assert not calendar.is_working_day(date(2025, 4, 26))


def test_conflicting_overrides_are_refused() -> None:
    with pytest.raises(CalendarError, match="03/03/2026"):
        CalendarOverrides(days_off={date(2026, 3, 3): "a"}, working_days={date(2026, 3, 3): "b"})


def test_calendars_compare_by_content() -> None:
    assert Calendar.statutory() == STATUTORY
    assert Calendar.fixed(holidays={date(2026, 1, 1)}) == Calendar.from_json({"holidays": ["2026-01-01"]})
    assert hash(Calendar.fixed()) == hash(Calendar.fixed())


def test_office_hours_are_validated_for_every_constructor() -> None:
    with pytest.raises(CalendarError, match="giờ mở phải trước giờ đóng"):
        Calendar.fixed(office_hours=((time(17), time(7, 30)),))
    with pytest.raises(CalendarError):
        Calendar.statutory(office_hours=())


# -- pauses (yêu cầu bổ sung hồ sơ) --------------------------------------------------------------

# Received Mon 02/03/2026 09:00 with 5 working days: due Mon 09/03 17:00. The office asks for a
# supplement Wed 04/03 10:00; the citizen brings it Thu 05/03 15:30.
RECEIVED = vn(2026, 3, 2, 9)
PAUSE = (vn(2026, 3, 4, 10), vn(2026, 3, 5, 15, 30))


def test_no_pause_is_the_plain_deadline() -> None:
    plain = compute_due(STATUTORY, RECEIVED, 5, "working_days")
    assert plain.due == vn(2026, 3, 9, 17)
    assert due_after_pauses(STATUTORY, RECEIVED, 5, "working_days", [], "shift") == plain
    assert due_after_pauses(STATUTORY, RECEIVED, 5, "working_days", [], "restart") == plain


def test_restart_counts_the_full_limit_again_from_the_supplement() -> None:
    # NĐ 61/2018 Điều 19.4: 15:30 is after the cut-off, so the new count starts Fri 06/03 07:30;
    # 5 working days later is Fri 13/03.
    assert due_after_pauses(STATUTORY, RECEIVED, 5, "working_days", [PAUSE], "restart") == Deadline(
        vn(2026, 3, 6, 7, 30), vn(2026, 3, 13, 17)
    )


def test_shift_adds_the_working_time_spent_waiting() -> None:
    # Paused working time: Wed 1.5 h + 3.5 h, Thu 4 h + 2 h = 11 h. From Mon 09/03 17:00: Tue 10/03
    # absorbs 7.5 h, the last 3.5 h run Wed 07:30–11:00.
    assert working_seconds_between(STATUTORY, *PAUSE) == 11 * 3600
    assert due_after_pauses(STATUTORY, RECEIVED, 5, "working_days", [PAUSE], "shift") == Deadline(
        RECEIVED, vn(2026, 3, 11, 11)
    )


def test_shift_counts_overlapping_pauses_once_and_ignores_time_before_the_clock_started() -> None:
    overlapping = [PAUSE, (vn(2026, 3, 4, 13, 30), vn(2026, 3, 5, 9))]
    assert due_after_pauses(STATUTORY, RECEIVED, 5, "working_days", overlapping, "shift").due == vn(
        2026, 3, 11, 11
    )
    # Received Fri 15:30 (counts from Monday): a wait on Friday afternoon costs no working time.
    late = vn(2026, 3, 6, 15, 30)
    plain = compute_due(STATUTORY, late, 1, "working_days")
    paused = due_after_pauses(STATUTORY, late, 1, "working_days", [(late, vn(2026, 3, 6, 16, 30))], "shift")
    assert paused == plain


def test_open_pause_stops_the_clock_at_now() -> None:
    open_pause = [(PAUSE[0], None)]
    assert due_after_pauses(
        STATUTORY, RECEIVED, 5, "working_days", open_pause, "shift", now=PAUSE[1]
    ) == Deadline(RECEIVED, vn(2026, 3, 11, 11))
    assert due_after_pauses(
        STATUTORY, RECEIVED, 5, "working_days", open_pause, "restart", now=PAUSE[1]
    ).due == vn(2026, 3, 13, 17)
    with pytest.raises(CalendarError, match="now"):
        due_after_pauses(STATUTORY, RECEIVED, 5, "working_days", open_pause, "shift")


def test_bad_pauses_and_modes_are_refused() -> None:
    with pytest.raises(CalendarError, match="restart"):
        due_after_pauses(STATUTORY, RECEIVED, 5, "working_days", [PAUSE], "extend")
    with pytest.raises(CalendarError, match="trước khi bắt đầu"):
        due_after_pauses(STATUTORY, RECEIVED, 5, "working_days", [(PAUSE[1], PAUSE[0])], "shift")
    with pytest.raises(CalendarError, match="trước thời điểm tiếp nhận"):
        due_after_pauses(STATUTORY, RECEIVED, 5, "working_days", [(vn(2026, 3, 1), PAUSE[1])], "shift")


def test_shift_on_working_hours_limit() -> None:
    # 4 working hours from Mon 10:00 is due 16:00; a 30-minute pause 10:30–11:00 moves it to 16:30.
    assert due_after_pauses(
        STATUTORY,
        vn(2026, 3, 2, 10),
        4,
        "working_hours",
        [(vn(2026, 3, 2, 10, 30), vn(2026, 3, 2, 11))],
        "shift",
    ).due == vn(2026, 3, 2, 16, 30)
