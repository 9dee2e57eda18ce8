"""The working days' legal rules (defaults, sources, verified flags), registered in ``core.rules`` from
``WorkdaysConfig.ready``; a ``RuleVersion`` row changes one from a date (docs/rules.md)."""

from __future__ import annotations

from motcua.core.rules import RuleDefinition, choice, office_hours_value, time_of_day

DEFINITIONS = (
    RuleDefinition(
        "workdays.cutoff",
        "Giờ chốt tiếp nhận trong ngày",
        "15:00",
        "NĐ 61/2018/NĐ-CP Điều 18 (hồ sơ tiếp nhận sau 15 giờ chuyển vào đầu ngày làm việc tiếp theo)",
        True,
        time_of_day,
    ),
    RuleDefinition(
        "workdays.office_hours",
        "Giờ làm việc mặc định của cơ quan",
        [["07:30", "11:30"], ["13:30", "17:00"]],
        "Quy định giờ làm việc của UBND tỉnh (chưa đối chiếu văn bản của Hải Phòng)",
        False,
        office_hours_value,
    ),
    RuleDefinition(
        "workdays.supplement_mode",
        "Cách tính thời hạn khi yêu cầu bổ sung hồ sơ",
        "restart",
        "NĐ 61/2018/NĐ-CP Điều 19.4: thời gian giải quyết tính lại từ đầu khi nhận đủ hồ sơ "
        "(restart); biến thể “shift” lùi hạn đúng bằng thời gian tạm dừng",
        True,
        choice("restart", "shift"),
    ),
    RuleDefinition(
        "workdays.online_received",
        "Thời điểm tiếp nhận hồ sơ nộp trực tuyến ngoài giờ",
        "next_opening",
        "Chưa có quy định quốc gia xác nhận; một số tỉnh áp dụng giờ chốt 15:00 cả với hồ sơ trực tuyến",
        False,
        choice("next_opening", "cutoff"),
    ),
)
