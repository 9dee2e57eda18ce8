"""Tables of reporting that staff can export to Excel or CSV (see ``motcua.exports``).

``reporting.status``: every unit's report of one definition in the periods chosen, with its status on
the day of the export — the same rows the period pages show to that person (``reporting.selectors``).
The reports themselves are exported in their form layout from the report pages (``reporting.excel``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core.models import User
from motcua.exports.registry import Column, ExportKind, register
from motcua.reporting import selectors
from motcua.reporting.access import access_for
from motcua.reporting.forms import STATUS_TEXT
from motcua.reporting.models import ReportDefinition, ReportPeriod


class StatusForm(forms.Form):
    report = forms.CharField(label=_("Mã báo cáo"), max_length=40)
    periods_from = forms.DateField(label=_("Kỳ có ngày chốt từ"))
    periods_to = forms.DateField(label=_("đến"))

    def clean_report(self) -> str:
        code = (self.cleaned_data.get("report") or "").strip()
        if not ReportDefinition.objects.filter(code=code).exists():
            raise forms.ValidationError(gettext("Không có báo cáo mã %(code)s.") % {"code": code})
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("periods_from"), data.get("periods_to")
        if start and end and end < start:
            raise forms.ValidationError(gettext("Ngày kết thúc phải sau ngày bắt đầu."))
        if start:
            data["periods_from"] = start.isoformat()
        if end:
            data["periods_to"] = end.isoformat()
        return data


def _periods(user: User, params: dict[str, Any]) -> list[ReportPeriod]:
    access = access_for(user)
    return list(
        ReportPeriod.objects.filter(
            definition__in=selectors.visible_definitions(access),
            definition__code=params["report"],
            end__gte=date.fromisoformat(params["periods_from"]),
            end__lte=date.fromisoformat(params["periods_to"]),
        )
        .select_related("definition__receiving_unit")
        .order_by("end")
    )


COLUMNS = (
    Column("Mã báo cáo", width=16),
    Column("Kỳ", width=16),
    Column("Chốt số liệu từ", "date", 12),
    Column("Chốt số liệu đến", "date", 12),
    Column("Hạn gửi", "date", 12),
    Column("Mã đơn vị", width=12),
    Column("Đơn vị", width=40),
    Column("Trạng thái", width=22),
    Column("Gửi lúc", "datetime", 17),
    Column("Gửi sau hạn", "bool", 10),
    Column("Phiên bản", "int", 9),
    Column("Người ký", width=24),
)


def _rows(user: User, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    access = access_for(user)
    today = timezone.localdate()
    for period in _periods(user, params):
        for row in selectors.unit_rows(access, period, today):
            s, v = row.submission, row.version
            yield (
                period.definition.code,
                period.label,
                period.start,
                period.end,
                period.deadline,
                row.unit.code,
                row.unit.name,
                str(STATUS_TEXT[row.status]),
                s.submitted_at if s else None,
                bool(s and s.submitted_late),
                v.number if v else None,
                v.signer if v else "",
            )


def _count(user: User, params: dict[str, Any]) -> int:
    access = access_for(user)
    total = 0
    for period in _periods(user, params):
        units = period.definition.reporting_units
        if access.views_received(period.definition.receiving_unit):
            total += units.count()
        else:
            total += units.filter(pk__in=list(access.acting_ids)).count()
    return total


def _allowed(user: User) -> bool:
    access = access_for(user)
    return access.sees_received or bool(access.acting_ids)


STATUS_LIST = register(
    ExportKind(
        code="reporting.status",
        title="Tình hình gửi báo cáo của các đơn vị",
        columns=COLUMNS,
        form=StatusForm,
        count=_count,
        rows=_rows,
        allowed=_allowed,
        describe=lambda p: f"báo cáo {p['report']}, kỳ chốt từ {p['periods_from']} đến {p['periods_to']}",
    )
)
