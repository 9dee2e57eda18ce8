"""``motcua catalogue import|export|search|schema``: the procedure catalogue from the command line.

Machine output (JSON) goes to stdout, messages to stderr; any error exits non-zero with a
Vietnamese message.

    motcua catalogue import FILE.json|FILE.xlsx [--dry-run]
    motcua catalogue export [--output FILE] [--format json|xlsx] [--code CODE ...]
    motcua catalogue search QUERY [--json] [--level province|commune] [--field CODE] [--limit N]
    motcua catalogue schema
    motcua catalogue pull-national CODE …   # the national portal's details → a draft version to review
    motcua catalogue data-reuse [--json] [--write docs/data-reuse.md]   # items a citizen declares online
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.core.audit import acting_as
from motcua.core.errors import DomainError

CLI_ACTOR = "dòng lệnh motcua catalogue"


def _error_text(exc: DomainError) -> str:
    """The message, then one line per problem (procedure/version/field or sheet/row/column)."""
    from motcua.catalogue.services import InvalidCatalogue, describe_problem

    details = exc.details if isinstance(exc.details, list) else []
    problems = [d for d in details if isinstance(d, dict) and "problem" in d]
    if not problems:
        return exc.message
    headline = exc.headline if isinstance(exc, InvalidCatalogue) else exc.message
    return "\n".join([headline, *(f"  - {describe_problem(d)}" for d in problems)])


class Command(BaseCommand):
    help = "Danh mục thủ tục hành chính: nhập, xuất (JSON hoặc Excel) và tra cứu."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help="Nhập danh mục từ tệp JSON (định dạng motcua.catalogue) hoặc Excel."
        )
        imp.add_argument("file", help="Tệp .json hoặc .xlsx.")
        imp.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra và báo cáo, không lưu.")

        exp = sub.add_parser("export", help="Xuất danh mục ra JSON (stdout hoặc tệp) hoặc Excel.")
        exp.add_argument("--output", "-o", help="Tệp kết quả; mặc định in JSON ra stdout.")
        exp.add_argument("--format", choices=["json", "xlsx"], help="Mặc định theo đuôi tệp, hoặc json.")
        exp.add_argument(
            "--code", action="append", dest="codes", metavar="CODE", help="Chỉ xuất mã TTHC này."
        )

        search = sub.add_parser("search", help="Tra cứu thủ tục (không phân biệt dấu).")
        search.add_argument("query", nargs="?", default="")
        search.add_argument("--json", action="store_true", help="In JSON ra stdout.")
        search.add_argument("--level", choices=["province", "commune"])
        search.add_argument("--field", help="Mã lĩnh vực.")
        search.add_argument("--limit", type=int, default=50)

        sub.add_parser("schema", help="In JSON Schema của định dạng trao đổi.")

        pull = sub.add_parser(
            "pull-national",
            help="Đối chiếu thủ tục với Cổng DVCQG (LayThuTuc); khác thì lập phiên bản dự thảo để rà soát.",
        )
        pull.add_argument("codes", nargs="+", metavar="CODE", help="Mã thủ tục.")

        reuse = sub.add_parser(
            "data-reuse",
            help="Số thông tin công dân phải khai khi nộp trực tuyến, và mức giảm nhờ tái sử dụng dữ liệu.",
        )
        reuse.add_argument("--json", action="store_true", help="In JSON ra stdout.")
        reuse.add_argument(
            "--write", metavar="FILE", help="Ghi báo cáo Markdown vào tệp (docs/data-reuse.md)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            with acting_as(None, label=CLI_ACTOR):
                if action == "import":
                    self._import(options)
                elif action == "export":
                    self._export(options)
                elif action == "search":
                    self._search(options)
                elif action == "pull-national":
                    self._pull(options)
                elif action == "data-reuse":
                    self._data_reuse(options)
                else:
                    from motcua.catalogue.schema import json_schema_text

                    self.stdout.write(json_schema_text(), ending="")
        except DomainError as exc:
            raise CommandError(_error_text(exc)) from exc

    def _pull(self, options: dict[str, Any]) -> None:
        from motcua.catalogue.national import propose_from_portal

        out = []
        for code in options["codes"]:
            proposal = propose_from_portal(code)
            out.append(
                {
                    "code": code,
                    "changes": {k: list(v) for k, v in proposal.changes.items()},
                    "draft_version": proposal.version,
                    "already_waiting": proposal.already,
                }
            )
            if not proposal.changes:
                self.stderr.write(f"{code}: khớp với Cổng DVCQG.")
            elif proposal.already:
                self.stderr.write(f"{code}: dự thảo phiên bản {proposal.version} đã chờ rà soát.")
            else:
                self.stderr.write(f"{code}: đã lập dự thảo phiên bản {proposal.version} để rà soát.")
        self._write_json(out)

    def _data_reuse(self, options: dict[str, Any]) -> None:
        from django.utils import timezone

        from motcua.catalogue import datareuse
        from motcua.catalogue.selectors import online_forms

        results = [datareuse.count(forms) for forms in online_forms()]
        if options["json"]:
            self._write_json([datareuse.as_dict(r) for r in results])
        else:
            for r in results:
                self.stdout.write(
                    f"{r.code}\t(0) {r.visitor.total}\t(a) {r.first_time.total}\t(b) {r.returning.total}"
                    f"\t(a)/(0) {datareuse.percent_text(r.first_vs_visitor)}"
                    f"\t(b)/(0) {datareuse.percent_text(r.returning_vs_visitor)}\t{r.name}"
                )
        if options.get("write"):
            path = Path(options["write"])
            path.write_text(datareuse.markdown(results, f"{timezone.localdate():%d/%m/%Y}"), encoding="utf-8")
            self.stderr.write(f"Đã ghi báo cáo ra “{path}”.")
        met = sum(1 for r in results if r.meets_first_time)
        self.stderr.write(
            f"{len(results)} thủ tục nộp trực tuyến; {met} đạt mục tiêu giảm "
            f"{datareuse.TARGET_PERCENT:.0f} % với công dân đăng nhập lần đầu."
        )

    def _write_json(self, obj: Any) -> None:
        self.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2))

    def _import(self, options: dict[str, Any]) -> None:
        from motcua.catalogue.excel import import_workbook
        from motcua.catalogue.services import import_catalogue

        path = Path(options["file"])
        suffix = path.suffix.lower()
        if suffix not in {".json", ".xlsx"}:
            raise CommandError(f"Không nhận dạng được tệp “{path}”: chỉ nhận .json hoặc .xlsx.")
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp “{path}”.")
        if suffix == ".xlsx":
            report = import_workbook(path, dry_run=options["dry_run"])
        else:
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except UnicodeDecodeError as exc:
                raise CommandError(f"Tệp “{path}” không phải văn bản UTF-8.") from exc
            except json.JSONDecodeError as exc:
                raise CommandError(
                    f"Tệp “{path}” không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}): {exc.msg}."
                ) from exc
            report = import_catalogue(document, dry_run=options["dry_run"])
        self._write_json(report.as_dict())
        self.stderr.write(report.summary())
        for warning in report.warnings:
            self.stderr.write(f"Lưu ý: {warning}")

    def _export(self, options: dict[str, Any]) -> None:
        from motcua.catalogue.excel import export_workbook
        from motcua.catalogue.services import export_catalogue

        output = options.get("output")
        fmt = options.get("format") or ("xlsx" if output and output.lower().endswith(".xlsx") else "json")
        document = export_catalogue(options.get("codes"))
        count = len(document["procedures"])
        if fmt == "xlsx":
            if not output:
                raise CommandError("Xuất Excel cần chỉ định tệp kết quả: --output TỆP.xlsx.")
            export_workbook(document).save(output)
        elif output:
            Path(output).write_text(
                json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        else:
            self._write_json(document)
        self.stderr.write(f"Đã xuất {count} thủ tục" + (f" ra “{output}”." if output else "."))

    def _search(self, options: dict[str, Any]) -> None:
        from motcua.catalogue.selectors import search_procedures

        limit = options["limit"]
        if limit < 1:
            raise CommandError("--limit phải là số nguyên dương.")
        qs = search_procedures(options["query"], level=options.get("level"), field_code=options.get("field"))
        rows = []
        for p in qs[:limit]:
            current_versions = getattr(p, "current_versions", None)  # prefetched by search_procedures
            current = current_versions[0] if current_versions else None
            rows.append(
                {
                    "code": p.code,
                    "name": p.name,
                    "field": p.field.name,
                    "level": p.level,
                    "version": current.version if current else None,
                    "time_limit": current.time_limit_display() if current else None,
                    "online_level": current.online_level if current else None,
                }
            )
        if options["json"]:
            self._write_json(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['code']}\t{row['name']}\t{row['field']}\t{row['time_limit'] or ''}")
        self.stderr.write(f"{len(rows)} thủ tục.")
