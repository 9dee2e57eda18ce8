"""Tables of the 766 index that staff export to Excel or CSV (see ``motcua.exports``): the index of a
period and unit (one row per indicator), the ranking of the units, and the drill-down list of one
indicator. Started from the dashboard's buttons; the unit must be in the person's scope (the same
check as the screens, ``views.access_for``): another unit is "not found", never its rows.

The late lists and the TT 01/2018 scores are declared in ``exports_late.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.core.models import OrgUnit, User
from motcua.core.permissions import scope
from motcua.evaluation import index766
from motcua.evaluation.cache import Board
from motcua.evaluation.formulas import INFO, Period
from motcua.evaluation.views import MAX_DAYS, NoRole, UnitOutOfScope, access_for
from motcua.exports.registry import Column, ExportKind, check_period, register


class IndexForm(forms.Form):
    start = forms.DateField(label=_("Từ ngày"))
    end = forms.DateField(label=_("Đến ngày"))
    unit = forms.CharField(label=_("Đơn vị (mã; “tinh”: toàn tỉnh)"), required=False, max_length=60)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        check_period(start, end, max_days=None)
        if start and end and (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(gettext("Kỳ đánh giá dài tối đa 2 năm."))
        return data


class DrillForm(IndexForm):
    indicator = forms.CharField(label=_("Mã chỉ số"), max_length=10)
    all = forms.BooleanField(label=_("Cả những trường hợp đạt"), required=False)

    def clean_indicator(self) -> str:
        code = (self.cleaned_data.get("indicator") or "").strip()
        if code not in INFO:
            raise forms.ValidationError(gettext("Không có chỉ số mã “%(code)s”.") % {"code": code})
        return code


def _allowed(user: User) -> bool:
    return not scope(user).empty


def _period(params: dict[str, Any]) -> Period:
    return index766.period_of(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))


def _unit(user: User, params: dict[str, Any]) -> tuple[Board, OrgUnit | None]:
    try:
        access = access_for(user)
        unit = access.resolve(params.get("unit", ""))
    except (NoRole, UnitOutOfScope) as exc:
        raise NotFound(exc.message) from None
    return Board(access.units), unit


def _describe(params: dict[str, Any]) -> str:
    period = _period(params)
    unit = params.get("unit") or ""
    where = "toàn tỉnh" if unit in ("", "tinh") else f"đơn vị {unit}"
    text = f"{period.label} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}), {where}"
    if params.get("indicator"):
        text = f"chỉ số {params['indicator']}, " + text
    return text


def _number(value: Any) -> Any:
    return None if value is None else float(value)


INDEX_COLUMNS = (
    Column("Nhóm", width=10),
    Column("Tên nhóm", width=28),
    Column("Mã chỉ số", width=10),
    Column("Chỉ số", width=48),
    Column("Tỷ lệ (%)", "decimal", 10),
    Column("Điểm", "decimal", 8),
    Column("Điểm tối đa", "decimal", 10),
    Column("Ngưỡng (%)", "decimal", 10),
    Column("Tử số", "int", 10),
    Column("Mẫu số", "int", 10),
    Column("Thiếu dữ liệu", width=12),
    Column("Có giả định", width=12),
    Column("Ghi chú", width=60),
)


def _index_rows(user: User, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    board, unit = _unit(user, params)
    result = board.snapshot(_period(params), unit).result
    for g in result.groups:
        for i in g.indicators:
            note = i.missing_reason if i.missing else "; ".join(i.assumptions)
            yield (
                g.code,
                g.name,
                i.code,
                i.name,
                _number(i.rate if i.rate is not None else i.value),
                _number(i.points),
                _number(i.max),
                _number(i.target),
                i.numerator,
                i.denominator,
                "có" if i.missing else "",
                "có" if i.assumed else "",
                note,
            )
    yield (
        "TỔNG",
        "Tổng điểm",
        "",
        "",
        None,
        _number(result.points),
        _number(result.max),
        None,
        None,
        None,
        "",
        "",
        "",
    )


def _index_count(user: User, params: dict[str, Any]) -> int:
    board, unit = _unit(user, params)
    result = board.snapshot(_period(params), unit).result
    return sum(len(g.indicators) for g in result.groups) + 1


RANK_COLUMNS = (
    Column("Hạng theo điểm", "int", 10),
    Column("Mã đơn vị", width=14),
    Column("Đơn vị", width=40),
    Column("Tổng điểm", "decimal", 10),
    Column("CKMB", "decimal", 8),
    Column("TDGQ", "decimal", 8),
    Column("CLGQ", "decimal", 8),
    Column("TTTT", "decimal", 8),
    Column("MDSH", "decimal", 8),
    Column("MDHL", "decimal", 8),
    Column("Tỷ lệ đúng hạn 2.1 (%)", "decimal", 12),
    Column("Hồ sơ đúng hạn", "int", 12),
    Column("Hồ sơ tính 2.1", "int", 12),
    Column("Hạng theo tỷ lệ đúng hạn", "int", 12),
    Column("Hồ sơ tiếp nhận trong kỳ", "int", 12),
)


def _rank_rows(user: User, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    board, unit = _unit(user, params)
    ranking = board.ranking(_period(params), unit)
    by_rate = {r.unit_id: n for n, r in enumerate(ranking.by_on_time, 1)}
    for n, r in enumerate(ranking.rows, 1):
        groups = dict(r.groups)
        yield (
            n,
            r.unit_code,
            r.unit_name,
            _number(r.points),
            *(_number(groups.get(code)) for code in ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL")),
            _number(r.on_time_rate),
            r.on_time_numerator,
            r.on_time_denominator,
            by_rate[r.unit_id] if r.on_time_rate is not None else None,
            r.received,
        )


def _rank_count(user: User, params: dict[str, Any]) -> int:
    board, unit = _unit(user, params)
    return len(board.ranking(_period(params), unit).rows)


DRILL_COLUMNS = (
    Column("Loại", width=10),
    Column("Mã hồ sơ / thủ tục", width=26),
    Column("Thủ tục", width=48),
    Column("Tiếp nhận lúc", "datetime", 17),
    Column("Hạn trả", "datetime", 17),
    Column("Tính vào tử số", width=12),
    Column("Mã lý do", width=24),
    Column("Lý do", width=80),
)


def _drill_rows(user: User, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    _, unit = _unit(user, params)
    period = _period(params)
    include = "all" if params.get("all") else "against"
    cursor: str | None = None
    while True:
        page = index766.drill_down(
            params["indicator"],
            period.start,
            period.end,
            unit=unit,
            cursor=cursor,
            limit=500,
            include=include,
        )
        for item in page.items:
            yield (
                "hồ sơ" if item.kind == "dossier" else "thủ tục",
                item.code,
                item.label,
                item.received_at,
                item.due_at,
                "có" if item.counts else "không",
                item.reason_code,
                item.reason,
            )
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _drill_count(user: User, params: dict[str, Any]) -> int:
    board, unit = _unit(user, params)
    found = board.snapshot(_period(params), unit).result.indicator(params["indicator"])
    if found.missing or found.denominator is None:
        return 0
    return found.denominator if params.get("all") else (found.against or 0)


INDEX = register(
    ExportKind(
        code="evaluation.index",
        title="Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)",
        columns=INDEX_COLUMNS,
        form=IndexForm,
        count=_index_count,
        rows=_index_rows,
        allowed=_allowed,
        describe=_describe,
    )
)
RANKING = register(
    ExportKind(
        code="evaluation.ranking",
        title="Xếp hạng đơn vị theo Bộ chỉ số 766",
        columns=RANK_COLUMNS,
        form=IndexForm,
        count=_rank_count,
        rows=_rank_rows,
        allowed=_allowed,
        describe=_describe,
    )
)
DRILL_DOWN = register(
    ExportKind(
        code="evaluation.drilldown",
        title="Danh sách hồ sơ, thủ tục của một chỉ số 766",
        columns=DRILL_COLUMNS,
        form=DrillForm,
        count=_drill_count,
        rows=_drill_rows,
        allowed=_allowed,
        describe=_describe,
        listed=False,
    )
)
