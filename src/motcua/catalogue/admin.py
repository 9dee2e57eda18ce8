"""Master-data screens of the procedure catalogue (under /quan-tri/). Labels come from the models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from motcua.catalogue import rules
from motcua.catalogue.models import (
    Component,
    DocumentType,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    WorkflowStep,
)
from motcua.catalogue.selectors import search_token_filter
from motcua.catalogue.services import (
    hours_per_day_on,
    publish_version,
    refresh_procedure,
    version_staffing_warnings,
)
from motcua.core.errors import DomainError
from motcua.core.text import search_tokens


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    """Loại giấy tờ. Codes are motcua's own (the national catalogue's are not published): a code in use
    by a procedure file should not change."""

    list_display = ["code", "name", "kind", "reusable"]
    list_filter = ["kind", "reusable"]
    search_fields = ["code", "name"]


class ProcedureVersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ("version", "status", "effective_from", "effective_to", "decision", "time_limit", "online_level")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description="thời hạn giải quyết")
    def time_limit(self, obj: ProcedureVersion) -> str:
        return obj.time_limit_display()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "field", "level", "is_placeholder"]
    list_filter = ["level", "field", "is_placeholder"]
    list_select_related = ["field"]
    search_fields = ["code", "name"]
    inlines = [ProcedureVersionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Procedure | None = None) -> list[str]:
        # The name follows the version in force; it is typed by hand only while there is no version.
        return ["name"] if obj is not None and obj.versions.exists() else []

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Procedure], search_term: str
    ) -> tuple[QuerySet[Procedure], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        tokens = search_tokens(search_term)
        if tokens:  # also without diacritics: "dang ky khai sinh" finds "Đăng ký khai sinh"
            folded = queryset
            for token in tokens:
                folded = folded.filter(search_token_filter(token))
            results = results | folded
        return results, may_have_duplicates

    def save_model(self, request: HttpRequest, obj: Procedure, form: Any, change: bool) -> None:
        obj.refresh_search_text()
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        refresh_procedure(form.instance)


class ComponentInline(admin.StackedInline):
    """The e-form (a JSON Schema) is checked by ``Component.clean`` with ``eforms.check_schema``: a schema
    the portal could not show is refused with each problem in Vietnamese."""

    model = Component
    extra = 0
    fields = [
        ("order", "code"),
        "name",
        ("kind", "quantity", "role", "required"),
        ("channels", "alternative_group"),
        ("doc_type", "form_template"),
        "eform_schema",
        "note",
    ]


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    fields = ["order", "name", "kind", "amount_vnd", "pay_first", "exemptions", "note"]


class WorkflowFormSet(BaseInlineFormSet):
    """The workflow as a whole must fit the version's time limit (``rules.check_allocation``)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        version: ProcedureVersion = self.instance
        if not version.time_limit_unit or version.effective_from is None or version.time_limit_value is None:
            return  # the version form itself is invalid and says so
        steps = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            steps.append(
                rules.Step(
                    code=data.get("code") or "",
                    order=int(data.get("order") or 0),
                    allotted_hours=Decimal(data.get("allotted_hours") or 0),
                    parallel_group=data.get("parallel_group") or "",
                )
            )
        result = rules.check_allocation(
            version.time_limit_value,
            version.time_limit_unit,
            steps,
            published=version.status == ProcedureVersion.Status.PUBLISHED,
            hours_per_day=hours_per_day_on(version.effective_from),
        )
        problems = [p.message for p in result.problems if p.loc[:1] != ("time_limit",)]
        if problems:
            raise ValidationError(problems)


class WorkflowStepInline(admin.TabularInline):
    model = WorkflowStep
    formset = WorkflowFormSet
    extra = 0
    autocomplete_fields = ["unit"]
    fields = [
        "order",
        "code",
        "name",
        "role",
        "unit_mode",
        "unit",
        "allotted_hours",
        "parallel_group",
        "is_consultation",
    ]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = [
        "procedure",
        "version",
        "status",
        "effective_from",
        "effective_to",
        "time_limit",
        "online_level",
        "unverified_count",
    ]
    list_filter = ["status", "online_level", "time_limit_unit", "procedure__level"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__code", "name", "decision"]
    autocomplete_fields = ["procedure", "implementing_units"]
    readonly_fields = ["unverified"]
    inlines = [ComponentInline, FeeInline, WorkflowStepInline]
    actions = ["publish"]
    fieldsets = (
        (None, {"fields": ("procedure", "version", "status", "name", "unverified")}),
        ("Hiệu lực và công bố", {"fields": ("effective_from", "effective_to", "decision", "decision_date")}),
        (
            "Thực hiện",
            {
                "fields": (
                    "levels",
                    "implementing_agency",
                    "implementing_units",
                    "sequence",
                    "method",
                    "channels",
                    "target_groups",
                )
            },
        ),
        ("Thời hạn", {"fields": ("time_limit_value", "time_limit_unit", "time_limit_text")}),
        (
            "Kết quả và trực tuyến",
            {
                "fields": (
                    "result_types",
                    "result_doc_type",
                    "paper_result_required",
                    "online_level",
                    "online_partial_reason",
                )
            },
        ),
        ("Căn cứ và nguồn", {"fields": ("legal_bases", "sources", "notes", "verified")}),
    )

    @admin.display(description="thời hạn giải quyết")
    def time_limit(self, obj: ProcedureVersion) -> str:
        return obj.time_limit_display()

    @admin.display(description="trường chưa đối chiếu nguồn")
    def unverified(self, obj: ProcedureVersion) -> str:
        fields = obj.unverified_fields
        return ", ".join(fields) if fields else "— (mọi trường đã đối chiếu hoặc chưa ghi nhận)"

    @admin.display(description="số trường chưa đối chiếu")
    def unverified_count(self, obj: ProcedureVersion) -> int:
        return len(obj.unverified_fields)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        refresh_procedure(form.instance.procedure)
        # Saved, but a step nobody can do leaves its dossiers stuck: say so (intake refuses those units).
        for warning in version_staffing_warnings(form.instance):
            self.message_user(request, warning, messages.WARNING)

    @admin.action(description="Công bố phiên bản")
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        published = 0
        for version in queryset.select_related("procedure"):
            try:
                publish_version(version)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                published += 1
        if published:
            self.message_user(request, f"Đã công bố {published} phiên bản.", messages.SUCCESS)
