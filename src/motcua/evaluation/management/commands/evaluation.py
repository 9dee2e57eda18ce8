"""``motcua evaluation index766 --from YYYY-MM-DD --to YYYY-MM-DD [--unit CODE] [--procedure CODE] [--json]``
and ``motcua evaluation tt01 --from YYYY-MM-DD --to YYYY-MM-DD [--unit CODE] [--json]``.

The QĐ 766 index and the TT 01/2018 scores computed from motcua's own data (docs/evaluation.md).
Bad input — a date that is not YYYY-MM-DD, a period whose end is before its start, an unknown unit or
procedure — is a Vietnamese message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise CommandError(
            f"{option} “{text}” không phải ngày hợp lệ dạng YYYY-MM-DD (ví dụ 2026-03-31)."
        ) from None


def _show(value: object, width: int) -> str:
    """A number the Vietnamese way (decimal comma, 2 places; whole maxima without), "—" for none."""
    if value is None:
        return "—".rjust(width)
    if isinstance(value, Decimal) and value == value.to_integral_value() and value.as_tuple().exponent == 0:
        return str(value).rjust(width)
    return f"{float(value):.2f}".replace(".", ",").rjust(width)  # type: ignore[arg-type]


class Command(BaseCommand):
    help = (
        "Đánh giá chất lượng phục vụ: `index766` tính Bộ chỉ số phục vụ người dân, doanh nghiệp "
        "(QĐ 766/QĐ-TTg) từ dữ liệu của motcua cho một kỳ và một phạm vi; `tt01` chấm điểm theo "
        "TT 01/2018/TT-VPCP cho từng đơn vị và từng cán bộ."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        cmd = sub.add_parser("index766", help="Bộ chỉ số QĐ 766 cho một kỳ (theo ngày giờ Việt Nam).")
        cmd.add_argument(
            "--from", dest="date_from", required=True, help="Ngày đầu kỳ (YYYY-MM-DD), tính cả ngày."
        )
        cmd.add_argument(
            "--to", dest="date_to", required=True, help="Ngày cuối kỳ (YYYY-MM-DD), tính cả ngày."
        )
        cmd.add_argument(
            "--unit", help="Mã đơn vị xử lý (mã nội bộ hoặc mã định danh điện tử); gồm các đơn vị trực thuộc."
        )
        cmd.add_argument("--procedure", help="Mã thủ tục hành chính (ví dụ 1.001193).")
        cmd.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")
        tt = sub.add_parser(
            "tt01", help="Chấm điểm TT 01/2018 theo đơn vị và cán bộ (quý, năm hoặc kỳ bất kỳ)."
        )
        tt.add_argument(
            "--from", dest="date_from", required=True, help="Ngày đầu kỳ (YYYY-MM-DD), tính cả ngày."
        )
        tt.add_argument(
            "--to", dest="date_to", required=True, help="Ngày cuối kỳ (YYYY-MM-DD), tính cả ngày."
        )
        tt.add_argument(
            "--unit", help="Mã đơn vị xử lý (mã nội bộ hoặc mã định danh điện tử); gồm các đơn vị trực thuộc."
        )
        tt.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, **options):
        from motcua.evaluation.index766 import compute

        start = _day(options["date_from"], "--from")
        end = _day(options["date_to"], "--to")
        if end < start:
            raise CommandError(f"Kỳ không hợp lệ: --to ({end:%d/%m/%Y}) trước --from ({start:%d/%m/%Y}).")
        if options["action"] == "tt01":
            self._tt01(start, end, options)
            return
        try:
            result = compute(start, end, unit=options["unit"], procedure=options["procedure"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self._table(result)

    def _table(self, result) -> None:
        out = self.stdout.write
        out("BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QĐ 766/QĐ-TTg) — tính từ dữ liệu của motcua")
        out(f"Kỳ: {result.period.label} ({result.period.start:%d/%m/%Y} – {result.period.end:%d/%m/%Y})")
        out(f"Phạm vi: {result.scope.label}")
        out("")
        out(f"{'Mã':6} {'Chỉ số':62} {'Tỷ lệ %':>8} {'Điểm':>7} {'Tối đa':>7}  Tử số / mẫu số")
        for group in result.groups:
            out(
                f"{group.code:6} {group.name.upper()[:62]:62} {'':>8} {_show(group.points, 7)} "
                f"{_show(group.max, 7)}"
            )
            for i in group.indicators:
                mark = " (thiếu dữ liệu)" if i.missing else (" (*)" if i.assumed else "")
                name = (
                    (i.name[: 62 - len(mark) - 2] + mark) if len(i.name) + len(mark) > 60 else i.name + mark
                )
                if i.missing:
                    counts = "—"
                elif i.code == "2.2":
                    counts = (
                        f"trung bình {str(i.value).replace('.', ',')} {i.value_unit} ({i.numerator} hồ sơ)"
                        if i.value is not None
                        else "; ".join(i.notes) or "không có hồ sơ"
                    )
                else:
                    counts = f"{i.numerator} / {i.denominator}"
                figures = f"{_show(i.rate, 8)} {_show(i.points, 7)} {_show(i.max, 7)}"
                out(f"  {i.code:4} {name:62} {figures}  {counts}")
        out(f"{'':6} {'TỔNG ĐIỂM':62} {'':>8} {_show(result.points, 7)} {_show(result.max, 7)}")
        out("")
        out("(*) công thức hoặc dữ liệu có giả định; (thiếu dữ liệu) đầu vào do hệ thống khác giữ: 0 điểm.")
        out("Chi tiết công thức và giả định: docs/rules.md, mục “Bộ chỉ số QĐ 766”.")

    def _tt01(self, start, end, options) -> None:
        from motcua.evaluation import tt01_selectors

        try:
            result = tt01_selectors.compute(start, end, unit=options["unit"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        out = self.stdout.write
        out(
            "CHẤM ĐIỂM GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH (TT 01/2018/TT-VPCP Điều 13–15) — "
            "tính từ dữ liệu của motcua"
        )
        out(f"Kỳ: {result.period_label} ({start:%d/%m/%Y} – {end:%d/%m/%Y})")
        out(f"Phạm vi: {result.scope_label}")
        for title, cards in (("ĐƠN VỊ", result.units), ("CÁN BỘ", result.officers)):
            out("")
            codes = [i.code for i in cards[0].indicators] if cards else []
            header = " ".join(f"{'CS' + c:>5}" for c in codes)
            out(f"{title:40} {'Hồ sơ':>6} {header} {'Tổng':>6}  Xếp loại")
            for card in cards:
                cells = " ".join(_tt01_cell(i) for i in card.indicators)
                total = f"{float(card.total):.1f}".replace(".", ",")
                out(f"{card.name[:40]:40} {card.dossiers:>6} {cells} {total:>6}  {card.band}")
            if not cards:
                out("(không có hồ sơ đã xử lý xong trong kỳ)")
        out("")
        out("(*) giả định; (-) không có dữ liệu, bỏ qua; (thiếu) dữ liệu do hệ thống khác giữ, bỏ qua.")
        for note in result.notes:
            out(f"- {note}")
        out("Chi tiết: docs/rules.md, mục “TT 01/2018 scoring”.")


def _tt01_cell(indicator) -> str:
    if indicator.status == "missing":
        return f"{'thiếu':>5}"
    if indicator.score is None:
        return f"{'-':>5}"
    text = f"{float(indicator.score):.1f}".replace(".", ",")
    return f"{text + ('*' if indicator.status == 'assumed' else ''):>5}"
