"""Calendar over the API: days off in a year, and the due moment of a time limit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import AfterValidator, Field

from motcua.core.errorpages import ErrorOut
from motcua.core.errors import DomainError, NotFound
from motcua.core.models import OrgUnit
from motcua.core.validation import Text
from motcua.workdays.domain import TZ, CalendarError, LimitUnit, compute_due
from motcua.workdays.services import calendar_for

router = Router()


class DayOff(Schema):
    date: date
    name: str


@router.get(
    "/ngay-nghi/{year}",
    response={200: list[DayOff], 404: ErrorOut, 422: ErrorOut},
    summary="Các ngày nghỉ trong năm",
)
def days_off(request: HttpRequest, year: int, don_vi: Text | None = None) -> list[DayOff]:
    if not 1900 <= year <= 2200:
        raise DomainError("Năm phải trong khoảng 1900–2200.", code="invalid_year", status=422)
    unit = _unit(don_vi)
    return [DayOff(date=d, name=n) for d, n in calendar_for(unit, date(year, 1, 1)).days_off(year)]


def _in_calendar_years(moment: datetime) -> datetime:
    # Before 2000 or after 2100 there is no working calendar to speak of (and before 1906 Hà Nội's
    # clock was not even a whole number of minutes ahead of UTC).
    if not 2000 <= moment.year <= 2100:
        raise ValueError("Thời điểm tiếp nhận phải trong các năm 2000–2100.")
    return moment


class DueIn(Schema):
    received: Annotated[datetime, AfterValidator(_in_calendar_years)] = Field(
        description="Thời điểm tiếp nhận (năm 2000–2100); không có múi giờ thì hiểu là giờ Việt Nam"
    )
    limit: Decimal = Field(ge=0, le=3650, description="Thời hạn (số không âm)")
    unit: LimitUnit
    don_vi: Text | None = Field(default=None, description="Mã đơn vị có thẩm quyền (lịch riêng của đơn vị)")


class DueOut(Schema):
    effective_received: datetime
    due: datetime


def _unit(code: str | None) -> OrgUnit | None:
    if not code:
        return None
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã “{code}”.")
    return unit


@router.post(
    "/tinh-han",
    response={200: DueOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Tính hạn giải quyết",
)
def due(request: HttpRequest, payload: DueIn) -> DueOut:
    received = payload.received if payload.received.tzinfo else payload.received.replace(tzinfo=TZ)
    calendar = calendar_for(_unit(payload.don_vi), received.astimezone(TZ).date())
    try:
        deadline = compute_due(calendar, received, payload.limit, payload.unit)
    except CalendarError as exc:
        raise DomainError(str(exc), code="invalid_limit") from exc
    return DueOut(
        effective_received=deadline.effective_received.astimezone(TZ), due=deadline.due.astimezone(TZ)
    )
