"""Admin of the reporting regime: definitions, their data forms and indicators are master data edited
here (each save or delete, inlines included, is audited by the one mechanism of ``core.audit``: its
signal receivers); periods, unit reports and aggregated reports are read-only — they change only
through ``reporting.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.reporting.models import (
    AggregateReport,
    DataForm,
    Indicator,
    ReportDefinition,
    ReportPeriod,
    Submission,
)


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
class DefinitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "periodicity", "receiving_unit", "active"]
    list_filter = ["periodicity", "active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["reporting_units"]
    inlines = [FormInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
