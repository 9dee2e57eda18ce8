from datetime import timedelta

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "motcua.reporting"
    label = "reporting"
    verbose_name = "Chế độ báo cáo (NĐ 09/2019)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from motcua.core import demodata, rules, schedule
        from motcua.integrations import registry
        from motcua.reporting import adapter
        from motcua.reporting.rules import DEFINITIONS

        registry.on_delivered(adapter.TOPIC, adapter.delivered)

        rules.register(*DEFINITIONS)
        schedule.register(
            schedule.PeriodicJob(
                "reporting.periodic",
                "motcua.reporting.tasks.periodic",
                timedelta(minutes=30),
                "Tạo kỳ báo cáo mới theo chế độ báo cáo.",
            )
        )
        demodata.register(
            demodata.DemoStep(
                "reporting",
                200,
                "motcua.reporting.demo.load_reporting_demo",
                "Nạp chế độ báo cáo và báo cáo của các đơn vị…",
            )
        )
        # The report status list (``exports.registry``).
        from motcua.reporting import exports  # noqa: F401
