"""One dossier as its page shows it to one user now, and the action panels it offers.

``Screen`` loads the dossier once (``lookup.dossier_detail``, scoped to the user's units) with the
workflow's steps and the competent unit's calendar, and says which actions to offer with what the
officer must know first: the people a step may go to, the supplement window, the apology rule…
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalogue.models import WorkflowStep
from motcua.core.models import OrgUnit, RoleAssignment, User
from motcua.core.permissions import active_assignments
from motcua.core.rules import rule_value
from motcua.dossiers import lookup, rules, selectors, services
from motcua.dossiers.forms import ACTION_FORMS, ACTION_TEXT, ROLE_TEXT, ActionForm, AnswerConsultationForm
from motcua.dossiers.models import Channel, Consultation, Dossier
from motcua.dossiers.rules import Action
from motcua.dossiers.views.common import moment
from motcua.workdays.domain import Calendar, to_local
from motcua.workdays.services import calendar_for


def eligible_users(step: WorkflowStep, dossier: Dossier) -> QuerySet[User]:
    """Active staff holding the step's role in the unit that performs it (or above it, covering it) —
    whom ``services.hand_over`` / ``assign`` accept as the assignee."""
    unit = services.step_unit(step, dossier)
    if unit is None:
        return User.objects.none()
    day = timezone.localdate()
    parts = [p for p in unit.path.strip("/").split("/") if p]
    covering = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    holders = (
        RoleAssignment.objects.filter(role=step.role, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .filter(Q(unit=unit) | Q(include_subunits=True, unit__path__in=covering))
        .values("user_id")
    )
    return User.objects.filter(pk__in=holders, is_active=True).order_by("full_name", "username")


DANGER_ACTIONS = frozenset(
    {Action.REFUSE_AT_INTAKE, Action.REFUSE_AFTER_APPRAISAL, Action.STOP, Action.WITHDRAW}
)
PANEL_ORDER = (
    Action.ACCEPT_ONLINE,
    Action.REQUEST_INTAKE_SUPPLEMENT,
    Action.HAND_OVER,
    Action.ASSIGN,
    Action.MARK_RESULT_READY,
    Action.RETURN_RESULT,
    Action.ANSWER_CONSULTATION,
    Action.RECEIVE_SUPPLEMENT,
    Action.CONFIRM_PAYMENT,
    Action.SEND_BACK,  # never unfolded by itself: moving on is the step's usual outcome
    Action.REQUEST_SUPPLEMENT,
    Action.REQUEST_CONSULTATION,
    Action.REQUEST_PAYMENT,
    Action.RESET_DUE,
    Action.REFUSE_AT_INTAKE,
    Action.REFUSE_AFTER_APPRAISAL,
    Action.STOP,
    Action.WITHDRAW,
)


@dataclass
class Screen:
    """One dossier as the page shows it to one user now: everything computed once."""

    user: User
    detail: lookup.DossierDetail
    now: datetime
    calendar: Calendar
    steps: list[WorkflowStep]
    _assignments: list[RoleAssignment] | None = None
    _cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, user: User, code: str) -> Screen:
        detail = lookup.dossier_detail(user, code)
        now = timezone.now()
        dossier = detail.dossier
        return cls(
            user=user,
            detail=detail,
            now=now,
            calendar=calendar_for(dossier.competent_unit, to_local(now).date()),
            # The service's own reading of the workflow, so that the page offers what it accepts.
            steps=selectors.workflow_steps(dossier.procedure_version_id),
        )

    @property
    def dossier(self) -> Dossier:
        return self.detail.dossier

    @property
    def current_step(self) -> WorkflowStep | None:
        return next((s for s in self.steps if s.pk == self.dossier.current_step_id), None)

    @property
    def next_step(self) -> WorkflowStep | None:
        return selectors.next_step(self.steps, self.current_step)

    @property
    def assignments(self) -> list[RoleAssignment]:
        if self._assignments is None:
            self._assignments = active_assignments(self.user)
        return self._assignments

    def _covers(self, unit: OrgUnit, roles: frozenset[str]) -> bool:
        return any(
            a.role in roles
            and (a.unit_id == unit.pk or (a.include_subunits and unit.path.startswith(a.unit.path)))
            for a in self.assignments
        )

    def open_consultations(self) -> list[Consultation]:
        return [c for c in self.detail.consultations if c.answered_at is None]

    def answerable(self) -> list[Consultation]:
        """Open consultations of the user's units whose turn has come (sequential ones answer in order)."""
        found = []
        for c in self.open_consultations():
            if not self._covers(c.unit, selectors.ANSWERING_ROLES):
                continue
            if c.mode == Consultation.Mode.SEQUENTIAL and any(
                o.batch == c.batch and o.order < c.order and o.answered_at is None
                for o in self.detail.consultations
            ):
                continue
            found.append(c)
        return found

    def rule(self, key: str) -> Any:
        if key not in self._cache:
            self._cache[key] = rule_value(key, to_local(self.now).date())
        return self._cache[key]

    def supplement_window_end(self) -> datetime | None:
        d = self.dossier
        if d.received_at is None:
            return None
        receipt_day = to_local(d.received_at).date()
        online = None
        if d.channel == Channel.ONLINE:
            online = str(rule_value("workdays.online_received", receipt_day))
        window = int(rule_value("dossiers.supplement_window_working_days", receipt_day))
        return rules.supplement_window_end(
            calendar_for(d.competent_unit, receipt_day), d.received_at, window, online_mode=online
        )

    def action_context(self, action: Action) -> dict[str, Any]:
        """What the action's form needs: the people it may go to, the units that may be consulted…"""
        d = self.dossier
        if action is Action.HAND_OVER:
            target = self.next_step
            return {
                "candidates": eligible_users(target, d) if target else User.objects.none(),
                "step": target,
            }
        if action is Action.ASSIGN:
            step = self.current_step
            return {"candidates": eligible_users(step, d) if step else User.objects.none(), "step": step}
        if action is Action.SEND_BACK:
            return {"steps": services.earlier_steps(self.steps, self.current_step)}
        if action is Action.REQUEST_CONSULTATION:
            day = to_local(self.now).date()
            return {"units": OrgUnit.objects.active_on(day).exclude(pk=d.competent_unit_id).order_by("path")}
        if action is Action.RESET_DUE:
            return {"min_new_due": to_local(d.due_at).date() if d.due_at else None}
        if action is Action.MARK_RESULT_READY:  # electronic certified copies signed for the dossier
            copies = d.documents.filter(kind="certified_copy", revocation__isnull=True).order_by("-id")
            return {"certified_copies": list(copies.values_list("public_code", flat=True))}
        return {}

    def panel(self, action: Action, bound: ActionForm | None = None) -> dict[str, Any] | None:
        """The form of one action, with what the officer must know before using it; ``None`` when the
        action cannot succeed now (nothing to hand over to, a consultation not yet the unit's turn)."""
        d = self.dossier
        ctx = self.action_context(action)
        info: list[str] = []
        blocked = ""
        forms: list[ActionForm] = []
        initial = {"expected_version": d.lock_version}
        form_class = ACTION_FORMS[action]
        url = reverse("dossiers:action", args=[d.code, action.value])
        if action is Action.MARK_RESULT_READY:  # the result is signed as it is issued (documents app)
            url = reverse("documents:result", args=[d.code])
        if action is Action.HAND_OVER:
            target = ctx["step"]
            if target is None:
                return None
            unit = services.step_unit(target, d)
            info.append(
                _("Bước tiếp theo: “%(step)s” — %(role)s, %(unit)s (%(hours)s giờ làm việc).")
                % {
                    "step": target.name,
                    "role": ROLE_TEXT.get(target.role, target.role),
                    "unit": unit.name if unit else "—",
                    "hours": f"{Decimal(target.allotted_hours).normalize():f}",
                }
            )
            if not ctx["candidates"].exists():
                info.append(
                    _(
                        "Chưa có cán bộ nào giữ vai trò này tại đơn vị; hồ sơ sẽ chờ ở bước, "
                        "lãnh đạo đơn vị có thể chuyển tiếp."
                    )
                )
        elif action is Action.ASSIGN:
            if ctx["step"] is None:
                return None
            info.append(_("Bước hiện tại: “%(step)s”.") % {"step": ctx["step"].name})
        elif action is Action.SEND_BACK:
            if not ctx["steps"]:
                return None
            info.append(
                _(
                    "Hồ sơ trở về bước đã chọn, giao lại người đã xử lý bước đó (nếu người đó vẫn giữ "
                    "vai trò của bước); lý do được ghi vào lịch sử hồ sơ."
                )
            )
        elif action is Action.MARK_RESULT_READY:
            if self.next_step is not None:
                return None
            pending = self.open_consultations()
            if pending:
                blocked = _("Chưa chuyển trả được: đang chờ ý kiến của %(units)s.") % {
                    "units": ", ".join(c.unit.name for c in pending)
                }
        elif action is Action.ANSWER_CONSULTATION:
            answerable = self.answerable()
            if not answerable:
                return None
            for c in answerable:
                form = (
                    bound if bound is not None and str(bound["consultation"].value()) == str(c.pk) else None
                )
                form = form or AnswerConsultationForm(
                    prefix=action.value,
                    auto_id=f"id_c{c.pk}_%s",
                    initial={**initial, "consultation": c.pk},
                )
                form.consultation_obj = c  # type: ignore[attr-defined]
                forms.append(form)
        elif action is Action.REQUEST_SUPPLEMENT:
            end = self.supplement_window_end()
            if end is not None:
                info.append(
                    _("Chỉ yêu cầu bổ sung trong %(n)s ngày làm việc kể từ khi tiếp nhận: hạn cuối %(end)s.")
                    % {"n": self.rule("dossiers.supplement_window_working_days"), "end": moment(end)}
                )
                if self.now > end:
                    blocked = _(
                        "Đã quá thời hạn yêu cầu bổ sung. Nếu hồ sơ không đủ điều kiện, "
                        "hãy từ chối giải quyết và nêu rõ lý do."
                    )
        elif action is Action.REQUEST_INTAKE_SUPPLEMENT:
            info.append(
                _(
                    "Hồ sơ chưa được tiếp nhận: người nộp nhận Phiếu yêu cầu bổ sung (Mẫu 02) và bổ "
                    "sung trực tuyến; hồ sơ trở lại hộp “Chờ tiếp nhận”, thời hạn giải quyết chỉ tính từ "
                    "khi tiếp nhận."
                )
            )
        elif action is Action.RECEIVE_SUPPLEMENT:
            waiting = [s for s in self.detail.supplements if s.received_at is None]
            if waiting:
                info.append(_("Giấy tờ đang chờ: %(items)s.") % {"items": "; ".join(waiting[-1].items)})
            mode = self.rule("workdays.supplement_mode")
            info.append(
                _("Khi nhận đủ, thời hạn giải quyết được tính lại từ đầu (quy tắc hiện hành).")
                if mode == "restart"
                else _("Khi nhận đủ, hạn trả lùi lại đúng bằng thời gian chờ bổ sung (quy tắc hiện hành).")
            )
        elif action is Action.REQUEST_CONSULTATION:
            sequential = d.channel != Channel.ONLINE
            info.append(
                _(
                    "Hồ sơ giấy: lấy ý kiến lần lượt theo thứ tự các đơn vị; hạn của đơn vị sau "
                    "tính tiếp từ hạn của đơn vị trước."
                )
                if sequential
                else _("Hồ sơ điện tử: gửi đồng thời cho mọi đơn vị; hạn của mỗi đơn vị tính từ khi gửi.")
            )
        elif action is Action.RESET_DUE:
            limit = int(self.rule("dossiers.max_due_resets"))
            min_days = int(self.rule("dossiers.apology_min_working_days"))
            done = len(self.detail.due_resets)
            info.append(
                _(
                    "Chỉ được hẹn lại %(limit)s lần (đã hẹn %(done)s lần); phải ghi nhận chậm nhất %(days)s "
                    "ngày làm việc trước hạn trả %(due)s; ngày mới phải là ngày làm việc, sau hạn hiện tại "
                    "(NĐ 61/2018/NĐ-CP Điều 19.9)."
                )
                % {"limit": limit, "done": done, "days": min_days, "due": moment(d.due_at)}
            )
            if done >= limit:
                blocked = _("Hồ sơ đã dùng hết số lần hẹn lại ngày trả kết quả.")
            elif d.due_at is None or not rules.apology_in_time(self.calendar, self.now, d.due_at, min_days):
                blocked = _("Đã quá thời điểm được xin lỗi và hẹn lại ngày trả kết quả.")
        elif action is Action.REFUSE_AFTER_APPRAISAL and d.due_at is not None and self.now > d.due_at:
            blocked = _("Hồ sơ đã quá hạn: chỉ được từ chối giải quyết trong thời hạn giải quyết.")
        if not forms:
            form = (
                bound if bound is not None else form_class(prefix=action.value, initial=initial, context=ctx)
            )
            forms = [form]
        return {
            "action": action,
            "label": ACTION_TEXT[action],
            "url": url,
            "forms": forms,
            "info": info,
            "blocked": blocked,
            "danger": action in DANGER_ACTIONS,
            "multipart": form_class.multipart,
            "open": bound is not None,
        }

    def panels(self, bound: tuple[Action, ActionForm] | None = None) -> list[dict[str, Any]]:
        allowed = set(self.detail.actions)
        blocked = self.detail.blocked
        panels = []
        for action in PANEL_ORDER:
            if action not in allowed and action not in blocked:
                continue
            form = bound[1] if bound is not None and bound[0] is action else None
            panel = self.panel(action, form)
            if panel is None:
                continue
            if action in blocked and not panel["blocked"]:
                # The role may, the dossier's situation refuses it now: say why, offer no form.
                panel["blocked"] = blocked[action].message
            panels.append(panel)
        if (
            panels
            and not any(p["open"] for p in panels)
            and not panels[0]["danger"]
            and not panels[0]["blocked"]
            and panels[0]["action"] is not Action.SEND_BACK
        ):
            panels[0]["open"] = True
        return panels
