"""Public, read-only API of the procedure catalogue (mounted at /api/thu-tuc/)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field as PydanticField

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.catalogue.selectors import procedure_detail, search_procedures
from motcua.core.errorpages import ErrorOut
from motcua.core.errors import NotFound
from motcua.core.validation import Text

router = Router()

MAX_LIMIT = 100
ON_DAY = Query(None, description="Ngày xét hiệu lực (mặc định: hôm nay).")
KEYWORDS = Query("", max_length=200, description="Từ khóa (không phân biệt dấu), hoặc mã TTHC.")
FIELD_CODE = Query(None, max_length=40, description="Mã lĩnh vực.")


class FieldOut(Schema):
    code: str
    name: str


class TimeLimitOut(Schema):
    value: Decimal
    unit: str
    text: str
    display: str = PydanticField(description="Thời hạn để hiển thị, ví dụ “3 ngày làm việc”.")


class ProcedureListItem(Schema):
    code: str
    name: str
    field: FieldOut
    level: str
    level_display: str
    version: int | None
    online_level: str | None
    online_level_display: str | None
    time_limit: TimeLimitOut | None


class ProcedureListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProcedureListItem]


class ProcedureComponentOut(Schema):
    order: int
    code: str
    name: str
    kind: str
    kind_display: str
    quantity: int
    role: str
    role_display: str
    required: bool
    channels: list[str] = PydanticField(
        description="Hình thức nộp mà giấy tờ áp dụng (direct, postal, online); rỗng: mọi hình thức."
    )
    alternative_group: str = PydanticField(
        description="Các giấy tờ cùng nhóm thay thế nhau: chỉ cần nộp một trong số đó; rỗng: không có."
    )
    form_template: str
    note: str


class ProcedureFeeOut(Schema):
    order: int
    name: str
    kind: str
    kind_display: str
    amount_vnd: int | None = PydanticField(
        description="Mức thu; null khi chưa có số liệu (không phải 0 đồng)."
    )
    pay_first: bool = PydanticField(
        description="Nộp khi nộp hồ sơ trực tuyến, trước khi cơ quan tiếp nhận hồ sơ."
    )
    exemptions: str
    note: str


class WorkflowStepOut(Schema):
    order: int
    code: str
    name: str
    role: str
    role_display: str
    unit_mode: str
    unit: str | None
    allotted_hours: Decimal
    parallel_group: str
    is_consultation: bool


class VersionOut(Schema):
    version: int
    status: str
    effective_from: date
    effective_to: date | None
    decision: str
    decision_date: date | None
    name: str
    levels: list[str]
    implementing_agency: str
    sequence: str
    method: str
    channels: list[str]
    time_limit: TimeLimitOut
    target_groups: list[str]
    result_types: list[str]
    paper_result_required: bool
    legal_bases: list[str]
    online_level: str
    online_level_display: str
    online_partial_reason: str
    unverified_fields: list[str] = PydanticField(
        description="Trường chưa đối chiếu với nguồn chính thức: không hiển thị như thông tin chính thức."
    )
    sources: list[str]
    components: list[ProcedureComponentOut]
    fees: list[ProcedureFeeOut]
    workflow: list[WorkflowStepOut]


class ProcedureDetailOut(Schema):
    code: str
    name: str
    field: FieldOut
    level: str
    level_display: str
    version: VersionOut


def _time_limit(v: ProcedureVersion) -> TimeLimitOut:
    return TimeLimitOut(
        value=v.time_limit_value,
        unit=v.time_limit_unit,
        text=v.time_limit_text,
        display=v.time_limit_display(),
    )


def _list_item(p: Procedure) -> ProcedureListItem:
    current_versions = getattr(p, "current_versions", None)  # prefetched by search_procedures
    current = current_versions[0] if current_versions else None
    return ProcedureListItem(
        code=p.code,
        name=p.name,
        field=FieldOut(code=p.field.code, name=p.field.name),
        level=p.level,
        level_display=p.get_level_display(),
        version=current.version if current else None,
        online_level=current.online_level if current else None,
        online_level_display=current.get_online_level_display() if current else None,
        time_limit=_time_limit(current) if current else None,
    )


@router.get("/", response={200: ProcedureListOut, 422: ErrorOut}, summary="Tra cứu thủ tục hành chính")
def list_procedures(
    request: HttpRequest,
    q: Text = KEYWORDS,
    level: Literal["province", "commune"] | None = Query(None, description="Cấp thực hiện."),
    field: Text | None = FIELD_CODE,
    online_level: Literal["full", "partial", "none"] | None = Query(None, description="Mức độ trực tuyến."),
    on: date | None = ON_DAY,
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
) -> ProcedureListOut:
    qs = search_procedures(q, level=level, field_code=field, online_level=online_level, on=on)
    count = qs.count()
    items = [_list_item(p) for p in qs[offset : offset + limit]]
    return ProcedureListOut(count=count, limit=limit, offset=offset, items=items)


@router.get(
    "/{code}",
    response={200: ProcedureDetailOut, 404: ErrorOut, 422: ErrorOut},
    summary="Chi tiết thủ tục hành chính (phiên bản có hiệu lực)",
)
def get_procedure(
    request: HttpRequest,
    code: Text,
    on: date | None = ON_DAY,
) -> ProcedureDetailOut:
    detail = procedure_detail(code, on=on)
    p, v = detail.procedure, detail.version
    if v is None:
        day = on.strftime("%d/%m/%Y") if on else "hôm nay"
        raise NotFound(f"Không tìm thấy thủ tục có mã {code} có hiệu lực vào ngày {day}.")
    version = VersionOut(
        version=v.version,
        status=v.status,
        effective_from=v.effective_from,
        effective_to=v.effective_to,
        decision=v.decision,
        decision_date=v.decision_date,
        name=v.name,
        levels=list(v.levels or []),
        implementing_agency=v.implementing_agency,
        sequence=v.sequence,
        method=v.method,
        channels=list(v.channels or []),
        time_limit=_time_limit(v),
        target_groups=list(v.target_groups or []),
        result_types=list(v.result_types or []),
        paper_result_required=v.paper_result_required,
        legal_bases=list(v.legal_bases or []),
        online_level=v.online_level,
        online_level_display=v.get_online_level_display(),
        online_partial_reason=v.online_partial_reason,
        unverified_fields=v.unverified_fields,
        sources=list(v.sources or []),
        components=[
            ProcedureComponentOut(
                order=c.order,
                code=c.code,
                name=c.name,
                kind=c.kind,
                kind_display=c.get_kind_display(),
                quantity=c.quantity,
                role=c.role,
                role_display=c.get_role_display(),
                required=c.required,
                channels=list(c.channels or []),
                alternative_group=c.alternative_group,
                form_template=c.form_template,
                note=c.note,
            )
            for c in v.components.all()
        ],
        fees=[
            ProcedureFeeOut(
                order=f.order,
                name=f.name,
                kind=f.kind,
                kind_display=f.get_kind_display(),
                amount_vnd=int(f.amount_vnd) if f.amount_vnd is not None else None,
                pay_first=f.pay_first,
                exemptions=f.exemptions,
                note=f.note,
            )
            for f in v.fees.all()
        ],
        workflow=[
            WorkflowStepOut(
                order=s.order,
                code=s.code,
                name=s.name,
                role=s.role,
                role_display=s.get_role_display(),
                unit_mode=s.unit_mode,
                unit=s.unit.code if s.unit else None,
                allotted_hours=s.allotted_hours,
                parallel_group=s.parallel_group,
                is_consultation=s.is_consultation,
            )
            for s in v.workflow_steps.all()
        ],
    )
    return ProcedureDetailOut(
        code=p.code,
        name=p.name,
        field=FieldOut(code=p.field.code, name=p.field.name),
        level=p.level,
        level_display=p.get_level_display(),
        version=version,
    )
