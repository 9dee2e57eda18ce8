"""Reads of dossiers for staff screens: inboxes, detail, search — all scoped to the user's units.

Every list is filtered by ``core.permissions`` scope, uses keyset pagination on (date, id) and a
fixed ``select_related``/``only`` set, so a 50-row page costs the same few queries whatever the
table size or the page number. A dossier outside the user's scope is "not found", never "forbidden":
its existence is not revealed.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.core.models import Role, User
from motcua.core.permissions import Scope, active_assignments
from motcua.core.rules import rule_value
from motcua.core.text import search_tokens
from motcua.dossiers.models import Consultation, Dossier, DossierEvent
from motcua.dossiers.rules import CLOCK_RUNNING, Action, DossierNotFound, InvalidDossierInput, State
from motcua.workdays.domain import TZ, add_working_seconds, counting_start, to_local
from motcua.workdays.services import calendar_for

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

LIST_RELATED = ("procedure", "receiving_unit", "competent_unit", "current_step", "assignee")
LIST_FIELDS = (
    "id",
    "code",
    "state",
    "national_status",
    "channel",
    "applicant_name",
    "submitted_at",
    "received_at",
    "due_at",
    "step_due_at",
    "finished_at",
    "lock_version",
    "procedure__id",
    "procedure__code",
    "procedure__name",
    "receiving_unit__id",
    "receiving_unit__name",
    "competent_unit__id",
    "competent_unit__name",
    "current_step__id",
    "current_step__code",
    "current_step__name",
    "current_step__role",
    "assignee__id",
    "assignee__full_name",
    "assignee__username",
)


class Box:
    """The inboxes of the staff workspace."""

    TO_RECEIVE = "to_receive"  # online dossiers waiting for intake (state 1)
    TO_PROCESS = "to_process"  # my dossiers, or unassigned ones at a step of my role in my unit
    TO_APPROVE = "to_approve"  # steps of the division leader (trình ký)
    TO_SIGN = "to_sign"  # steps of the agency leader (ký duyệt)
    TO_RETURN = "to_return"  # results waiting at the one-stop counter (state 9)
    SOON_DUE = "soon_due"  # running clock, due within ``dossiers.soon_due_working_days``
    OVERDUE = "overdue"  # running clock, past due

    ALL = (TO_RECEIVE, TO_PROCESS, TO_APPROVE, TO_SIGN, TO_RETURN, SOON_DUE, OVERDUE)


# Sort keys per box: the first is the default. Only never-null columns of that box may be keys.
SORTS: dict[str, tuple[str, ...]] = {
    Box.TO_RECEIVE: ("submitted_at", "-submitted_at"),
    Box.TO_RETURN: ("due_at", "-due_at", "received_at", "-received_at"),
}
DEFAULT_SORTS = ("due_at", "-due_at", "received_at", "-received_at")


@dataclass(frozen=True)
class Filters:
    procedure_id: int | None = None
    state: str | None = None
    channel: int | None = None
    # Receipt date range, inclusive, local dates (submission date in the "to receive" box).
    received_from: date | None = None
    received_to: date | None = None


@dataclass
class Page:
    items: list[Dossier]
    next_cursor: str | None
    sort: str


@dataclass
class DossierDetail:
    dossier: Dossier
    events: list[DossierEvent]
    components: list[Any]
    fees: list[Any]
    supplements: list[Any]
    consultations: list[Any]
    due_resets: list[Any]
    actions: list[Action] = field(default_factory=list)


# -- scope ----------------------------------------------------------------------------------------


def role_scopes(user: User) -> dict[str, Scope]:
    """The user's scope per role, from one query."""
    ids: dict[str, set[int]] = defaultdict(set)
    paths: dict[str, set[str]] = defaultdict(set)
    for assignment in active_assignments(user):
        if assignment.include_subunits:
            paths[assignment.role].add(assignment.unit.path)
        else:
            ids[assignment.role].add(assignment.unit_id)
    return {role: Scope(frozenset(ids[role]), frozenset(paths[role])) for role in set(ids) | set(paths)}


def _union(scopes: dict[str, Scope], roles: Sequence[str] | None = None) -> Scope:
    chosen = [s for r, s in scopes.items() if roles is None or r in roles]
    return Scope(
        frozenset().union(*(s.unit_ids for s in chosen)),
        frozenset().union(*(s.subtree_paths for s in chosen)),
    )


def _visible_q(user_scope: Scope) -> Q:
    return (
        user_scope.q("receiving_unit")
        | user_scope.q("competent_unit")
        | (Q(current_step__unit_mode="fixed") & user_scope.q("current_step__unit"))
    )


def visible(user: User, scopes: dict[str, Scope] | None = None) -> QuerySet[Dossier]:
    """Every dossier the user may see: received or processed in a unit of theirs, at a step of a unit of
    theirs, assigned to them, or sent to a unit of theirs for an opinion."""
    user_scope = _union(role_scopes(user) if scopes is None else scopes)
    if user_scope.empty:
        return Dossier.objects.none()
    consulted = Consultation.objects.filter(user_scope.q("unit")).values("dossier_id")
    return Dossier.objects.filter(_visible_q(user_scope) | Q(assignee=user) | Q(pk__in=consulted))


def _step_role_q(user: User, scopes: dict[str, Scope], role: str) -> Q:
    """Unassigned dossiers at a step of ``role`` whose unit is one where the user holds ``role``."""
    role_scope = scopes.get(role)
    if role_scope is None or role_scope.empty:
        return Q(pk__in=[])
    where_unit = (
        (Q(current_step__unit_mode="competent") & role_scope.q("competent_unit"))
        | (Q(current_step__unit_mode="one_stop") & role_scope.q("receiving_unit"))
        | (Q(current_step__unit_mode="fixed") & role_scope.q("current_step__unit"))
    )
    return Q(current_step__role=role, assignee__isnull=True) & where_unit


PROCESSING_ROLES = (Role.INTAKE_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.CLERK)


def _box_queryset(user: User, box: str, now: datetime) -> QuerySet[Dossier]:
    base = Dossier.objects.all()
    scopes = role_scopes(user)
    intake = _union(scopes, [Role.INTAKE_OFFICER])
    working = [State.RECEIVED.value, State.IN_PROGRESS.value]
    if box == Box.TO_RECEIVE:
        return base.filter(intake.q("receiving_unit"), state=State.SUBMITTED.value)
    if box == Box.TO_RETURN:
        return base.filter(intake.q("receiving_unit"), state=State.RESULT_READY.value)
    if box == Box.TO_PROCESS:
        condition = Q(assignee=user)
        for role in PROCESSING_ROLES:
            condition |= _step_role_q(user, scopes, role)
        return base.filter(condition, state__in=working)
    if box in (Box.TO_APPROVE, Box.TO_SIGN):
        role = Role.UNIT_LEADER if box == Box.TO_APPROVE else Role.AGENCY_LEADER
        mine = Q(assignee=user, current_step__role=role) | _step_role_q(user, scopes, role)
        return base.filter(mine, state__in=working)
    if box in (Box.SOON_DUE, Box.OVERDUE):
        running = base.filter(
            _visible_q(_union(scopes)) | Q(assignee=user), state__in=[s.value for s in CLOCK_RUNNING]
        )
        if box == Box.OVERDUE:
            return running.filter(due_at__lt=now)
        return running.filter(due_at__gte=now, due_at__lte=soon_due_threshold(now))
    raise InvalidDossierInput(f"Không có hộp hồ sơ “{box}”.", code="inbox_unknown")


def soon_due_threshold(now: datetime) -> datetime:
    """Due moments up to this one are "soon due": ``dossiers.soon_due_working_days`` working days of
    office time from now, on the province calendar."""
    day = to_local(now).date()
    calendar = calendar_for(None, day)
    days = int(rule_value("dossiers.soon_due_working_days", day))
    return add_working_seconds(calendar, counting_start(calendar, now), days * calendar.seconds_per_day)


# -- keyset pagination ----------------------------------------------------------------------------


def _encode(value: datetime, pk: int) -> str:
    raw = json.dumps([value.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        text, pk = json.loads(raw)
        moment = datetime.fromisoformat(text)
        if not isinstance(pk, int) or moment.tzinfo is None:
            raise ValueError(cursor)
        return moment, pk
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise InvalidDossierInput(
            "Con trỏ trang không hợp lệ; hãy tải lại danh sách.", code="cursor_invalid"
        ) from None


def _after(sort: str, cursor: str) -> Q:
    key = sort.lstrip("-")
    value, pk = _decode(cursor)
    if sort.startswith("-"):
        return Q(**{f"{key}__lt": value}) | Q(**{key: value, "pk__lt": pk})
    return Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": pk})


def _apply_filters(qs: QuerySet[Dossier], filters: Filters | None, *, date_field: str) -> QuerySet[Dossier]:
    if filters is None:
        return qs
    if filters.procedure_id is not None:
        qs = qs.filter(procedure_id=filters.procedure_id)
    if filters.state:
        if filters.state not in {s.value for s in State}:
            raise InvalidDossierInput(f"Trạng thái “{filters.state}” không tồn tại.", code="filter_invalid")
        qs = qs.filter(state=filters.state)
    if filters.channel is not None:
        qs = qs.filter(channel=filters.channel)
    if filters.received_from is not None:
        qs = qs.filter(**{f"{date_field}__gte": datetime.combine(filters.received_from, time.min, tzinfo=TZ)})
    if filters.received_to is not None:
        end = datetime.combine(filters.received_to + timedelta(days=1), time.min, tzinfo=TZ)
        qs = qs.filter(**{f"{date_field}__lt": end})
    return qs


def _list_queryset(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return qs.select_related(*LIST_RELATED).only(*LIST_FIELDS)


def inbox(
    user: User,
    box: str,
    *,
    filters: Filters | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> Page:
    """One page of an inbox, sorted by (date, id) and continued with ``Page.next_cursor``."""
    allowed = SORTS.get(box, DEFAULT_SORTS)
    chosen = sort or allowed[0]
    if chosen not in allowed:
        raise InvalidDossierInput(
            f"Không sắp xếp hộp “{box}” theo “{chosen}” được; chọn một trong: {', '.join(allowed)}.",
            code="sort_invalid",
        )
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    moment = now or timezone.now()
    # Dossiers waiting for intake have no receipt date yet: their date range is the submission date.
    date_field = "submitted_at" if box == Box.TO_RECEIVE else "received_at"
    qs = _apply_filters(_box_queryset(user, box, moment), filters, date_field=date_field)
    key = chosen.lstrip("-")
    qs = qs.filter(**{f"{key}__isnull": False})
    if cursor:
        qs = qs.filter(_after(chosen, cursor))
    direction = "-" if chosen.startswith("-") else ""
    rows = list(_list_queryset(qs).order_by(chosen, f"{direction}pk")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode(getattr(last, key), last.pk)
    return Page(rows, next_cursor, chosen)


# -- one dossier ---------------------------------------------------------------------------------


def dossier_detail(user: User, code: str) -> DossierDetail:
    """A dossier with its history; ``DossierNotFound`` when unknown *or* outside the user's scope."""
    from motcua.dossiers.services import DOSSIER_RELATED, actions_for

    dossier = visible(user).select_related(*DOSSIER_RELATED).filter(code=code).first()
    if dossier is None:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code}.")
    return DossierDetail(
        dossier=dossier,
        events=list(dossier.events.select_related("actor").order_by("seq")),
        components=list(dossier.components.order_by("id")),
        fees=list(dossier.fees.order_by("id")),
        supplements=list(dossier.supplements.order_by("requested_at", "id")),
        consultations=list(dossier.consultations.select_related("unit").order_by("batch", "order")),
        due_resets=list(dossier.due_resets.order_by("ordinal")),
        actions=actions_for(user, dossier),
    )


_CODE_LIKE = re.compile(r"^[0-9A-Za-z.]+-\d{6,8}-\d{3,}$")
_ID_LIKE = re.compile(r"^\d{10}(-\d{3})?$|^\d{12}$")


def search(user: User, q: str, *, limit: int = 20) -> list[Dossier]:
    """Find dossiers by code, applicant ID number (CCCD / tax code) or applicant name, ignoring
    diacritics ("nguyen thi hong" finds "Nguyễn Thị Hồng"); newest first; in the user's scope."""
    text = (q or "").strip()
    if not text:
        return []
    qs = visible(user)
    compact = text.replace(" ", "")
    if _CODE_LIKE.match(compact):
        qs = qs.filter(code__iexact=compact)
    elif _ID_LIKE.match(compact):
        qs = qs.filter(applicant_id_number=compact)
    else:
        tokens: Sequence[str] = search_tokens(text)
        if not tokens:
            return []
        for token in tokens:
            qs = qs.filter(applicant_name_folded__contains=token)
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    return list(_list_queryset(qs).order_by("-submitted_at", "-pk")[:limit])
