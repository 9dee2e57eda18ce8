from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "motcua.evaluation"
    label = "evaluation"
    verbose_name = "Đánh giá chất lượng phục vụ (QĐ 766)"

    def ready(self) -> None:
        # The export kinds of the late lists and TT 01/2018 scores (the exports app discovers only
        # ``<app>.exports`` modules, which belong to the dashboard here).
        from motcua.evaluation import exports_late  # noqa: F401
