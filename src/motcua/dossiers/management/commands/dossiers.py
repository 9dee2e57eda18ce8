import json
import os
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from motcua.core.models import OrgUnit
from motcua.dossiers.projection import rebuild


def _show(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _day(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày “{text}” không đúng dạng YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Hồ sơ: `rebuild` dựng lại trạng thái hồ sơ từ lịch sử sự kiện (`--verify` chỉ đối chiếu); "
        "`import TỆP.jsonl` nhập hồ sơ dạng DongBoHoSoMC, mỗi dòng một hồ sơ; "
        "`export` xuất hồ sơ ra JSON Lines cùng dạng."
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

        cmd = sub.add_parser(
            "import",
            help="Nhập hồ sơ từ tệp JSON Lines dạng DongBoHoSoMC (kiểm tra cả tệp trước khi ghi).",
        )
        cmd.add_argument("file", help="Tệp .jsonl (mỗi dòng một hồ sơ); “-” là đầu vào chuẩn.")
        cmd.add_argument("--json", action="store_true", help="Chỉ in bản tóm tắt JSON ra stdout.")
        cmd.add_argument("--batch-size", type=int, default=1000, help="Số hồ sơ mỗi lô ghi (mặc định 1000).")
        cmd.add_argument("--no-progress", action="store_true", help="Không hiện thanh tiến độ.")

        cmd = sub.add_parser(
            "pull-national", help="Nhận các hồ sơ công dân nộp trên Cổng Dịch vụ công quốc gia."
        )
        cmd.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

        cmd = sub.add_parser("export", help="Xuất hồ sơ ra JSON Lines dạng DongBoHoSoMC.")
        cmd.add_argument("--output", "-o", help="Tệp ghi ra (mặc định: stdout).")
        cmd.add_argument("--from", dest="date_from", help="Tiếp nhận từ ngày (YYYY-MM-DD, giờ Việt Nam).")
        cmd.add_argument("--to", dest="date_to", help="Tiếp nhận đến hết ngày (YYYY-MM-DD).")
        cmd.add_argument(
            "--unit", help="Mã đơn vị xử lý (mã nội bộ hoặc mã định danh); gồm đơn vị trực thuộc."
        )
        cmd.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "import":
            return self.handle_import(options)
        if action == "export":
            return self.handle_export(options)
        if action == "pull-national":
            return self.handle_pull(options)
        return self.handle_rebuild(options)

    # -- import ------------------------------------------------------------------------------------

    def handle_import(self, options):
        from motcua.dossiers.importing import ImportRejected, import_file

        path = options["file"]
        try:
            summary = import_file(
                path,
                batch_size=max(1, options["batch_size"]),
                progress=not options["no_progress"] and not options["json"],
            )
        except FileNotFoundError:
            raise CommandError(f"Không tìm thấy tệp {path}.") from None
        except OSError as exc:  # a directory, no permission…
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror or exc}.") from None
        except ImportRejected as exc:
            problems = exc.details or []
            for problem in problems:
                where = f"dòng {problem['line']}" + (f" ({problem['MaHoSo']})" if problem["MaHoSo"] else "")
                self.stderr.write(f"{where}, {problem['field']}: {problem['message']}")
            if options["json"]:
                self.stdout.write(
                    json.dumps({"ok": False, "message": exc.message, "errors": problems}, ensure_ascii=False)
                )
            raise CommandError(exc.message) from None
        report = summary.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        placeholders = ", ".join(summary.placeholder_procedures + summary.placeholder_units) or "không có"
        self.stderr.write(
            f"Đã nhập {summary.lines} dòng trong {summary.seconds:.1f} s: {summary.created} hồ sơ mới, "
            f"{summary.updated} cập nhật, {summary.unchanged} không đổi; {summary.events} sự kiện; "
            f"{summary.applicants_created} chủ hồ sơ mới; bản ghi tạm cần rà soát "
            f"({summary.placeholders}): {placeholders}."
        )

    # -- pull from the national portal ------------------------------------------------------------

    def handle_pull(self, options):
        from motcua.core.audit import acting_as
        from motcua.dossiers.national_pull import pull_submitted
        from motcua.integrations.registry import QueryFailed

        try:
            with acting_as(None, label="dòng lệnh motcua dossiers pull-national"):
                report = pull_submitted()
        except QueryFailed as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        for code, problems in report.refused.items():
            self.stderr.write(f"{code}: " + "; ".join(problems))
        self.stderr.write(
            f"Đã nhận {len(report.taken)} hồ sơ, từ chối {len(report.refused)}"
            + (f", {len(report.already)} đã nhận trước đó." if report.already else ".")
        )

    # -- export ------------------------------------------------------------------------------------

    def handle_export(self, options):
        from motcua.dossiers.jsonl import export_queryset, iter_records, write_jsonl

        unit = None
        if options["unit"]:
            code = options["unit"]
            unit = OrgUnit.objects.filter(code=code).first() or OrgUnit.objects.filter(eid_code=code).first()
            if unit is None:
                raise CommandError(f"Không có đơn vị mã “{code}”.")
        start = _day(options["date_from"]) if options["date_from"] else None
        end = _day(options["date_to"]) if options["date_to"] else None
        if start and end and end < start:
            raise CommandError("--to phải không trước --from.")
        qs = export_queryset(received_from=start, received_to=end, unit=unit)
        records = iter_records(qs, batch_size=max(1, options["batch_size"]))
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                count = write_jsonl(records, out)
        else:
            try:
                count = write_jsonl(records, self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout)
            except BrokenPipeError:  # the reader stopped early (… | head): not an error
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 — silence the flush at exit
                return
        self.stderr.write(f"Đã xuất {count} hồ sơ.")

    # -- rebuild -----------------------------------------------------------------------------------

    def handle_rebuild(self, options):
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
