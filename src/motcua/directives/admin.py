"""Read-only admin views of task tracking: every change goes through the staff screens and
``directives.services`` (audited); the admin is for looking things up."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.directives.models import Directive, DirectiveUnit, Occurrence, SourceDocument, UnitAlias


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UnitInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DirectiveUnit
    extra = 0
    fields = ["role", "name", "unit", "original_unit", "collective", "via"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OccurrenceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Occurrence
    extra = 0
    fields = ["seq", "original_due_on", "due_on", "progress", "completed_on"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SourceDocument)
class SourceDocumentAdmin(ReadOnly):
    list_display = ["number", "issued_on", "kind", "issuer", "assigning_unit"]
    search_fields = ["number", "summary", "issuer"]
    list_filter = ["kind"]


@admin.register(Directive)
class DirectiveAdmin(ReadOnly):
    list_display = ["document", "section", "number", "deadline_text", "deadline", "recurrence"]
    list_filter = ["deadline_kind", "document"]
    search_fields = ["content", "lead_text"]
    inlines = [UnitInline, OccurrenceInline]


@admin.register(UnitAlias)
class UnitAliasAdmin(ReadOnly):
    list_display = ["name", "unit", "collective", "decided_by", "decided_at"]
