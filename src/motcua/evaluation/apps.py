from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "motcua.evaluation"
    label = "evaluation"
    verbose_name = "Đánh giá chất lượng phục vụ (QĐ 766)"

    def ready(self) -> None:
        # Its rules (766 weights, TT 01 bands, the on-time readings) join the registry of ``core.rules``.
        from motcua.core import rules
        from motcua.evaluation.rules import DEFINITIONS

        rules.register(*DEFINITIONS)
        # The export kinds of the late lists and TT 01/2018 scores (the exports app discovers only
        # ``<app>.exports`` modules, which belong to the dashboard here).
        from motcua.evaluation import exports_late  # noqa: F401
