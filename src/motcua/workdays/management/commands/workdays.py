"""``motcua workdays holidays YEAR`` and ``motcua workdays due …``: the calendar from the command line.

Both work without a migrated database; they then use the statutory calendar only.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.workdays.domain import TZ, Calendar, CalendarError, LimitUnit, compute_due


def _iso(moment: datetime) -> str:
    return moment.astimezone(TZ).isoformat(timespec="seconds")


def _parse_received(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise CommandError(
            f"--received “{raw}” không phải thời điểm hợp lệ; dùng dạng 2026-11-27T16:10 (giờ Việt Nam) "
            "hoặc kèm múi giờ, ví dụ 2026-11-27T16:10+07:00."
        ) from exc
    return moment.replace(tzinfo=TZ) if moment.tzinfo is None else moment


def _load_calendar_file(path: str) -> Calendar:
    file = Path(path)
    try:
        obj = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CommandError(f"Không tìm thấy tệp lịch “{path}”.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Không đọc được tệp lịch “{path}”: {exc}.") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"Tệp lịch “{path}” không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})."
        ) from exc
    try:
        return Calendar.from_json(obj)
    except CalendarError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = "Lịch làm việc: liệt kê ngày nghỉ, tính hạn giải quyết theo ngày/giờ làm việc."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        holidays = sub.add_parser("holidays", help="Các ngày nghỉ trong năm (lễ, Tết, nghỉ bù, hoán đổi).")
        holidays.add_argument("year", type=int)
        holidays.add_argument("--json", action="store_true", help="In JSON ra stdout.")
        holidays.add_argument("--calendar", help="Tệp JSON thay thế toàn bộ lịch mặc định.")
        due = sub.add_parser("due", help="Tính thời điểm tiếp nhận có hiệu lực và hạn trả kết quả.")
        due.add_argument("--received", required=True, help="Thời điểm tiếp nhận, ví dụ 2026-11-27T16:10.")
        due.add_argument("--limit", default="0", help="Thời hạn (số không âm; giờ làm việc được có số lẻ).")
        due.add_argument("--unit", required=True, help=", ".join(u.value for u in LimitUnit))
        due.add_argument("--calendar", help="Tệp JSON thay thế toàn bộ lịch mặc định.")
        due.add_argument("--json", action="store_true", help="In JSON ra stdout.")

    def _calendar(self, options, on: date) -> Calendar:
        if options.get("calendar"):
            return _load_calendar_file(options["calendar"])
        from motcua.workdays.services import default_calendar

        calendar, used_db = default_calendar(on)
        if not used_db and options["verbosity"] > 1:
            self.stderr.write("Chưa có cơ sở dữ liệu: dùng lịch nghỉ theo luật.")
        return calendar

    def handle(self, *args, **options):
        if options["action"] == "holidays":
            self._holidays(options)
        else:
            self._due(options)

    def _holidays(self, options) -> None:
        year = options["year"]
        if not 1900 <= year <= 2200:
            raise CommandError("Năm phải trong khoảng 1900–2200.")
        calendar = self._calendar(options, date(year, 1, 1))
        try:
            days = calendar.days_off(year)
        except CalendarError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps([{"date": d.isoformat(), "name": n} for d, n in days], ensure_ascii=False)
            )
            return
        for day, name in days:
            self.stdout.write(f"{day:%d/%m/%Y}  {name}")

    def _due(self, options) -> None:
        received = _parse_received(options["received"])
        calendar = self._calendar(options, received.astimezone(TZ).date())
        try:
            deadline = compute_due(calendar, received, options["limit"], options["unit"])
        except CalendarError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"effective_received": _iso(deadline.effective_received), "due": _iso(deadline.due)}
                )
            )
            return
        self.stdout.write(
            f"Tiếp nhận có hiệu lực: {deadline.effective_received.astimezone(TZ):%H:%M %d/%m/%Y}"
        )
        self.stdout.write(f"Hạn trả kết quả:       {deadline.due.astimezone(TZ):%H:%M %d/%m/%Y}")
