from datetime import timedelta

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "motcua.dashboard"
    label = "dashboard"
    verbose_name = "Bộ chỉ số điều hành"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from motcua.core import demodata, schedule

        schedule.register(
            schedule.PeriodicJob(
                "dashboard.refresh",
                "motcua.dashboard.tasks.refresh_indicators",
                timedelta(hours=1),
                "Tính lại giá trị 13 tháng gần nhất của bộ chỉ số điều hành (toàn tỉnh và từng đơn vị).",
            )
        )
        demodata.register(demodata.DemoStep("dashboard", 300, "motcua.dashboard.demo.load_dashboard_demo"))
