"""``motcua integrations …``: the outbox and the local simulators of the national systems.

Machine output (JSON) goes alone to stdout, messages to stderr; a refusal exits non-zero.

    motcua integrations send-pending [--topic T …] [--retry-now] [--json]
    motcua integrations replay --topic T (--key K | --dead) [--json]
    motcua integrations status [--json]
    motcua integrations simulator dvcqg --port 8092 [--store FILE] [--fail-first N] [--down-seconds S]
                                        [--slow-ms M] [--session-seconds S] [--username U] [--password P]
    motcua integrations simulator baocao --port 8090 [--store FILE] [--token T] [--fail-first N]
    motcua integrations simulator paygate --port 8094 --merchant M --secret S --ipn-url URL
                                          [--ipn-fail-first N] [--store FILE]
    motcua integrations simulator phone --port 8027 [--token T] [--store FILE]
    motcua integrations simulator smtp --port 8025 --http-port 8026 [--store FILE] [--refuse ADDRESS …]
    motcua integrations simulator vneid --port 8095 [--issuer URL] [--client-id ID --client-secret S]
                                        [--redirect-uri URI …] [--redirect-prefix URL …] [--people FILE]
                                        [--key-file F] [--password P] [--down-seconds S] [--slow-ms M]
    motcua integrations simulator population --port 8096 [--people FILE] [--key K] [--down-seconds S]
                                             [--slow-ms M]

Delivery runs continuously in ``motcua worker``; ``send-pending`` is for operators and tests.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.core.audit import acting_as

CLI_ACTOR = "dòng lệnh motcua integrations"


class Command(BaseCommand):
    help = "Hàng đợi thông điệp gửi hệ thống khác (gửi, gửi lại, tình trạng) và các hệ thống mô phỏng."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send-pending", help="Gửi các thông điệp đến hạn (một lượt, đến khi hết).")
        send.add_argument(
            "--topic", action="append", default=None, help="Kênh (dvcqg, baocao) hoặc loại thông điệp."
        )
        send.add_argument("--retry-now", action="store_true", help="Gửi ngay cả thông điệp đang chờ gửi lại.")
        send.add_argument("--json", action="store_true")

        replay = sub.add_parser(
            "replay", help="Đưa thông điệp lỗi (hoặc mọi thông điệp của một khóa) về hàng đợi."
        )
        replay.add_argument("--topic", required=True, help="Kênh hoặc loại thông điệp.")
        which = replay.add_mutually_exclusive_group(required=True)
        which.add_argument("--key", help="Khóa (mã hồ sơ): gửi lại mọi thông điệp của khóa này.")
        which.add_argument("--dead", action="store_true", help="Gửi lại mọi thông điệp đang lỗi.")
        replay.add_argument("--json", action="store_true")

        status = sub.add_parser("status", help="Số thông điệp theo kênh và trạng thái; tình trạng các kênh.")
        status.add_argument("--json", action="store_true")

        sim = sub.add_parser("simulator", help="Chạy một hệ thống mô phỏng (máy chủ HTTP thật).")
        systems = sim.add_subparsers(dest="system", required=True)
        dv = systems.add_parser("dvcqg", help="Cổng Dịch vụ công quốc gia mô phỏng.")
        dv.add_argument("--host", default="127.0.0.1")
        dv.add_argument("--port", type=int, default=8092)
        dv.add_argument("--store", default=None, help="Tệp JSON-lines ghi mỗi lần gọi được chấp nhận.")
        dv.add_argument("--incoming", default=None, help="Tệp JSON-lines hồ sơ công dân đã nộp trên Cổng.")
        dv.add_argument("--fail-first", type=int, default=0, help="Trả lỗi 500 cho N lần gọi dịch vụ đầu.")
        dv.add_argument("--down-seconds", type=float, default=0, help="Ngừng hoạt động S giây đầu.")
        dv.add_argument("--slow-ms", type=int, default=0, help="Chờ M mili giây trước mỗi câu trả lời.")
        dv.add_argument("--session-seconds", type=float, default=1800, help="Thời hạn một phiên làm việc.")
        dv.add_argument("--username", default="motcua")
        dv.add_argument("--password", default="motcua")
        mail = systems.add_parser("smtp", help="Máy chủ thư điện tử mô phỏng có hộp thư xem trên web.")
        mail.add_argument("--host", default="127.0.0.1")
        mail.add_argument("--port", type=int, default=8025, help="Cổng SMTP (mặc định 8025).")
        mail.add_argument("--http-port", type=int, default=8026, help="Cổng trang hộp thư (mặc định 8026).")
        mail.add_argument("--store", default=None, help="Tệp JSON-lines ghi các thư nhận được.")
        mail.add_argument("--refuse", action="append", default=[], help="Địa chỉ trả lời 550 (lặp lại được).")
        pay = systems.add_parser("paygate", help="Cổng thanh toán trực tuyến mô phỏng.")
        pay.add_argument("--host", default="127.0.0.1")
        pay.add_argument("--port", type=int, default=8094)
        pay.add_argument("--merchant", default="MOTCUA01", help="Mã đơn vị chấp nhận thanh toán.")
        pay.add_argument("--secret", default="motcua-demo-secret", help="Khóa bí mật ký tham số (HMAC).")
        pay.add_argument("--ipn-url", default="", help="Địa chỉ nhận thông báo thanh toán của hệ thống.")
        pay.add_argument("--ipn-fail-first", type=int, default=0, help="Không gửi N thông báo đầu.")
        pay.add_argument("--store", default=None, help="Tệp JSON-lines ghi các giao dịch.")
        ph = systems.add_parser(
            "phone", help="Nhà cung cấp tin Zalo (ZNS) và SMS mô phỏng, có trang xem tin."
        )
        ph.add_argument("--host", default="127.0.0.1")
        ph.add_argument("--port", type=int, default=8027)
        ph.add_argument(
            "--token", default="motcua", help="Mã truy cập (access_token của OA, Bearer của SMS)."
        )
        ph.add_argument("--store", default=None, help="Tệp JSON-lines ghi các tin nhận được.")
        idp = systems.add_parser(
            "vneid", help="Hệ thống định danh điện tử (VNeID) mô phỏng: nhà cung cấp OpenID Connect."
        )
        idp.add_argument("--host", default="127.0.0.1")
        idp.add_argument("--port", type=int, default=8095)
        idp.add_argument("--issuer", default="", help="Định danh (issuer); mặc định http://HOST:PORT.")
        idp.add_argument("--client-id", default="motcua-demo", help="Mã ứng dụng được đăng ký.")
        idp.add_argument(
            "--client-secret", default="motcua-demo-vneid-secret", help="Khóa bí mật của ứng dụng."
        )
        idp.add_argument(
            "--redirect-uri", action="append", default=[], help="Địa chỉ quay về được đăng ký (lặp lại được)."
        )
        idp.add_argument(
            "--redirect-prefix",
            action="append",
            default=[],
            help="Tiền tố địa chỉ quay về được chấp nhận (lặp lại được). Không khai báo địa chỉ nào: "
            "chấp nhận mọi địa chỉ http://127.0.0.1:* và http://localhost:*.",
        )
        idp.add_argument("--people", default=None, help="Tệp JSON người dân mẫu (mặc định tệp kèm theo).")
        idp.add_argument(
            "--key-file", default=None, help="Tệp khóa ký RSA (PEM); chưa có thì tạo mới và ghi vào đó."
        )
        idp.add_argument("--password", default="123456", help="Mật khẩu mô phỏng của mọi người dân mẫu.")
        idp.add_argument("--down-seconds", type=float, default=0, help="Ngừng hoạt động S giây đầu.")
        idp.add_argument("--slow-ms", type=int, default=0, help="Chờ M mili giây trước mỗi câu trả lời.")
        pop = systems.add_parser("population", help="Cơ sở dữ liệu quốc gia về dân cư mô phỏng (tra cứu).")
        pop.add_argument("--host", default="127.0.0.1")
        pop.add_argument("--port", type=int, default=8096)
        pop.add_argument("--people", default=None, help="Tệp JSON người dân mẫu (mặc định tệp kèm theo).")
        pop.add_argument(
            "--key",
            default="motcua-demo-population-key",
            help="Khóa truy cập (X-Api-Key); rỗng: không yêu cầu.",
        )
        pop.add_argument("--down-seconds", type=float, default=0, help="Ngừng hoạt động S giây đầu.")
        pop.add_argument("--slow-ms", type=int, default=0, help="Chờ M mili giây trước mỗi câu trả lời.")
        bc = systems.add_parser("baocao", help="Hệ thống thông tin báo cáo quốc gia mô phỏng.")
        bc.add_argument("--host", default="127.0.0.1")
        bc.add_argument("--port", type=int, default=8090)
        bc.add_argument("--store", default=None, help="Tệp JSON-lines ghi các báo cáo nhận được.")
        bc.add_argument("--token", default="", help="Yêu cầu Authorization: Bearer TOKEN.")
        bc.add_argument("--fail-first", type=int, default=0, help="Trả 503 cho N lần gửi đầu.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "simulator":
            self._simulator(options)
            return
        with acting_as(None, label=CLI_ACTOR):
            getattr(self, "_" + action.replace("-", "_"))(options)

    def _out(self, options: dict[str, Any], data: Any, text: str) -> None:
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        print(text, file=sys.stderr)

    def _send_pending(self, options: dict[str, Any]) -> None:
        from motcua.integrations import delivery

        try:
            summary = delivery.send_pending(options["topic"], retry=options["retry_now"])
        except KeyError as exc:
            raise CommandError(f"Không có kênh hoặc loại thông điệp {exc}.") from None
        s = summary.as_dict()
        self._out(
            options,
            s,
            f"Đã gửi {s['delivered']}, lỗi tạm thời {s['failed']}, "
            f"chuyển sang lỗi {s['dead']}, còn chờ {s['pending']}.",
        )

    def _replay(self, options: dict[str, Any]) -> None:
        from motcua.integrations import delivery

        try:
            count = delivery.replay(options["topic"], key=options["key"], dead_only=options["dead"])
        except (KeyError, ValueError) as exc:
            raise CommandError(f"Không có kênh hoặc loại thông điệp {exc}.") from None
        self._out(options, {"replayed": count}, f"Đã đưa {count} thông điệp về hàng đợi.")

    def _status(self, options: dict[str, Any]) -> None:
        from motcua.integrations import selectors

        overview = selectors.overview()
        lines = [
            f"{c['label']} ({c['name']}): {'đã cấu hình' if c['configured'] else 'chưa cấu hình'}, "
            f"chờ {c['pending']}, đã gửi {c['delivered']}, lỗi {c['dead']}"
            + (f", tạm ngừng đến {c['open_until']}" if c["open_until"] else "")
            for c in overview
        ]
        self._out(options, overview, "\n".join(lines))

    def _simulator(self, options: dict[str, Any]) -> None:
        store = Path(options["store"]) if options.get("store") else None
        if options["system"] == "smtp":
            self._mail_server(options, store)
            return
        if options["system"] == "phone":
            from motcua.integrations.simulators import phone

            server = self._bind(phone.make_server, options, phone.Phones(options["token"], store))
            name = "Tin nhắn Zalo, SMS mô phỏng"
        elif options["system"] == "paygate":
            from motcua.integrations.simulators import paygate

            gateway = paygate.Gateway(
                options["merchant"],
                options["secret"],
                options["ipn_url"],
                store,
                ipn_fail_first=options["ipn_fail_first"],
            )
            server = self._bind(paygate.make_server, options, gateway)
            name = "Cổng thanh toán mô phỏng"
        elif options["system"] == "vneid":
            from motcua.integrations.simulators import vneid

            server = self._bind(vneid.make_server, options, self._provider(options))
            name = "Hệ thống định danh điện tử (VNeID) mô phỏng"
        elif options["system"] == "population":
            from motcua.integrations.simulators import population

            registry = population.Registry(
                self._people(options),
                key=options["key"],
                down_seconds=options["down_seconds"],
                slow_ms=options["slow_ms"],
            )
            server = self._bind(population.make_server, options, registry)
            name = "Cơ sở dữ liệu quốc gia về dân cư mô phỏng"
        elif options["system"] == "dvcqg":
            from motcua.integrations.simulators import dvcqg

            server, _ = self._bind(
                dvcqg.make_server,
                options,
                dvcqg.Portal(
                    store,
                    username=options["username"],
                    password=options["password"],
                    fail_first=options["fail_first"],
                    down_seconds=options["down_seconds"],
                    slow_ms=options["slow_ms"],
                    session_seconds=options["session_seconds"],
                    incoming=Path(options["incoming"]) if options["incoming"] else None,
                ),
            )
            name = "Cổng DVCQG mô phỏng"
        else:
            from motcua.integrations.simulators import baocao

            server, _ = self._bind(
                baocao.make_server,
                options,
                baocao.Store(store, fail_first=options["fail_first"], token=options["token"]),
            )
            name = "Hệ thống báo cáo mô phỏng"
        host, port = str(server.server_address[0]), server.server_address[1]
        print(f"{name} đang chạy tại http://{host}:{port}/ (Ctrl+C để dừng)", file=sys.stderr, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def _people(self, options: dict[str, Any]) -> Any:
        from motcua.integrations.simulators.people import load_people

        try:
            return load_people(Path(options["people"]) if options["people"] else None)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Không đọc được tệp người dân mẫu: {exc}") from None

    def _provider(self, options: dict[str, Any]) -> Any:
        from motcua.integrations.simulators import vneid

        try:
            key = vneid.load_key(Path(options["key_file"]) if options["key_file"] else None)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Không đọc được tệp khóa ký: {exc}") from None
        client = vneid.Client(
            options["client_id"],
            options["client_secret"],
            redirect_uris=tuple(options["redirect_uri"]),
            redirect_prefixes=tuple(options["redirect_prefix"]),
        )
        return vneid.Provider(
            [client],
            self._people(options),
            issuer=options["issuer"],
            key=key,
            password=options["password"],
            down_seconds=options["down_seconds"],
            slow_ms=options["slow_ms"],
        )

    def _mail_server(self, options: dict[str, Any], store: Path | None) -> None:
        from motcua.integrations.simulators import smtp

        mailbox = smtp.Mailbox(store, refuse=tuple(options["refuse"]))
        try:
            controller = smtp.start_smtp(mailbox, options["host"], options["port"])
            inbox = smtp.make_inbox(mailbox, options["host"], options["http_port"])
        except (OSError, RuntimeError) as exc:
            raise CommandError(
                f"Không mở được cổng {options['port']} hoặc {options['http_port']}: {exc}"
            ) from None
        print(
            f"Máy chủ thư mô phỏng: SMTP {options['host']}:{options['port']}, "
            f"hộp thư http://{options['host']}:{options['http_port']}/ (Ctrl+C để dừng)",
            file=sys.stderr,
            flush=True,
        )
        try:
            inbox.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            inbox.server_close()
            controller.stop()

    def _bind(self, make: Any, options: dict[str, Any], state: Any) -> Any:
        try:
            return make(options["host"], options["port"], state)
        except OSError as exc:
            raise CommandError(f"Không mở được cổng {options['port']}: {exc}") from None
