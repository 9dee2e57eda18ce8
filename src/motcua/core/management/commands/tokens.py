"""``motcua tokens issue|revoke|list``: API tokens of systems (mã truy cập API).

    motcua tokens issue --user USERNAME --name "Cổng DVC tỉnh" [--days N | --no-expiry]
    motcua tokens revoke ID|PREFIX|TOKEN [...]
    motcua tokens list [--user USERNAME] [--all] [--json]

``issue`` prints the token alone on stdout (it is shown only this once; only its SHA-256 is kept);
messages go to stderr; any error exits non-zero with a Vietnamese message.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.core import tokens
from motcua.core.audit import acting_as
from motcua.core.errors import DomainError
from motcua.core.models import ApiToken, User
from motcua.core.permissions import active_assignments

CLI_ACTOR = "dòng lệnh motcua tokens"

STATUS_LABELS = {
    "active": "đang dùng",
    "expired": "hết hạn",
    "revoked": "đã thu hồi",
    "user_inactive": "tài khoản bị khóa",
}


def _local(moment: Any) -> str | None:
    return None if moment is None else timezone.localtime(moment).isoformat(timespec="seconds")


class Command(BaseCommand):
    help = "Mã truy cập API cho các hệ thống: cấp, thu hồi, liệt kê."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Cấp mã mới; in riêng mã ra stdout (chỉ hiện một lần).")
        issue.add_argument("--user", required=True, help="Tên đăng nhập của tài khoản dùng mã.")
        issue.add_argument("--name", required=True, help="Tên mã (hệ thống sẽ dùng mã).")
        expiry = issue.add_mutually_exclusive_group()
        expiry.add_argument(
            "--days",
            type=int,
            default=tokens.DEFAULT_DAYS,
            help=f"Số ngày hiệu lực (mặc định {tokens.DEFAULT_DAYS}, tối đa {tokens.MAX_DAYS}).",
        )
        expiry.add_argument("--no-expiry", action="store_true", help="Không hết hạn (đến khi thu hồi).")

        revoke = sub.add_parser("revoke", help="Thu hồi mã theo số thứ tự, phần đầu (mc_…) hoặc cả mã.")
        revoke.add_argument("references", nargs="+", metavar="ID|PREFIX|TOKEN")

        listing = sub.add_parser("list", help="Liệt kê mã truy cập (mặc định: mã còn dùng được).")
        listing.add_argument("--user", help="Chỉ mã của tài khoản này.")
        listing.add_argument("--all", action="store_true", help="Cả mã đã hết hạn hoặc đã thu hồi.")
        listing.add_argument("--json", action="store_true", help="In JSON ra stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with acting_as(None, label=CLI_ACTOR):
                getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{username}”.")
        return user

    def _issue(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        days = None if options["no_expiry"] else options["days"]
        issued = tokens.issue(user, options["name"], days=days)
        self.stdout.write(issued.secret)
        until = _local(issued.token.expires_at) or "khi bị thu hồi"
        self.stderr.write(
            f"Đã cấp mã truy cập #{issued.token.pk} “{issued.token.name}” cho {user.get_username()}, "
            f"hiệu lực đến {until}. Mã chỉ hiện một lần này; hệ thống chỉ lưu giá trị băm SHA-256."
        )
        if not active_assignments(user):
            self.stderr.write(
                f"Lưu ý: tài khoản {user.get_username()} chưa được phân quyền ở đơn vị nào, "
                "nên mã này chưa xem hay làm được gì."
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        for reference in options["references"]:
            token = tokens.find(reference)
            if tokens.revoke(token):
                self.stderr.write(f"Đã thu hồi mã truy cập #{token.pk} “{token.name}” ({token.prefix}…).")
            else:
                self.stderr.write(f"Mã truy cập #{token.pk} “{token.name}” đã bị thu hồi từ trước.")

    def _list(self, options: dict[str, Any]) -> None:
        qs = ApiToken.objects.select_related("user").order_by("user__username", "id")
        if options.get("user"):
            qs = qs.filter(user=self._user(options["user"]))
        if not options.get("all"):
            qs = qs.filter(tokens.usable(), user__is_active=True)
        now = timezone.now()
        rows = [
            {
                "id": t.pk,
                "user": t.user.get_username(),
                "name": t.name,
                "prefix": t.prefix,
                "status": tokens.status(t, now),
                "created_at": _local(t.created_at),
                "last_used_at": _local(t.last_used_at),
                "expires_at": _local(t.expires_at),
                "revoked_at": _local(t.revoked_at),
            }
            for t in qs
        ]
        if options.get("json"):
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stderr.write("Không có mã truy cập nào.")
            return
        for row in rows:
            self.stdout.write(
                f"#{row['id']}\t{row['user']}\t{row['name']}\t{row['prefix']}…\t"
                f"{STATUS_LABELS[str(row['status'])]}\thết hạn: {row['expires_at'] or 'không'}\t"
                f"dùng lần cuối: {row['last_used_at'] or 'chưa'}"
            )
