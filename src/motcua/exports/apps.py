from datetime import timedelta

from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "motcua.exports"
    verbose_name = "Xuất dữ liệu"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The export kinds are registered by the apps that own the tables, each from its own
        # ``AppConfig.ready`` (``exports.registry``): this app imports no feature app.
        from motcua.core import schedule

        schedule.register(
            schedule.PeriodicJob(
                "exports.expire",
                "motcua.exports.tasks.expire_exports",
                timedelta(hours=6),
                "Xóa tệp xuất dữ liệu quá thời hạn lưu (EXPORT_KEEP_DAYS ngày); giữ lại lịch sử yêu cầu.",
            )
        )
