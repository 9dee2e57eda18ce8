"""How much a citizen has to declare online, and how much data reuse saves (Kế hoạch 3327/KH-UBND:
at least 20 % fewer items to declare thanks to data already held). Pure Python, no Django import.

A procedure offered online asks for its declarations (e-forms, ``catalogue.eforms``) and for the other
documents of the dossier, each uploaded. Three citizens are compared:

- **(0) a visitor without an account**: types every field and uploads every document (the reference);
- **(a) a first-time citizen signed in with the national identity**: the fields whose ``x-prefill``
  names an ``identity.*`` or ``population.*`` source are filled for them;
- **(b) a returning citizen**: also the fields prefilled from an earlier dossier (``previous``), and the
  documents whose type is ``reusable`` are picked from the personal data warehouse instead of uploaded.

Each field typed and each document uploaded counts as one declared item. Which documents count: those
required for the online channel (``Component.applies_to("online")``, ``required``), alternatives of one
group once; a declaration with an e-form is typed, not uploaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from motcua.catalogue.eforms import field_specs

TARGET_PERCENT = Decimal(20)
NATIONAL_SOURCES = ("identity.", "population.")


@dataclass(frozen=True)
class Upload:
    """A document sent with the dossier (a group of alternatives counts once)."""

    name: str
    reusable: bool  # its document type is issued and kept by the state: picked from the warehouse


@dataclass(frozen=True)
class ProcedureForms:
    """What a procedure asks online: its declarations' e-forms and the documents to upload."""

    code: str
    name: str
    declarations: tuple[Mapping[str, Any], ...]
    uploads: tuple[Upload, ...]


@dataclass(frozen=True)
class Counts:
    fields: int
    uploads: int

    @property
    def total(self) -> int:
        return self.fields + self.uploads


def reduction(before: int, after: int) -> Decimal | None:
    """How many percent fewer items ``after`` has than ``before`` (one decimal, half up); None from 0."""
    if before <= 0:
        return None
    return (Decimal(before - after) * 100 / before).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Reuse:
    code: str
    name: str
    visitor: Counts  # (0)
    first_time: Counts  # (a)
    returning: Counts  # (b)
    event_fields: int  # fields no source can fill: specific to this request
    reasons: tuple[str, ...]  # why the target is missed, for people (empty when it is met)

    @property
    def returning_vs_first(self) -> Decimal | None:
        return reduction(self.first_time.total, self.returning.total)

    @property
    def first_vs_visitor(self) -> Decimal | None:
        return reduction(self.visitor.total, self.first_time.total)

    @property
    def returning_vs_visitor(self) -> Decimal | None:
        return reduction(self.visitor.total, self.returning.total)

    @property
    def meets_first_time(self) -> bool:
        value = self.first_vs_visitor
        return value is not None and value >= TARGET_PERCENT

    @property
    def meets_returning(self) -> bool:
        value = self.returning_vs_visitor
        return value is not None and value >= TARGET_PERCENT


def _national(sources: Sequence[str]) -> bool:
    return any(s.startswith(NATIONAL_SOURCES) for s in sources)


def count(forms: ProcedureForms) -> Reuse:
    """The items each of the three citizens declares for ``forms``, and why the target is missed."""
    specs = [spec for schema in forms.declarations for spec in field_specs(schema)]
    total = len(specs)
    national = sum(1 for s in specs if _national(s.prefill))
    any_source = sum(1 for s in specs if s.prefill)
    uploads = len(forms.uploads)
    reusable = sum(1 for u in forms.uploads if u.reusable)
    result = Reuse(
        code=forms.code,
        name=forms.name,
        visitor=Counts(total, uploads),
        first_time=Counts(total - national, uploads),
        returning=Counts(total - any_source, uploads - reusable),
        event_fields=total - any_source,
        reasons=(),
    )
    if result.meets_first_time:
        return result
    return replace(result, reasons=_reasons(forms, result, national, reusable))


def _reasons(forms: ProcedureForms, r: Reuse, national: int, reusable: int) -> tuple[str, ...]:
    out: list[str] = []
    total = r.visitor.fields
    if not forms.declarations:
        out.append(
            "thủ tục không có tờ khai điện tử: chỉ có giấy tờ phải tải lên, không có trường nào để điền sẵn"
        )
    else:
        out.append(
            f"chỉ {national}/{total} trường lấy được từ tài khoản định danh và Cơ sở dữ liệu quốc gia "
            f"về dân cư; {r.event_fields} trường là thông tin riêng của việc yêu cầu (không nguồn dữ liệu "
            "nào có sẵn)"
        )
        if r.visitor.uploads > total:
            out.append(
                f"giấy tờ phải tải lên ({r.visitor.uploads}) nhiều hơn số trường của tờ khai ({total})"
            )
    if r.visitor.uploads and not reusable:
        out.append("không giấy tờ nào thuộc loại được lưu trong kho dữ liệu để dùng lại")
    if r.meets_returning:
        out.append("công dân đã nộp hồ sơ trước đây thì đạt mục tiêu nhờ dữ liệu hồ sơ cũ và kho dữ liệu")
    return tuple(out)


def percent_text(value: Decimal | None) -> str:
    """``12.5`` → ``12,5 %``; ``None`` → ``—``."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + " %"


def as_dict(r: Reuse) -> dict[str, Any]:
    def counts(c: Counts) -> dict[str, int]:
        return {"fields": c.fields, "uploads": c.uploads, "total": c.total}

    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return {
        "code": r.code,
        "name": r.name,
        "visitor": counts(r.visitor),
        "first_time": counts(r.first_time),
        "returning": counts(r.returning),
        "reduction_returning_vs_first_time": number(r.returning_vs_first),
        "reduction_first_time_vs_visitor": number(r.first_vs_visitor),
        "reduction_returning_vs_visitor": number(r.returning_vs_visitor),
        "meets_target_first_time": r.meets_first_time,
        "meets_target_returning": r.meets_returning,
        "reasons": list(r.reasons),
    }


def markdown(results: Sequence[Reuse], day: str) -> str:
    """The report ``docs/data-reuse.md`` (Vietnamese, with a line in English); ``day`` as dd/mm/yyyy."""
    target = f"{TARGET_PERCENT:.0f} %"
    lines = [
        "# Tái sử dụng dữ liệu khi nộp hồ sơ trực tuyến",
        "",
        "*In English: for each procedure in force offered online, how many items (fields typed + documents "
        "uploaded) a citizen declares — (0) a visitor without an account, (a) a first-time citizen signed in "
        "with the national identity, (b) a returning citizen — and whether data reuse cuts them by at least "
        f"{target} (Kế hoạch 3327/KH-UBND). Written by "
        "`motcua catalogue data-reuse --write docs/data-reuse.md`; do not edit by hand.*",
        "",
        f"Lập ngày {day} từ danh mục thủ tục đang có hiệu lực. Mục tiêu: giảm ít nhất {target} số thông tin "
        "phải khai nhờ tái sử dụng dữ liệu.",
        "",
        "Cách đếm (mỗi trường phải gõ và mỗi giấy tờ phải tải lên là một mục):",
        "",
        "- **(0) Khách chưa có tài khoản**: gõ mọi trường của tờ khai điện tử, tải lên mọi giấy tờ bắt buộc "
        "khi nộp trực tuyến (các giấy tờ thay thế nhau tính một).",
        "- **(a) Công dân đăng nhập bằng tài khoản định danh điện tử lần đầu**: không phải gõ các trường "
        "được điền sẵn từ tài khoản định danh và Cơ sở dữ liệu quốc gia về dân cư.",
        "- **(b) Công dân đã nộp hồ sơ trước đây**: thêm các trường điền sẵn từ hồ sơ cũ; giấy tờ thuộc loại "
        "được lưu trong kho dữ liệu (giấy tờ tùy thân, giấy tờ hộ tịch, giấy chứng nhận do cơ quan nhà nước "
        "cấp) được chọn từ kho thay vì tải lên.",
        "",
        "| Mã | Thủ tục | (0) trường + giấy tờ | (a) | (b) | (b) so với (a) | (a) so với (0) "
        f"| (b) so với (0) | Đạt {target} (a) / (b) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def cell(c: Counts) -> str:
        return f"{c.fields} + {c.uploads} = {c.total}"

    for r in results:
        verdict = f"{'có' if r.meets_first_time else 'không'} / {'có' if r.meets_returning else 'không'}"
        lines.append(
            f"| {r.code} | {r.name} | {cell(r.visitor)} | {cell(r.first_time)} | {cell(r.returning)} | "
            f"{percent_text(r.returning_vs_first)} | {percent_text(r.first_vs_visitor)} | "
            f"{percent_text(r.returning_vs_visitor)} | {verdict} |"
        )
    missing = [r for r in results if not r.meets_first_time]
    met = len(results) - len(missing)
    lines += [
        "",
        f"**{met}/{len(results)} thủ tục đạt mục tiêu ngay với công dân đăng nhập lần đầu (a); "
        f"{sum(1 for r in results if r.meets_returning)}/{len(results)} với công dân đã nộp hồ sơ (b).**",
    ]
    if missing:
        lines += ["", "## Thủ tục chưa đạt với công dân đăng nhập lần đầu, và vì sao", ""]
        for r in missing:
            lines.append(f"- **{r.code} {r.name}**: {'; '.join(r.reasons) or 'giảm chưa đủ'}.")
    lines += [
        "",
        "## Giả định",
        "",
        "- Nguồn dữ liệu có đủ thông tin cho mọi trường ghi nguồn điền sẵn (tài khoản định danh, Cơ sở dữ "
        "liệu quốc gia về dân cư); công dân (b) đã nộp hồ sơ cùng thủ tục trước đây.",
        "- Giấy tờ thuộc loại tái sử dụng được coi là có sẵn trong kho dữ liệu của công dân, kể cả giấy tờ "
        "của người khác mà thủ tục yêu cầu (thành viên hộ gia đình, người đại diện).",
        "- Giấy tờ không bắt buộc (chỉ nộp trong một số trường hợp) không được tính.",
        "",
    ]
    return "\n".join(lines)
