import json

from django.core.management.base import BaseCommand, CommandError

from motcua.core import checkpoints
from motcua.core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Nhật ký hệ thống: `motcua audit verify` kiểm tra chuỗi băm của toàn bộ nhật ký và các điểm neo "
        "đã ký; `motcua audit checkpoint` ghi một điểm neo của đỉnh chuỗi."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Kiểm tra chuỗi băm và các điểm neo đã ký; mã thoát khác 0 nếu có bản ghi bị sửa/xóa.",
        )
        verify.add_argument("--json", action="store_true")
        sub.add_parser("checkpoint", help="Ghi điểm neo đã ký của đỉnh chuỗi (cần AUDIT_CHECKPOINT_KEY).")

    def handle(self, *args, **options):
        if options["action"] == "checkpoint":
            return self._checkpoint()
        found, problems = checkpoints.read() if checkpoints.enabled() else ([], [])
        anchors = {c.count: (c.hash, c.entry_id) for c in found}
        report = verify_chain(anchors=anchors)
        ok, problem, bad = report.ok, report.problem, report.first_bad_id
        if ok and problems:
            ok, problem = False, "; ".join(problems)
        if ok and checkpoints.enabled() and report.checked and not found:
            ok, problem = (
                False,
                (
                    f"không có điểm neo đã ký nào trong {checkpoints.path()} (tệp bị xóa, hoặc chưa chạy "
                    "`motcua audit checkpoint`)"
                ),
            )
        last = max((c.count for c in found), default=0)
        if options.get("json"):
            self.stdout.write(
                json.dumps(
                    {
                        "ok": ok,
                        "checked": report.checked,
                        "first_bad_id": bad,
                        "problem": problem,
                        "checkpoints": len(found),
                        "anchored_up_to": last,
                    },
                    ensure_ascii=False,
                )
            )
        if not ok:
            where = f" tại bản ghi #{bad}" if bad else ""
            raise CommandError(
                f"Chuỗi nhật ký bị phá vỡ{where}: {problem} ({report.checked} bản ghi hợp lệ trước đó)."
            )
        if found:
            self.stderr.write(
                f"Chuỗi nhật ký nguyên vẹn: {report.checked} bản ghi; {len(found)} điểm neo đã ký khớp "
                f"(đến bản ghi thứ {last})."
            )
        else:
            self.stderr.write(
                f"Chuỗi nhật ký nguyên vẹn: {report.checked} bản ghi (chưa có điểm neo ngoài cơ sở dữ liệu: "
                "cấu hình AUDIT_CHECKPOINT_KEY)."
            )

    def _checkpoint(self) -> None:
        try:
            written = checkpoints.write()
        except checkpoints.CheckpointError as exc:
            raise CommandError(str(exc)) from exc
        if written is None:
            self.stderr.write("Đỉnh chuỗi chưa đổi từ điểm neo trước: không ghi thêm.")
        else:
            self.stderr.write(f"Đã ghi điểm neo: {written.count} bản ghi, đỉnh {written.hash[:12]}….")
