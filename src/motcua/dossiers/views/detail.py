"""The dossier page (/can-bo/ho-so/<code>/): everything about one dossier, its history, its clock, the
time of each step (Mẫu 05), and the actions the user may take; and the scans of its components.

A dossier outside the user's units is "not found" (404), never "forbidden", so that its existence is
not revealed. The times come from ``dossiers.clock`` as numbers; this module puts them in words.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from motcua.catalogue import cache as catalogue_cache
from motcua.catalogue import eform_render
from motcua.catalogue.models import WorkflowStep
from motcua.core import refcache
from motcua.core.errors import DomainError
from motcua.core.models import User
from motcua.dossiers import clock, ontime, scans, selectors, syncstate
from motcua.dossiers.clock import action_of, parse_moment
from motcua.dossiers.forms import (
    ACTION_TEXT,
    CHANNEL_TEXT,
    DELIVERY_TEXT,
    FEE_KIND_TEXT,
    KIND_TEXT,
    NATIONAL_TEXT,
    STATE_TEXT,
    ActionForm,
)
from motcua.dossiers.models import Consultation, Dossier, DossierComponent, DossierEvent
from motcua.dossiers.rules import STALE_MESSAGE, Action, DossierNotFound, StaleDossier, State
from motcua.dossiers.views.common import (
    STEP_RESULT_TEXT,
    clock_view,
    duration,
    limit_text,
    moment,
    not_found,
    step_result_text,
)
from motcua.dossiers.views.screen import Screen
from motcua.workdays.domain import Calendar, to_local

logger = logging.getLogger(__name__)


def users_of(ids: Iterable[Any]) -> dict[int, User]:
    wanted = {int(i) for i in ids if isinstance(i, int) or (isinstance(i, str) and i.isdigit())}
    if not wanted:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=wanted).only("id", "full_name", "username")}


def _name(users: dict[int, User], pk: Any) -> str:
    user = users.get(pk) if isinstance(pk, int) else None
    return str(user.full_name or user.username) if user else ""


def _event_view(
    event: DossierEvent,
    steps: dict[str, WorkflowStep],
    users: dict[int, User],
    consultations: dict[int, Consultation],
    calendar: Calendar,
) -> dict[str, Any]:
    """One line of the history: who, when, what, and the facts that matter to the reader."""
    data = event.data or {}
    facts: list[tuple[str, str]] = []

    def add(label: str, value: Any) -> None:
        if value not in (None, "", []):
            facts.append((label, str(value)))

    action = action_of(event)
    if action in (Action.RECEIVE_AT_COUNTER, Action.ACCEPT_ONLINE):
        channel = data.get("channel")
        if channel:
            add(_("Kênh"), CHANNEL_TEXT.get(channel, channel))
        effective = parse_moment(data.get("effective_received"))
        if effective and event.at and to_local(effective).date() != to_local(event.at).date():
            add(_("Tính hạn từ"), moment(effective))
        add(_("Hạn trả kết quả"), moment(event.due_at))
    if action in (Action.HAND_OVER, Action.SEND_BACK, Action.ASSIGN) and "assignee_id" in data:
        add(_("Người xử lý"), _name(users, data["assignee_id"]) or _("chưa chỉ định"))
    closed = data.get("closed_step")
    if isinstance(closed, dict) and closed.get("code"):
        step = steps.get(closed["code"])
        add(
            _("Bước đã xong"),
            _("%(step)s: %(spent)s / định mức %(allotted)s — %(result)s")
            % {
                "step": step.name if step else closed["code"],
                "spent": duration(calendar, int(closed.get("working_seconds", 0))),
                "allotted": duration(calendar, int(closed.get("allotted_seconds", 0))),
                "result": STEP_RESULT_TEXT.get(closed.get("result", ""), ""),
            },
        )
    add(_("Giấy tờ cần bổ sung"), "; ".join(data.get("items") or []))
    add(_("Lý do"), data.get("reasons") or data.get("reason"))
    add(_("Nội dung xin ý kiến"), data.get("question"))
    if action is Action.REQUEST_CONSULTATION:
        asked = [
            _("%(unit)s (hạn %(due)s)")
            % {
                "unit": consultations[c["id"]].unit.name
                if c.get("id") in consultations
                else c.get("unit", ""),
                "due": moment(parse_moment(c.get("due_at"))),
            }
            for c in data.get("consultations") or []
        ]
        add(_("Đơn vị được hỏi"), "; ".join(asked))
    if action is Action.ANSWER_CONSULTATION:
        consultation = consultations.get(data.get("consultation_id"))
        if consultation:
            add(_("Đơn vị"), consultation.unit.name)
            add(_("Ý kiến"), consultation.answer)
        if data.get("late"):
            add(_("Lưu ý"), _("Trả lời sau hạn"))
    if action is Action.RECEIVE_SUPPLEMENT:
        add(
            _("Hạn trả"),
            _("%(before)s → %(after)s")
            % {
                "before": moment(parse_moment(data.get("due_before"))),
                "after": moment(parse_moment(data.get("due_after"))),
            },
        )
    if action is Action.RESET_DUE:
        add(
            _("Hẹn lại"),
            _("%(before)s → %(after)s")
            % {
                "before": moment(parse_moment(data.get("old_due"))),
                "after": moment(parse_moment(data.get("new_due"))),
            },
        )
    fees = data.get("fees") or []
    if fees:
        add(
            _("Khoản phải nộp"),
            "; ".join(
                f"{f.get('name', '')}: {_vnd(f.get('amount_vnd'))}" for f in fees if isinstance(f, dict)
            ),
        )
    add(_("Số biên lai"), data.get("receipt_ref"))
    if action is Action.REPLACE_RESULT:
        add(_("Kết quả thu hồi"), data.get("replaced"))
        add(_("Kết quả cấp lại"), data.get("result_code"))
    if action is Action.RETURN_RESULT:
        told = data.get("notified")
        add(
            _("Đã báo trước cho người nộp"),
            pgettext("yes/no answer", "Có") if told else pgettext("yes/no answer", "Không"),
        )
        if data.get("early"):
            add(_("Trả sớm"), _("Trước hạn"))
    add(_("Ghi chú"), data.get("note"))
    step = steps.get(event.step_code)
    return {
        "event": event,
        "label": ACTION_TEXT[action] if action is not None else event.action,
        "national": NATIONAL_TEXT.get(event.national_status, event.national_status),
        "step": step.name if step else "",
        "facts": facts,
    }


def _vnd(value: Any) -> str:
    if value is None or value == "":
        return _("chưa ghi số tiền")
    return f"{int(value):,}".replace(",", ".") + " đ"


@dataclass(frozen=True)
class StepRow:
    """A line of the per-step table: the step's time (``dossiers.clock.StepTime``) in words."""

    time: clock.StepTime
    spent_text: str
    allotted_text: str
    result_text: str


def _step_rows(screen: Screen) -> list[StepRow]:
    """Each workflow step the dossier went through, with its time against the allotted hours
    (Mẫu 05, Phiếu kiểm soát)."""
    calendar = screen.calendar
    times = clock.step_times(
        screen.detail.events, screen.steps, calendar, screen.now, screen.dossier.assignee
    )
    return [
        StepRow(
            t,
            duration(calendar, t.spent),
            duration(calendar, t.allotted),
            step_result_text(t.result),
        )
        for t in times
    ]


def _overall(screen: Screen) -> dict[str, Any]:
    """The dossier's own clock: office time used since the receipt (not counting the waits for a
    supplement) and office time left."""
    calendar = screen.calendar
    found = clock.overall(
        screen.dossier, screen.detail.events, screen.detail.supplements, calendar, screen.now
    )
    if found is None:
        return {}
    left = found.left or 0
    return {
        "start": found.start,
        "used": duration(calendar, found.used),
        "left": duration(calendar, found.left) if found.left is not None else "",
        "progress_max": found.used + left if found.running else 0,
        "progress_value": found.used,
    }


def _error_view(exc: DomainError) -> dict[str, Any]:
    stale = isinstance(exc, StaleDossier)
    if stale:
        headline = _(
            "Hồ sơ vừa được người khác cập nhật; hãy tải lại hồ sơ để xem thay đổi "
            "rồi thực hiện lại thao tác."
        )
    elif exc.status == 403:
        headline = _("Bạn không có quyền thực hiện thao tác này với hồ sơ.")
    elif exc.status == 404:
        headline = _("Không tìm thấy nội dung được yêu cầu của hồ sơ.")
    elif exc.status == 409:
        headline = _("Tình trạng hồ sơ không cho phép thao tác này.")
    else:
        headline = _("Thông tin chưa hợp lệ.")
    detail = "" if exc.message == STALE_MESSAGE else exc.message
    return {"status": exc.status, "code": exc.code, "headline": headline, "message": detail, "stale": stale}


def render_detail(
    request: HttpRequest,
    screen: Screen,
    *,
    status: int = 200,
    bound: tuple[Action, ActionForm] | None = None,
    error: DomainError | None = None,
) -> HttpResponse:
    detail = screen.detail
    d = detail.dossier
    user_ids: list[Any] = [(e.data or {}).get("assignee_id") for e in detail.events]
    user_ids += [s.requested_by_id for s in detail.supplements] + [
        s.received_by_id for s in detail.supplements
    ]
    user_ids += [c.requested_by_id for c in detail.consultations] + [
        c.answered_by_id for c in detail.consultations
    ]
    user_ids += [r.by_id for r in detail.due_resets]
    users = users_of(user_ids)
    by_code = {s.code: s for s in screen.steps}
    consultations = {c.pk: c for c in detail.consultations}
    timeline = [
        _event_view(e, by_code, users, consultations, screen.calendar) for e in reversed(detail.events)
    ]
    soon = selectors.soon_due_threshold(screen.now)
    summary = bound[1].summary() if bound is not None else []
    context = {
        "d": d,
        "detail": detail,
        "clock": clock_view(
            clock.read_clock(d, screen.calendar, screen.now, soon, ontime.waits_from(detail.supplements)),
            screen.calendar,
        ),
        "overall": _overall(screen),
        "step_times": _step_rows(screen),
        "current_step": screen.current_step,
        "timeline": timeline,
        "national": NATIONAL_TEXT[d.national_status],
        "state": STATE_TEXT[State(d.state)],
        "channel": CHANNEL_TEXT.get(d.channel, d.channel),
        "delivery": DELIVERY_TEXT.get(d.result_delivery, d.result_delivery),
        "limit_text": limit_text(d.procedure_version),
        "kinds": KIND_TEXT,
        "fee_kinds": FEE_KIND_TEXT,
        "components": [(c, KIND_TEXT.get(c.kind, c.kind)) for c in detail.components],
        "declarations": _declarations(d, detail.components),
        "fees": [(f, FEE_KIND_TEXT.get(f.kind, f.kind)) for f in detail.fees],
        "supplements": [
            {
                "s": s,
                "requested_by": _name(users, s.requested_by_id),
                "received_by": _name(users, s.received_by_id),
            }
            for s in detail.supplements
        ],
        "consultations": [
            {
                "c": c,
                "answered_by": _name(users, c.answered_by_id),
                "mode": _("Lần lượt") if c.mode == Consultation.Mode.SEQUENTIAL else _("Song song"),
                "late": c.answered_at is not None and c.answered_at > c.due_at,
                "overdue": c.answered_at is None and screen.now > c.due_at,
            }
            for c in detail.consultations
        ],
        "resets": [{"r": r, "by": _name(users, r.by_id)} for r in detail.due_resets],
        "panels": screen.panels(bound),
        "error": _error_view(error) if error is not None else None,
        "summary": summary,
        "sync": syncstate.dossier_sync(d),
    }
    return render(request, "dossiers/detail.html", context, status=status)


@login_required
@require_GET
@refcache.pinned_view
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        screen = Screen.load(request.user, code)  # type: ignore[arg-type]
    except DossierNotFound:
        return not_found(request, code)
    return render_detail(request, screen)


@login_required
@require_GET
def component_file(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A scan of a dossier's component, for the staff who may see the dossier (never a public URL)."""
    user: User = request.user  # type: ignore[assignment]
    if not selectors.visible(user).filter(code=code).exists():
        return not_found(request, code)
    component = DossierComponent.objects.filter(dossier__code=code, pk=pk).exclude(file="").first()
    if component is None or not component.file:
        raise Http404
    name = component.file.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    try:
        data = scans.content(component.file.name, component.file_sha256)
    except OSError:  # missing, or no longer the bytes that were received: never served
        logger.error("Tệp của thành phần %s (hồ sơ %s) không đọc được hoặc sai mã băm", pk, code)
        raise Http404 from None
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _declarations(d: Dossier, components: list[DossierComponent]) -> list[dict[str, Any]]:
    """The e-forms the applicant filled in online (``Dossier.extra["eforms"]``), part by part (the
    form's sections) and field by field as the applicant answered them, under the component's name."""
    answers = (d.extra or {}).get("eforms") if isinstance(d.extra, dict) else None
    if not isinstance(answers, dict):
        return []
    catalogue = {c.pk: c for c in catalogue_cache.bundle(d.procedure_version_id).components}
    out = []
    for c in components:
        listed = catalogue.get(c.catalogue_component_id) if c.catalogue_component_id else None
        schema = listed.eform_schema if listed is not None else None
        data = answers.get(str(c.catalogue_component_id))
        if not schema or not isinstance(data, dict):
            continue
        parts: list[dict[str, Any]] = []
        for item in eform_render.fields(schema, data, {}):
            inner = item.fields if isinstance(item, eform_render.Section) else (item,)
            shown = [f for f in inner if f.value not in ("", None)]
            if not shown:
                continue
            if isinstance(item, eform_render.Section):
                parts.append({"label": item.label, "fields": shown})
            elif parts and not parts[-1]["label"]:
                parts[-1]["fields"].extend(shown)
            else:
                parts.append({"label": "", "fields": shown})
        out.append({"name": c.name, "parts": parts})
    return out
