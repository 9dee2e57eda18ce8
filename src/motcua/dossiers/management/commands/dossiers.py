import json

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.projection import rebuild


def _show(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class Command(BaseCommand):
    help = (
        "Hồ sơ: `motcua dossiers rebuild` dựng lại trạng thái hồ sơ từ lịch sử sự kiện; "
        "`--verify` chỉ đối chiếu và trả mã thoát khác 0 nếu có hồ sơ lệch."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        cmd = sub.add_parser(
            "rebuild", help="Dựng lại (hoặc đối chiếu, với --verify) trạng thái hồ sơ từ sự kiện."
        )
        cmd.add_argument("--verify", action="store_true", help="Chỉ đối chiếu, không ghi.")
        cmd.add_argument(
            "--code", action="append", default=[], help="Chỉ xét hồ sơ có mã này (lặp lại được)."
        )
        cmd.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")
        cmd.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        verify = options["verify"]
        report = rebuild(verify=verify, codes=options["code"] or None, batch_size=options["batch_size"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "checked": report.checked,
                        "rewritten": report.rewritten,
                        "mismatches": [
                            {
                                "code": m.code,
                                "problem": m.problem,
                                "fields": {k: [_show(a), _show(b)] for k, (a, b) in m.fields.items()},
                            }
                            for m in report.mismatches
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        for m in report.mismatches:
            details = ", ".join(f"{k}: {_show(a)} ≠ {_show(b)}" for k, (a, b) in m.fields.items())
            self.stderr.write(
                f"{m.code}: {m.problem or details}" + (f" ({details})" if m.problem and details else "")
            )
        if verify and not report.ok:
            codes = ", ".join(m.code for m in report.mismatches[:50])
            more = f" và {len(report.mismatches) - 50} hồ sơ khác" if len(report.mismatches) > 50 else ""
            raise CommandError(
                f"{len(report.mismatches)}/{report.checked} hồ sơ có trạng thái lệch với lịch sử: "
                f"{codes}{more}."
            )
        broken = [m for m in report.mismatches if not m.fields]
        if not verify and broken:
            raise CommandError(
                f"{len(broken)} hồ sơ có lịch sử hỏng, không dựng lại được: "
                + ", ".join(m.code for m in broken[:50])
            )
        if verify:
            self.stderr.write(f"Đã đối chiếu {report.checked} hồ sơ: trạng thái khớp lịch sử.")
        else:
            self.stderr.write(f"Đã xét {report.checked} hồ sơ, dựng lại {report.rewritten} hồ sơ.")
