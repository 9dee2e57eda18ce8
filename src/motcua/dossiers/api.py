"""The dossier API (mounted at /api/ho-so/): create, receive, transition, list, search, detail, sync record.

Authentication: a system token (``Authorization: Bearer mc_…``, ``motcua tokens issue``) or a staff
session (cookie, with the CSRF token on unsafe methods). Either way the caller is a ``User`` and the
role × unit scoping of the services and selectors applies unchanged: a dossier outside the caller's
units is "not found" (404), never "forbidden". Every write runs inside ``core.audit.acting_as`` with
the caller, so the audit log names the token's account and the token.

This module only translates: JSON in → the use cases of ``dossiers.services`` / reads of
``dossiers.selectors`` → JSON out. Errors are the services' ``DomainError``s (stable code, Vietnamese
message, HTTP status), rendered by ``motcua.api``. The translation itself is in ``api_input`` (JSON
→ service inputs) and ``api_output`` (dossiers → response schemas); authentication in ``api_auth``.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Status

from motcua.catalogue.models import Procedure
from motcua.core import tokens
from motcua.core.audit import acting_as, record
from motcua.core.middleware import client_ip
from motcua.core.models import Role, User
from motcua.core.permissions import has_role
from motcua.dossiers import idempotency, lookup, refdata, selectors, services
from motcua.dossiers import schemas as s
from motcua.dossiers.api_auth import StaffSession, TokenAuth
from motcua.dossiers.api_input import (
    applicant_of,
    catalogue_components,
    check_code,
    component_inputs,
    find_assignee,
    find_procedure,
    find_unit,
)
from motcua.dossiers.api_output import after_create, after_write, detail_out, list_items, status_out
from motcua.dossiers.models import Channel, Dossier, ResultDelivery
from motcua.dossiers.rules import (
    ACTION_LABELS,
    Action,
    DossierForbidden,
    DossierNotFound,
    InvalidDossierInput,
)
from motcua.dossiers.sync import dong_bo_ho_so_mc
from motcua.workdays.domain import to_local

router = Router(auth=[TokenAuth(), StaffSession()])

ERRORS: dict[int, Any] = {code: s.ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)}


def _caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@contextlib.contextmanager
def acting(request: HttpRequest) -> Iterator[User]:
    """Attribute the writes of the block to the caller; a token is named in the audit label."""
    user = _caller(request)
    token = getattr(request, "api_token", None)
    label = tokens.actor_label(token) if token is not None else None
    with acting_as(user, label=label, ip=client_ip(request)):
        yield user


# -- create and receive ------------------------------------------------------------------------------

CREATE_DESCRIPTION = """
Kênh 1 (trực tiếp) hoặc 3 (bưu chính): Bộ phận Một cửa tiếp nhận hồ sơ giấy đầy đủ (trạng thái 2,
`receive_at_counter`); hạn giải quyết được tính ngay. Kênh 2 (trực tuyến): hồ sơ nộp trực tuyến do
hệ thống chuyển tiếp (trạng thái 1, `submit_online`), chờ tiếp nhận bằng `POST /api/ho-so/{code}/tiep-nhan`.

Người gọi phải là cán bộ một cửa (intake_officer) của đơn vị tiếp nhận ở cả ba kênh. Chủ hồ sơ theo
số định danh (CCCD) hoặc mã số thuế; chưa có trong hệ thống thì được tạo khi có `full_name`.
Thành phần hồ sơ tham chiếu danh mục theo `order` hoặc `code` của phiên bản đang có hiệu lực.
"""


IDEMPOTENCY_KEY = Header(
    None,
    alias=idempotency.HEADER,
    description="Khóa chống tạo trùng (ví dụ một UUID): gửi lại cùng khóa và cùng nội dung thì nhận lại hồ "
    "sơ đã tạo lần đầu; cùng khóa với nội dung khác: 409 idempotency_key_reused.",
)


@router.post(
    "/",
    response={201: s.DossierOut, **ERRORS},
    summary="Tạo hồ sơ (tiếp nhận tại quầy, bưu chính hoặc nộp trực tuyến)",
    description=CREATE_DESCRIPTION,
)
def create_dossier(
    request: HttpRequest, payload: s.CreateIn, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> Status[s.DossierOut]:
    user = _caller(request)
    key = idempotency.check_key(idempotency_key)
    if key is not None:
        token = getattr(request, "api_token", None)
        scope = idempotency.scope_of(user_id=user.pk, token_id=token.pk if token is not None else None)
        digest = idempotency.request_hash(payload.model_dump(mode="json"))
        earlier = idempotency.replay(scope, key, digest)
        if earlier is not None:  # the same request again: the dossier it created, nothing new
            return Status(201, after_write(user, earlier))
    procedure = find_procedure(payload.procedure)
    receiving = find_unit(payload.receiving_unit, "receiving_unit")
    competent = find_unit(payload.competent_unit, "competent_unit") if payload.competent_unit else receiving
    if not has_role(user, Role.INTAKE_OFFICER, receiving):
        raise DossierForbidden(
            f"Bạn không phải cán bộ một cửa của {receiving.name}.",
            details={
                "action": "submit_online" if payload.channel == int(Channel.ONLINE) else "receive_at_counter"
            },
        )
    components = component_inputs(
        catalogue_components(procedure, to_local(timezone.now()).date()), payload.components
    )
    with acting(request), transaction.atomic():
        claimed = None
        if key is not None:
            claimed, earlier = idempotency.claim(scope, key, digest)
            if earlier is not None:  # an identical request committed meanwhile
                return Status(201, after_write(user, earlier))
        applicant = applicant_of(payload.applicant)
        if payload.channel == int(Channel.ONLINE):
            dossier = services.submit_online(
                applicant=applicant,
                procedure=procedure,
                receiving_unit=receiving,
                competent_unit=competent,
                components=components,
                result_delivery=payload.result_delivery or ResultDelivery.ONLINE,
            )
            # The submission is the applicant's (the service says so); which system relayed it is ours.
            record(
                "api.submit_online",
                object_type="dossiers.dossier",
                object_id=dossier.code,
                summary=f"Chuyển hồ sơ nộp trực tuyến {dossier.code} vào hệ thống qua API",
                data={"applicant": dossier.applicant_id_number},
            )
        else:
            dossier = services.receive_at_counter(
                by=user,
                applicant=applicant,
                procedure=procedure,
                receiving_unit=receiving,
                competent_unit=competent,
                components=components,
                channel=payload.channel,
                result_delivery=payload.result_delivery or ResultDelivery.COUNTER,
            )
        if claimed is not None:
            idempotency.bind(claimed, dossier)
    return Status(201, after_create(user, dossier))


@router.post(
    "/{code}/tiep-nhan",
    response={200: s.DossierOut, **ERRORS},
    summary="Tiếp nhận hồ sơ nộp trực tuyến",
    description="Hồ sơ trạng thái 1 → 2; hạn giải quyết bắt đầu tính (quy tắc workdays.online_received).",
)
def accept(request: HttpRequest, code: str, payload: s.AcceptIn) -> s.DossierOut:
    check_code(code)
    with acting(request) as user:
        dossier = services.accept_online(code, by=user, expected_version=payload.expected_version)
    return after_write(user, dossier)


# -- transitions ---------------------------------------------------------------------------------------


def _dispatch(user: User, code: str, p: Any) -> Dossier:
    v = p.expected_version
    if isinstance(p, s.HandOverIn):
        return services.hand_over(
            code, by=user, expected_version=v, assignee=find_assignee(p.assignee), note=p.note
        )
    if isinstance(p, s.SendBackIn):
        return services.send_back(
            code,
            by=user,
            expected_version=v,
            reason=p.reason,
            to_step=p.to_step,
            assignee=find_assignee(p.assignee),
        )
    if isinstance(p, s.AssignIn):
        assignee = find_assignee(p.assignee)
        assert assignee is not None
        return services.assign(code, by=user, expected_version=v, assignee=assignee, note=p.note)
    if isinstance(p, s.RequestSupplementIn):
        return services.request_supplement(
            code, by=user, expected_version=v, items=p.items, reasons=p.reasons
        )
    if isinstance(p, s.RequestIntakeSupplementIn):
        return services.request_intake_supplement(
            code, by=user, expected_version=v, items=p.items, reasons=p.reasons
        )
    if isinstance(p, s.ReceiveSupplementIn):
        components: list[services.ComponentInput] = []
        if p.components:
            # Catalogue references are read from the dossier's own version; out of scope = not found.
            dossier = selectors.visible(user).filter(code=code).select_related("procedure_version").first()
            if dossier is None:
                raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.")
            catalogue = list(dossier.procedure_version.components.all())
            components = component_inputs(catalogue, p.components)
        return services.receive_supplement(
            code, by=user, expected_version=v, note=p.note, components=components
        )
    if isinstance(p, s.RequestPaymentIn):
        items = [services.FeeInput(name=i.name, amount_vnd=i.amount_vnd, kind=i.kind) for i in p.items]
        return services.request_payment(code, by=user, expected_version=v, items=items, note=p.note)
    if isinstance(p, s.ConfirmPaymentIn):
        return services.confirm_payment(
            code, by=user, expected_version=v, receipt_ref=p.receipt_ref, online=p.online
        )
    if isinstance(p, s.RequestConsultationIn):
        targets = [
            services.ConsultationTarget(find_unit(t.unit, f"targets.{i}.unit"), t.working_days)
            for i, t in enumerate(p.targets)
        ]
        return services.request_consultation(
            code, by=user, expected_version=v, targets=targets, question=p.question, mode=p.mode
        )
    if isinstance(p, s.AnswerConsultationIn):
        return services.answer_consultation(
            code, p.consultation_id, by=user, expected_version=v, answer=p.answer
        )
    if isinstance(p, s.RefuseAtIntakeIn):
        return services.refuse_at_intake(code, by=user, expected_version=v, reasons=p.reasons)
    if isinstance(p, s.RefuseAfterAppraisalIn):
        return services.refuse_after_appraisal(code, by=user, expected_version=v, reasons=p.reasons)
    if isinstance(p, s.StopIn):
        return services.stop(code, by=user, expected_version=v, reasons=p.reasons)
    if isinstance(p, s.WithdrawIn):
        return services.withdraw(code, by=user, expected_version=v, reason=p.reason)
    if isinstance(p, s.ResetDueIn):
        return services.reset_due(code, by=user, expected_version=v, reason=p.reason, new_due=p.new_due)
    if isinstance(p, s.MarkResultReadyIn):
        return services.mark_result_ready(code, by=user, expected_version=v, note=p.note)
    if isinstance(p, s.ReturnResultIn):
        return services.return_result(code, by=user, expected_version=v, notified=p.notified, note=p.note)
    raise InvalidDossierInput("Thao tác không hợp lệ.", code="action_unknown")  # unreachable: the union


TRANSITION_DESCRIPTION = (
    """
Một thao tác trên hồ sơ, chọn bằng `action`; mỗi thao tác có các trường riêng (xem lược đồ từng
thao tác). `expected_version` là `lock_version` của hồ sơ người gọi đã đọc: nếu hồ sơ vừa được cập
nhật, trả 409 `dossier_stale` và không ghi gì. Thao tác không hợp với trạng thái hiện tại: 409
`dossier_invalid_transition`; không có quyền: 403 `dossier_forbidden`; hồ sơ ngoài phạm vi: 404.

Thao tác: """
    + "; ".join(f"`{a}` — {ACTION_LABELS[Action(a)].lower()}" for a in s.TRANSITION_SCHEMAS)
    + "."
)


@router.post(
    "/{code}/chuyen-trang-thai",
    response={200: s.DossierOut, **ERRORS},
    summary="Thực hiện một thao tác xử lý hồ sơ (chuyển trạng thái)",
    description=TRANSITION_DESCRIPTION,
)
def transition(request: HttpRequest, code: str, payload: s.TransitionIn) -> s.DossierOut:
    check_code(code)
    with acting(request) as user:
        dossier = _dispatch(user, code, payload)
    return after_write(user, dossier)


# -- reads ---------------------------------------------------------------------------------------------

FIRST_DAY = date(2000, 1, 1)


def _check_cursor(cursor: str) -> None:
    """Refuse cursors the selectors would decode but the database cannot compare (out-of-range ids or
    dates), so a forged cursor is a 422, never a 500."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        text, pk = json.loads(raw)
        moment = datetime.fromisoformat(text)
        ok = (
            isinstance(pk, int)
            and not isinstance(pk, bool)
            and 0 <= pk <= s.MAX_ID
            and moment.tzinfo is not None
            and FIRST_DAY.year <= moment.astimezone(UTC).year <= s.MAX_DAY.year
        )
    except (ValueError, TypeError, OverflowError):
        ok = False
    if not ok:
        raise InvalidDossierInput("Con trỏ trang không hợp lệ; hãy tải lại danh sách.", code="cursor_invalid")


BoxName = Literal[
    "to_receive",
    "to_process",
    "to_approve",
    "to_sign",
    "to_answer",
    "to_return",
    "unhandled",
    "soon_due",
    "overdue",
    "in_scope",
]
StateName = Literal[
    "submitted",
    "received",
    "refused_at_intake",
    "in_progress",
    "awaiting_supplement",
    "awaiting_payment",
    "withdrawn",
    "stopped",
    "refused_after_appraisal",
    "result_ready",
    "returned",
]
SortKey = Literal["due_at", "-due_at", "received_at", "-received_at", "submitted_at", "-submitted_at"]

BOX_DESCRIPTION = (
    "Hộp hồ sơ: to_receive (chờ tiếp nhận), to_process (chờ xử lý), to_approve (chờ trình ký), "
    "to_sign (chờ ký duyệt), to_answer (chờ cho ý kiến), to_return (chờ trả kết quả), unhandled (hồ sơ chưa "
    "có người xử lý: không ai giữ vai trò của bước hiện tại tại đơn vị thực hiện), soon_due (sắp đến "
    "hạn), overdue (quá hạn), in_scope (tất cả trong phạm vi, mới nộp trước)."
)

BOX = Query(None, description=BOX_DESCRIPTION + " Mặc định to_process.")
# The first published name of ``box`` (docs/architecture.md: parameters are English); still read.
HOP = Query(None, deprecated=True, description="Tên cũ của box, vẫn được nhận.")
STATE = Query(None, description="Trạng thái nội bộ.")
RECEIVED_FROM = Query(
    None, ge=FIRST_DAY, le=s.MAX_DAY, description="Tiếp nhận từ ngày (nộp từ ngày, hộp to_receive)."
)
RECEIVED_TO = Query(None, ge=FIRST_DAY, le=s.MAX_DAY, description="Đến hết ngày.")
SORT = Query(None, description="Khóa sắp xếp; dấu - là giảm dần.")


@router.get(
    "/",
    response={200: s.DossierListOut, **ERRORS},
    summary="Danh sách hồ sơ theo hộp, có lọc và phân trang theo con trỏ",
    description="Phân trang keyset: gửi lại `next_cursor` trong `cursor` để lấy trang sau (null là hết). "
    "Sắp xếp mặc định: submitted_at (to_receive), -submitted_at (in_scope) hoặc due_at.",
)
def list_dossiers(
    request: HttpRequest,
    box: BoxName | None = BOX,
    hop: BoxName | None = HOP,
    procedure: str | None = Query(None, max_length=40, description="Mã thủ tục hành chính."),
    state: StateName | None = STATE,
    channel: int | None = Query(None, ge=1, le=3, description="Kênh nộp: 1, 2 hoặc 3."),
    received_from: date | None = RECEIVED_FROM,
    received_to: date | None = RECEIVED_TO,
    sort: SortKey | None = SORT,
    cursor: str | None = Query(None, max_length=200, description="Con trỏ trang (next_cursor)."),
    limit: int = Query(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE),
) -> s.DossierListOut:
    user = _caller(request)
    box = box or hop or "to_process"
    procedure_id = None
    if procedure:
        procedure_id = (
            Procedure.objects.filter(code=procedure.replace("\x00", "")).values_list("pk", flat=True).first()
        )
        if procedure_id is None:
            return s.DossierListOut(box=box, sort=sort or "", limit=limit, items=[], next_cursor=None)
    if cursor:
        _check_cursor(cursor)
    filters = selectors.Filters(
        procedure_id=procedure_id,
        state=state,
        channel=channel,
        received_from=received_from,
        received_to=received_to,
    )
    page = selectors.inbox(user, box, filters=filters, sort=sort, cursor=cursor, limit=limit)
    return s.DossierListOut(
        box=box, sort=page.sort, limit=limit, items=list_items(page.items), next_cursor=page.next_cursor
    )


@router.get(
    "/tim",
    response={200: s.SearchOut, **ERRORS},
    summary="Tìm hồ sơ theo mã, số định danh / mã số thuế hoặc tên chủ hồ sơ",
    description="Tên không phân biệt dấu (“nguyen thi hong” tìm được “Nguyễn Thị Hồng”); mới nhất trước; "
    "chỉ trong phạm vi đơn vị của người gọi.",
)
def search(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=200, description="Từ khóa."),
    limit: int = Query(20, ge=1, le=selectors.MAX_PAGE_SIZE),
) -> s.SearchOut:
    text = q.replace("\x00", "")
    return s.SearchOut(q=q, items=list_items(selectors.search(_caller(request), text, limit=limit)))


@router.get(
    "/{code}",
    response={200: s.DossierOut, **ERRORS},
    summary="Chi tiết hồ sơ với lịch sử xử lý",
    description="Lịch sử (events), thành phần, phí, bổ sung, lấy ý kiến, hẹn lại, các thao tác người gọi "
    "được thực hiện (allowed_actions) và lock_version. Hồ sơ ngoài phạm vi: 404.",
)
def detail(request: HttpRequest, code: str) -> s.DossierOut:
    return detail_out(lookup.dossier_detail(_caller(request), check_code(code)))


@router.get(
    "/{code}/tinh-trang",
    response={200: s.DossierStatusOut, **ERRORS},
    summary="Tình trạng hồ sơ (bản gọn): trạng thái, bước xử lý, hạn và ngày hẹn trả",
    description="Những gì tra cứu tiến độ hiển thị, không kèm lịch sử hay thành phần: nhẹ hơn nhiều so "
    "với chi tiết, dùng khi chỉ cần biết hồ sơ đang ở đâu. Hồ sơ ngoài phạm vi: 404.",
)
def status(request: HttpRequest, code: str) -> s.DossierStatusOut:
    return status_out(lookup.dossier_status(_caller(request), check_code(code)))


@router.get(
    "/{code}/dong-bo",
    response={200: s.DongBoOut, **ERRORS},
    summary="Bản ghi đồng bộ DongBoHoSoMC (Cổng DVCQG) của hồ sơ",
    description="Đúng nội dung hộp thư đi gửi Cổng Dịch vụ công quốc gia (dossiers.sync), "
    "cho hệ thống tích hợp.",
)
def sync_record(request: HttpRequest, code: str) -> dict[str, Any]:
    check_code(code)
    visible = selectors.visible(_caller(request)).select_related(*refdata.PEOPLE_RELATED)
    dossier = visible.filter(code=code).first()
    if dossier is None:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.")
    refdata.attach_reference(dossier)
    return dong_bo_ho_so_mc(dossier, updating=dossier.lock_version > 1)


__all__ = ["StaffSession", "TokenAuth", "router"]
