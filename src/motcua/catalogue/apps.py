from datetime import timedelta

from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "motcua.catalogue"
    label = "catalogue"
    verbose_name = "Danh mục thủ tục hành chính"

    def ready(self) -> None:
        from motcua.core import refcache, schedule

        # The procedure versions and what hangs on them are cached by every process (``catalogue.cache``);
        # a save or delete of any of them renews the cache (``core.refcache``).
        refcache.watch(
            "catalogue.Field",
            "catalogue.Procedure",
            "catalogue.ProcedureVersion",
            "catalogue.Component",
            "catalogue.Fee",
            "catalogue.WorkflowStep",
            "catalogue.DocumentType",
        )

        schedule.register(
            schedule.PeriodicJob(
                "catalogue.refresh_in_force",
                "motcua.catalogue.tasks.refresh_procedures_in_force",
                timedelta(hours=1),
                "Cập nhật tên và chỉ mục tìm kiếm của thủ tục khi một phiên bản mới đến ngày hiệu lực.",
            )
        )
