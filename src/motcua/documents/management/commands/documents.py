"""``motcua documents form 01|02|03|04|05 --dossier CODE --output FILE.pdf``: one official form of a
dossier, issued (and kept with the dossier) if it was not yet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.documents import forms, services


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

    def handle(self, *args: Any, **options: Any) -> None:
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
