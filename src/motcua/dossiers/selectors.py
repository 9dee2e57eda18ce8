"""Reads of dossiers for staff screens: inboxes, detail, search — all scoped to the user's units.

Every list is filtered by the user's scope resolved to ids (``user_access``: the units where they hold
each role and the workflow steps of those roles, once per request), uses keyset pagination on (date, id)
and reads the dossiers' own columns plus, in one more query, the names shown with them — so a 50-row
page costs the same three queries whatever the table size, the box or the page number (docs/benchmarks.md,
"Staff inbox"). A dossier outside the user's scope is "not found", never "forbidden": its existence is
not revealed.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.db.models.lookups import In
from django.utils import timezone

from motcua.catalogue.models import Procedure, WorkflowStep
from motcua.core.models import OrgUnit, Role, RoleAssignment, User
from motcua.core.permissions import role_units_sql
from motcua.core.rules import rule_value
from motcua.core.text import search_tokens
from motcua.dossiers.models import Consultation, Dossier
from motcua.dossiers.rules import (
    CLOCK_RUNNING,
    PERMISSIONS,
    Action,
    InvalidDossierInput,
    State,
)
from motcua.workdays.domain import TZ, add_working_seconds, counting_start, to_local
from motcua.workdays.services import calendar_for

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Box counts stop at this many rows (``COUNT_LIMIT`` means "at least that many": shown as "999+"), so a
# count costs the same for a ward and for the whole province.
COUNT_LIMIT = 1000

# What a list shows of a dossier: its own columns and, from one more query on the small tables, the codes
# and names of its procedure, units, current step and assignee (``_attach_related``).
LIST_FIELDS = (
    "id",
    "code",
    "state",
    "national_status",
    "channel",
    "applicant_name",
    "applicant_person",  # with the next one: the flag "không có số định danh" (neither is set)
    "applicant_organisation",
    "submitted_at",
    "received_at",
    "due_at",
    "promised_at",
    "step_due_at",
    "finished_at",
    "lock_version",
    "procedure",
    "receiving_unit",
    "competent_unit",
    "current_step",
    "assignee",
)


class Box:
    """The inboxes of the staff workspace."""

    TO_RECEIVE = "to_receive"  # online dossiers waiting for intake (state 1)
    TO_PROCESS = "to_process"  # my dossiers, or unassigned ones at a step of my role in my unit
    TO_APPROVE = "to_approve"  # steps of the division leader (trình ký)
    TO_SIGN = "to_sign"  # steps of the agency leader (ký duyệt)
    TO_ANSWER = "to_answer"  # in progress, waiting for the opinion of one of my units (liên thông)
    TO_RETURN = "to_return"  # results waiting at the one-stop counter (state 9)
    UNHANDLED = "unhandled"  # at a step nobody can do: no one holds its role there, or its assignee left
    SOON_DUE = "soon_due"  # running clock, due within ``dossiers.soon_due_working_days``
    OVERDUE = "overdue"  # running clock, past due
    IN_SCOPE = "in_scope"  # every dossier I may see (``visible``), newest first

    ALL = (
        TO_RECEIVE,
        TO_PROCESS,
        TO_APPROVE,
        TO_SIGN,
        TO_ANSWER,
        TO_RETURN,
        UNHANDLED,
        SOON_DUE,
        OVERDUE,
        IN_SCOPE,
    )


PROCESSING_ROLES = frozenset(
    {Role.INTAKE_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.CLERK}
)
# Who may answer a consultation: the consulted side of ``rules.PERMISSIONS``.
ANSWERING_ROLES = frozenset(PERMISSIONS[Action.ANSWER_CONSULTATION])
# Each box is offered to the holders of one of these roles (empty: to every staff member with a role).
BOX_ROLES: dict[str, frozenset[str]] = {
    Box.TO_PROCESS: PROCESSING_ROLES,
    Box.TO_RECEIVE: frozenset({Role.INTAKE_OFFICER}),
    Box.TO_APPROVE: frozenset({Role.UNIT_LEADER}),
    Box.TO_SIGN: frozenset({Role.AGENCY_LEADER}),
    Box.TO_ANSWER: ANSWERING_ROLES,
    Box.TO_RETURN: frozenset({Role.INTAKE_OFFICER}),
    Box.UNHANDLED: frozenset({Role.UNIT_LEADER, Role.AGENCY_LEADER}),
    Box.SOON_DUE: frozenset(),
    Box.OVERDUE: frozenset(),
    Box.IN_SCOPE: frozenset(),
}

# Sort keys per box: the first is the default. Only never-null columns of that box may be keys.
SORTS: dict[str, tuple[str, ...]] = {
    Box.TO_RECEIVE: ("submitted_at", "-submitted_at"),
    Box.TO_RETURN: ("due_at", "-due_at", "received_at", "-received_at"),
    Box.IN_SCOPE: ("-submitted_at", "submitted_at"),
}
DEFAULT_SORTS = ("due_at", "-due_at", "received_at", "-received_at")
# Boxes whose date filter (and date column) is the submission, not the receipt.
SUBMISSION_DATED = frozenset({Box.TO_RECEIVE, Box.IN_SCOPE})


def sorts_for(box: str) -> tuple[str, ...]:
    """The sort keys a box accepts; the first is its default."""
    return SORTS.get(box, DEFAULT_SORTS)


@dataclass(frozen=True)
class Filters:
    procedure_id: int | None = None
    state: str | None = None
    channel: int | None = None
    # Receipt date range, inclusive, local dates (submission date in the "to receive" and "in scope" boxes).
    received_from: date | None = None
    received_to: date | None = None


@dataclass
class Page:
    items: list[Dossier]
    next_cursor: str | None
    sort: str


# -- scope, resolved to ids -------------------------------------------------------------------------

# (id, role, unit_mode, unit_id) of a workflow step.
StepRow = tuple[int, str, str, int | None]


@dataclass
class Access:
    """A user's scope resolved to ids, once per request: the units where they hold each role (subtrees
    expanded, ``core.permissions.role_units``), the workflow steps of those roles and the steps of fixed
    units — read together in one query by ``user_access``. Lists then filter ``competent_unit_id IN
    (…)``, ``current_step_id IN (…)``, so PostgreSQL plans them on the dossier indexes alone, without
    joining unit paths or step roles. Build it once per request and pass it to every read of the
    request; it is not meant to outlive the request (a changed assignment applies to the next one)."""

    user: User
    units: dict[str, frozenset[int]]
    _steps: dict[str, list[StepRow]] = field(default_factory=dict)
    _fixed: list[StepRow] = field(default_factory=list)
    _memo: dict[Any, Any] = field(default_factory=dict)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.units)

    @property
    def empty(self) -> bool:
        return not self.units

    def unit_ids(self, roles: Iterable[str] | None = None) -> frozenset[int]:
        """Units where the user holds one of ``roles`` (any role when None)."""
        if roles is None:
            return frozenset().union(*self.units.values())
        return frozenset().union(*(self.units.get(r, frozenset()) for r in roles))

    def _add_steps(self, roles: Iterable[str], rows: Iterable[StepRow], *, fixed: bool) -> None:
        for role in roles:
            self._steps.setdefault(role, [])
        for row in rows:
            if row[1] in self._steps:
                self._steps[row[1]].append(row)
            if fixed and row[2] == WorkflowStep.UnitMode.FIXED:
                self._fixed.append(row)

    def steps(self, role: str) -> list[StepRow]:
        """The workflow steps of ``role`` (every procedure version); those of a role the user does not
        hold cost one more query."""
        if role not in self._steps:
            rows = WorkflowStep.objects.filter(role=role).order_by("id")
            self._add_steps([role], rows.values_list("id", "role", "unit_mode", "unit_id"), fixed=False)
        return self._steps[role]

    def fixed_steps(self, units: frozenset[int]) -> list[int]:
        """Ids of the steps assigned to a fixed unit among ``units`` (any role)."""
        return [pk for pk, _role, _mode, unit_id in self._fixed if unit_id in units]

    def soon_due_threshold(self, now: datetime) -> datetime:
        key = ("soon_due", now)
        if key not in self._memo:
            self._memo[key] = soon_due_threshold(now)
        return self._memo[key]  # type: ignore[no-any-return]


def user_access(user: User, *, on: date | None = None) -> Access:
    """The user's scope on ``on`` (today) as ids, with the workflow steps of their roles and of fixed
    units: one query (``permissions.role_units_sql`` and the steps, in one round trip). Build it once
    per request."""
    query = role_units_sql(user, on=on)
    if query is None:
        return Access(user, {})
    units_sql, params = query
    steps = connection.ops.quote_name(WorkflowStep._meta.db_table)
    # Only a table name and placeholders are formatted in.
    sql = (
        f"WITH units (role, unit_id) AS ({units_sql}) "  # noqa: S608
        "SELECT 0, role, unit_id, NULL, NULL FROM units UNION ALL "
        f"SELECT 1, s.role, s.id, s.unit_mode, s.unit_id FROM {steps} s "
        "WHERE s.role IN (SELECT role FROM units) OR s.unit_mode = %s"
    )
    units: dict[str, set[int]] = defaultdict(set)
    step_rows: list[StepRow] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, WorkflowStep.UnitMode.FIXED.value])
        for kind, role, pk, mode, unit_id in cursor.fetchall():
            if kind == 0:
                units[role].add(pk)
            else:
                step_rows.append((pk, role, mode, unit_id))
    acc = Access(user, {role: frozenset(ids) for role, ids in units.items()})
    if acc.units:
        step_rows.sort()
        acc._add_steps(acc.roles, step_rows, fixed=True)
    return acc


def _nothing() -> Q:
    return Q(pk__in=[])


def _any(parts: Sequence[Q]) -> Q:
    return reduce(or_, parts) if parts else _nothing()


def _in_units(acc: Access) -> Q:
    """Received or processed in one of the user's units, or at a fixed-unit step of one of them."""
    units = sorted(acc.unit_ids())
    if not units:
        return _nothing()
    parts = [Q(receiving_unit_id__in=units), Q(competent_unit_id__in=units)]
    fixed = acc.fixed_steps(frozenset(units))
    if fixed:
        parts.append(Q(current_step_id__in=fixed))
    return _any(parts)


class _InArray(In):
    """``IN (subquery)``, written ``= ANY(ARRAY(subquery))`` on PostgreSQL. In an ``OR`` a plain ``IN
    (SELECT …)`` becomes a hashed subplan that PostgreSQL assumes half the table passes, so it walked
    1,000,000 dossiers by date for a unit that has none (3–5 s); the array is an init plan whose
    estimate is a handful of rows (docs/benchmarks.md, "Staff inbox")."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def _consulted(acc: Access, roles: Iterable[str] | None = None, *, open_only: bool = False) -> Q:
    """Dossiers sent to one of the user's units (holding one of ``roles``) for an opinion."""
    units = sorted(acc.unit_ids(roles))
    if not units:
        return _nothing()
    consultations = Consultation.objects.filter(unit_id__in=units)
    if open_only:
        consultations = consultations.filter(answered_at__isnull=True)
    return Q(_InArray(F("pk"), consultations.order_by().values("dossier_id")))


def visible(user: User, access: Access | None = None) -> QuerySet[Dossier]:
    """Every dossier the user may see: received or processed in a unit of theirs, at a fixed-unit step of
    a unit of theirs, assigned to them, or sent to one of their units for an opinion."""
    acc = user_access(user) if access is None else access
    if acc.empty:
        return Dossier.objects.none()
    return Dossier.objects.filter(_in_units(acc) | Q(assignee=user) | _consulted(acc))


def _at_steps_of(acc: Access, role: str) -> Q | None:
    """Unassigned dossiers at a step of ``role`` whose unit (by the step's unit mode) is one where the
    user holds ``role``."""
    units = acc.units.get(role)
    if not units:
        return None
    by_mode: dict[str, list[int]] = defaultdict(list)
    for pk, _role, mode, unit_id in acc.steps(role):
        if mode != WorkflowStep.UnitMode.FIXED or unit_id in units:
            by_mode[mode].append(pk)
    ids = sorted(units)
    parts = []
    if by_mode[WorkflowStep.UnitMode.COMPETENT]:
        parts.append(
            Q(current_step_id__in=by_mode[WorkflowStep.UnitMode.COMPETENT], competent_unit_id__in=ids)
        )
    if by_mode[WorkflowStep.UnitMode.ONE_STOP]:
        parts.append(
            Q(current_step_id__in=by_mode[WorkflowStep.UnitMode.ONE_STOP], receiving_unit_id__in=ids)
        )
    if by_mode[WorkflowStep.UnitMode.FIXED]:
        parts.append(Q(current_step_id__in=by_mode[WorkflowStep.UnitMode.FIXED]))
    if not parts:
        return None
    return _any(parts) & Q(assignee__isnull=True)


WORKING = (State.RECEIVED.value, State.IN_PROGRESS.value)
RUNNING = tuple(sorted(s.value for s in CLOCK_RUNNING))

# Where the unit that performs the current step is read from, by the step's unit mode: (unit id, path).
_STEP_UNIT = {
    WorkflowStep.UnitMode.COMPETENT: ("competent_unit_id", "competent_unit__path"),
    WorkflowStep.UnitMode.ONE_STOP: ("receiving_unit_id", "receiving_unit__path"),
    WorkflowStep.UnitMode.FIXED: ("current_step__unit_id", "current_step__unit__path"),
}


def _holders(mode: str, day: date) -> QuerySet[RoleAssignment]:
    """Assignments valid on ``day``, of an active account, of the role the dossier's current step names,
    covering the unit that performs the step (the unit itself, or a unit above it with its subunits)."""
    unit_id, path = _STEP_UNIT[mode]
    return (
        RoleAssignment.objects.filter(
            role=OuterRef("current_step__role"), user__is_active=True, valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .annotate(covered=Substr(OuterRef(path), 1, Length("unit__path")))
        .filter(Q(unit_id=OuterRef(unit_id)) | Q(include_subunits=True, covered=F("unit__path")))
    )


def without_handler(day: date) -> Q:
    """Dossiers at a step nobody can do on ``day``: unassigned and no active account holds the step's
    role in the step's unit, or assigned to someone who no longer holds it there (or left)."""
    parts = []
    for mode in _STEP_UNIT:
        holders = _holders(mode, day)
        parts.append(
            Q(current_step__unit_mode=mode)
            & (
                (Q(assignee__isnull=True) & ~Exists(holders))
                | (Q(assignee__isnull=False) & ~Exists(holders.filter(user_id=OuterRef("assignee_id"))))
            )
        )
    return _any(parts)


def box_queryset(
    user: User, box: str, *, now: datetime | None = None, access: Access | None = None
) -> QuerySet[Dossier]:
    """Every dossier of one box for the user (unsorted, unpaged): the one definition of each box."""
    if box not in Box.ALL:
        raise InvalidDossierInput(f"Không có hộp hồ sơ “{box}”.", code="inbox_unknown")
    acc = user_access(user) if access is None else access
    if acc.empty:
        return Dossier.objects.none()
    base = Dossier.objects.all()
    if box in (Box.TO_RECEIVE, Box.TO_RETURN):
        intake = sorted(acc.unit_ids([Role.INTAKE_OFFICER]))
        if not intake:
            return base.none()
        state = State.SUBMITTED if box == Box.TO_RECEIVE else State.RESULT_READY
        return base.filter(receiving_unit_id__in=intake, state=state.value)
    if box == Box.TO_PROCESS:
        parts = [Q(assignee=user)]
        parts += [q for role in sorted(PROCESSING_ROLES) if (q := _at_steps_of(acc, role)) is not None]
        return base.filter(_any(parts), state__in=WORKING)
    if box in (Box.TO_APPROVE, Box.TO_SIGN):
        role = Role.UNIT_LEADER if box == Box.TO_APPROVE else Role.AGENCY_LEADER
        parts = []
        role_steps = [pk for pk, *_rest in acc.steps(role)]
        if role_steps:
            parts.append(Q(assignee=user, current_step_id__in=role_steps))
        if (unassigned := _at_steps_of(acc, role)) is not None:
            parts.append(unassigned)
        if not parts:
            return base.none()
        return base.filter(_any(parts), state__in=WORKING)
    if box == Box.TO_ANSWER:
        if not acc.unit_ids(ANSWERING_ROLES):
            return base.none()
        return base.filter(_consulted(acc, ANSWERING_ROLES, open_only=True), state=State.IN_PROGRESS.value)
    if box == Box.IN_SCOPE:
        return visible(user, acc)
    moment = now or timezone.now()
    if box == Box.UNHANDLED:
        led = sorted(acc.unit_ids([Role.UNIT_LEADER, Role.AGENCY_LEADER]))
        if not led:
            return base.none()
        mine = Q(competent_unit_id__in=led) | Q(receiving_unit_id__in=led)
        fixed = acc.fixed_steps(frozenset(led))
        if fixed:
            mine |= Q(current_step_id__in=fixed)
        return base.filter(mine, state__in=WORKING, current_step__isnull=False).filter(
            without_handler(to_local(moment).date())
        )
    running = base.filter(_in_units(acc) | Q(assignee=user), state__in=RUNNING)
    if box == Box.OVERDUE:
        return running.filter(due_at__lt=moment)
    return running.filter(due_at__gte=moment, due_at__lte=acc.soon_due_threshold(moment))


def offered_boxes(acc: Access) -> list[str]:
    """The boxes for this user, in screen order: those of a role they hold, and those for everyone (none
    for an account without a role)."""
    if acc.empty:
        return []
    roles = acc.roles
    return [b for b in Box.ALL if not BOX_ROLES[b] or BOX_ROLES[b] & roles]


def box_counts(
    user: User,
    *,
    boxes: Iterable[str] | None = None,
    now: datetime | None = None,
    access: Access | None = None,
) -> dict[str, int]:
    """How many dossiers each box holds, up to ``COUNT_LIMIT`` (that value means "at least"; show it with
    ``count_label``). ``boxes``: those offered to the user by default (``Box.IN_SCOPE`` is never
    counted). One query for all the boxes: ``SELECT (SELECT COUNT(*) FROM (… LIMIT 1000)), (…)``, each
    count reading at most ``COUNT_LIMIT`` rows of its box's index."""
    acc = user_access(user) if access is None else access
    moment = now or timezone.now()
    chosen = [b for b in (offered_boxes(acc) if boxes is None else boxes) if b != Box.IN_SCOPE]
    counts = dict.fromkeys(chosen, 0)
    parts: list[tuple[str, str, tuple[Any, ...]]] = []
    for box in chosen:
        qs = box_queryset(user, box, now=moment, access=acc)
        # No ORDER BY (Dossier's default is -id): PostgreSQL must not walk the primary key to count.
        bounded = qs.order_by().values("pk")[:COUNT_LIMIT]
        try:
            sql, params = bounded.query.sql_with_params()
        except EmptyResultSet:  # a box the user has no role for: nothing to ask
            continue
        parts.append((box, sql, params))
    if parts:
        # The ORM's own SQL of each box, with its placeholders: nothing of the user's is formatted in.
        selects = ", ".join(
            f"(SELECT COUNT(*) FROM ({sql}) AS box{i})"  # noqa: S608
            for i, (_b, sql, _p) in enumerate(parts)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {selects}", [p for _b, _sql, params in parts for p in params])
            row = cursor.fetchone()
        counts.update({box: int(n) for (box, _sql, _p), n in zip(parts, row, strict=True)})
    return counts


def count_label(count: int) -> str:
    """A box count for the screen: "999+" from ``COUNT_LIMIT`` on."""
    return f"{COUNT_LIMIT - 1}+" if count >= COUNT_LIMIT else str(count)


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
    return qs.only(*LIST_FIELDS)


# (model, columns read) of the related rows a list shows; the first column is the primary key.
_RELATED: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "procedure": (Procedure, ("id", "code", "name")),
    "unit": (OrgUnit, ("id", "code", "name")),
    "step": (WorkflowStep, ("id", "code", "name", "role")),
    "user": (User, ("id", "username", "full_name")),
}
_RELATED_FIELDS = (
    ("procedure", "procedure"),
    ("receiving_unit", "unit"),
    ("competent_unit", "unit"),
    ("current_step", "step"),
    ("assignee", "user"),
)


def _attach_related(rows: Sequence[Dossier]) -> None:
    """Give the dossiers of a list their procedure, units, current step and assignee (codes and names
    only) from one query, each distinct row built once. Joining the five tables into the page query
    cost PostgreSQL more to plan than the page itself (docs/benchmarks.md), and five objects per row."""
    if not rows:
        return
    wanted: dict[str, set[int]] = {kind: set() for kind in _RELATED}
    for d in rows:
        for name, kind in _RELATED_FIELDS:
            pk = getattr(d, f"{name}_id")
            if pk is not None:
                wanted[kind].add(pk)
    parts, params = [], []
    for index, (kind, (model, columns)) in enumerate(_RELATED.items()):
        ids = sorted(wanted[kind])
        if not ids:
            continue
        selected = [connection.ops.quote_name(model._meta.get_field(c).column) for c in columns]  # type: ignore[union-attr]
        selected += ["''"] * (4 - len(selected))
        table = connection.ops.quote_name(model._meta.db_table)
        placeholders = ", ".join(["%s"] * len(ids))
        # Only column and table names and placeholders are formatted in.
        part = f"SELECT {index}, {', '.join(selected)} FROM {table} WHERE {selected[0]} IN ({placeholders})"  # noqa: S608
        parts.append(part)
        params += ids
    kinds = list(_RELATED)
    found: dict[tuple[str, int], Model] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for index, *values in cursor.fetchall():
            kind = kinds[index]
            model, columns = _RELATED[kind]
            found[(kind, values[0])] = model.from_db(connection.alias, list(columns), values[: len(columns)])
    for d in rows:
        for name, kind in _RELATED_FIELDS:
            pk = getattr(d, f"{name}_id")
            related = found.get((kind, pk)) if pk is not None else None
            if related is not None:  # else (a row deleted meanwhile) the usual lazy load
                setattr(d, name, related)


def inbox(
    user: User,
    box: str,
    *,
    filters: Filters | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
    access: Access | None = None,
) -> Page:
    """One page of an inbox (``Box``), sorted by (date, id) and continued with ``Page.next_cursor``.

    Three queries whatever the box and the page: the user's scope with the steps of their roles
    (``user_access``; none when ``access`` is given), the page (the dossiers' own columns) and the names
    on it (``_attach_related``); "soon due" also reads the calendar."""
    if box not in Box.ALL:
        raise InvalidDossierInput(f"Không có hộp hồ sơ “{box}”.", code="inbox_unknown")
    allowed = sorts_for(box)
    chosen = sort or allowed[0]
    if chosen not in allowed:
        raise InvalidDossierInput(
            f"Không sắp xếp hộp “{box}” theo “{chosen}” được; chọn một trong: {', '.join(allowed)}.",
            code="sort_invalid",
        )
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    # Dossiers waiting for intake have no receipt date yet: their date range is the submission date.
    date_field = "submitted_at" if box in SUBMISSION_DATED else "received_at"
    key = chosen.lstrip("-")
    after = _after(chosen, cursor) if cursor else None
    acc = user_access(user) if access is None else access
    qs = _apply_filters(box_queryset(user, box, now=now, access=acc), filters, date_field=date_field)
    qs = qs.filter(**{f"{key}__isnull": False})
    if after is not None:
        qs = qs.filter(after)
    direction = "-" if chosen.startswith("-") else ""
    rows = list(_list_queryset(qs).order_by(chosen, f"{direction}pk")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode(getattr(last, key), last.pk)
    _attach_related(rows)
    return Page(rows, next_cursor, chosen)


# -- workflow steps ---------------------------------------------------------------------------------


def workflow_steps(version_id: int) -> list[WorkflowStep]:
    """The internal workflow of a procedure version, in order, with the steps' fixed units: exactly the
    services' own reading of it, so that a screen offers what the services accept."""
    from motcua.dossiers import services

    return services.workflow_steps(version_id)


def next_step(steps: Sequence[WorkflowStep], current: WorkflowStep | None) -> WorkflowStep | None:
    """The step ``hand_over`` moves a dossier to from ``current`` (None: the first processing step);
    consultation steps and the closing one-stop "return" step are never handed over to."""
    from motcua.dossiers import services

    return services.next_step(steps, current)


# -- one dossier ---------------------------------------------------------------------------------


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
        # The code as typed, in capitals or in small letters (a unit's code is one or the other): exact
        # matches on the unique index. ``iexact`` (UPPER(code) = …) had no index: PostgreSQL read every
        # dossier, newest first, for 2.8 s.
        qs = qs.filter(code__in=sorted({compact, compact.upper(), compact.lower()}))
    elif _ID_LIKE.match(compact):
        qs = qs.filter(applicant_id_number=compact)
    else:
        tokens: Sequence[str] = search_tokens(text)
        if not tokens:
            return []
        for token in tokens:
            qs = qs.filter(applicant_name_folded__contains=token)
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    rows = list(_list_queryset(qs).order_by("-submitted_at", "-pk")[:limit])
    _attach_related(rows)
    return rows
