"""The document types (loại giấy tờ) motcua knows from the start: the papers the demo procedures ask
for or issue (docs/rules.md §15). The national catalogue's own codes for these papers are not published:
the codes are motcua's, stable once written (a procedure file refers to them). ``reusable``: the state
issues and keeps the paper, so a citizen can pick it from the personal data warehouse instead of
uploading it.

Written by the catalogue's data migration, and again by the demo's loader (``ensure`` adds what is
missing and never changes a row an administrator edited).
"""

from __future__ import annotations

from typing import Any

# code, name, kind, reusable
DOCUMENT_TYPES = [
    (
        "GT.GIAYTOTUYTHAN",
        "Giấy tờ tùy thân (thẻ căn cước, thẻ Căn cước công dân, hộ chiếu)",
        "identity",
        True,
    ),
    ("GT.CANCUOC", "Thẻ căn cước, thẻ Căn cước công dân", "identity", True),
    ("GT.HOCHIEU", "Hộ chiếu", "identity", True),
    ("GT.KHAISINH", "Giấy khai sinh", "civil_status", True),
    ("GT.KETHON", "Giấy chứng nhận kết hôn", "civil_status", True),
    ("GT.KHAITU", "Trích lục khai tử", "civil_status", True),
    ("GT.XNTTHN", "Giấy xác nhận tình trạng hôn nhân", "civil_status", True),
    ("GT.TRICHLUCHT", "Bản sao trích lục hộ tịch", "civil_status", True),
    ("GT.GHICHULYHON", "Trích lục ghi chú ly hôn", "civil_status", True),
    ("GT.CHUNGSINH", "Giấy chứng sinh", "certificate", False),
    ("GT.BAOTU", "Giấy báo tử", "certificate", False),
    ("GT.DKHKD", "Giấy chứng nhận đăng ký hộ kinh doanh", "certificate", True),
    ("GT.DKDN", "Giấy chứng nhận đăng ký doanh nghiệp", "certificate", True),
    ("GT.DKDT", "Giấy chứng nhận đăng ký đầu tư", "certificate", True),
    ("GT.GPXD", "Giấy phép xây dựng", "certificate", True),
    ("GT.LLTP", "Phiếu lý lịch tư pháp", "certificate", True),
    ("GT.GPLX", "Giấy phép lái xe", "certificate", True),
    ("GT.KHAMSUCKHOE", "Giấy khám sức khỏe của người lái xe", "certificate", False),
    ("GT.UYQUYEN", "Văn bản ủy quyền", "other", False),
    ("GT.BANSAOCT", "Bản sao được chứng thực từ bản chính", "other", False),
    ("GT.CHUNGTHUCCHUKY", "Giấy tờ, văn bản được chứng thực chữ ký", "other", False),
]

# The codes above.
KNOWN = frozenset(code for code, *_ in DOCUMENT_TYPES)


def ensure(model: Any = None) -> int:
    """Add the known types that are missing; the number added. ``model``: the historical model in a
    migration (the current one otherwise)."""
    if model is None:
        from motcua.catalogue.models import DocumentType as model
    added = 0
    for code, name, kind, reusable in DOCUMENT_TYPES:
        _, created = model.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "reusable": reusable}
        )
        added += created
    return added
