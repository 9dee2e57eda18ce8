"""The rules of ratings, registered in ``core.rules`` from ``FeedbackConfig.ready``: what a citizen rates
(NĐ 61/2018 Điều 31), on which scale, and how long a rating link stays usable."""

from __future__ import annotations

from typing import Any

from motcua.core.rules import RuleDefinition, RuleValueError, non_negative_int

# NĐ 61/2018/NĐ-CP Điều 31 khoản 1, points a–i (the wording shortened for a phone screen).
RATING_ITEMS = [
    ["a", "Thời gian trả kết quả so với quy định"],
    ["b", "Số lượng cơ quan, đơn vị phải liên hệ"],
    ["c", "Số lần phải liên hệ để hoàn thiện hồ sơ"],
    ["d", "Thông tin về thủ tục hành chính được công khai đầy đủ, chính xác, kịp thời"],
    ["dd", "Thái độ của cán bộ, công chức"],
    ["e", "Kết quả đúng quy định; chi phí đúng quy định, không có chi phí ngoài quy định"],
    ["g", "Thời gian và chất lượng trả lời phản ánh, kiến nghị"],
    ["h", "Tiến độ và chất lượng dịch vụ công trực tuyến"],
    ["i", "Nội dung khác"],
]
# Each item: one of these answers (code, label). The regulation names the items, not the scale.
RATING_SCALE = [
    ["tot", "Hài lòng"],
    ["binh_thuong", "Bình thường"],
    ["khong_tot", "Không hài lòng"],
]


def pairs(value: Any) -> list[list[str]]:
    """A list of [code, label] pairs with distinct, non-empty codes."""
    if not isinstance(value, list) or not value:
        raise RuleValueError("Giá trị là danh sách các cặp [mã, nội dung].")
    seen: set[str] = set()
    out: list[list[str]] = []
    for item in value:
        if (
            not isinstance(item, list | tuple)
            or len(item) != 2
            or not all(isinstance(x, str) and x.strip() for x in item)
        ):
            raise RuleValueError("Mỗi mục gồm mã và nội dung, đều không để trống.")
        code, label = item[0].strip(), item[1].strip()
        if code in seen:
            raise RuleValueError(f"Mã {code} bị trùng.")
        seen.add(code)
        out.append([code, label])
    return out


PAKN_DEADLINES = {"reject": 2, "first_info_request": 5, "handle": 15, "publish": 2}


def deadlines(value: Any) -> dict[str, int]:
    """The four PAKN time limits in working days, each a whole number of days."""
    if not isinstance(value, dict) or set(value) != set(PAKN_DEADLINES):
        raise RuleValueError("Giá trị gồm đúng bốn thời hạn: " + ", ".join(PAKN_DEADLINES) + ".")
    out = {}
    for key, days in value.items():
        if isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= 60:
            raise RuleValueError(f"Thời hạn {key} là số ngày làm việc từ 1 đến 60.")
        out[key] = days
    return out


DEFINITIONS = (
    RuleDefinition(
        "feedback.rating_items",
        "Các nội dung người dân đánh giá khi nhận kết quả",
        RATING_ITEMS,
        "NĐ 61/2018/NĐ-CP Điều 31 khoản 1 (điểm a–i); nội dung rút gọn để hiển thị, chưa đối chiếu bản sửa "
        "đổi theo NĐ 107/2021/NĐ-CP và NĐ 118/2025/NĐ-CP",
        False,
        pairs,
    ),
    RuleDefinition(
        "feedback.rating_scale",
        "Thang đánh giá của từng nội dung",
        RATING_SCALE,
        "Quy ước của motcua (văn bản quy định nội dung đánh giá, không quy định thang); cấu hình theo tỉnh",
        False,
        pairs,
    ),
    RuleDefinition(
        "feedback.rating_link_days",
        "Số ngày đường dẫn đánh giá (gửi kèm thông báo trả kết quả) còn dùng được",
        30,
        "Quy ước của motcua",
        False,
        non_negative_int,
    ),
    RuleDefinition(
        "feedback.pakn_deadlines",
        "Thời hạn xử lý phản ánh, kiến nghị (ngày làm việc, tính từ khi tiếp nhận hoặc chuyển gần nhất)",
        PAKN_DEADLINES,
        "QĐ 766/QĐ-TTg, cách tính chỉ số 5.2 (từ chối ≤ 2, yêu cầu bổ sung lần đầu ≤ 5, xử lý ≤ 15, "
        "công khai ≤ 2 ngày làm việc) theo tài liệu hướng dẫn của Cổng DVCQG",
        True,
        deadlines,
    ),
    RuleDefinition(
        "feedback.kiosk_minutes",
        "Số phút máy đánh giá tại quầy chờ người dân đánh giá hồ sơ vừa trả",
        10,
        "Quy ước của motcua",
        False,
        non_negative_int,
    ),
)
