"""Public tracking through the API (mounted at /api/tra-cuu-ho-so/): the same look-up as the portal's
page (``tracking.public_lookup``): the code and the last four digits of the applicant's identity number
or tax code; no personal data; an unknown code and a wrong second factor give the same 404 and the same
body; failed look-ups are limited per address (429)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from motcua.core.errorpages import ErrorOut
from motcua.core.errors import NotFound
from motcua.core.middleware import client_ip
from motcua.dossiers.schemas import Out
from motcua.dossiers.tracking import FACTOR_PATTERN, public_lookup

router = Router()

NOT_FOUND_MESSAGE = "Không tìm thấy hồ sơ với mã và 4 chữ số đã nhập."
FACTOR = Query(
    ...,
    pattern=f"^{FACTOR_PATTERN}$",
    description="4 chữ số cuối của số định danh cá nhân hoặc mã số thuế của người nộp hồ sơ.",
)


class TrackingNotFound(NotFound):
    code = "tracking_not_found"


class TrackingStepOut(Out):
    at: datetime
    action: str
    national_status_display: str


class TrackingOut(Out):
    code: str
    procedure: str
    national_status: int
    national_status_display: str
    current_step: str = Field(description="Bước đang xử lý và đơn vị thực hiện (rỗng khi không còn bước).")
    receiving_unit: str
    competent_unit: str
    submitted_at: datetime
    received_at: datetime | None
    appointment_at: datetime | None = Field(
        description="Ngày hẹn trả đã báo cho người nộp (ngày hẹn mới theo phiếu xin lỗi, nếu có)."
    )
    finished_at: datetime | None
    returned_at: datetime | None
    history: list[TrackingStepOut]


@router.get(
    "/{code}",
    response={200: TrackingOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Tra cứu tình trạng hồ sơ (công khai)",
    description="Mã hồ sơ và 4 chữ số cuối của số định danh hoặc mã số thuế của người nộp. Không trả "
    "thông tin cá nhân. Mã không có và 4 chữ số sai trả cùng một câu trả lời (404); tra cứu sai quá "
    "nhiều lần từ một địa chỉ: 429.",
)
def track(request: HttpRequest, code: str, xac_thuc: str = FACTOR) -> dict[str, Any]:
    found = public_lookup(code[:80], xac_thuc, client_ip(request))
    if found is None:
        raise TrackingNotFound(NOT_FOUND_MESSAGE)
    return {
        "code": found.code,
        "procedure": found.procedure,
        "national_status": found.status_code,
        "national_status_display": found.status,
        "current_step": found.step,
        "receiving_unit": found.receiving_unit,
        "competent_unit": found.competent_unit,
        "submitted_at": found.submitted_at,
        "received_at": found.received_at,
        "appointment_at": found.due_at,
        "finished_at": found.finished_at,
        "returned_at": found.returned_at,
        "history": [
            {"at": h.at, "action": h.what, "national_status_display": h.status} for h in found.history
        ],
    }
