"""The actions on a dossier (POST /can-bo/ho-so/<code>/thao-tac/<action>/): one use case of
``dossiers.services`` per POST, carrying the ``lock_version`` the officer was looking at
(``expected_version``). A refusal of the domain is shown on the dossier page with its HTTP status (403,
404, 409 — with a reload link when someone else changed the dossier first — or 422); a successful
action redirects to the dossier page with a message (POST-redirect-GET).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.core.errors import DomainError
from motcua.core.models import User
from motcua.dossiers import rules, services
from motcua.dossiers.forms import ACTION_FORMS, ACTION_TEXT
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.rules import (
    STALE_MESSAGE,
    Action,
    DossierForbidden,
    DossierNotFound,
    StaleDossier,
    TransitionNotAllowed,
)
from motcua.dossiers.views.common import moment, not_found
from motcua.dossiers.views.detail import render_detail
from motcua.dossiers.views.screen import Screen


def _targets(data: dict[str, Any]) -> list[services.ConsultationTarget]:
    return [services.ConsultationTarget(unit=u, working_days=n) for u, n in data["targets"]]


def _supplement_docs(data: dict[str, Any]) -> list[services.ComponentInput]:
    name = (data.get("doc_name") or "").strip()
    if not name:
        return []
    return [
        services.ComponentInput(
            name=name,
            kind=data.get("doc_kind") or DossierComponent.Kind.ORIGINAL,
            quantity=data.get("doc_quantity") or 1,
            file=data.get("doc_file"),
            digitised=bool(data.get("doc_file")),
        )
    ]


Handler = Callable[[str, User, int, dict[str, Any]], Dossier]

HANDLERS: dict[Action, Handler] = {
    Action.ACCEPT_ONLINE: lambda code, by, v, data: services.accept_online(code, by=by, expected_version=v),
    Action.REFUSE_AT_INTAKE: lambda code, by, v, data: services.refuse_at_intake(
        code, by=by, expected_version=v, reasons=data["reasons"]
    ),
    Action.HAND_OVER: lambda code, by, v, data: services.hand_over(
        code, by=by, expected_version=v, assignee=data.get("assignee"), note=data.get("note", "")
    ),
    Action.SEND_BACK: lambda code, by, v, data: services.send_back(
        code, by=by, expected_version=v, reason=data["reason"], to_step=data.get("to_step") or None
    ),
    Action.ASSIGN: lambda code, by, v, data: services.assign(
        code, by=by, expected_version=v, assignee=data["assignee"], note=data.get("note", "")
    ),
    Action.REQUEST_SUPPLEMENT: lambda code, by, v, data: services.request_supplement(
        code, by=by, expected_version=v, items=data["items"], reasons=data["reasons"]
    ),
    Action.REQUEST_INTAKE_SUPPLEMENT: lambda code, by, v, data: services.request_intake_supplement(
        code, by=by, expected_version=v, items=data["items"], reasons=data["reasons"]
    ),
    Action.RECEIVE_SUPPLEMENT: lambda code, by, v, data: services.receive_supplement(
        code, by=by, expected_version=v, note=data.get("note", ""), components=_supplement_docs(data)
    ),
    Action.REQUEST_PAYMENT: lambda code, by, v, data: services.request_payment(
        code,
        by=by,
        expected_version=v,
        items=[services.FeeInput(name=n, amount_vnd=a, kind=k) for n, a, k in data["lines"]],
        note=data.get("note", ""),
    ),
    Action.CONFIRM_PAYMENT: lambda code, by, v, data: services.confirm_payment(
        code,
        by=by,
        expected_version=v,
        receipt_ref=data.get("receipt_ref", ""),
        online=data.get("online", False),
    ),
    Action.REQUEST_CONSULTATION: lambda code, by, v, data: services.request_consultation(
        code, by=by, expected_version=v, targets=_targets(data), question=data["question"]
    ),
    Action.ANSWER_CONSULTATION: lambda code, by, v, data: services.answer_consultation(
        code, data["consultation"], by=by, expected_version=v, answer=data["answer"]
    ),
    Action.REFUSE_AFTER_APPRAISAL: lambda code, by, v, data: services.refuse_after_appraisal(
        code, by=by, expected_version=v, reasons=data["reasons"]
    ),
    Action.STOP: lambda code, by, v, data: services.stop(
        code, by=by, expected_version=v, reasons=data["reasons"]
    ),
    Action.WITHDRAW: lambda code, by, v, data: services.withdraw(
        code, by=by, expected_version=v, reason=data["reason"]
    ),
    Action.RESET_DUE: lambda code, by, v, data: services.reset_due(
        code, by=by, expected_version=v, reason=data["reason"], new_due=data["new_due"]
    ),
    Action.RETURN_RESULT: lambda code, by, v, data: services.return_result(
        code, by=by, expected_version=v, notified=data.get("notified", False), note=data.get("note", "")
    ),
}


def _success(action: Action, dossier: Dossier, data: dict[str, Any]) -> str:
    code = dossier.code
    if action is Action.HAND_OVER:
        step = dossier.current_step.name if dossier.current_step else ""
        assignee = data.get("assignee")
        if assignee is not None:
            return _("Đã chuyển hồ sơ %(code)s sang bước “%(step)s”, giao %(name)s.") % {
                "code": code,
                "step": step,
                "name": assignee.full_name or assignee.username,
            }
        return _("Đã chuyển hồ sơ %(code)s sang bước “%(step)s”.") % {"code": code, "step": step}
    if action is Action.SEND_BACK:
        step = dossier.current_step.name if dossier.current_step else ""
        return _("Đã trả hồ sơ %(code)s về bước “%(step)s”.") % {"code": code, "step": step}
    if action is Action.ASSIGN:
        assignee = data["assignee"]
        return _("Đã phân công %(name)s xử lý hồ sơ %(code)s.") % {
            "name": assignee.full_name or assignee.username,
            "code": code,
        }
    if action is Action.RESET_DUE:
        return _(
            "%(action)s: hồ sơ %(code)s. Ngày hẹn trả mới báo cho người dân: %(promised)s; hạn giải quyết "
            "theo quy định vẫn là %(due)s."
        ) % {
            "action": ACTION_TEXT[action],
            "code": code,
            "promised": moment(dossier.promised_at),
            "due": moment(dossier.due_at),
        }
    if action in (Action.RECEIVE_SUPPLEMENT, Action.ACCEPT_ONLINE):
        return _("%(action)s: hồ sơ %(code)s. Hạn trả kết quả mới: %(due)s.") % {
            "action": ACTION_TEXT[action],
            "code": code,
            "due": moment(dossier.due_at),
        }
    return _("Đã ghi nhận “%(action)s” cho hồ sơ %(code)s.") % {"action": ACTION_TEXT[action], "code": code}


def refusal_for(user: User, dossier: Dossier, action: Action, posted_version: Any) -> DomainError:
    """Why an action the page does not offer was refused — the same reasons the service gives."""
    if posted_version not in (None, "") and str(posted_version) != str(dossier.lock_version):
        return StaleDossier(STALE_MESSAGE)
    try:
        rules.next_state(dossier.state, action)
    except TransitionNotAllowed as exc:
        return exc
    return services.refusal(user, dossier, action) or DossierForbidden(
        f"Bạn không có quyền “{rules.ACTION_LABELS[action].lower()}” đối với hồ sơ {dossier.code}."
    )


@login_required
@require_POST
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        act = Action(action)
    except ValueError:
        raise Http404 from None
    if act not in ACTION_FORMS or act not in HANDLERS:  # the result goes through documents:result
        raise Http404
    try:
        screen = Screen.load(user, code)
    except DossierNotFound:
        return not_found(request, code)
    form = ACTION_FORMS[act](
        request.POST,
        request.FILES,
        prefix=act.value,
        context=screen.action_context(act),
        **(
            {"auto_id": f"id_c{request.POST.get('answer_consultation-consultation', '')}_%s"}
            if act is Action.ANSWER_CONSULTATION
            else {}
        ),
    )
    if act not in screen.detail.actions:
        error = refusal_for(user, screen.dossier, act, request.POST.get(f"{act.value}-expected_version"))
        return render_detail(request, screen, status=error.status, error=error)
    if not form.is_valid():
        return render_detail(request, screen, status=400, bound=(act, form))
    data = form.cleaned_data
    try:
        dossier = HANDLERS[act](code, user, data["expected_version"], data)
    except DomainError as exc:
        try:
            screen = Screen.load(user, code)
        except DossierNotFound:
            return not_found(request, code)
        return render_detail(request, screen, status=exc.status, bound=(act, form), error=exc)
    messages.success(request, _success(act, dossier, data))
    return redirect("dossiers:detail", code=dossier.code)
