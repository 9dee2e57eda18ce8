"""The periods of a task (occurrences) and the lead units' parts in them, kept in step with the parts."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from motcua.core.models import OrgUnit
from motcua.directives import recurrence
from motcua.directives import status as st
from motcua.directives.access import COLLECTIVE_KINDS
from motcua.directives.models import Directive, Occurrence, Part
from motcua.directives.unitnames import Collective

# -- occurrences -------------------------------------------------------------------------------------


def ensure_occurrences(directive: Directive, today: date) -> int:
    """Create the occurrences a task needs on ``today``, and the parts of its lead units in every
    occurrence not completed; returns how many occurrences were created.

    A task with a date or none has exactly one. A recurring task has one per period from the document's
    date up to today, plus the next one — and one more when every existing one is completed."""
    existing = list(directive.occurrences.order_by("seq"))
    created = 0
    if not directive.recurrence:
        if not existing:
            Occurrence.objects.create(
                directive=directive,
                seq=1,
                original_due_on=directive.deadline,
                due_on=directive.deadline,
                next_due_on=directive.deadline,
            )
            created = 1
    else:
        start = directive.document.issued_on
        wanted = recurrence.occurrences(directive.recurrence, start, today)
        upcoming = recurrence.next_after(directive.recurrence, start, today)
        if upcoming is not None:
            wanted.append(upcoming)
        have = {o.original_due_on for o in existing}
        seq = max((o.seq for o in existing), default=0)
        new: list[Occurrence] = []
        for due in wanted:
            if due not in have:
                seq += 1
                new.append(
                    Occurrence(directive=directive, seq=seq, original_due_on=due, due_on=due, next_due_on=due)
                )
                have.add(due)
        everything = existing + new
        if everything and all(o.completed_on for o in everything):
            last = max(o.original_due_on for o in everything if o.original_due_on)
            following = recurrence.next_after(directive.recurrence, start, last)
            if following is not None and following not in have:
                new.append(
                    Occurrence(
                        directive=directive,
                        seq=seq + 1,
                        original_due_on=following,
                        due_on=following,
                        next_due_on=following,
                    )
                )
        Occurrence.objects.bulk_create(new)
        created = len(new)
    ensure_parts(directive)
    refresh_current(directive)
    return created


def lead_unit_ids(directive: Directive, today: date) -> list[int]:
    """The units that lead a task on ``today``, one part each: the units named in its lead cell, and
    the units in operation of the kinds a lead collective covers ("các sở, ban, ngành": every
    department; "UBND cấp huyện": since 01/07/2025 the communes, wards and special zones)."""
    ids: list[int] = []
    kinds: set[str] = set()
    for row in directive.units.filter(role=Directive.UnitRole.LEAD).order_by("position"):
        if row.unit_id is not None and row.unit_id not in ids:
            ids.append(row.unit_id)
        if row.collective:
            kinds |= COLLECTIVE_KINDS.get(Collective(row.collective), frozenset())
    if kinds:
        covered = OrgUnit.objects.active_on(today).filter(kind__in=kinds).order_by("path")
        ids += [pk for pk in covered.values_list("pk", flat=True) if pk not in ids]
    return ids


def ensure_parts(directive: Directive, on: date | None = None) -> None:
    """Give every occurrence not completed one part per lead unit (``lead_unit_ids``) of the units in
    operation ``on`` (by default today — also when a record is dated in the past, as in the demo's
    history). A part of a unit that no longer leads the task (the office matched its name to another
    unit) is removed while nothing was recorded on it; recorded work is never dropped."""
    occurrences = list(directive.occurrences.filter(completed_on__isnull=True).order_by("seq"))
    if not occurrences:
        return
    wanted = lead_unit_ids(directive, on or timezone.localdate())
    changed: list[Occurrence] = []
    for occurrence in occurrences:
        parts = {p.unit_id: p for p in occurrence.parts.all()}
        new = [
            Part(occurrence=occurrence, unit_id=unit_id, due_on=occurrence.due_on)
            for unit_id in wanted
            if unit_id not in parts
        ]
        idle = [
            p.pk
            for unit_id, p in parts.items()
            if unit_id not in wanted
            and p.last_report_at is None
            and p.completed_on is None
            and not p.completions.exists()
            and not p.extensions.exists()
        ]
        if new or idle:
            Part.objects.bulk_create(new)
            Part.objects.filter(pk__in=idle).delete()
            changed.append(occurrence)
    for occurrence in changed:
        sync_occurrence(occurrence)


def sync_occurrence(occurrence: Occurrence) -> bool:
    """Recompute what an occurrence shows from its parts (progress: their average; the last report;
    pending requests; complete when every part is — see ``status.summarise``). Returns whether the
    occurrence has just become complete. An occurrence without parts keeps its own dates."""
    parts = list(occurrence.parts.all())
    was_done = occurrence.completed_on is not None
    if parts:
        summary = st.summarise((p.due_on, p.completed_on) for p in parts)
        occurrence.progress = round(sum(p.progress for p in parts) / len(parts))
        reports = [p.last_report_at for p in parts if p.last_report_at]
        occurrence.last_report_at = max(reports) if reports else None
        asked = [p.completion_requested_at for p in parts if p.completion_requested_at]
        occurrence.completion_requested_at = min(asked) if asked else None
        asked = [p.extension_requested_at for p in parts if p.extension_requested_at]
        occurrence.extension_requested_at = min(asked) if asked else None
        occurrence.completed_on = summary.completed_on
        approved = [p.completed_at for p in parts if p.completed_at]
        occurrence.completed_at = max(approved) if summary.completed_on and approved else None
    else:
        summary = st.summarise([(occurrence.due_on, occurrence.completed_on)])
    occurrence.next_due_on = summary.next_due
    occurrence.done_late = summary.late
    occurrence.save(
        update_fields=[
            "progress",
            "last_report_at",
            "completion_requested_at",
            "extension_requested_at",
            "completed_on",
            "completed_at",
            "next_due_on",
            "done_late",
        ]
    )
    return not was_done and occurrence.completed_on is not None


def refresh_current(directive: Directive) -> None:
    """Point the task at its earliest occurrence not completed (the last one when all are)."""
    rows = list(directive.occurrences.order_by("seq").values_list("pk", "completed_on"))
    if not rows:
        return
    open_ = [pk for pk, done in rows if done is None]
    current = open_[0] if open_ else rows[-1][0]
    if directive.current_id != current:
        directive.current_id = current
        Directive.objects.filter(pk=directive.pk).update(current_id=current)


def ensure_all_occurrences(today: date) -> int:
    """New periods of every recurring task, and the parts of units that lead a task since (run by the
    periodic reminder job)."""
    created = 0
    for directive in Directive.objects.select_related("document"):
        with transaction.atomic():
            created += ensure_occurrences(directive, today)
    return created
