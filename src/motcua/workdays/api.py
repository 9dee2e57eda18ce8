"""Calendar over the API: days off in a year, and the due moment of a time limit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from motcua.core.errors import DomainError, NotFound
from motcua.core.models import OrgUnit
from motcua.workdays.domain import TZ, CalendarError, LimitUnit, compute_due
from motcua.workdays.services import calendar_for

router = Router()


class DayOff(Schema):
    date: date
    name: str


@router.get("/ngay-nghi/{year}", response=list[DayOff], summary="Các ngày nghỉ trong năm")
def days_off(request: HttpRequest, year: int, don_vi: str | None = None) -> list[DayOff]:
    if not 1900 <= year <= 2200:
        raise DomainError("Năm phải trong khoảng 1900–2200.", code="invalid_year", status=422)
    unit = _unit(don_vi)
    return [DayOff(date=d, name=n) for d, n in calendar_for(unit, date(year, 1, 1)).days_off(year)]


class DueIn(Schema):
    received: datetime = Field(description="Thời điểm tiếp nhận; không có múi giờ thì hiểu là giờ Việt Nam")
    limit: Decimal = Field(ge=0, le=3650, description="Thời hạn (số không âm)")
    unit: LimitUnit
    don_vi: str | None = Field(default=None, description="Mã đơn vị có thẩm quyền (lịch riêng của đơn vị)")


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


@router.post("/tinh-han", response=DueOut, summary="Tính hạn giải quyết")
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
