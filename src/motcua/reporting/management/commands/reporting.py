"""``motcua reporting generate-periods|simulator|send-pending``: the reporting regime from the command line.

Machine output (JSON) goes alone to stdout, messages to stderr; a refusal exits non-zero.

    motcua reporting generate-periods [--today 2026-03-20] [--json]
    motcua reporting simulator --port 8090 [--host 127.0.0.1] [--store FILE] [--token T] [--fail-first N]
    motcua reporting send-pending [--endpoint URL] [--json]      # default endpoint: $REPORTING_ENDPOINT
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from motcua.core.audit import acting_as

CLI_ACTOR = "dòng lệnh motcua reporting"


class Command(BaseCommand):
    help = "Chế độ báo cáo: tạo kỳ báo cáo, chạy hệ thống báo cáo mô phỏng, gửi báo cáo tổng hợp chờ gửi."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser(
            "generate-periods", help="Tạo các kỳ báo cáo còn thiếu (đến kỳ đang chốt số liệu)."
        )
        gen.add_argument("--today", default=None, help="Ngày YYYY-MM-DD (mặc định hôm nay).")
        gen.add_argument("--json", action="store_true")

        sim = sub.add_parser("simulator", help="Chạy hệ thống báo cáo mô phỏng (máy chủ HTTP).")
        sim.add_argument("--host", default="127.0.0.1")
        sim.add_argument("--port", type=int, default=8090)
        sim.add_argument("--store", default=None, help="Tệp JSON-lines ghi các báo cáo nhận được.")
        sim.add_argument("--token", default="", help="Yêu cầu Authorization: Bearer TOKEN.")
        sim.add_argument("--fail-first", type=int, default=0, help="Trả 503 cho N lần gửi đầu (thử gửi lại).")

        send = sub.add_parser("send-pending", help="Gửi các báo cáo tổng hợp đang chờ trong hàng đợi.")
        send.add_argument("--endpoint", default=None, help="Địa chỉ nhận (mặc định: REPORTING_ENDPOINT).")
        send.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "simulator":
            self._simulator(options)
            return
        with acting_as(None, label=CLI_ACTOR):
            if action == "generate-periods":
                self._generate(options)
            else:
                self._send(options)

    def _generate(self, options: dict[str, Any]) -> None:
        from motcua.reporting.services import generate_periods

        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError:
            raise CommandError(f"“{options['today']}” không phải ngày dạng YYYY-MM-DD.") from None
        created = generate_periods(today)
        if options["json"]:
            self.stdout.write(json.dumps({"created": created}))
        print(f"Đã tạo {created} kỳ báo cáo.", file=sys.stderr)

    def _send(self, options: dict[str, Any]) -> None:
        # The outbox's delivery engine sends every channel (``motcua integrations send-pending``).
        if options["endpoint"]:
            settings.REPORTING_ENDPOINT = options["endpoint"]
        if not settings.REPORTING_ENDPOINT:
            raise CommandError("Chưa cấu hình địa chỉ nhận: đặt REPORTING_ENDPOINT hoặc dùng --endpoint URL.")
        extra = ["--json"] if options["json"] else []
        call_command("integrations", "send-pending", "--topic", "baocao", *extra, stdout=self.stdout)

    def _simulator(self, options: dict[str, Any]) -> None:
        args = [
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--fail-first",
            str(options["fail_first"]),
        ]
        if options["store"]:
            args += ["--store", options["store"]]
        if options["token"]:
            args += ["--token", options["token"]]
        call_command("integrations", "simulator", "baocao", *args)
