"""Due dates of administrative procedures, computed on a working-day ``Calendar``.

Conventions (the project's documented rules, see core rules "workdays.*"):

* A dossier received on a working day before the cut-off (15:00, NĐ 61/2018/NĐ-CP Điều 18) counts from
  that day; otherwise it counts from the next working day, from the first office window's opening.
* Day-based limits fall due at the close of office hours of their last day.
* Working-hour limits run inside office windows only, from the receipt moment, with no cut-off.
* While a dossier waits for a supplement the clock is stopped; afterwards it either restarts from zero
  (NĐ 61/2018/NĐ-CP Điều 19.4) or the due date shifts by the working time lost.

Arithmetic never walks minutes, nor whole days: the calendar keeps, per year, prefix counts of its
working days, so counting and adding working time costs a lookup per year spanned plus a bisection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from .calendar import Calendar, to_local
from .errors import CalendarError


class LimitUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    CALENDAR_MONTHS = "calendar_months"
    SAME_DAY = "same_day"


class PauseMode(StrEnum):
    RESTART = "restart"  # NĐ 61/2018/NĐ-CP Điều 19.4: the limit counts again from zero
    SHIFT = "shift"  # the due date moves later by the working time spent waiting


UNIT_LABELS: dict[LimitUnit, str] = {
    LimitUnit.WORKING_DAYS: "ngày làm việc",
    LimitUnit.WORKING_HOURS: "giờ làm việc",
    LimitUnit.CALENDAR_DAYS: "ngày (theo lịch)",
    LimitUnit.CALENDAR_MONTHS: "tháng",
    LimitUnit.SAME_DAY: "trong ngày",
}

# Far beyond any procedure in the national catalogue; a larger number is a typing slip, and refusing
# it early keeps a mistyped limit from walking a century of days.
MAX_LIMITS: dict[LimitUnit, int] = {
    LimitUnit.WORKING_DAYS: 25_000,
    LimitUnit.WORKING_HOURS: 200_000,
    LimitUnit.CALENDAR_DAYS: 36_600,
    LimitUnit.CALENDAR_MONTHS: 1_200,
}

Limit = Decimal | int | float | str
Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class Deadline:
    """``effective_received``: the moment the limit starts to run; ``due``: when it runs out."""

    effective_received: datetime
    due: datetime


# -- input checking --------------------------------------------------------------------------------


def parse_unit(unit: LimitUnit | str) -> LimitUnit:
    try:
        return LimitUnit(unit)
    except ValueError:
        accepted = ", ".join(f"{u.value} ({UNIT_LABELS[u]})" for u in LimitUnit)
        raise CalendarError(
            f"Đơn vị thời hạn không hợp lệ: {unit!r}. Các đơn vị được chấp nhận: {accepted}."
        ) from None


def parse_limit(limit: Limit) -> Decimal:
    """A finite, non-negative Decimal, or CalendarError."""
    value: Decimal | None = None
    # bool is an int subclass; "True working days" is certainly a mistake.
    if isinstance(limit, Decimal):
        value = limit
    elif isinstance(limit, int) and not isinstance(limit, bool):
        value = Decimal(limit)
    elif isinstance(limit, float):
        value = Decimal(repr(limit))  # the float's shortest decimal spelling: 1.1 stays 1.1
    elif isinstance(limit, str):
        try:
            value = Decimal(limit.strip())
        except InvalidOperation:
            value = None
    if value is None or not value.is_finite() or value < 0:
        raise CalendarError(f"Thời hạn phải là số không âm (ví dụ 3 hoặc 1.5), nhận được: {limit!r}.")
    return value


def _whole(value: Decimal, unit: LimitUnit) -> int:
    if value != value.to_integral_value():
        raise CalendarError(
            f"Thời hạn tính theo {UNIT_LABELS[unit]} phải là số nguyên, nhận được: {value.normalize()}."
        )
    return int(value)


def _check_size(value: Decimal, unit: LimitUnit) -> None:
    cap = MAX_LIMITS.get(unit)
    if cap is not None and value > cap:
        raise CalendarError(
            f"Thời hạn {value.normalize()} {UNIT_LABELS[unit]} quá lớn (tối đa {cap}); "
            "hãy kiểm tra lại số đã nhập."
        )


def _check_seconds(seconds: int) -> None:
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise CalendarError(f"Số giây làm việc phải là số nguyên không âm, nhận được: {seconds!r}.")


# -- receipt ---------------------------------------------------------------------------------------


def effective_receipt(calendar: Calendar, received: datetime) -> tuple[date, datetime]:
    """The day a day-based limit counts from, and the moment the clock starts.

    The cut-off is strict: 14:59:59 counts that day, 15:00:00 does not (NĐ 61/2018/NĐ-CP Điều 18).
    Returns the receipt moment itself when it counts that day, else the next working day's opening.
    """
    moment = to_local(received)
    day = moment.date()
    # A cut-off set later than the office's close (say hours 08:00–12:00 with the default 15:00)
    # must not let a 13:00 receipt count a day whose office has already shut.
    last_close = calendar.office_hours[-1][1]
    if calendar.is_working_day(day) and moment.time() < min(calendar.cutoff, last_close):
        return day, moment
    next_day = calendar.next_working_day(day)
    return next_day, calendar.opening(next_day)


def counting_start(calendar: Calendar, moment: datetime) -> datetime:
    """Where working-hour counting starts: ``moment`` when inside a window, else the next opening.

    Windows are half-open here: a dossier received at 11:30:00 sharp starts counting at 13:30.
    """
    moment = to_local(moment)
    for opening, closing in calendar.windows(moment.date()):
        if moment < closing:
            return max(opening, moment)
    return calendar.opening(calendar.next_working_day(moment.date()))


# -- working-time arithmetic -----------------------------------------------------------------------


def working_seconds_between(calendar: Calendar, start: datetime, end: datetime) -> int:
    """Whole seconds of office time in [start, end]; 0 when ``end`` is not after ``start``.

    Both ends are first truncated to the whole second, so that counts over consecutive intervals add
    up exactly (rounding each interval's total instead would lose a second here and there).
    """
    a, b = to_local(start), to_local(end)
    if a.microsecond:
        a = a.replace(microsecond=0)
    if b.microsecond:
        b = b.replace(microsecond=0)
    if b <= a:
        return 0
    first, last = a.date(), b.date()
    total = timedelta(0)
    for day in (first, last) if first != last else (first,):
        for opening, closing in calendar.windows(day):
            low, high = max(opening, a), min(closing, b)
            if high > low:
                total += high - low
    # Days strictly between the two ends are whole office days.
    full_days = calendar.working_days_between(first, last - timedelta(days=1)) if last > first else 0
    return int(total.total_seconds()) + full_days * calendar.seconds_per_day


def add_working_seconds(calendar: Calendar, start: datetime, seconds: int) -> datetime:
    """The first moment by which ``seconds`` of office time have passed since ``start``.

    A limit that runs out exactly at a window's close falls due at that close, not at the next
    opening; with ``seconds == 0`` a moment inside a window (close included) is returned unchanged.
    """
    _check_seconds(seconds)
    moment = to_local(start)
    remaining = timedelta(seconds=seconds)
    day = calendar.working_day_on_or_after(moment.date())
    per_day = timedelta(seconds=calendar.seconds_per_day)
    while True:
        for opening, closing in calendar.windows(day):
            if closing < moment:
                continue
            begin = max(opening, moment)
            available = closing - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        # Skip whole days while more than a day is left (strictly more, so that a limit ending at a
        # close is still found at that close by the window loop above): ceil(remaining / day) - 1
        # of them, jumped over at once.
        day = calendar.next_working_day(day)
        skipped = max(0, -((per_day - remaining) // per_day))
        if skipped:
            remaining -= skipped * per_day
            day = calendar.add_working_days(day, skipped)
        moment = calendar.opening(day)


# -- due dates -------------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    # 31/01 + 1 month is the last day of February, not an overflow into March.
    return date(year, month, min(day.day, last_day))


def compute_due(calendar: Calendar, received: datetime, limit: Limit, unit: LimitUnit | str) -> Deadline:
    """The deadline of a dossier received at ``received`` with a ``limit`` in ``unit``."""
    kind = parse_unit(unit)
    if kind is LimitUnit.SAME_DAY:
        # The limit is meaningless for "trả kết quả trong ngày" and is not even checked.
        day, start = effective_receipt(calendar, received)
        return Deadline(start, calendar.closing(day))

    value = parse_limit(limit)
    _check_size(value, kind)
    try:
        if kind is LimitUnit.WORKING_HOURS:
            start = counting_start(calendar, received)
            seconds = int((value * 3600).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            return Deadline(start, add_working_seconds(calendar, start, seconds))

        n = _whole(value, kind)
        day, start = effective_receipt(calendar, received)
        if kind is LimitUnit.WORKING_DAYS:
            last = calendar.add_working_days(day, n)
        elif kind is LimitUnit.CALENDAR_DAYS:
            last = calendar.working_day_on_or_after(day + timedelta(days=n))
        else:
            last = calendar.working_day_on_or_after(_add_months(day, n))
        return Deadline(start, calendar.closing(last))
    except OverflowError:
        raise CalendarError(
            f"Thời hạn {value.normalize()} {UNIT_LABELS[kind]} vượt quá lịch được hỗ trợ."
        ) from None


def due_after_pauses(
    calendar: Calendar,
    received: datetime,
    limit: Limit,
    unit: LimitUnit | str,
    pauses: Sequence[Pause],
    mode: PauseMode | str,
    *,
    now: datetime | None = None,
) -> Deadline:
    """The deadline once the dossier has waited for supplements during ``pauses``.

    ``restart`` (NĐ 61/2018/NĐ-CP Điều 19.4): the limit counts again from zero from the end of the last
    pause, which is treated as a new receipt (same cut-off rule). ``shift``: the original due date moves
    later by the office time inside the pauses. A pause with no end is still running: the clock is
    stopped, so the result is the due date if the pause ended at ``now``.
    """
    try:
        how = PauseMode(mode)
    except ValueError:
        raise CalendarError(
            f"Cách tính khi tạm dừng không hợp lệ: {mode!r}. Chấp nhận: restart (tính lại từ đầu), "
            "shift (lùi hạn bằng thời gian tạm dừng)."
        ) from None
    original = compute_due(calendar, received, limit, unit)
    receipt = to_local(received)
    intervals: list[tuple[datetime, datetime]] = []
    for pause_start, pause_end in pauses:
        begin = to_local(pause_start)
        if pause_end is None:
            if now is None:
                raise CalendarError(
                    "Hồ sơ đang tạm dừng chưa có thời điểm kết thúc; "
                    "cần thời điểm hiện tại (now) để tính hạn."
                )
            pause_end = now
        end = to_local(pause_end)
        if end < begin:
            raise CalendarError(
                f"Khoảng tạm dừng không hợp lệ: kết thúc {end:%d/%m/%Y %H:%M} "
                f"trước khi bắt đầu {begin:%d/%m/%Y %H:%M}."
            )
        if begin < receipt:
            raise CalendarError(
                f"Khoảng tạm dừng bắt đầu {begin:%d/%m/%Y %H:%M}, trước thời điểm tiếp nhận "
                f"{receipt:%d/%m/%Y %H:%M}."
            )
        intervals.append((begin, end))
    if not intervals:
        return original

    if how is PauseMode.RESTART:
        return compute_due(calendar, max(end for _, end in intervals), limit, unit)

    # Time before the clock started (received after the cut-off) was never counted, so waiting then
    # costs nothing; overlapping records of the same wait are counted once.
    paused = 0
    for begin, end in _merge(intervals, floor=original.effective_received):
        paused += working_seconds_between(calendar, begin, end)
    return Deadline(original.effective_received, add_working_seconds(calendar, original.due, paused))


def _merge(intervals: list[tuple[datetime, datetime]], floor: datetime) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in sorted((max(b, floor), e) for b, e in intervals):
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged
