"""Which days are worked, and the office windows on those days.

A day is a working day when it is Monday–Friday or an extra (make-up) working day, and it is not a day
off. Days off and extra working days are looked up per calendar year through a callable, so a deadline
that runs from December into January needs no caller to pick years in advance.

Pure Python on purpose: the Django layer (override table, office-hours rules) builds a ``Calendar`` and
passes it in, which keeps the deadline rules testable without a database.
"""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import MAXYEAR, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from holidays import country_holidays

from .errors import CalendarError

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Default office hours and reception cut-off of the province (core rules "workdays.office_hours" and
# "workdays.cutoff"; the 15:00 cut-off is NĐ 61/2018/NĐ-CP Điều 18).
DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
DEFAULT_CUTOFF = time(15, 0)

DEFAULT_DAY_OFF_NAME = "Ngày nghỉ"
DEFAULT_WORKING_DAY_NAME = "Ngày làm việc bù"

# A calendar whose days off cover ten whole years is a data error, not a reason to loop forever.
_SEARCH_HORIZON_DAYS = 3700

_JSON_KEYS = ("holidays", "extra_working_days", "office_hours", "cutoff")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?")


def to_local(moment: datetime) -> datetime:
    """``moment`` in Asia/Ho_Chi_Minh; a naive datetime is taken to already be Vietnamese time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ)


def stamp(moment: datetime | None) -> str:
    """``yyyyMMddHHmmss`` in Vietnamese time (the national systems' date form), or ``""``."""
    if moment is None:
        return ""
    m = to_local(moment)
    return "%04d%02d%02d%02d%02d%02d" % (m.year, m.month, m.day, m.hour, m.minute, m.second)  # noqa: UP031 — twice as fast as strftime


def parse_stamp(text: str) -> datetime:
    """A local ``yyyyMMddHHmmss`` as an aware datetime; ``ValueError`` when it is not one."""
    if not isinstance(text, str) or len(text) != 14 or not text.isascii() or not text.isdigit():
        raise ValueError(text)
    return datetime(
        int(text[0:4]),
        int(text[4:6]),
        int(text[6:8]),
        int(text[8:10]),
        int(text[10:12]),
        int(text[12:14]),
        tzinfo=TZ,
    )


def _as_date(day: date) -> date:
    # datetime is a subclass of date but never equals one, so it would silently miss every dict key.
    if isinstance(day, datetime):
        return to_local(day).date()
    return day


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


@dataclass(frozen=True)
class YearRules:
    """The exceptions to the Monday–Friday week within one calendar year."""

    days_off: Mapping[date, str]
    extra_working_days: Mapping[date, str]


YearRulesSource = Callable[[int], YearRules]


def _frozen_items(mapping: Mapping[date, str]) -> frozenset[tuple[date, str]]:
    return frozenset(mapping.items())


def _named_dates(value: Mapping[date, str] | Iterable[date], default_name: str) -> dict[date, str]:
    if isinstance(value, Mapping):
        return {_as_date(d): str(name) for d, name in value.items()}
    return {_as_date(d): default_name for d in value}


@dataclass(frozen=True)
class CalendarOverrides:
    """Local decisions layered on the statutory calendar (the ``CalendarOverride`` table's three kinds).

    ``days_off``: extra days off (a provincial holiday, a Prime Minister's swap not yet in the package).
    ``working_days``: days worked although off by statute or weekend (make-up Saturdays).
    ``cancelled_days_off``: statutory days off that this office does not take; the name says why.
    """

    days_off: Mapping[date, str] = field(default_factory=dict)
    working_days: Mapping[date, str] = field(default_factory=dict)
    cancelled_days_off: Mapping[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Copies, so that a caller mutating its dict later cannot change a frozen calendar.
        object.__setattr__(self, "days_off", dict(self.days_off))
        object.__setattr__(self, "working_days", dict(self.working_days))
        object.__setattr__(self, "cancelled_days_off", dict(self.cancelled_days_off))
        for other, label in (
            (self.working_days, "ngày làm việc"),
            (self.cancelled_days_off, "hủy ngày nghỉ"),
        ):
            clash = sorted(set(self.days_off) & set(other))
            if clash:
                raise CalendarError(
                    f"Ngày {clash[0]:%d/%m/%Y} vừa được khai báo là ngày nghỉ vừa là «{label}»; "
                    "mỗi ngày chỉ được có một điều chỉnh."
                )

    def __hash__(self) -> int:
        return hash(
            (
                _frozen_items(self.days_off),
                _frozen_items(self.working_days),
                _frozen_items(self.cancelled_days_off),
            )
        )


def _make_up_name(day: date, days_off: Iterable[tuple[date, str]]) -> str:
    # The package names a swapped day off "Ngày nghỉ (thay cho ngày 26/04/2025)" but leaves the worked
    # Saturday unnamed; naming it after its day off lets a clerk see why a Saturday counts.
    marker = day.strftime("%d/%m/%Y")
    for off_day, name in days_off:
        if marker in name:
            return f"{DEFAULT_WORKING_DAY_NAME} (cho ngày nghỉ {off_day:%d/%m/%Y})"
    return DEFAULT_WORKING_DAY_NAME


@lru_cache(maxsize=256)
def _statutory_year(year: int) -> tuple[tuple[tuple[date, str], ...], tuple[tuple[date, str], ...]]:
    # The package attaches a make-up working day to the year of the day off it pays for (Saturday
    # 05/01/2019 pays for Monday 31/12/2018), so the neighbouring years are generated as well and both
    # lists are then cut back to ``year``.
    # country_holidays("VN") builds holidays.Vietnam; it is the typed entry point of the package.
    vn = country_holidays("VN", years=range(year - 1, year + 2), language="vi")
    all_off = sorted((d, str(name)) for d, name in vn.items())
    days_off = tuple((d, name) for d, name in all_off if d.year == year)
    working = tuple(sorted((d, _make_up_name(d, all_off)) for d in vn.weekend_workdays if d.year == year))
    return days_off, working


@dataclass(frozen=True)
class StatutoryRules:
    """Days off from the Labour Code via the ``holidays`` package, then the local overrides on top."""

    overrides: CalendarOverrides = field(default_factory=CalendarOverrides)

    def __call__(self, year: int) -> YearRules:
        statutory_off, statutory_working = _statutory_year(year)
        o = self.overrides
        # An explicit working-day override beats a statutory day off: it records a later decision.
        days_off = {
            d: name for d, name in statutory_off if d not in o.cancelled_days_off and d not in o.working_days
        }
        days_off.update((d, name) for d, name in o.days_off.items() if d.year == year)
        working = {d: name for d, name in statutory_working if d not in o.days_off}
        working.update((d, name) for d, name in o.working_days.items() if d.year == year)
        return YearRules(days_off=days_off, extra_working_days=working)


@dataclass(frozen=True)
class FixedRules:
    """A complete list of days off and extra working days; nothing statutory is added."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    extra_working_days: Mapping[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", dict(self.holidays))
        object.__setattr__(self, "extra_working_days", dict(self.extra_working_days))
        clash = sorted(set(self.holidays) & set(self.extra_working_days))
        if clash:
            raise CalendarError(
                f"Ngày {clash[0]:%Y-%m-%d} có trong cả «holidays» và «extra_working_days»; "
                "một ngày không thể vừa nghỉ vừa làm việc."
            )

    def __hash__(self) -> int:
        return hash((_frozen_items(self.holidays), _frozen_items(self.extra_working_days)))

    def __call__(self, year: int) -> YearRules:
        return YearRules(
            days_off={d: n for d, n in self.holidays.items() if d.year == year},
            extra_working_days={d: n for d, n in self.extra_working_days.items() if d.year == year},
        )


def _check_office_hours(windows: Any) -> tuple[tuple[time, time], ...]:
    if not isinstance(windows, tuple | list) or not windows:
        raise CalendarError(
            "Giờ làm việc («office_hours») phải có ít nhất một khung giờ, "
            'ví dụ [["07:30", "11:30"], ["13:30", "17:00"]].'
        )
    checked: list[tuple[time, time]] = []
    for window in windows:
        if (
            not isinstance(window, tuple | list)
            or len(window) != 2
            or not all(isinstance(t, time) and t.tzinfo is None for t in window)
        ):
            raise CalendarError(
                f"Khung giờ làm việc («office_hours») không hợp lệ: {window!r}; "
                "mỗi khung gồm đúng hai giờ: giờ mở và giờ đóng."
            )
        start, end = window
        if start >= end:
            raise CalendarError(
                f"Khung giờ làm việc («office_hours») {_hhmm(start)}–{_hhmm(end)} không hợp lệ: "
                "giờ mở phải trước giờ đóng."
            )
        if checked and start < checked[-1][1]:
            prev = checked[-1]
            raise CalendarError(
                f"Các khung giờ làm việc («office_hours») {_hhmm(prev[0])}–{_hhmm(prev[1])} và "
                f"{_hhmm(start)}–{_hhmm(end)} chồng lấn hoặc sai thứ tự; "
                "các khung phải theo thứ tự thời gian và không chồng lấn."
            )
        checked.append((start, end))
    return tuple(checked)


@dataclass(frozen=True, slots=True)
class _YearIndex:
    """The working days of one year as prefix counts, for arithmetic that never walks day by day.

    ``before[i]`` is how many working days lie among the first ``i`` days of the year, so
    ``before[-1]`` is the year's total and day ``i`` (1 January is day 1) is worked exactly when
    ``before[i] > before[i - 1]``. Office windows are the same on every working day of a calendar,
    so working seconds follow from these counts and ``Calendar.seconds_per_day``.
    """

    first: int  # proleptic ordinal of 1 January
    before: array[int]

    @property
    def total(self) -> int:
        return self.before[-1]


@dataclass(frozen=True)
class Calendar:
    """A working-day calendar with office windows and the daily reception cut-off."""

    rules: YearRulesSource = field(default_factory=StatutoryRules, hash=False)
    office_hours: tuple[tuple[time, time], ...] = DEFAULT_OFFICE_HOURS
    cutoff: time = DEFAULT_CUTOFF
    _years: dict[int, YearRules] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _indexes: dict[int, _YearIndex] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _seconds_per_day: int = field(default=0, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "office_hours", _check_office_hours(self.office_hours))
        if not isinstance(self.cutoff, time) or self.cutoff.tzinfo is not None:
            raise CalendarError(f"Giờ chốt tiếp nhận («cutoff») không hợp lệ: {self.cutoff!r}.")
        seconds = sum(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start)) // timedelta(seconds=1)
            for start, end in self.office_hours
        )
        object.__setattr__(self, "_seconds_per_day", seconds)

    # -- constructors ------------------------------------------------------------------------------

    @classmethod
    def statutory(
        cls,
        overrides: CalendarOverrides | None = None,
        office_hours: tuple[tuple[time, time], ...] = DEFAULT_OFFICE_HOURS,
        cutoff: time = DEFAULT_CUTOFF,
    ) -> Calendar:
        """Vietnamese public holidays (``holidays`` package) with ``overrides`` layered on top."""
        return cls(StatutoryRules(overrides or CalendarOverrides()), office_hours, cutoff)

    @classmethod
    def fixed(
        cls,
        holidays: Mapping[date, str] | Iterable[date] = (),
        extra_working_days: Mapping[date, str] | Iterable[date] = (),
        office_hours: tuple[tuple[time, time], ...] = DEFAULT_OFFICE_HOURS,
        cutoff: time = DEFAULT_CUTOFF,
    ) -> Calendar:
        """Exactly these days off and extra working days, on top of Monday–Friday; nothing statutory."""
        rules = FixedRules(
            _named_dates(holidays, DEFAULT_DAY_OFF_NAME),
            _named_dates(extra_working_days, DEFAULT_WORKING_DAY_NAME),
        )
        return cls(rules, office_hours, cutoff)

    @classmethod
    def from_json(cls, obj: Any) -> Calendar:
        """A fixed calendar from a decoded JSON object (the ``--calendar FILE`` format).

        ``{"holidays": ["2026-01-01", …] | {"2026-01-01": "Tết Dương lịch", …},
        "extra_working_days": [...], "office_hours": [["07:30","11:30"], …], "cutoff": "15:00"}``;
        every key is optional.
        """
        if not isinstance(obj, Mapping):
            raise CalendarError(
                f'Tệp lịch phải là một đối tượng JSON (dạng {{"holidays": [...], ...}}), '
                f"nhận được {_json_kind(obj)}."
            )
        unknown = [k for k in obj if k not in _JSON_KEYS]
        if unknown:
            raise CalendarError(
                f"Tệp lịch có khóa không được hỗ trợ: {', '.join(_show(k) for k in unknown)}. "
                f"Các khóa hợp lệ: {', '.join(_JSON_KEYS)}."
            )
        holidays = _parse_dates(obj.get("holidays", []), "holidays", DEFAULT_DAY_OFF_NAME)
        extra = _parse_dates(
            obj.get("extra_working_days", []), "extra_working_days", DEFAULT_WORKING_DAY_NAME
        )
        office_hours = _parse_windows(obj["office_hours"]) if "office_hours" in obj else DEFAULT_OFFICE_HOURS
        cutoff = _parse_time(obj["cutoff"], "cutoff") if "cutoff" in obj else DEFAULT_CUTOFF
        return cls.fixed(holidays, extra, office_hours, cutoff)

    # -- days --------------------------------------------------------------------------------------

    def year_rules(self, year: int) -> YearRules:
        """Days off and extra working days of ``year`` (computed once per calendar and year)."""
        cached = self._years.get(year)
        if cached is None:
            cached = self.rules(year)
            self._years[year] = cached
        return cached

    def days_off(self, year: int) -> list[tuple[date, str]]:
        """Every listed day off of ``year`` with its Vietnamese name, by date; weekends are not listed."""
        return sorted(self.year_rules(year).days_off.items())

    def extra_working_days(self, year: int) -> list[tuple[date, str]]:
        """Weekend days of ``year`` that are worked (make-up days), by date."""
        return sorted(self.year_rules(year).extra_working_days.items())

    def day_off_name(self, day: date) -> str | None:
        """Why ``day`` is off, when it is a listed day off (not for an ordinary weekend)."""
        day = _as_date(day)
        return self.year_rules(day.year).days_off.get(day)

    def is_working_day(self, day: date) -> bool:
        day = _as_date(day)
        rules = self.year_rules(day.year)
        if day in rules.days_off:
            return False
        return day.weekday() < 5 or day in rules.extra_working_days

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        start = _as_date(day)
        current = start
        for _ in range(_SEARCH_HORIZON_DAYS):
            current += timedelta(days=1)
            if self.is_working_day(current):
                return current
        raise CalendarError(
            f"Lịch không có ngày làm việc nào trong khoảng mười năm sau ngày {start:%d/%m/%Y}."
        )

    def working_day_on_or_after(self, day: date) -> date:
        day = _as_date(day)
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day``; ``n == 0`` gives ``day`` itself."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise CalendarError(f"Số ngày làm việc phải là số nguyên không âm, nhận được: {n!r}.")
        start = _as_date(day)
        if n == 0:
            return start
        first = start + timedelta(days=1)  # OverflowError on 31/12/9999, as one step of the walk
        year = first.year
        index = self._year_index(year)
        # The answer is the ``wanted``-th working day of ``year``, once whole years are skipped.
        wanted = index.before[first.toordinal() - index.first] + n
        while wanted > index.total:
            if index.total == 0:
                # Only a year without one working day can hide a gap longer than the search
                # horizon; the walk reports it exactly as next_working_day does.
                return self._walk_working_days(start, n)
            wanted -= index.total
            year += 1
            if year > MAXYEAR:
                raise OverflowError("date value out of range")
            index = self._year_index(year)
        return date.fromordinal(index.first + bisect_left(index.before, wanted) - 1)

    def _walk_working_days(self, start: date, n: int) -> date:
        current = start
        for _ in range(n):
            current = self.next_working_day(current)
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]; 0 when ``end`` is not after ``start``."""
        first, last = _as_date(start), _as_date(end)
        if last <= first:
            return 0
        first += timedelta(days=1)  # now counting [first, last]
        head = self._year_index(first.year)
        skipped = head.before[first.toordinal() - head.first]
        if last.year == first.year:
            return head.before[last.toordinal() - head.first + 1] - skipped
        count = head.total - skipped
        for year in range(first.year + 1, last.year):
            count += self._year_index(year).total
        tail = self._year_index(last.year)
        return count + tail.before[last.toordinal() - tail.first + 1]

    def _year_index(self, year: int) -> _YearIndex:
        """Prefix counts of the working days of ``year`` (built once per calendar and year)."""
        index = self._indexes.get(year)
        if index is None:
            rules = self.year_rules(year)
            days_off, extra = rules.days_off, rules.extra_working_days
            first = date(year, 1, 1).toordinal()
            end = date(year + 1, 1, 1).toordinal() if year < MAXYEAR else date.max.toordinal() + 1
            # Unsigned 16-bit counts: 2 bytes a day, about 0.8 KB a year.
            before = array("H", [0])
            count = 0
            for ordinal in range(first, end):
                day = date.fromordinal(ordinal)
                # The rule of is_working_day: a listed day off beats everything else.
                if day not in days_off and (day.weekday() < 5 or day in extra):
                    count += 1
                before.append(count)
            index = _YearIndex(first, before)
            self._indexes[year] = index
        return index

    # -- hours -------------------------------------------------------------------------------------

    @property
    def seconds_per_day(self) -> int:
        """Office seconds in one working day (every working day has the same windows)."""
        return self._seconds_per_day

    def windows(self, day: date) -> list[tuple[datetime, datetime]]:
        """The office windows of ``day`` as aware datetimes; empty when ``day`` is not a working day."""
        day = _as_date(day)
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, start, tzinfo=TZ), datetime.combine(day, end, tzinfo=TZ))
            for start, end in self.office_hours
        ]

    def opening(self, day: date) -> datetime:
        """Start of the first office window of a working day."""
        day = self._require_working(day)
        return datetime.combine(day, self.office_hours[0][0], tzinfo=TZ)

    def closing(self, day: date) -> datetime:
        """End of the last office window of a working day (the moment a day-based deadline falls)."""
        day = self._require_working(day)
        return datetime.combine(day, self.office_hours[-1][1], tzinfo=TZ)

    def _require_working(self, day: date) -> date:
        day = _as_date(day)
        if not self.is_working_day(day):
            reason = self.day_off_name(day)
            suffix = f" ({reason})" if reason else ""
            raise CalendarError(f"Ngày {day:%d/%m/%Y} không phải ngày làm việc{suffix}.")
        return day


# -- JSON parsing ----------------------------------------------------------------------------------


def _show(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"giá trị logic {_show(value)}"
    if isinstance(value, int | float):
        return f"số {_show(value)}"
    if isinstance(value, str):
        return f"chuỗi {_show(value)}"
    if isinstance(value, list | tuple):
        return "một danh sách"
    if isinstance(value, Mapping):
        return "một đối tượng"
    return f"giá trị kiểu {type(value).__name__}"


def _parse_date(value: Any, key: str) -> date:
    if not isinstance(value, str):
        raise CalendarError(
            f'Ngày trong «{key}» phải là chuỗi dạng "YYYY-MM-DD", nhận được {_json_kind(value)}.'
        )
    try:
        if not _DATE_RE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise CalendarError(
            f'Ngày không hợp lệ trong «{key}»: {_show(value)}; cần dạng "YYYY-MM-DD", ví dụ "2026-09-02".'
        ) from None


def _parse_dates(value: Any, key: str, default_name: str) -> dict[date, str]:
    if isinstance(value, Mapping):
        named: dict[date, str] = {}
        for raw, name in value.items():
            day = _parse_date(raw, key)
            if not isinstance(name, str):
                raise CalendarError(
                    f"Tên của ngày {raw} trong «{key}» phải là chuỗi, nhận được {_json_kind(name)}."
                )
            named[day] = name.strip() or default_name
        return named
    if not isinstance(value, list):
        raise CalendarError(
            f'«{key}» phải là danh sách ngày dạng "YYYY-MM-DD" (hoặc đối tượng ngày → tên), '
            f"nhận được {_json_kind(value)}."
        )
    return {_parse_date(item, key): default_name for item in value}


def _parse_time(value: Any, key: str) -> time:
    if not isinstance(value, str) or not _TIME_RE.fullmatch(value):
        raise CalendarError(
            f'Giờ không hợp lệ trong «{key}»: {_show(value)}; cần dạng "HH:MM" (24 giờ), ví dụ "15:00".'
        )
    return time.fromisoformat(value)


def _parse_windows(value: Any) -> tuple[tuple[time, time], ...]:
    if not isinstance(value, list) or not value:
        raise CalendarError(
            "«office_hours» phải là danh sách khung giờ không rỗng, "
            f'ví dụ [["07:30", "11:30"], ["13:30", "17:00"]]; nhận được {_show(value)}.'
        )
    windows: list[tuple[time, time]] = []
    for window in value:
        if not isinstance(window, list) or len(window) != 2:
            raise CalendarError(
                f"Khung giờ trong «office_hours» phải gồm đúng hai giờ [mở, đóng], nhận được {_show(window)}."
            )
        windows.append((_parse_time(window[0], "office_hours"), _parse_time(window[1], "office_hours")))
    # Order and overlap are checked by Calendar itself, with the same message for every constructor.
    return tuple(windows)
