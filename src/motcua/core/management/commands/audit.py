import json

from django.core.management.base import BaseCommand, CommandError

from motcua.core.audit import verify_chain


class Command(BaseCommand):
    help = "Nhật ký hệ thống: `motcua audit verify` kiểm tra chuỗi băm của toàn bộ nhật ký."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="Kiểm tra chuỗi băm; mã thoát khác 0 nếu có bản ghi bị sửa/xóa."
        )
        verify.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        report = verify_chain()
        if options.get("json"):
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "checked": report.checked,
                        "first_bad_id": report.first_bad_id,
                        "problem": report.problem,
                    },
                    ensure_ascii=False,
                )
            )
        if not report.ok:
            where = f" tại bản ghi #{report.first_bad_id}" if report.first_bad_id else ""
            raise CommandError(
                f"Chuỗi nhật ký bị phá vỡ{where}: {report.problem} "
                f"({report.checked} bản ghi hợp lệ trước đó)."
            )
        self.stderr.write(f"Chuỗi nhật ký nguyên vẹn: {report.checked} bản ghi.")
