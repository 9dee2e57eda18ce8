"""The documents' legal rules (``core.rules``): which set of official forms is in force on a day."""

from __future__ import annotations

from motcua.core.rules import RuleDefinition, choice

FORM_SET_RULE = "documents.form_set"
TT01_2018 = "tt01-2018"
TT03_2025 = "tt03-2025"

RULES = (
    RuleDefinition(
        key=FORM_SET_RULE,
        label="Bộ biểu mẫu tiếp nhận, giải quyết hồ sơ",
        default=TT01_2018,
        legal_basis=(
            "TT 01/2018/TT-VPCP Điều 9 (Mẫu 01–06, đã đối chiếu); TT 03/2025/TT-VPCP thay thế — tên "
            "mẫu theo tài liệu thứ cấp, bố cục và ngày áp dụng chưa đối chiếu: tỉnh thêm một phiên bản "
            "của quy tắc này khi áp dụng."
        ),
        verified=False,
        validate=choice(TT01_2018, TT03_2025),
    ),
)
