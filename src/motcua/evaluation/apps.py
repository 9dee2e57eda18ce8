from datetime import timedelta

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "motcua.evaluation"
    label = "evaluation"
    verbose_name = "Đánh giá chất lượng phục vụ (QĐ 766)"

    def ready(self) -> None:
        # Its rules (766 weights, TT 01 bands, the on-time readings) join the registry of ``core.rules``.
        from motcua.core import rules, schedule
        from motcua.evaluation.rules import DEFINITIONS

        rules.register(*DEFINITIONS)
        schedule.register(
            schedule.PeriodicJob(
                "evaluation.flag_missing_apologies",
                "motcua.evaluation.latelist.flag_missing_apologies",
                timedelta(hours=6),
                "Báo lãnh đạo đơn vị các hồ sơ trễ hạn chưa có thư xin lỗi (một lần cho mỗi hồ sơ).",
            ),
            schedule.PeriodicJob(
                "evaluation.precompute",
                "motcua.evaluation.tasks.precompute_index",
                timedelta(hours=1),
                "Tính sẵn Bộ chỉ số 766 của 13 tháng gần nhất cho toàn tỉnh và từng đơn vị (bảng điều hành).",
            ),
        )
        # The export kinds (``exports.registry``): the late lists and TT 01/2018 scores, then the 766
        # index, ranking and drill-down.
        from motcua.evaluation import exports, exports_late  # noqa: F401
