"""The documents' legal rules (``core.rules``): which set of official forms is in force on a day; how
long each kind of document is kept before it is due for appraisal and transfer to the archive."""

from __future__ import annotations

from typing import Any

from motcua.core.rules import RuleDefinition, RuleValueError, choice

FORM_SET_RULE = "documents.form_set"
TT01_2018 = "tt01-2018"
TT03_2025 = "tt03-2025"
RETENTION_RULE = "documents.retention_years"
# Kinds of document kept: the ``Document`` kinds, and "scan" for the scans of a dossier's documents.
RETENTION_KINDS = ("form", "scan", "result", "certified_copy", "original", "copy")
RETENTION_DEFAULT: dict[str, int | None] = {
    "form": 10,
    "scan": 10,
    "result": None,  # kept permanently (vĩnh viễn)
    "certified_copy": 5,
    "original": 10,
    "copy": 10,
}


def retention_value(value: Any) -> dict[str, int | None]:
    """Years per kind of document (1–100), ``null`` for permanent; every kind given."""
    if not isinstance(value, dict) or set(value) != set(RETENTION_KINDS):
        raise RuleValueError(
            "Cần thời hạn bảo quản (năm) cho đủ các loại: " + ", ".join(RETENTION_KINDS) + "."
        )
    out: dict[str, int | None] = {}
    for kind, years in value.items():
        if years is not None and (
            isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 100
        ):
            raise RuleValueError(
                f"Thời hạn bảo quản của “{kind}” phải là số năm từ 1 đến 100, hoặc null (vĩnh viễn)."
            )
        out[kind] = years
    return out


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
    RuleDefinition(
        key=RETENTION_RULE,
        label="Thời hạn bảo quản giấy tờ điện tử (năm)",
        default=RETENTION_DEFAULT,
        legal_basis=(
            "Luật Lưu trữ 2024; TT 10/2022/TT-BNV (thời hạn bảo quản tài liệu) — thời hạn cho từng loại "
            "hồ sơ giải quyết thủ tục hành chính chưa đối chiếu: giá trị mặc định của motcua, tỉnh thêm "
            "phiên bản theo danh mục thời hạn bảo quản của mình."
        ),
        verified=False,
        validate=retention_value,
    ),
)
