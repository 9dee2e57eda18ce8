from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from motcua.core.models import (
    AuditEntry,
    Organisation,
    OrgUnit,
    OrgUnitSuccession,
    Person,
    RoleAssignment,
    RuleVersion,
    User,
)
from motcua.core.permissions import is_administrator


def _has_permission(request: HttpRequest) -> bool:
    # Master data is for administrators only: staff flag AND an active administrator assignment.
    user = request.user
    return bool(user.is_active and user.is_staff and is_administrator(user))  # type: ignore[arg-type]


def _login(request: HttpRequest, extra_context=None) -> HttpResponse:
    # One sign-in page for everyone, with throttling and the second factor; the admin has no other door.
    if request.user.is_authenticated:
        return render(
            request,
            "staff/forbidden.html",
            {"message": "Chỉ tài khoản quản trị hệ thống được vào trang quản trị danh mục."},
            status=403,
        )
    target = request.GET.get("next") or reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('staff:login')}?{urlencode({'next': target})}")


admin.site.has_permission = _has_permission  # type: ignore[method-assign]
admin.site.login = _login  # type: ignore[method-assign]


class SuccessionInline(admin.TabularInline):
    model = OrgUnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name_plural = "đơn vị kế thừa"


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "admin_code",
        "eid_code",
        "eid_code_generated",
        "is_one_stop",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["kind", "is_one_stop", "eid_code_generated", "former_province"]
    search_fields = ["name", "code", "admin_code", "eid_code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    inlines = [SuccessionInline]


@admin.register(OrgUnitSuccession)
class OrgUnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective", "whole", "verified"]
    autocomplete_fields = ["predecessor", "successor"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "full_name", "job_title", "primary_unit", "is_active"]
    list_filter = ["is_active", "role_assignments__role"]
    search_fields = ["username", "full_name"]
    autocomplete_fields = ["primary_unit"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin cán bộ", {"fields": ("full_name", "job_title", "phone", "email", "primary_unit")}),
        ("Trạng thái", {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "full_name", "primary_unit", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "citizen_id", "birth_date", "verified_with_population_db"]
    search_fields = ["citizen_id", "full_name_folded", "full_name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "tax_code", "representative"]
    search_fields = ["tax_code", "name", "name_folded"]


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    list_display = ["key", "effective_from", "value", "legal_basis"]
    list_filter = ["key"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["id", "at", "actor_label", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor_label", "summary"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
