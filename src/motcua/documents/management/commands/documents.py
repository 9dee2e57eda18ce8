"""Documents from the command line:

- ``form 01|02|03|04|05 --dossier CODE --output FILE.pdf``: one official form of a dossier, issued (and
  kept with the dossier) if it was not yet;
- ``demo-ca [--force]``: the demo certification authority and timestamp authority (``MOTCUA_SIGNING_DIR``);
- ``sign FILE.pdf --output OUT.pdf --signer USERNAME [--organisation UNIT_CODE]``: sign a file with the
  officer's key (and the unit's), timestamped — the demo CA's keys or the PKCS#11 token's;
- ``verify FILE.pdf [--json]``: is it genuine (exit 0) or not (exit 1);
- ``tsa --port 8091``: the RFC 3161 timestamp authority as an HTTP server (``MOTCUA_TSA_URL``);
- ``retention --due [--on DATE] [--output FILE.csv|FILE.zip] [--json]``: the files whose retention period
  has run out, exported with their metadata (``documents.retention``)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, User
from motcua.documents import forms, pki, services, signing, tsa, verify


class Command(BaseCommand):
    help = "Giấy tờ của hồ sơ: in biểu mẫu (Mẫu 01–05) ra tệp PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        form = sub.add_parser("form", help="một biểu mẫu của hồ sơ ra tệp PDF")
        form.add_argument(
            "number",
            choices=forms.FORM_KEYS,
            help="mẫu số: 01 tiếp nhận, 02 bổ sung, 03 từ chối, 04 xin lỗi, 05 kiểm soát",
        )
        form.add_argument("--dossier", required=True, help="mã hồ sơ")
        form.add_argument("--event", type=int, default=None, help="số sự kiện (mặc định: lần gần nhất)")
        form.add_argument("--output", required=True, help="tệp PDF ghi ra")
        ca = sub.add_parser("demo-ca", help="tạo CA và máy chủ dấu thời gian thử nghiệm")
        ca.add_argument("--force", action="store_true", help="tạo lại (chữ ký cũ sẽ không còn được tin cậy)")
        sign = sub.add_parser("sign", help="ký số một tệp PDF")
        sign.add_argument("file")
        sign.add_argument("--output", required=True)
        sign.add_argument("--signer", required=True, help="tên đăng nhập của cán bộ ký")
        sign.add_argument("--organisation", default="", help="mã đơn vị ký thay mặt cơ quan")
        sign.add_argument("--reason", default="Ký số văn bản")
        check = sub.add_parser("verify", help="kiểm tra tính xác thực của một tệp PDF")
        check.add_argument("file")
        check.add_argument("--json", action="store_true")
        keep = sub.add_parser("retention", help="giấy tờ đến hạn nộp lưu, thẩm định (hết thời hạn bảo quản)")
        keep.add_argument("--due", action="store_true", required=True, help="chỉ những giấy tờ đã đến hạn")
        keep.add_argument("--on", default="", help="ngày xét (YYYY-MM-DD; mặc định: hôm nay)")
        keep.add_argument("--output", default="", help="tệp CSV, hoặc ZIP kèm các tệp")
        keep.add_argument("--json", action="store_true")
        server = sub.add_parser("tsa", help="máy chủ cấp dấu thời gian (RFC 3161) thử nghiệm")
        server.add_argument("--host", default="127.0.0.1")
        server.add_argument("--port", type=int, default=8091)

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "demo-ca":
            root, authority = pki.create_demo_ca(force=options["force"])
            self.stdout.write(
                f"CA thử nghiệm: {root.cert_path} (hết hạn {root.certificate.not_valid_after_utc:%d/%m/%Y}); "
                f"máy chủ dấu thời gian: {authority.cert_path}"
            )
            return
        if what == "sign":
            self._sign(options)
            return
        if what == "verify":
            self._verify(options)
            return
        if what == "tsa":
            self._tsa(options)
            return
        if what == "retention":
            self._retention(options)
            return
        try:
            document = services.issue_unscoped(options["dossier"], options["number"], options["event"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        out = Path(options["output"])
        out.write_bytes(services.content(document))
        self.stdout.write(
            f"{document.title}: {document.pages} trang, {document.size:,} byte, "
            f"SHA-256 {document.sha256} → {out}"
        )

    def _sign(self, options: dict[str, Any]) -> None:
        user = User.objects.select_related("primary_unit").filter(username=options["signer"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"Không có cán bộ {options['signer']}.")
        name = user.full_name or user.get_username()
        unit_name = user.primary_unit.name if user.primary_unit else ""
        unit = None
        if options["organisation"]:
            found = OrgUnit.objects.filter(code=options["organisation"]).first()
            if found is None:
                raise CommandError(f"Không có đơn vị mã {options['organisation']}.")
            unit = (found.code, found.name)
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được {options['file']}: {exc.strerror}") from None
        from motcua.documents.results import check_pdf

        try:
            check_pdf(data)
            with signing.parties((user.get_username(), name, unit_name), unit) as parties:
                signed = signing.sign(data, parties, reason=options["reason"], location="Hải Phòng")
        except DomainError as exc:
            raise CommandError(exc.message) from None
        Path(options["output"]).write_bytes(signed)
        self.stdout.write(f"Đã ký: {', '.join(p.name for p in parties)} → {options['output']}")

    def _verify(self, options: dict[str, Any]) -> None:
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được {options['file']}: {exc.strerror}") from None
        try:
            report = verify.verify(data)
        except verify.NotVerifiable as exc:
            if options["json"]:
                out = {
                    "genuine": False,
                    "issued_by_us": False,
                    "revoked": False,
                    "signatures": [],
                    "verdict": exc.message,
                }
                self.stdout.write(json.dumps(out, ensure_ascii=False))
            else:
                self.stderr.write(exc.message)
            sys.exit(1)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(report.verdict)
            for s in report.signatures:
                at = f"{s.signed_at:%d/%m/%Y %H:%M:%S %Z}" if s.signed_at else "—"
                state = "hợp lệ" if s.valid and s.trusted else (s.problem or "không hợp lệ")
                self.stdout.write(f"  • {s.signer} ({s.organisation}) ký lúc {at}: {state}")
        if not report.genuine:
            sys.exit(1)

    def _tsa(self, options: dict[str, Any]) -> None:
        try:
            server = tsa.serve(options["host"], options["port"], verbose=True)
        except pki.CertificateAuthorityMissing as exc:
            raise CommandError(str(exc)) from None
        host, port = server.server_address[:2]
        self.stdout.write(f"Máy chủ dấu thời gian RFC 3161: http://{host}:{port}/ (Ctrl-C để dừng)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            server.shutdown()

    def _retention(self, options: dict[str, Any]) -> None:
        from datetime import date

        from django.utils import timezone

        from motcua.documents import retention
        from motcua.workdays.domain import to_local

        try:
            on = date.fromisoformat(options["on"]) if options["on"] else to_local(timezone.now()).date()
        except ValueError:
            raise CommandError(f"Ngày “{options['on'][:20]}” không hợp lệ (YYYY-MM-DD).") from None
        items = retention.due(on)
        if options["output"]:
            try:
                retention.write(items, Path(options["output"]))
            except OSError as exc:
                raise CommandError(f"Không ghi được {options['output']}: {exc}") from None
        if options["json"]:
            by_kind: dict[str, int] = {}
            for item in items:
                by_kind[item.kind] = by_kind.get(item.kind, 0) + 1
            out = {"on": on.isoformat(), "due": len(items), "by_kind": by_kind, "output": options["output"]}
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.stdout.write(f"{len(items)} giấy tờ đến hạn nộp lưu, thẩm định vào ngày {on:%d/%m/%Y}.")
        for item in items[:50]:
            self.stdout.write(f"  {item.due:%d/%m/%Y}  {item.kind:<15} {item.dossier}  {item.title[:60]}")
        if len(items) > 50:
            self.stdout.write(f"  … và {len(items) - 50} giấy tờ khác (dùng --output để xuất đủ).")
