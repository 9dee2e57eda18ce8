"""Export kinds of the late lists and the TT 01/2018 scores (see ``motcua.exports``).

Loaded by ``EvaluationConfig.ready`` (the exports app discovers ``<app>.exports`` modules only, and
``evaluation/exports.py`` belongs to the dashboard). Rows are read for the units the person works in:
a unit outside their scope gives an empty table, never another unit's rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, User
from motcua.core.permissions import unit_ids
from motcua.evaluation import latelist
from motcua.evaluation.selectors import find_unit
from motcua.exports.registry import Column, ExportKind, register


def _unit_field() -> forms.CharField:
    return forms.CharField(label=_("Mã đơn vị"), max_length=60)


class LateListForm(forms.Form):
    month = forms.CharField(label=_("Tháng (YYYY-MM)"), max_length=7)
    unit = _unit_field()

    def clean_month(self) -> str:
        try:
            return latelist.parse_month(self.cleaned_data.get("month")).strftime("%Y-%m")
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_unit(self) -> str:
        code = (self.cleaned_data.get("unit") or "").strip()
        try:
            return find_unit(code).code
        except DomainError:
            raise forms.ValidationError(gettext("Không có đơn vị mã %(code)s.") % {"code": code}) from None


def _allowed(user: User) -> bool:
    return bool(unit_ids(user))


def covered_unit(user: User, code: str) -> OrgUnit | None:
    """The unit ``code`` if the person works in it, else None."""
    unit = OrgUnit.objects.filter(code=code).first()
    return unit if unit is not None and unit.pk in unit_ids(user) else None


def _late_rows(user: User, params: dict[str, Any]) -> list[latelist.LateRow]:
    unit = covered_unit(user, params["unit"])
    if unit is None:
        return []
    try:
        return list(latelist.late_list(latelist.parse_month(params["month"]), unit).rows)
    except DomainError:  # a future month: nothing yet
        return []


LATE_COLUMNS = (
    Column("Mã hồ sơ", width=24),
    Column("Mã thủ tục", width=14),
    Column("Tên thủ tục", width=48),
    Column("Nơi tiếp nhận", width=30),
    Column("Đơn vị giải quyết", width=30),
    Column("Tiếp nhận lúc", "datetime", 17),
    Column("Hạn trả", "datetime", 17),
    Column("Kết thúc", "datetime", 17),
    Column("Đã kết thúc", "bool", 10),
    Column("Số ngày trễ (ngày làm việc)", "int", 12),
    Column("Lý do trễ", width=60),
    Column("Có thư xin lỗi", "bool", 10),
    Column("Lý do xin lỗi", width=48),
    Column("Hẹn lại ngày", "datetime", 17),
)


def _late_export_rows(user: User, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    for r in _late_rows(user, params):
        yield (
            r.code,
            r.procedure_code,
            r.procedure_name,
            r.receiving_unit,
            r.competent_unit,
            r.received_at,
            r.due_at,
            r.end_at if r.ended else None,
            r.ended,
            r.days_late,
            r.reason,
            r.apology,
            r.apology_reason or latelist.NO_APOLOGY,
            r.apology_new_due,
        )


LATE_LIST = register(
    ExportKind(
        code="evaluation.late_list",
        title="Danh sách hồ sơ trễ hạn trong tháng",
        columns=LATE_COLUMNS,
        form=LateListForm,
        count=lambda user, params: len(_late_rows(user, params)),
        rows=_late_export_rows,
        allowed=_allowed,
        describe=lambda params: f"tháng {params['month'][5:]}/{params['month'][:4]}, đơn vị {params['unit']}",
    )
)


# -- TT 01/2018 scores -------------------------------------------------------------------------------


class TT01Form(forms.Form):
    period = forms.CharField(label=_("Kỳ (YYYY-Qn hoặc YYYY)"), max_length=7)
    unit = _unit_field()

    def clean_period(self) -> str:
        from django.utils import timezone

        from motcua.evaluation.views_tt01 import parse_period

        text = (self.cleaned_data.get("period") or "").strip()
        try:
            parse_period(text, timezone.localdate())
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return text

    clean_unit = LateListForm.clean_unit


def _tt01_cards(user: User, params: dict[str, Any], which: str) -> list[Any]:
    from django.utils import timezone

    from motcua.evaluation import tt01_selectors
    from motcua.evaluation.views_tt01 import parse_period

    unit = covered_unit(user, params["unit"])
    if unit is None:
        return []
    period = parse_period(params["period"], timezone.localdate())
    result = tt01_selectors.compute(period.start, period.end, unit=unit)
    return list(result.units if which == "units" else result.officers)


def _tt01_columns(codes: Sequence[str], first: str) -> tuple[Column, ...]:
    return (
        Column(first, width=36),
        Column("Mã", width=16),
        Column("Số hồ sơ", "int", 10),
        *(Column(f"Tiêu chí {c}", "decimal", 10) for c in codes),
        Column("Tổng điểm", "decimal", 10),
        Column("Xếp loại", width=30),
        Column("Ghi chú", width=60),
    )


_STATUS_TEXT = {"missing": "thiếu dữ liệu", "skipped": "bỏ qua", "assumed": "giả định", "computed": ""}


def _tt01_rows(which: str) -> Any:
    def rows(user: User, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
        for card in _tt01_cards(user, params, which):
            notes = "; ".join(
                f"TC {i.code}: {_STATUS_TEXT[i.status]}" for i in card.indicators if i.status != "computed"
            )
            yield (
                card.name,
                card.code,
                card.dossiers,
                *(i.score for i in card.indicators),
                card.total,
                card.band,
                notes,
            )

    return rows


def _tt01_describe(params: dict[str, Any]) -> str:
    return f"kỳ {params['period']}, đơn vị {params['unit']}"


TT01_UNITS = register(
    ExportKind(
        code="evaluation.tt01_units",
        title="Chấm điểm TT 01/2018 theo cơ quan, đơn vị",
        columns=_tt01_columns(("1", "2", "3", "4", "5", "6", "7", "8", "9"), "Đơn vị"),
        form=TT01Form,
        count=lambda user, params: len(_tt01_cards(user, params, "units")),
        rows=_tt01_rows("units"),
        allowed=_allowed,
        describe=_tt01_describe,
    )
)
TT01_OFFICERS = register(
    ExportKind(
        code="evaluation.tt01_officers",
        title="Chấm điểm TT 01/2018 theo cán bộ, công chức",
        columns=_tt01_columns(("1", "2", "3", "4", "7"), "Cán bộ"),
        form=TT01Form,
        count=lambda user, params: len(_tt01_cards(user, params, "officers")),
        rows=_tt01_rows("officers"),
        allowed=_allowed,
        describe=_tt01_describe,
    )
)
