"""Background work of task tracking (``motcua worker``; scheduled in ``core/schedule.py``).

``send_reminders`` first creates the new period of every recurring task, then raises a reminder once
per occurrence and kind: *sắp đến hạn* when an unfinished occurrence's deadline is within the rule
``directives.soon_due_working_days`` working days, *quá hạn* once it has passed. An occurrence waiting
for the office's approval of its completion is not reminded. The lead unit's staff receive one e-mail
digest each: everyone holding a role that may act (``access.ACTING_ROLES``) at a lead unit or below it;
for a collective lead ("các sở, ban, ngành"), the heads (agency leaders) of the units it covers.
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
from motcua.core.models import OrgUnit, Role, RoleAssignment
from motcua.core.text import fold
from motcua.directives import selectors, services
from motcua.directives.access import ACTING_ROLES, COLLECTIVE_KINDS
from motcua.directives.models import Directive, DirectiveUnit, Occurrence, Reminder
from motcua.directives.unitnames import Collective
from motcua.workdays.domain import to_local

KIND_TEXT = {Reminder.Kind.BEFORE: "sắp đến hạn", Reminder.Kind.OVERDUE: "đã quá hạn"}


@dataclass(frozen=True)
class _Line:
    kind: str
    document: str
    number: str
    content: str
    due_on: date


def _recipients(occurrences: list[Occurrence], day: date) -> dict[int, list[str]]:
    """E-mail addresses of each occurrence's lead unit staff (three queries in all)."""
    directive_ids = {o.directive_id for o in occurrences}
    leads = list(
        DirectiveUnit.objects.filter(
            directive_id__in=directive_ids, role=Directive.UnitRole.LEAD
        ).select_related("unit")
    )
    assignments = list(
        RoleAssignment.objects.filter(valid_from__lte=day, user__is_active=True)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .exclude(user__email="")
        .select_related("unit", "user")
    )
    kinds_by_unit = {u.pk: u.kind for u in OrgUnit.objects.active_on(day).only("id", "kind")}
    by_directive: dict[int, set[str]] = defaultdict(set)
    for lead in leads:
        people: set[str] = set()
        if lead.unit is not None:
            for a in assignments:
                if a.role in ACTING_ROLES and a.unit.path.startswith(lead.unit.path):
                    people.add(a.user.email)
        if lead.collective:
            kinds = COLLECTIVE_KINDS.get(Collective(lead.collective), frozenset())
            for a in assignments:
                if a.role == Role.AGENCY_LEADER and kinds_by_unit.get(a.unit_id) in kinds:
                    people.add(a.user.email)
        by_directive[lead.directive_id] |= people
    return {o.pk: sorted(by_directive.get(o.directive_id, set())) for o in occurrences}


@task()
def send_reminders(now: str | None = None) -> dict[str, int]:
    """Remind the lead units of tasks about to be due and overdue, once per occurrence and kind.
    ``now`` (ISO 8601) exists for replays and tests; the scheduled run uses the clock."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    today = to_local(moment).date()
    periods = services.ensure_all_occurrences(today)
    until = selectors.soon_until(today)
    open_ = Occurrence.objects.filter(
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
            occurrences = list(qs.select_related("directive", "directive__document").order_by("due_on", "pk"))
            emails = _recipients(occurrences, today)
            for occurrence in occurrences:
                assert occurrence.due_on is not None
                try:
                    with transaction.atomic():
                        Reminder.objects.create(
                            occurrence=occurrence,
                            kind=kind,
                            due_on=occurrence.due_on,
                            sent_at=moment,
                            recipients=emails[occurrence.pk],
                        )
                except IntegrityError:
                    continue  # another worker sent it first
                counts[str(kind)] += 1
                d = occurrence.directive
                for email in emails[occurrence.pk]:
                    digests[email].append(
                        _Line(kind, d.document.number, d.number, d.content.splitlines()[0], occurrence.due_on)
                    )
        if counts["before"] or counts["overdue"]:
            audit.record(
                "directives.remind",
                object_type="directives.reminder",
                summary=f"Nhắc hạn nhiệm vụ: {counts['overdue']} quá hạn, {counts['before']} sắp đến hạn",
                data={"counts": counts, "at": moment.isoformat()},
            )
        # Mail goes out only once the reminders are committed: a rollback must not leave sent mail.
        transaction.on_commit(lambda: _send(digests))
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
