"""The documents' legal rules (``core.rules``): which set of official forms is in force on a day; how
long each kind of document is kept before it is due for appraisal and transfer to the archive; which
procedures certify electronic copies from originals, who signs them, and the share of their fee the
budget pays."""

from __future__ import annotations

from typing import Any

from motcua.core.rules import RuleDefinition, RuleValueError, choice

CERTIFIED_COPY_RULE = "documents.certified_copy"
FEE_SUPPORT_RULE = "documents.certified_copy_fee_support_percent"
# Roles that may sign a certification (NĐ 23/2015 Điều 5: the chairman or a vice-chairman of the
# commune People's Committee, the commune's agency leader here): values of ``core.models.Role``.
CERTIFIED_COPY_DEFAULT: dict[str, Any] = {
    "procedures": ["2.000815"],
    "signer_roles": ["agency_leader"],
    "book": "01/{year}-SCT/BS",
}

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


def certified_copy_value(value: Any) -> dict[str, Any]:
    """Which procedures certify copies from originals, who signs, and the book's label."""
    from motcua.core.models import Role

    if not isinstance(value, dict) or set(value) != set(CERTIFIED_COPY_DEFAULT):
        raise RuleValueError("Cần đủ các mục: " + ", ".join(CERTIFIED_COPY_DEFAULT) + ".")
    procedures, roles, book = value["procedures"], value["signer_roles"], value["book"]
    if not isinstance(procedures, list) or not all(isinstance(p, str) and p.strip() for p in procedures):
        raise RuleValueError('“procedures” là danh sách mã thủ tục, ví dụ ["2.000815"].')
    known = set(Role.values)
    if not isinstance(roles, list) or not roles or not all(r in known for r in roles):
        raise RuleValueError("“signer_roles” là danh sách vai trò trong: " + ", ".join(sorted(known)) + ".")
    if not isinstance(book, str) or "{year}" not in book or len(book) > 40:
        raise RuleValueError("“book” là ký hiệu quyển sổ có chứa {year}, ví dụ 01/{year}-SCT/BS.")
    return {"procedures": [p.strip() for p in procedures], "signer_roles": list(roles), "book": book}


def percent_value(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise RuleValueError("Tỷ lệ hỗ trợ là số nguyên từ 0 đến 100 (phần trăm).")
    return value


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
    RuleDefinition(
        key=CERTIFIED_COPY_RULE,
        label="Chứng thực bản sao điện tử từ bản chính",
        default=CERTIFIED_COPY_DEFAULT,
        legal_basis=(
            "NĐ 23/2015/NĐ-CP Điều 5, 20 (người ký chứng thực, thủ tục); TT 01/2020/TT-BTP (lời chứng, "
            "sổ chứng thực SCT/BS); chứng thực bản sao điện tử theo NĐ 45/2020/NĐ-CP — mã thủ tục, vai "
            "trò người ký và ký hiệu quyển sổ điện tử chưa đối chiếu."
        ),
        verified=False,
        validate=certified_copy_value,
    ),
    RuleDefinition(
        key=FEE_SUPPORT_RULE,
        label="Tỷ lệ ngân sách hỗ trợ phí chứng thực bản sao điện tử (%)",
        default=0,
        legal_basis=(
            "Mặc định không hỗ trợ (phí theo TT 226/2016/TT-BTC). Hải Phòng: NQ 43/2025/NQ-HĐND hỗ trợ "
            "100% phí chứng thực bản sao điện tử từ bản chính 01/01/2026–31/12/2030 — theo tài liệu thứ "
            "cấp, chưa đối chiếu văn bản: tỉnh thêm phiên bản của quy tắc này."
        ),
        verified=False,
        validate=percent_value,
    ),
)
