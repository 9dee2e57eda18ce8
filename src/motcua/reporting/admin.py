"""Admin of the reporting regime: definitions, their data forms and indicators are master data edited
here (each save or delete is audited); periods, unit reports and aggregated reports are read-only —
they change only through ``reporting.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from motcua.core import audit
from motcua.reporting.models import (
    AggregateReport,
    DataForm,
    Indicator,
    ReportDefinition,
    ReportPeriod,
    Submission,
)


def _record(action: str, obj: Model) -> None:
    audit.record(
        action,
        object_type=f"reporting.{obj._meta.model_name}",
        object_id=obj.pk or "",
        summary=str(obj)[:255],
        data=audit.snapshot(obj),
    )


class Audited(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _record("update" if change else "create", obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record("delete", obj)
        super().delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects + [o for o, _ in formset.changed_objects]:
            _record("update", obj)
        for obj in formset.deleted_objects:
            _record("delete", obj)


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FormInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DataForm
    extra = 0


@admin.register(ReportDefinition)
class DefinitionAdmin(Audited):
    list_display = ["code", "name", "periodicity", "receiving_unit", "active"]
    list_filter = ["periodicity", "active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["reporting_units"]
    inlines = [FormInline]


@admin.register(Indicator)
class IndicatorAdmin(Audited):
    list_display = ["definition", "form", "code", "name", "value_type", "aggregation", "prefill_key"]
    list_filter = ["definition", "value_type", "aggregation"]
    search_fields = ["code", "name"]


@admin.register(ReportPeriod)
class PeriodAdmin(ReadOnly):
    list_display = ["definition", "label", "start", "end", "deadline"]
    list_filter = ["definition"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnly):
    list_display = ["period", "unit", "state", "submitted_at", "submitted_late"]
    list_filter = ["state", "period__definition"]


@admin.register(AggregateReport)
class AggregateAdmin(ReadOnly):
    list_display = ["period", "number", "accepted_at", "receipt_id", "delivered_at"]
