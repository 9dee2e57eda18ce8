"""``motcua directives import-plan|remind``: task tracking from the command line.

Machine output (JSON) goes alone to stdout, messages to stderr; a refusal exits non-zero with a
Vietnamese message naming the place (line or table row).

    motcua directives import-plan FILE.docx|FILE.txt [--json] [--dry-run] [--strict-units]
        [--number 3327/KH-UBND] [--date 2022-12-07] [--issuer …] [--summary …] [--office UNIT_CODE]
    motcua directives remind [--now 2026-11-27T08:00+07:00]
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.core.audit import acting_as
from motcua.core.errors import DomainError

CLI_ACTOR = "dòng lệnh motcua directives"


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(f"“{value}” không phải ngày dạng YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Theo dõi nhiệm vụ: nhập kế hoạch (bảng nhiệm vụ), gửi nhắc hạn."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-plan", help="Nhập văn bản và bảng nhiệm vụ từ tệp .docx hoặc .txt.")
        imp.add_argument("file", help="Tệp kế hoạch (.docx hoặc .txt).")
        imp.add_argument("--json", action="store_true", help="In kết quả JSON ra stdout.")
        imp.add_argument("--dry-run", action="store_true", help="Chỉ đọc và đối chiếu, không lưu.")
        imp.add_argument(
            "--strict-units", action="store_true", help="Từ chối cả tệp khi có tên cơ quan không khớp đơn vị."
        )
        imp.add_argument("--number", default="", help="Số, ký hiệu văn bản (khi tệp không ghi).")
        imp.add_argument("--date", type=_date, help="Ngày ban hành YYYY-MM-DD (khi tệp không ghi).")
        imp.add_argument("--issuer", default="", help="Cơ quan, người ban hành.")
        imp.add_argument("--summary", default="", help="Trích yếu.")
        imp.add_argument("--office", default="", help="Mã đơn vị theo dõi (mặc định: Văn phòng UBND).")

        rem = sub.add_parser("remind", help="Gửi nhắc hạn nhiệm vụ (việc định kỳ cũng làm việc này).")
        rem.add_argument("--now", default=None, help="Thời điểm ISO 8601 (để chạy lại, kiểm thử).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with acting_as(None, label=CLI_ACTOR):
                if options["action"] == "import-plan":
                    self._import(options)
                else:
                    self._remind(options)
        except DomainError as exc:
            lines = [exc.message]
            if isinstance(exc.details, list):
                lines += [f"  - {d['place']}: {d['problem']}" for d in exc.details if isinstance(d, dict)]
            raise CommandError("\n".join(lines)) from exc

    def _import(self, options: dict[str, Any]) -> None:
        from motcua.core.models import OrgUnit
        from motcua.directives.planparse import PlanError
        from motcua.directives.reading import read_plan
        from motcua.directives.services import DocumentFields, import_plan

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp “{path}”.")
        try:
            plan = read_plan(path.read_bytes(), path.name)
        except PlanError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        office = None
        if options["office"]:
            office = OrgUnit.objects.filter(code=options["office"]).first()
            if office is None:
                raise CommandError(f"Không có đơn vị mã “{options['office']}”.")
        report = import_plan(
            plan,
            source_file=path.name,
            dry_run=options["dry_run"],
            strict_units=options["strict_units"],
            assigning_unit=office,
            document=DocumentFields(
                number=options["number"],
                issued_on=options["date"],
                issuer=options["issuer"],
                summary=options["summary"],
            ),
        )
        for warning in report.warnings:
            self.stderr.write(f"{path.name}, {warning}")
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for task in plan.tasks:
                due = (
                    task.deadline.date.strftime("%d/%m/%Y")
                    if task.deadline.date
                    else task.deadline.recurrence or "—"
                )
                self.stdout.write(
                    f"{task.section}\t{task.number}\t{due}\t{task.content.splitlines()[0][:90]}"
                )
        self.stderr.write(report.summary())

    def _remind(self, options: dict[str, Any]) -> None:
        from motcua.directives.tasks import send_reminders

        counts = send_reminders.call(options["now"])
        self.stderr.write(
            f"Nhắc hạn: {counts['before']} sắp đến hạn, {counts['overdue']} quá hạn, "
            f"{counts['periods']} kỳ mới."
        )
