"""``motcua payments reconcile [--day YYYY-MM-DD] [--fix] [--json]``: the day's online payments compared
with the gateway (``payments.reconcile``); ``--fix`` settles the payments the gateway took but whose
notification was lost. Exit 1 when differences remain."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.core.audit import acting_as


class Command(BaseCommand):
    help = "Thanh toán trực tuyến: đối soát trong ngày với cổng thanh toán."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("reconcile", help="Đối soát các giao dịch trong ngày với cổng thanh toán.")
        rec.add_argument("--day", default=None, help="Ngày YYYY-MM-DD (mặc định hôm nay).")
        rec.add_argument(
            "--fix", action="store_true", help="Ghi nhận các giao dịch cổng đã thu mà hệ thống chưa biết."
        )
        rec.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.payments.reconcile import daily

        try:
            day = date.fromisoformat(options["day"]) if options["day"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"“{options['day']}” không phải ngày dạng YYYY-MM-DD.") from None
        with acting_as(None, label="đối soát thanh toán trực tuyến"):
            report = daily(day, fix=options["fix"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        print(
            f"Ngày {day:%d/%m/%Y}: {len(report.lines)} giao dịch, hệ thống ghi nhận {report.paid_here:,} đ, "
            f"cổng đã thu {report.paid_at_gateway:,} đ; {len(report.differences)} chênh lệch, "
            f"đã xử lý {len(report.fixed)}.".replace(",", "."),
            file=sys.stderr,
        )
        if report.differences and not report.fixed:
            sys.exit(1)
