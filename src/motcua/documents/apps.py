from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    verbose_name = "Giấy tờ, biểu mẫu"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The form set in force on a day (TT 01/2018, then the set the province switches to) is a
        # versioned rule of ``core.rules``.
        from datetime import timedelta

        from motcua.core import demodata, schedule
        from motcua.core.rules import register
        from motcua.documents.rules import RULES

        register(*RULES)
        schedule.register(
            schedule.PeriodicJob(
                "documents.issue_forms",
                "motcua.documents.tasks.issue_recent_forms",
                timedelta(minutes=1),
                "Lập sẵn giấy tiếp nhận, phiếu yêu cầu bổ sung, phiếu từ chối, phiếu xin lỗi của các "
                "thao tác vừa thực hiện, để khi in chỉ cần đọc tệp đã lưu.",
            )
        )
        demodata.register(
            demodata.DemoStep(
                "documents",
                150,
                "motcua.documents.demo.load_documents_demo",
                "Tạo khóa ký số thử nghiệm, ký số kết quả điện tử của các hồ sơ đã giải quyết gần đây…",
            )
        )
        # TT 01/2018 Mẫu 06, the register of dossiers, as an export kind (``exports.registry``).
        from motcua.documents import register as _register  # noqa: F401
