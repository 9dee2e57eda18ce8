"""Background work of task tracking (``motcua worker``; scheduled from ``DirectivesConfig.ready``).

``send_reminders`` first creates the new period of every recurring task (and the parts of units that
lead a task since), then raises a reminder once per unit's part and kind: *sắp đến hạn* when an
unfinished part's deadline is within the rule ``directives.soon_due_working_days`` working days, *quá
hạn* once it has passed. A part waiting for the office's approval of its completion, or completed, is
not reminded — a unit that finished is never reminded about the others. Each part's unit staff receive
one e-mail digest each: everyone holding a role that may act (``access.ACTING_ROLES``) at a unit named
in the lead cell or below it; for a unit covered by a collective lead ("các sở, ban, ngành"), its head
(agency leader).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from motcua.core import audit
from motcua.core.mail import send_digests
from motcua.core.models import Role, RoleAssignment
from motcua.core.text import fold
from motcua.directives import selectors, services
from motcua.directives.access import ACTING_ROLES
from motcua.directives.models import Directive, DirectiveUnit, Part, Reminder
from motcua.workdays.domain import to_local

KIND_TEXT = {Reminder.Kind.BEFORE: "sắp đến hạn", Reminder.Kind.OVERDUE: "đã quá hạn"}


@dataclass(frozen=True)
class _Line:
    kind: str
    document: str
    number: str
    content: str
    due_on: date


def _recipients(parts: list[Part], day: date) -> dict[int, list[str]]:
    """E-mail addresses of the staff of each part's unit (three queries in all)."""
    directive_ids = {p.occurrence.directive_id for p in parts}
    named = set(
        DirectiveUnit.objects.filter(
            directive_id__in=directive_ids, role=Directive.UnitRole.LEAD, unit__isnull=False
        ).values_list("directive_id", "unit_id")
    )
    assignments = list(
        RoleAssignment.objects.filter(valid_from__lte=day, user__is_active=True)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .exclude(user__email="")
        .select_related("unit", "user")
    )
    out: dict[int, list[str]] = {}
    for part in parts:
        people: set[str] = set()
        if (part.occurrence.directive_id, part.unit_id) in named:
            for a in assignments:
                if a.role in ACTING_ROLES and a.unit.path.startswith(part.unit.path):
                    people.add(a.user.email)
        else:  # covered by a collective: the head of the unit
            for a in assignments:
                if a.role == Role.AGENCY_LEADER and a.unit_id == part.unit_id:
                    people.add(a.user.email)
        out[part.pk] = sorted(people)
    return out


@task()
def send_reminders(now: str | None = None) -> dict[str, int]:
    """Remind the lead units of tasks about to be due and overdue, once per unit's part and kind.
    ``now`` (ISO 8601) exists for replays and tests; the scheduled run uses the clock."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    today = to_local(moment).date()
    periods = services.ensure_all_occurrences(today)
    until = selectors.soon_until(today)
    open_ = Part.objects.filter(
        completed_on__isnull=True, due_on__isnull=False, completion_requested_at__isnull=True
    )
    candidates = [
        (
            Reminder.Kind.OVERDUE,
            open_.filter(due_on__lt=today).exclude(reminders__kind=Reminder.Kind.OVERDUE),
        ),
        (
            Reminder.Kind.BEFORE,
            open_.filter(due_on__gte=today, due_on__lt=until).exclude(
                reminders__kind__in=[Reminder.Kind.BEFORE, Reminder.Kind.OVERDUE]
            ),
        ),
    ]
    counts = {"before": 0, "overdue": 0, "periods": periods}
    digests: dict[str, list[_Line]] = defaultdict(list)
    with audit.acting_as(None, label="việc định kỳ: nhắc hạn nhiệm vụ"), transaction.atomic():
        for kind, qs in candidates:
            parts = list(
                qs.select_related("unit", "occurrence__directive__document").order_by(
                    "due_on", "occurrence_id", "unit__path"
                )
            )
            emails = _recipients(parts, today)
            for part in parts:
                assert part.due_on is not None
                try:
                    with transaction.atomic():
                        Reminder.objects.create(
                            occurrence=part.occurrence,
                            part=part,
                            kind=kind,
                            due_on=part.due_on,
                            sent_at=moment,
                            recipients=emails[part.pk],
                        )
                except IntegrityError:
                    continue  # another worker sent it first
                counts[str(kind)] += 1
                d = part.occurrence.directive
                for email in emails[part.pk]:
                    digests[email].append(
                        _Line(kind, d.document.number, d.number, d.content.splitlines()[0], part.due_on)
                    )
        if counts["before"] or counts["overdue"]:
            audit.record(
                "directives.remind",
                object_type="directives.reminder",
                summary=f"Nhắc hạn nhiệm vụ: {counts['overdue']} quá hạn, {counts['before']} sắp đến hạn",
                data={"counts": counts, "at": moment.isoformat()},
            )
        # The digests are queued with the reminders (core.mail outbox) and leave once both are
        # committed: a rollback sends nothing, a killed worker leaves them to the next delivery.
        _send(digests)
    return counts


def _send(digests: dict[str, list[_Line]]) -> None:
    def subject(lines: Sequence[_Line]) -> str:
        overdue = sum(1 for line in lines if line.kind == Reminder.Kind.OVERDUE)
        return f"[Theo dõi nhiệm vụ] {overdue} nhiệm vụ quá hạn, {len(lines) - overdue} nhiệm vụ sắp đến hạn"

    ordered = {
        email: sorted(lines, key=lambda x: (x.due_on, fold(x.document), x.number))
        for email, lines in digests.items()
    }
    send_digests(
        ordered,
        subject=subject,
        intro="Các nhiệm vụ đơn vị chủ trì cần báo cáo hoặc hoàn thành:",
        line=lambda line: (
            f"- Nhiệm vụ {line.number} ({line.document}), {KIND_TEXT[Reminder.Kind(line.kind)]}, "
            f"hạn {line.due_on:%d/%m/%Y}: {line.content[:200]}"
        ),
        signature="Hệ thống theo dõi nhiệm vụ, Văn phòng UBND.",
    )
