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
from pathlib import Path
from typing import Any

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
        from motcua.reporting.adapter import configured_endpoint, send_pending

        endpoint = options["endpoint"] or configured_endpoint()
        if not endpoint:
            raise CommandError("Chưa cấu hình địa chỉ nhận: đặt REPORTING_ENDPOINT hoặc dùng --endpoint URL.")
        result = send_pending(endpoint)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        print(
            f"Đã gửi {len(result.delivered)}, chờ gửi lại {len(result.retrying)}, lỗi {len(result.dead)}.",
            file=sys.stderr,
        )

    def _simulator(self, options: dict[str, Any]) -> None:
        from motcua.reporting.simulator import Store, make_server

        store = Store(
            Path(options["store"]) if options["store"] else None,
            fail_first=options["fail_first"],
            token=options["token"],
        )
        try:
            server, _ = make_server(options["host"], options["port"], store)
        except OSError as exc:
            raise CommandError(f"Không mở được cổng {options['port']}: {exc}") from None
        host, port = str(server.server_address[0]), server.server_address[1]
        print(
            f"Hệ thống báo cáo mô phỏng đang chạy tại http://{host}:{port}/ (Ctrl+C để dừng)", file=sys.stderr
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
