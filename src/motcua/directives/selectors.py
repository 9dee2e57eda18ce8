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


def status_expression(today: date, until: date, prefix: str = "current__") -> Case:
    """``status.derive`` in SQL, on the occurrence reached through ``prefix`` ("" on ``Occurrence``)."""

    def f(name: str) -> str:
        return f"{prefix}{name}"

    done = Q(**{f("completed_on__isnull"): False})
    whens = []
    if prefix:
        # A task without an occurrence (never the case after an import) has no deadline to show.
        whens.append(When(Q(**{f"{prefix[:-2]}__isnull": True}), then=Value(Status.NO_DEADLINE.value)))
    whens += [
        When(
            done & (Q(**{f("due_on__isnull"): True}) | Q(**{f("completed_on__lte"): F(f("due_on"))})),
            then=Value(Status.DONE_ON_TIME.value),
        ),
        When(done, then=Value(Status.DONE_LATE.value)),
        When(Q(**{f("due_on__isnull"): True}), then=Value(Status.NO_DEADLINE.value)),
        When(Q(**{f("due_on__lt"): today}), then=Value(Status.OVERDUE.value)),
        When(Q(**{f("due_on__lt"): until}), then=Value(Status.SOON_DUE.value)),
        When(Q(**{f("last_report_at__isnull"): False}), then=Value(Status.IN_PROGRESS.value)),
    ]
    return Case(*whens, default=Value(Status.NOT_STARTED.value), output_field=CharField())


def occurrence_status(occurrence: Occurrence, today: date, until: date) -> Status:
    return st.derive(
        due=occurrence.due_on,
        completed_on=occurrence.completed_on,
        started=occurrence.last_report_at is not None,
        today=today,
        soon_until=until,
    )


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


def annotated(qs: QuerySet[Directive], today: date, until: date) -> QuerySet[Directive]:
    return qs.annotate(status=status_expression(today, until))


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
    """What a list row shows: the document, the current occurrence and the lead units (prefetched)."""
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
    base = apply_filters(annotated(visible(user, access), today, soon_until(today)), filters)
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
class TaskView:
    directive: Directive
    occurrence: Occurrence
    status: Status
    occurrences: list[OccurrenceView]
    units: list[DirectiveUnit]
    reports: list[ProgressReport]
    completions: list[CompletionRequest]
    extensions: list[ExtensionRequest]
    changes: list[DeadlineChange]
    reminders: list[Reminder]
    pending_completion: CompletionRequest | None
    pending_extension: ExtensionRequest | None

    @property
    def lead_units(self) -> list[DirectiveUnit]:
        return [u for u in self.units if u.role == Directive.UnitRole.LEAD]

    @property
    def coordinating_units(self) -> list[DirectiveUnit]:
        return [u for u in self.units if u.role == Directive.UnitRole.COORDINATING]


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
    changes = list(chosen.deadline_changes.select_related("changed_by"))
    reminders = list(chosen.reminders.order_by("sent_at"))
    return TaskView(
        directive=directive,
        occurrence=chosen,
        status=occurrence_status(chosen, today, until),
        occurrences=[OccurrenceView(o, occurrence_status(o, today, until)) for o in occurrences],
        units=units,
        reports=reports,
        completions=completions,
        extensions=extensions,
        changes=changes,
        reminders=reminders,
        pending_completion=next((c for c in completions if c.status == Decision.PENDING), None),
        pending_extension=next((e for e in extensions if e.status == Decision.PENDING), None),
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
