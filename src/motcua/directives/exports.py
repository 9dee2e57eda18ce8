"""Tables of task tracking that staff can export to Excel or CSV (see ``motcua.exports``).

Rows come from ``selectors.visible``: an export never holds a task its owner could not open. The
status is the one on the day of the export.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core.models import OrgUnit, User
from motcua.directives import recurrence, selectors
from motcua.directives import status as st
from motcua.directives.access import access_for
from motcua.directives.forms import STATUS_TEXT
from motcua.directives.models import Directive, DirectiveUnit, ProgressReport, SourceDocument
from motcua.directives.unitnames import COLLECTIVE_LABELS, Collective
from motcua.exports.registry import Column, ExportKind, check_period, local_days, register


class TaskListForm(forms.Form):
    document = forms.CharField(label=_("Số, ký hiệu văn bản"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả"))] + [(s.value, STATUS_TEXT[s]) for s in st.ORDER],
    )
    unit = forms.CharField(label=_("Mã đơn vị chủ trì hoặc phối hợp"), required=False, max_length=40)

    def clean_document(self) -> str:
        number = (self.cleaned_data.get("document") or "").strip()
        if number and not SourceDocument.objects.filter(number=number).exists():
            raise forms.ValidationError(gettext("Không có văn bản số %(number)s.") % {"number": number})
        return number

    def clean_unit(self) -> str:
        code = (self.cleaned_data.get("unit") or "").strip()
        if code and not OrgUnit.objects.filter(code=code).exists():
            raise forms.ValidationError(gettext("Không có đơn vị mã %(code)s.") % {"code": code})
        return code


def _tasks(user: User, params: dict[str, Any]) -> QuerySet[Directive]:
    today = timezone.localdate()
    access = access_for(user, today)
    unit = OrgUnit.objects.get(code=params["unit"]) if params.get("unit") else None
    # With a unit, the status is that of the unit's own part where it leads the task.
    qs = selectors.annotated(selectors.visible(user, access), today, selectors.soon_until(today), unit)
    if params.get("document"):
        qs = qs.filter(document__number=params["document"])
    if unit is not None:
        qs = selectors.for_unit(qs, unit)
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    return qs


TASK_COLUMNS = (
    Column("Văn bản", width=18),
    Column("Ngày văn bản", "date", 12),
    Column("Mục", width=6),
    Column("Số TT", width=7),
    Column("Nội dung nhiệm vụ", width=60),
    Column("Cơ quan chủ trì", width=36),
    Column("Cơ quan phối hợp", width=36),
    Column("Thời hạn (văn bản ghi)", width=26),
    Column("Hạn hiện tại", "date", 12),
    Column("Định kỳ", width=28),
    Column("Tiến độ (%)", "int", 10),
    Column("Trạng thái", width=24),
    Column("Ngày hoàn thành", "date", 14),
    Column("Báo cáo gần nhất", "datetime", 17),
    Column("Chờ duyệt", width=18),
)


def _unit_names(directive_ids: list[int]) -> dict[tuple[int, str], list[str]]:
    names: dict[tuple[int, str], list[str]] = {}
    rows = (
        DirectiveUnit.objects.filter(directive_id__in=directive_ids)
        .order_by("directive_id", "role", "position")
        .values_list("directive_id", "role", "name", "unit__name", "collective")
    )
    for directive_id, role, name, unit_name, collective in rows:
        shown = unit_name or (COLLECTIVE_LABELS[Collective(collective)] if collective else name)
        if unit_name and name != unit_name:
            shown = f"{unit_name} (văn bản ghi: {name})"
        names.setdefault((directive_id, role), []).append(shown)
    return names


def _task_rows(user: User, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    qs = _tasks(user, params).order_by("-document__issued_on", "document_id", "position")
    values = list(
        qs.values_list(
            "pk",
            "document__number",
            "document__issued_on",
            "section",
            "number",
            "content",
            "deadline_text",
            "current__due_on",
            "current__next_due_on",
            "recurrence",
            "current__progress",
            "status",
            "current__completed_on",
            "current__last_report_at",
            "current__completion_requested_at",
            "current__extension_requested_at",
        )
    )
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        units = _unit_names([row[0] for row in chunk])
        for (
            pk,
            doc,
            issued,
            section,
            number,
            content,
            text,
            due,
            next_due,
            rule,
            progress,
            status,
            done,
            report,
            c,
            e,
        ) in chunk:
            pending = ", ".join(p for p, flag in (("hoàn thành", c), ("gia hạn", e)) if flag)
            yield (
                doc,
                issued,
                section,
                number,
                content,
                "; ".join(units.get((pk, "lead"), [])),
                "; ".join(units.get((pk, "coordinating"), [])),
                text,
                next_due or due,  # the earliest deadline of a unit not done yet
                _recurrence_text(rule),
                progress,
                st.LABELS[st.Status(status)],
                done,
                report,
                pending,
            )


def _recurrence_text(rule: str) -> str:
    """The period in words ("ngày 30 tháng 9 hằng năm"), never the rule's code."""
    if not rule:
        return ""
    try:
        return recurrence.describe(rule)
    except recurrence.RecurrenceError:
        return ""


def _describe_tasks(params: dict[str, Any]) -> str:
    parts = []
    if params.get("document"):
        parts.append("văn bản " + params["document"])
    if params.get("unit"):
        parts.append("đơn vị " + params["unit"])
    if params.get("status"):
        parts.append(st.LABELS[st.Status(params["status"])].lower())
    return ", ".join(parts)


TASK_LIST = register(
    ExportKind(
        code="directives.tasks",
        title="Danh sách nhiệm vụ",
        columns=TASK_COLUMNS,
        form=TaskListForm,
        count=lambda user, params: _tasks(user, params).count(),
        rows=_task_rows,
        describe=_describe_tasks,
    )
)


class ReportListForm(forms.Form):
    reported_from = forms.DateField(label=_("Báo cáo từ ngày"))
    reported_to = forms.DateField(label=_("đến ngày"))
    # Not "document": both tables' forms are on the exports page, their fields' ids must differ.
    document_number = forms.CharField(label=_("Số, ký hiệu văn bản"), required=False, max_length=60)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_period(data.get("reported_from"), data.get("reported_to"))
        return data


def _reports(user: User, params: dict[str, Any]) -> QuerySet[ProgressReport]:
    start, end = local_days(params["reported_from"], params["reported_to"])
    tasks = selectors.visible(user, access_for(user))
    if params.get("document_number"):
        tasks = tasks.filter(document__number=params["document_number"])
    return ProgressReport.objects.filter(
        occurrence__directive__in=tasks, created_at__gte=start, created_at__lt=end
    )


REPORT_COLUMNS = (
    Column("Văn bản", width=18),
    Column("Số TT nhiệm vụ", width=8),
    Column("Nội dung nhiệm vụ", width=50),
    Column("Hạn của kỳ", "date", 12),
    Column("Đơn vị báo cáo", width=30),
    Column("Người báo cáo", width=24),
    Column("Báo cáo lúc", "datetime", 17),
    Column("Tiến độ (%)", "int", 10),
    Column("Nội dung báo cáo", width=60),
)


def _report_rows(user: User, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    values = (
        _reports(user, params)
        .order_by("created_at", "id")
        .values_list(
            "occurrence__directive__document__number",
            "occurrence__directive__number",
            "occurrence__directive__content",
            "occurrence__due_on",
            "unit__name",
            "author__full_name",
            "created_at",
            "percent",
            "text",
        )
    )
    yield from values.iterator(chunk_size=2000)


def _describe_reports(params: dict[str, Any]) -> str:
    text = (
        "báo cáo từ "
        + date.fromisoformat(params["reported_from"]).strftime("%d/%m/%Y")
        + " đến "
        + date.fromisoformat(params["reported_to"]).strftime("%d/%m/%Y")
    )
    return text + (", văn bản " + params["document_number"] if params.get("document_number") else "")


REPORT_LIST = register(
    ExportKind(
        code="directives.reports",
        title="Báo cáo tiến độ nhiệm vụ",
        columns=REPORT_COLUMNS,
        form=ReportListForm,
        count=lambda user, params: _reports(user, params).count(),
        rows=_report_rows,
        describe=_describe_reports,
    )
)
