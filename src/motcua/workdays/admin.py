from django.contrib import admin

from motcua.workdays.models import CalendarOverride, OfficeHours


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "unit", "decision"]
    list_filter = ["kind", "unit"]
    search_fields = ["name", "decision"]
    date_hierarchy = "date"
    autocomplete_fields = ["unit"]


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    list_display = ["__str__", "windows", "saturday_reception", "note"]
    autocomplete_fields = ["unit"]
