"""Reads of task tracking, scoped to the person (``directives.access``) and tuned per screen.

The status of a task is its current occurrence's status (``directives.status``), computed in SQL with
a ``CASE`` on the same rules, so that lists filter and dashboards count in the database. Every list
costs a fixed number of queries whatever its length (tests count them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from motcua.core.errors import NotFound
from motcua.core.models import OrgUnit, User
from motcua.core.rules import rule_value
from motcua.directives import status as st
from motcua.directives.access import Access, access_for, collectives_for
from motcua.directives.models import (
    CompletionRequest,
    DeadlineChange,
    Decision,
    Directive,
    DirectiveUnit,
    ExtensionRequest,
    Occurrence,
    Part,
    ProgressReport,
    Reminder,
    SourceDocument,
)
from motcua.directives.status import Status
from motcua.workdays.services import calendar_for

PAGE_SIZE = 50


def soon_until(today: date) -> date:
    """The first day that is no longer "sắp đến hạn" (rule ``directives.soon_due_working_days``)."""
    days = int(rule_value("directives.soon_due_working_days", today))
    return st.soon_until(calendar_for(None, today), today, days)


def _status_case(*, done: str, due: str, late: Q, started: Q, today: date, until: date) -> list[When]:
    """The rules of ``status.derive`` as ``When`` clauses: ``done`` the completion date, ``due`` the
    deadline that applies while not done, ``late`` the condition of a late completion, ``started``
    that of work begun."""
    finished = Q(**{f"{done}__isnull": False})
    return [
        When(finished & late, then=Value(Status.DONE_LATE.value)),
        When(finished, then=Value(Status.DONE_ON_TIME.value)),
        When(Q(**{f"{due}__isnull": True}), then=Value(Status.NO_DEADLINE.value)),
        When(Q(**{f"{due}__lt": today}), then=Value(Status.OVERDUE.value)),
        When(Q(**{f"{due}__lt": until}), then=Value(Status.SOON_DUE.value)),
        When(started, then=Value(Status.IN_PROGRESS.value)),
    ]


def status_expression(today: date, until: date, prefix: str = "current__") -> Case:
    """The status of a task occurrence in SQL (``status.derive_summary`` on the summary of its parts
    that ``services.sync_occurrence`` keeps on it), on the occurrence reached through ``prefix`` (""
    on ``Occurrence``)."""

    def f(name: str) -> str:
        return f"{prefix}{name}"

    whens = []
    if prefix:
        # A task without an occurrence (never the case after an import) has no deadline to show.
        whens.append(When(Q(**{f"{prefix[:-2]}__isnull": True}), then=Value(Status.NO_DEADLINE.value)))
    whens += _status_case(
        done=f("completed_on"),
        due=f("next_due_on"),
        late=Q(**{f("done_late"): True}),
        # begun: a report, or a unit has completed its part
        started=Q(**{f("last_report_at__isnull"): False}) | Q(**{f("progress__gt"): 0}),
        today=today,
        until=until,
    )
    return Case(*whens, default=Value(Status.NOT_STARTED.value), output_field=CharField())


def part_status_expression(today: date, until: date, prefix: str = "") -> Case:
    """``status.derive`` in SQL on a unit's part reached through ``prefix`` ("" on ``Part``)."""
    done, due = f"{prefix}completed_on", f"{prefix}due_on"
    whens = _status_case(
        done=done,
        due=due,
        late=Q(**{f"{due}__isnull": False, f"{done}__gt": F(due)}),
        started=Q(**{f"{prefix}last_report_at__isnull": False}),
        today=today,
        until=until,
    )
    return Case(*whens, default=Value(Status.NOT_STARTED.value), output_field=CharField())


def occurrence_status(occurrence: Occurrence, today: date, until: date) -> Status:
    summary = st.Summary(occurrence.completed_on, occurrence.done_late, occurrence.next_due_on)
    started = occurrence.last_report_at is not None or occurrence.progress > 0
    return st.derive_summary(summary, started=started, today=today, soon_until=until)


def part_status(part: Part, today: date, until: date) -> Status:
    return st.derive(
        due=part.due_on,
        completed_on=part.completed_on,
        started=part.last_report_at is not None,
        today=today,
        soon_until=until,
    )


# -- "task completed": the one definition the screens and the KPI set use ------------------------------


def completed_by(day: date, prefix: str = "") -> Q:
    """A task occurrence (or, with ``prefix`` "parts__"…, a unit's part) completed on or before
    ``day`` — the office approved it, dated the day the unit gave."""
    return Q(**{f"{prefix}completed_on__isnull": False, f"{prefix}completed_on__lte": day})


def overdue_count(as_of: date, unit: OrgUnit | None = None) -> int:
    """Task occurrences (a unit: its parts) overdue on ``as_of``: a deadline before that day and not
    completed by it. An occurrence is overdue when one of its parts is."""
    if unit is None:
        late_parts = Part.objects.filter(occurrence=OuterRef("pk"), due_on__lt=as_of).exclude(
            completed_by(as_of)
        )
        no_parts = ~Exists(Part.objects.filter(occurrence=OuterRef("pk")))
        alone = no_parts & Q(due_on__lt=as_of) & ~completed_by(as_of)
        return Occurrence.objects.filter(Exists(late_parts) | alone).count()
    return Part.objects.filter(unit=unit, due_on__lt=as_of).exclude(completed_by(as_of)).count()


def on_time_counts(start: date, end: date, unit: OrgUnit | None = None) -> tuple[int, int]:
    """(due, completed on time) among the task occurrences (a unit: its parts) whose deadline falls in
    [start, end]. An occurrence is on time when it is complete and no part was late."""
    if unit is None:
        due = Occurrence.objects.filter(due_on__gte=start, due_on__lte=end)
        good = Q(completed_on__isnull=False, done_late=False)  # every part by its own deadline
    else:
        due = Part.objects.filter(unit=unit, due_on__gte=start, due_on__lte=end)
        good = Q(completed_on__isnull=False, completed_on__lte=F("due_on"))
    counts = due.aggregate(n=Count("pk"), good=Count("pk", filter=good))
    return counts["n"], counts["good"]


# -- scope -------------------------------------------------------------------------------------------


def _unit_condition(
    unit_ids: frozenset[int] | set[int], collectives: frozenset[str], role: str = ""
) -> Exists:
    rows = DirectiveUnit.objects.filter(directive=OuterRef("pk")).filter(
        Q(unit_id__in=list(unit_ids)) | Q(collective__in=list(collectives))
    )
    if role:
        rows = rows.filter(role=role)
    return Exists(rows)


def visible(user: User, access: Access | None = None) -> QuerySet[Directive]:
    """The tasks the person may see: everything for the office, else the tasks their units lead or
    coordinate (by name or through a collective)."""
    access = access or access_for(user)
    if access.sees_all:
        return Directive.objects.all()
    office = Q(pk__in=[])
    if not access.office_scope.empty:
        office = access.office_scope.q("document__assigning_unit")
    if not access.member_ids:
        return Directive.objects.filter(office)
    return Directive.objects.filter(_unit_condition(access.member_ids, access.member_collectives) | office)


def for_unit(qs: QuerySet[Directive], unit: OrgUnit, role: str = "") -> QuerySet[Directive]:
    """Tasks ``unit`` leads or coordinates (``role`` narrows), by name or through a collective."""
    return qs.filter(_unit_condition({unit.pk}, collectives_for([unit.kind]), role))


# -- lists -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    status: str = ""
    document: int | None = None
    section: str = ""
    unit: OrgUnit | None = None
    role: str = ""  # with unit: "lead" | "coordinating"
    pending: str = ""  # "completion" | "extension" | "any"
    q: str = ""


def annotated(
    qs: QuerySet[Directive], today: date, until: date, unit: OrgUnit | None = None
) -> QuerySet[Directive]:
    """``status``: the task's status; with ``unit``, the status of that unit's own part where it has
    one in the current occurrence (what the unit has to do), else the task's."""
    if unit is None:
        return qs.annotate(status=status_expression(today, until))
    part = Part.objects.filter(occurrence=OuterRef("current"), unit=unit)
    qs = qs.annotate(
        unit_part_due=Subquery(part.values("due_on")[:1]),
        unit_part_done=Subquery(part.values("completed_on")[:1]),
        unit_part_report=Subquery(part.values("last_report_at")[:1]),
        unit_has_part=Exists(part),
    )
    own = _status_case(
        done="unit_part_done",
        due="unit_part_due",
        late=Q(unit_part_due__isnull=False, unit_part_done__gt=F("unit_part_due")),
        started=Q(unit_part_report__isnull=False),
        today=today,
        until=until,
    )
    task = status_expression(today, until)
    whens = [When(Q(unit_has_part=True) & w.condition, then=w.result) for w in own]
    whens.append(When(Q(unit_has_part=True), then=Value(Status.NOT_STARTED.value)))
    return qs.annotate(status=Case(*whens, default=task, output_field=CharField()))


def apply_filters(qs: QuerySet[Directive], filters: Filters) -> QuerySet[Directive]:
    if filters.document:
        qs = qs.filter(document_id=filters.document)
    if filters.section:
        qs = qs.filter(section=filters.section)
    if filters.unit is not None:
        qs = for_unit(qs, filters.unit, filters.role)
    if filters.pending in {"completion", "extension", "any"}:
        waiting = Occurrence.objects.filter(directive=OuterRef("pk"))
        if filters.pending == "completion":
            waiting = waiting.filter(completion_requested_at__isnull=False)
        elif filters.pending == "extension":
            waiting = waiting.filter(extension_requested_at__isnull=False)
        else:
            waiting = waiting.filter(
                Q(completion_requested_at__isnull=False) | Q(extension_requested_at__isnull=False)
            )
        qs = qs.filter(Exists(waiting))
    if filters.q:
        for word in filters.q.split()[:8]:
            qs = qs.filter(Q(content__icontains=word) | Q(number=word) | Q(lead_text__icontains=word))
    return qs


def task_rows(qs: QuerySet[Directive]) -> QuerySet[Directive]:
    """What a list row shows: the document, the current occurrence, how many of its units' parts are
    complete, and the lead units (prefetched)."""
    parts = Part.objects.filter(occurrence=OuterRef("current")).order_by().values("occurrence")
    qs = qs.annotate(
        parts_total=Subquery(parts.annotate(n=Count("pk")).values("n")[:1]),
        parts_done=Subquery(parts.filter(completed_on__isnull=False).annotate(n=Count("pk")).values("n")[:1]),
    )
    return qs.select_related("document", "current").prefetch_related(
        Prefetch(
            "units",
            queryset=DirectiveUnit.objects.filter(role=Directive.UnitRole.LEAD).select_related("unit"),
            to_attr="lead_rows",
        )
    )


def task_list(
    user: User, filters: Filters, *, today: date, access: Access | None = None
) -> tuple[QuerySet[Directive], dict[str, int]]:
    """The filtered tasks (annotated with ``status``, ordered) and the counts by status of the same
    tasks before the status filter (for the count cards)."""
    access = access or access_for(user, today)
    base = apply_filters(annotated(visible(user, access), today, soon_until(today), filters.unit), filters)
    counts = status_counts(base)
    if filters.status:
        base = base.filter(status=filters.status)
    return task_rows(base).order_by("-document__issued_on", "document_id", "position"), counts


def status_counts(qs: QuerySet[Directive]) -> dict[str, int]:
    counts = {s.value: 0 for s in st.ORDER}
    for row in qs.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


@dataclass(frozen=True)
class DocumentRow:
    document: SourceDocument
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts[Status.DONE_ON_TIME] + self.counts[Status.DONE_LATE]


def documents(user: User, *, today: date, access: Access | None = None) -> list[DocumentRow]:
    """The documents with at least one visible task, newest first, with counts by status: two
    queries."""
    access = access or access_for(user, today)
    tasks = annotated(visible(user, access), today, soon_until(today))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {s.value: 0 for s in st.ORDER})
    for row in tasks.order_by().values("document_id", "status").annotate(n=Count("pk")):
        counts[row["document_id"]][row["status"]] = row["n"]
    docs = SourceDocument.objects.filter(pk__in=list(counts)).select_related("assigning_unit")
    return [DocumentRow(d, counts[d.pk]) for d in docs.order_by("-issued_on", "number")]


def document(user: User, pk: int, *, access: Access | None = None) -> SourceDocument:
    access = access or access_for(user)
    found = SourceDocument.objects.select_related("assigning_unit", "imported_by").filter(pk=pk).first()
    if found is None or not (access.sees_all or visible(user, access).filter(document=found).exists()):
        raise NotFound("Không tìm thấy văn bản.")
    return found


def sections(document_id: int) -> list[tuple[str, str]]:
    rows = (
        Directive.objects.filter(document_id=document_id)
        .order_by("position")
        .values_list("section", "section_title")
    )
    seen: dict[str, str] = {}
    for section, title in rows:
        seen.setdefault(section, title)
    return list(seen.items())


# -- one task ----------------------------------------------------------------------------------------


@dataclass
class OccurrenceView:
    occurrence: Occurrence
    status: Status


@dataclass
class PartView:
    part: Part
    status: Status
    mine: bool  # the person acts for this unit
    pending_completion: CompletionRequest | None = None
    pending_extension: ExtensionRequest | None = None


@dataclass
class TaskView:
    directive: Directive
    occurrence: Occurrence
    status: Status
    occurrences: list[OccurrenceView]
    units: list[DirectiveUnit]
    parts: list[PartView]
    reports: list[ProgressReport]
    completions: list[CompletionRequest]
    extensions: list[ExtensionRequest]
    changes: list[DeadlineChange]
    reminders: list[Reminder]

    @property
    def lead_units(self) -> list[DirectiveUnit]:
        return [u for u in self.units if u.role == Directive.UnitRole.LEAD]

    @property
    def coordinating_units(self) -> list[DirectiveUnit]:
        return [u for u in self.units if u.role == Directive.UnitRole.COORDINATING]

    @property
    def my_parts(self) -> list[PartView]:
        return [p for p in self.parts if p.mine]

    @property
    def parts_done(self) -> int:
        return sum(1 for p in self.parts if p.part.completed_on is not None)

    @property
    def open_parts(self) -> list[PartView]:
        return [p for p in self.parts if p.part.completed_on is None]

    @property
    def pending_completions(self) -> list[CompletionRequest]:
        return [c for c in self.completions if c.status == Decision.PENDING]

    @property
    def pending_extensions(self) -> list[ExtensionRequest]:
        return [e for e in self.extensions if e.status == Decision.PENDING]

    @property
    def pending_completion(self) -> CompletionRequest | None:
        return next(iter(self.pending_completions), None)

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        return next(iter(self.pending_extensions), None)


def task(
    user: User, pk: int, *, today: date, seq: int | None = None, access: Access | None = None
) -> TaskView:
    """One task with everything its page shows; "not found" when outside the person's scope."""
    access = access or access_for(user, today)
    directive = (
        visible(user, access)
        .select_related("document", "document__assigning_unit", "current")
        .filter(pk=pk)
        .first()
    )
    if directive is None:
        raise NotFound("Không tìm thấy nhiệm vụ (hoặc nhiệm vụ không thuộc phạm vi của bạn).")
    until = soon_until(today)
    occurrences = list(directive.occurrences.order_by("seq"))
    if not occurrences:
        raise NotFound("Nhiệm vụ chưa có kỳ thực hiện.")
    chosen = next((o for o in occurrences if o.seq == seq), None) if seq else None
    chosen = chosen or next((o for o in occurrences if o.pk == directive.current_id), occurrences[-1])
    units = list(directive.units.select_related("unit", "original_unit").order_by("role", "position"))
    reports = list(
        chosen.reports.select_related("author", "unit")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )
    completions = list(chosen.completions.select_related("requested_by", "decided_by", "unit"))
    extensions = list(chosen.extensions.select_related("requested_by", "decided_by", "unit"))
    changes = list(chosen.deadline_changes.select_related("changed_by", "part__unit"))
    reminders = list(chosen.reminders.select_related("part__unit").order_by("sent_at"))
    parts = []
    for part in chosen.parts.select_related("unit").order_by("unit__path"):
        parts.append(
            PartView(
                part,
                part_status(part, today, until),
                part.unit_id in access.acting_ids,
                next((c for c in completions if c.part_id == part.pk and c.status == Decision.PENDING), None),
                next((e for e in extensions if e.part_id == part.pk and e.status == Decision.PENDING), None),
            )
        )
    return TaskView(
        directive=directive,
        occurrence=chosen,
        status=occurrence_status(chosen, today, until),
        occurrences=[OccurrenceView(o, occurrence_status(o, today, until)) for o in occurrences],
        units=units,
        parts=parts,
        reports=reports,
        completions=completions,
        extensions=extensions,
        changes=changes,
        reminders=reminders,
    )


# -- the office's review of agency names --------------------------------------------------------------


@dataclass
class UnmatchedName:
    name_key: str
    name: str
    rows: int
    tasks: list[tuple[int, str, str, str]]  # (directive id, document number, task number, role)
    hint: str = ""

    @property
    def by_document(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """The tasks naming it, grouped by document: [(number, [(directive id, task number)])]."""
        grouped: dict[str, list[tuple[int, str]]] = {}
        for directive_id, document, number, _ in self.tasks:
            grouped.setdefault(document, []).append((directive_id, number))
        return list(grouped.items())

    @property
    def more(self) -> int:
        return self.rows - len(self.tasks)


def unmatched_names(document_id: int | None = None, limit_tasks: int = 12) -> list[UnmatchedName]:
    """Agency names that matched no unit and no collective, with where they are used: one query."""
    rows = DirectiveUnit.objects.filter(unit__isnull=True, collective="")
    if document_id:
        rows = rows.filter(directive__document_id=document_id)
    grouped: dict[str, dict[str, Any]] = {}
    for key, name, directive_id, doc_number, number, role in rows.order_by(
        "name_key", "directive__document_id", "directive__position"
    ).values_list(
        "name_key", "name", "directive_id", "directive__document__number", "directive__number", "role"
    ):
        entry = grouped.setdefault(key, {"name": name, "rows": 0, "tasks": []})
        entry["rows"] += 1
        if len(entry["tasks"]) < limit_tasks:
            entry["tasks"].append((directive_id, doc_number, number, role))
    return [
        UnmatchedName(key, e["name"], e["rows"], e["tasks"])
        for key, e in sorted(grouped.items(), key=lambda item: (-item[1]["rows"], item[0]))
    ]


def unit_choices(today: date) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.active_on(today).exclude(kind=OrgUnit.Kind.DIVISION).order_by("path")
