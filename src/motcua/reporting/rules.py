"""The reporting regime's rules, registered in ``core.rules`` from ``ReportingConfig.ready``."""

from __future__ import annotations

from motcua.core.rules import RuleDefinition, choice, non_negative_int

DEFINITIONS = (
    RuleDefinition(
        "reporting.deadline_working_days",
        "Hạn gửi báo cáo sau ngày chốt số liệu (ngày làm việc)",
        2,
        "Quy ước của motcua theo quy chế báo cáo cấp tỉnh (NĐ 09/2019/NĐ-CP chưa đối chiếu)",
        False,
        non_negative_int,
    ),
    RuleDefinition(
        "reporting.cutoff",
        "Thời gian chốt số liệu báo cáo (mặc định của các chế độ báo cáo)",
        "nd09",
        "NĐ 09/2019/NĐ-CP Điều 12 (từ ngày 15 tháng trước đến ngày 14 tháng của kỳ; theo quy chế báo cáo "
        "cấp tỉnh, chưa đối chiếu văn bản gốc); biến thể “calendar” theo tháng dương lịch",
        False,
        choice("nd09", "calendar"),
    ),
)
