from datetime import timedelta

from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "motcua.directives"
    label = "directives"
    verbose_name = "Theo dõi nhiệm vụ"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from motcua.core import demodata, rules, schedule
        from motcua.directives.rules import DEFINITIONS

        rules.register(*DEFINITIONS)
        schedule.register(
            schedule.PeriodicJob(
                "directives.remind",
                "motcua.directives.tasks.send_reminders",
                timedelta(hours=1),
                "Tạo kỳ mới của nhiệm vụ định kỳ; nhắc đơn vị chủ trì nhiệm vụ sắp đến hạn và quá hạn (một "
                "lần cho mỗi kỳ và mỗi loại nhắc).",
            )
        )
        demodata.register(
            demodata.DemoStep(
                "directives",
                100,
                "motcua.directives.demo.load_directives_demo",
                "Nạp kế hoạch và tiến độ theo dõi nhiệm vụ…",
            )
        )
        # The task and progress-report lists (``exports.registry``).
        from motcua.directives import exports  # noqa: F401
