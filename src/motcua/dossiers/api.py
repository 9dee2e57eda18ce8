"""The dossier API (mounted at /api/ho-so/): create, receive, transition, list, search, detail, sync record.

Authentication: a system token (``Authorization: Bearer mc_…``, ``motcua tokens issue``) or a staff
session (cookie, with the CSRF token on unsafe methods). Either way the caller is a ``User`` and the
role × unit scoping of the services and selectors applies unchanged: a dossier outside the caller's
units is "not found" (404), never "forbidden". Every write runs inside ``core.audit.acting_as`` with
the caller, so the audit log names the token's account and the token.

This module only translates: JSON in → the use cases of ``dossiers.services`` / reads of
``dossiers.selectors`` → JSON out. Errors are the services' ``DomainError``s (stable code, Vietnamese
message, HTTP status), rendered by ``motcua.api``.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Status
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from motcua.catalogue.models import Component, Procedure, ProcedureVersion
from motcua.core import people, tokens
from motcua.core.audit import acting_as, record
from motcua.core.errors import Forbidden
from motcua.core.middleware import client_ip
from motcua.core.models import Organisation, OrgUnit, Person, Role, User
from motcua.core.permissions import has_role
from motcua.dossiers import idempotency, selectors, services
from motcua.dossiers import schemas as s
from motcua.dossiers.models import Channel, Dossier, ResultDelivery
from motcua.dossiers.rules import (
    ACTION_LABELS,
    NATIONAL_STATUS_LABELS,
    STATE_LABELS,
    Action,
    DossierForbidden,
    DossierNotFound,
    InvalidDossierInput,
    State,
)
from motcua.dossiers.sync import dong_bo_ho_so_mc
from motcua.workdays.domain import to_local

# -- authentication --------------------------------------------------------------------------------


class CsrfFailed(Forbidden):
    code = "csrf_failed"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer mc_…``: a system token, acting as its account."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = tokens.verify(token, ip=client_ip(request))  # InvalidToken (401) / TooManyFailures (429)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class StaffSession(APIKeyCookie):
    """The staff session cookie; unsafe methods also need the CSRF token (header ``X-CSRFToken``)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF is checked in ``authenticate``, once the session is known to be signed in: without a
        # session the answer is 401, not a CSRF failure.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if check_csrf(request) is not None:
            raise CsrfFailed(
                "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF): gửi kèm tiêu đề X-CSRFToken "
                "bằng giá trị cookie csrftoken, hoặc dùng mã truy cập API."
            )
        return user if isinstance(user, User) else None


router = Router(auth=[TokenAuth(), StaffSession()])

ERRORS: dict[int, Any] = {code: s.ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)}


def _caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@contextlib.contextmanager
def _acting(request: HttpRequest) -> Iterator[User]:
    """Attribute the writes of the block to the caller; a token is named in the audit label."""
    user = _caller(request)
    token = getattr(request, "api_token", None)
    label = tokens.actor_label(token) if token is not None else None
    with acting_as(user, label=label, ip=client_ip(request)):
        yield user


# -- small helpers ---------------------------------------------------------------------------------


def _t(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_local(moment)


def _state_label(value: str) -> str:
    try:
        return STATE_LABELS[State(value)]
    except ValueError:
        return value


def _action_label(value: str) -> str:
    try:
        return ACTION_LABELS[Action(value)]
    except ValueError:
        return value


def _check_code(code: str) -> str:
    """A path code that can be a dossier code; anything else is simply not found."""
    if not code or len(code) > 60 or "\x00" in code:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code[:60]!s}.")
    return code


def _unit(code: str, field: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first() or OrgUnit.objects.filter(eid_code=code).first()
    if unit is None:
        raise InvalidDossierInput(
            f"Không có đơn vị mã “{code}”.", code="unit_unknown", details={"field": field}
        )
    return unit


def _assignee(username: str | None) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidDossierInput(
            f"Không có tài khoản cán bộ “{username}” đang hoạt động.",
            code="assignee_invalid",
            details={"field": "assignee"},
        )
    return user


def _procedure(code: str) -> Procedure:
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        raise InvalidDossierInput(
            f"Không có thủ tục hành chính mã “{code}”.",
            code="procedure_unknown",
            details={"field": "procedure"},
        )
    return procedure


def _component_inputs(
    version_components: Sequence[Component], given: Sequence[s.ComponentIn]
) -> list[services.ComponentInput]:
    """Catalogue references (order or code) → the catalogue ids the services expect."""
    by_order = {c.order: c for c in version_components}
    by_code = {c.code: c for c in version_components if c.code}
    inputs = []
    for i, item in enumerate(given):
        component = None
        if item.order is not None or item.code:
            component = by_order.get(item.order) if item.order is not None else by_code.get(item.code or "")
            if component is None:
                ref = f"thứ tự {item.order}" if item.order is not None else f"mã “{item.code}”"
                raise InvalidDossierInput(
                    f"Giấy tờ {ref} không thuộc thành phần hồ sơ của thủ tục (phiên bản đang có hiệu lực).",
                    code="component_unknown",
                    details={"field": f"components.{i}"},
                )
        inputs.append(
            services.ComponentInput(
                component_id=component.pk if component else None,
                name=item.name,
                kind=item.kind or "original",
                quantity=item.quantity,
                received=item.received,
                digitised=item.digitised,
                reused=item.reused,
            )
        )
    return inputs


def _catalogue_components(procedure: Procedure, day: date) -> list[Component]:
    version = ProcedureVersion.objects.in_force(day).filter(procedure=procedure).first()
    return [] if version is None else list(version.components.all())


def _applicant(data: s.ApplicantIn) -> Person | Organisation:
    """The applicant on record, or a new one (``core.people``: checked, and safe when another
    counter registers the same number at the same moment), inside the caller's transaction."""
    try:
        if data.citizen_id:
            return people.person(
                people.PersonIn(
                    citizen_id=data.citizen_id,
                    full_name=data.full_name or "",
                    birth_date=data.birth_date,
                    phone=data.phone,
                    email=data.email,
                    address=data.address,
                )
            )[0]
        return people.organisation(
            people.OrganisationIn(
                tax_code=data.tax_code or "",
                name=data.full_name or "",
                representative=data.representative,
                phone=data.phone,
                email=data.email,
                address=data.address,
            )
        )[0]
    except people.ApplicantInvalid as exc:
        field = {"id_number": "citizen_id" if data.citizen_id else "tax_code", "name": "full_name"}.get(
            exc.field, exc.field
        )
        raise InvalidDossierInput(
            exc.message, code=exc.code, details={"field": f"applicant.{field}"}
        ) from None


# -- output ------------------------------------------------------------------------------------------


def _step(dossier: Dossier) -> s.StepOut | None:
    step = dossier.current_step
    return None if step is None else s.StepOut(code=step.code, name=step.name, role=step.role)


def _assignee_out(dossier: Dossier) -> s.PersonRef | None:
    user = dossier.assignee
    return None if user is None else s.PersonRef(username=user.username, full_name=user.full_name)


def _list_items(rows: Sequence[Dossier]) -> list[s.DossierListItem]:
    # The list selectors load the related rows' codes and names with the page (no query here).
    return [
        s.DossierListItem(
            code=d.code,
            state=d.state,
            state_display=_state_label(d.state),
            national_status=d.national_status,
            channel=d.channel,
            applicant_name=d.applicant_name,
            applicant_identified=not d.applicant_unidentified,
            procedure=s.Ref(code=d.procedure.code, name=d.procedure.name),
            receiving_unit=s.Ref(code=d.receiving_unit.code, name=d.receiving_unit.name),
            competent_unit=s.Ref(code=d.competent_unit.code, name=d.competent_unit.name),
            current_step=_step(d),
            assignee=_assignee_out(d),
            submitted_at=to_local(d.submitted_at),
            received_at=_t(d.received_at),
            due_at=_t(d.due_at),
            step_due_at=_t(d.step_due_at),
            finished_at=_t(d.finished_at),
            lock_version=d.lock_version,
        )
        for d in rows
    ]


def _detail_out(detail: selectors.DossierDetail) -> s.DossierOut:
    d = detail.dossier
    catalogue_ids = {c.catalogue_component_id for c in detail.components if c.catalogue_component_id}
    catalogue = (
        {
            pk: (code, order)
            for pk, code, order in Component.objects.filter(pk__in=catalogue_ids).values_list(
                "pk", "code", "order"
            )
        }
        if catalogue_ids
        else {}
    )
    kind = d.applicant_type
    return s.DossierOut(
        code=d.code,
        state=d.state,
        state_display=_state_label(d.state),
        national_status=d.national_status,
        national_status_display=NATIONAL_STATUS_LABELS.get(d.national_status, ""),
        channel=d.channel,
        channel_display=Channel(d.channel).label if d.channel in Channel.values else str(d.channel),
        result_delivery=d.result_delivery,
        procedure=s.Ref(code=d.procedure.code, name=d.procedure.name),
        procedure_version=d.procedure_version.version,
        receiving_unit=s.Ref(code=d.receiving_unit.code, name=d.receiving_unit.name),
        competent_unit=s.Ref(code=d.competent_unit.code, name=d.competent_unit.name),
        applicant=s.ApplicantOut(
            type="citizen" if kind == 1 else "organisation" if kind == 2 else None,
            id_number=d.applicant_id_number,
            name=d.applicant_name,
            identified=not d.applicant_unidentified,
        ),
        submitted_at=to_local(d.submitted_at),
        received_at=_t(d.received_at),
        due_at=_t(d.due_at),
        promised_at=_t(d.promised_at),
        step_started_at=_t(d.step_started_at),
        step_due_at=_t(d.step_due_at),
        finished_at=_t(d.finished_at),
        returned_at=_t(d.returned_at),
        current_step=_step(d),
        assignee=_assignee_out(d),
        paid_online=d.paid_online,
        lock_version=d.lock_version,
        allowed_actions=[a.value for a in detail.actions],
        events=[
            s.EventOut(
                seq=e.seq,
                at=to_local(e.at),
                action=e.action,
                action_display=_action_label(e.action),
                actor=e.actor.username if e.actor is not None else None,
                actor_label=e.actor_label,
                from_state=e.from_state or None,
                to_state=e.to_state,
                national_status=e.national_status,
                step=e.step_code or None,
                due_at=_t(e.due_at),
                data=e.data or {},
            )
            for e in detail.events
        ],
        components=[
            s.ComponentOut(
                id=c.pk,
                name=c.name,
                catalogue_code=(catalogue.get(c.catalogue_component_id, ("", None))[0] or None),
                catalogue_order=catalogue.get(c.catalogue_component_id, ("", None))[1],
                kind=c.kind,
                quantity=c.quantity,
                received=c.received,
                digitised=c.digitised,
                reused=c.reused,
                has_file=bool(c.file),
                supplement_id=c.supplement_id,
            )
            for c in detail.components
        ],
        fees=[
            s.FeeOut(
                id=f.pk,
                name=f.name,
                kind=f.kind,
                amount_vnd=None if f.amount_vnd is None else int(f.amount_vnd),
                collect_at=f.collect_at,
                paid=f.paid,
                paid_at=_t(f.paid_at),
                paid_online=f.paid_online,
                receipt_ref=f.receipt_ref,
            )
            for f in detail.fees
        ],
        supplements=[
            s.SupplementOut(
                id=x.pk,
                requested_at=to_local(x.requested_at),
                items=[str(i) for i in x.items or []],
                reasons=x.reasons,
                received_at=_t(x.received_at),
                received_note=x.received_note,
                mode=x.mode,
                due_before=_t(x.due_before),
                due_after=_t(x.due_after),
            )
            for x in detail.supplements
        ],
        consultations=[
            s.ConsultationOut(
                id=c.pk,
                unit=s.Ref(code=c.unit.code, name=c.unit.name),
                mode=c.mode,
                order=c.order,
                batch=c.batch,
                question=c.question,
                working_days=c.working_days,
                requested_at=to_local(c.requested_at),
                due_at=to_local(c.due_at),
                answered_at=_t(c.answered_at),
                answer=c.answer,
            )
            for c in detail.consultations
        ],
        due_resets=[
            s.DueResetOut(
                ordinal=r.ordinal,
                reason=r.reason,
                old_due=to_local(r.old_due),
                new_due=to_local(r.new_due),
                recorded_at=to_local(r.recorded_at),
            )
            for r in detail.due_resets
        ],
    )


def _after_write(user: User, dossier: Dossier) -> s.DossierOut:
    """The dossier as the caller now sees it (the write is committed).

    A caller can act and then lose sight of the dossier (the holder of a step at a fixed unit hands it
    on to the competent unit): they still get the state their own action left, with no actions.
    """
    try:
        return _detail_out(selectors.dossier_detail(user, dossier.code))
    except DossierNotFound:
        d = Dossier.objects.select_related(*services.DOSSIER_RELATED).get(pk=dossier.pk)
        return _detail_out(
            selectors.DossierDetail(
                dossier=d,
                events=list(d.events.select_related("actor").order_by("seq")),
                components=list(d.components.order_by("id")),
                fees=list(d.fees.order_by("id")),
                supplements=list(d.supplements.order_by("requested_at", "id")),
                consultations=list(d.consultations.select_related("unit").order_by("batch", "order")),
                due_resets=list(d.due_resets.order_by("ordinal")),
                actions=[],
            )
        )


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
            return Status(201, _after_write(user, earlier))
    procedure = _procedure(payload.procedure)
    receiving = _unit(payload.receiving_unit, "receiving_unit")
    competent = _unit(payload.competent_unit, "competent_unit") if payload.competent_unit else receiving
    if not has_role(user, Role.INTAKE_OFFICER, receiving):
        raise DossierForbidden(
            f"Bạn không phải cán bộ một cửa của {receiving.name}.",
            details={
                "action": "submit_online" if payload.channel == int(Channel.ONLINE) else "receive_at_counter"
            },
        )
    components = _component_inputs(
        _catalogue_components(procedure, to_local(timezone.now()).date()), payload.components
    )
    with _acting(request), transaction.atomic():
        claimed = None
        if key is not None:
            claimed, earlier = idempotency.claim(scope, key, digest)
            if earlier is not None:  # an identical request committed meanwhile
                return Status(201, _after_write(user, earlier))
        applicant = _applicant(payload.applicant)
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
    return Status(201, _after_write(user, dossier))


@router.post(
    "/{code}/tiep-nhan",
    response={200: s.DossierOut, **ERRORS},
    summary="Tiếp nhận hồ sơ nộp trực tuyến",
    description="Hồ sơ trạng thái 1 → 2; hạn giải quyết bắt đầu tính (quy tắc workdays.online_received).",
)
def accept(request: HttpRequest, code: str, payload: s.AcceptIn) -> s.DossierOut:
    _check_code(code)
    with _acting(request) as user:
        dossier = services.accept_online(code, by=user, expected_version=payload.expected_version)
    return _after_write(user, dossier)


# -- transitions ---------------------------------------------------------------------------------------


def _dispatch(user: User, code: str, p: Any) -> Dossier:
    v = p.expected_version
    if isinstance(p, s.HandOverIn):
        return services.hand_over(
            code, by=user, expected_version=v, assignee=_assignee(p.assignee), note=p.note
        )
    if isinstance(p, s.SendBackIn):
        return services.send_back(
            code,
            by=user,
            expected_version=v,
            reason=p.reason,
            to_step=p.to_step,
            assignee=_assignee(p.assignee),
        )
    if isinstance(p, s.AssignIn):
        assignee = _assignee(p.assignee)
        assert assignee is not None
        return services.assign(code, by=user, expected_version=v, assignee=assignee, note=p.note)
    if isinstance(p, s.RequestSupplementIn):
        return services.request_supplement(
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
            components = _component_inputs(catalogue, p.components)
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
            services.ConsultationTarget(_unit(t.unit, f"targets.{i}.unit"), t.working_days)
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
    _check_code(code)
    with _acting(request) as user:
        dossier = _dispatch(user, code, payload)
    return _after_write(user, dossier)


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

HOP = Query("to_process", description=BOX_DESCRIPTION)
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
    hop: BoxName = HOP,
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
    procedure_id = None
    if procedure:
        procedure_id = (
            Procedure.objects.filter(code=procedure.replace("\x00", "")).values_list("pk", flat=True).first()
        )
        if procedure_id is None:
            return s.DossierListOut(box=hop, sort=sort or "", limit=limit, items=[], next_cursor=None)
    if cursor:
        _check_cursor(cursor)
    filters = selectors.Filters(
        procedure_id=procedure_id,
        state=state,
        channel=channel,
        received_from=received_from,
        received_to=received_to,
    )
    page = selectors.inbox(user, hop, filters=filters, sort=sort, cursor=cursor, limit=limit)
    return s.DossierListOut(
        box=hop, sort=page.sort, limit=limit, items=_list_items(page.items), next_cursor=page.next_cursor
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
    return s.SearchOut(q=q, items=_list_items(selectors.search(_caller(request), text, limit=limit)))


@router.get(
    "/{code}",
    response={200: s.DossierOut, **ERRORS},
    summary="Chi tiết hồ sơ với lịch sử xử lý",
    description="Lịch sử (events), thành phần, phí, bổ sung, lấy ý kiến, hẹn lại, các thao tác người gọi "
    "được thực hiện (allowed_actions) và lock_version. Hồ sơ ngoài phạm vi: 404.",
)
def detail(request: HttpRequest, code: str) -> s.DossierOut:
    return _detail_out(selectors.dossier_detail(_caller(request), _check_code(code)))


@router.get(
    "/{code}/dong-bo",
    response={200: s.DongBoOut, **ERRORS},
    summary="Bản ghi đồng bộ DongBoHoSoMC (Cổng DVCQG) của hồ sơ",
    description="Đúng nội dung hộp thư đi gửi Cổng Dịch vụ công quốc gia (dossiers.sync), "
    "cho hệ thống tích hợp.",
)
def sync_record(request: HttpRequest, code: str) -> dict[str, Any]:
    _check_code(code)
    dossier = (
        selectors.visible(_caller(request))
        .select_related(*services.DOSSIER_RELATED)
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.")
    return dong_bo_ho_so_mc(dossier, updating=dossier.lock_version > 1)


__all__ = ["StaffSession", "TokenAuth", "router"]
