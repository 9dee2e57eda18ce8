from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "motcua.workdays"
    label = "workdays"
    verbose_name = "Lịch làm việc"

    def ready(self) -> None:
        # The working days' rules join ``core.rules``; their calendars join the reference-data cache,
        # which a save of an override or office hours renews (``core.refcache``).
        from motcua.core import refcache, rules
        from motcua.workdays.rules import DEFINITIONS

        rules.register(*DEFINITIONS)
        refcache.watch("workdays.CalendarOverride", "workdays.OfficeHours")
