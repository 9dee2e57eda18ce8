from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    label = "feedback"
    verbose_name = "Đánh giá, phản ánh kiến nghị"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from motcua.core import demodata, rules
        from motcua.dossiers import notify
        from motcua.feedback.rules import DEFINITIONS
        from motcua.feedback.services import notice_lines

        rules.register(*DEFINITIONS)
        notify.add_to_notices(notice_lines)
        demodata.register(
            demodata.DemoStep(
                "feedback",
                190,
                "motcua.feedback.demo.load_feedback_demo",
                "Tạo đánh giá của người dân về hồ sơ đã trả…",
            )
        )
        demodata.register(
            demodata.DemoStep(
                "feedback.pakn",
                191,
                "motcua.feedback.demo.load_pakn_demo",
                "Tạo phản ánh, kiến nghị mẫu và câu trả lời đã công khai…",
            )
        )
