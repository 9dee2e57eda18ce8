"""Organisation data over the API: public, read-only (unit names and codes are published facts)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from motcua.core.errorpages import ErrorOut
from motcua.core.errors import NotFound
from motcua.core.models import OrgUnit
from motcua.core.services import successors_on
from motcua.core.validation import Day, Text

router = Router()


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    admin_code: str
    eid_code: str | None
    eid_code_generated: bool
    is_one_stop: bool
    valid_from: date
    valid_to: date | None


def _out(unit: OrgUnit, parent_code: str | None) -> UnitOut:
    return UnitOut(
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        parent=parent_code,
        admin_code=unit.admin_code,
        eid_code=unit.eid_code,
        eid_code_generated=unit.eid_code_generated,
        is_one_stop=unit.is_one_stop,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
    )


@router.get(
    "/don-vi",
    response={200: list[UnitOut], 422: ErrorOut},
    summary="Cơ quan, đơn vị có hiệu lực vào một ngày",
)
def list_units(request: HttpRequest, ngay: Day | None = None, loai: Text | None = None) -> list[UnitOut]:
    day = ngay or timezone.localdate()
    qs = OrgUnit.objects.active_on(day).select_related("parent").order_by("path")
    if loai:
        qs = qs.filter(kind=loai)
    return [_out(u, u.parent.code if u.parent else None) for u in qs]


class SuccessorsOut(Schema):
    unit: UnitOut
    successors: list[UnitOut]


@router.get(
    "/don-vi/{code}/ke-thua",
    response={200: SuccessorsOut, 404: ErrorOut, 422: ErrorOut},
    summary="Đơn vị kế thừa vào một ngày",
)
def unit_successors(request: HttpRequest, code: Text, ngay: Day | None = None) -> SuccessorsOut:
    unit = OrgUnit.objects.select_related("parent").filter(code=code).first()
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã “{code}”.")
    day = ngay or timezone.localdate()
    return SuccessorsOut(
        unit=_out(unit, unit.parent.code if unit.parent else None),
        successors=[_out(s, None) for s in successors_on(unit, day)],
    )
