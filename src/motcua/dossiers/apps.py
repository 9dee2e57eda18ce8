from datetime import timedelta

from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        # The dossiers' rules (codes, supplement window, apology) and the two readings of the one
        # on-time rule (``dossiers.ontime``) join the registry of ``core.rules``.
        from motcua.core import demodata, rules, schedule
        from motcua.dossiers import rules as dossier_rules
        from motcua.dossiers.ontime import RULE_DEFINITIONS

        rules.register(*dossier_rules.DEFINITIONS, *RULE_DEFINITIONS)
        schedule.register(
            schedule.PeriodicJob(
                "dossiers.flag_due",
                "motcua.dossiers.tasks.flag_due_dossiers",
                timedelta(minutes=30),
                "Cảnh báo hồ sơ sắp đến hạn và quá hạn (một lần cho mỗi hồ sơ), gửi thư cho người xử lý và "
                "lãnh đạo đơn vị tiếp nhận.",
            )
        )
        schedule.register(
            schedule.PeriodicJob(
                "dossiers.pull_national",
                "motcua.dossiers.tasks.pull_national",
                timedelta(minutes=5),
                "Nhận các hồ sơ công dân nộp trên Cổng Dịch vụ công quốc gia (khi có DVCQG_ENDPOINT).",
            )
        )
        demodata.register(
            demodata.DemoStep(
                "dossiers.national_portal",
                160,
                "motcua.dossiers.demo_portal.write_incoming",
                "Chuẩn bị hồ sơ công dân nộp trên Cổng DVCQG cho Cổng mô phỏng…",
            )
        )
        # A changed role assignment changes whose boxes hold what (``dossiers.boxcache``).
        from django.db.models.signals import post_delete, post_save

        from motcua.core.models import RoleAssignment
        from motcua.dossiers.boxcache import assignments_changed

        for signal, uid in ((post_save, "save"), (post_delete, "delete")):
            uid = f"dossiers.boxcache.{uid}"
            signal.connect(assignments_changed, sender=RoleAssignment, dispatch_uid=uid)
        from motcua.core import audit

        audit.exempt(
            "dossiers.BoxGeneration",
            reason="mã thế hệ của bộ nhớ tạm số lượng hồ sơ: thay sau mỗi thao tác đã được ghi nhật ký",
        )
        # The dossier list export (``exports.registry``).
        from motcua.dossiers import exports  # noqa: F401
