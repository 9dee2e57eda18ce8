"""Background tasks of dossiers (run by ``motcua worker``; scheduled from ``DossiersConfig.ready``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from motcua.core import audit
from motcua.core.mail import send_digests
from motcua.core.models import Role, RoleAssignment, User
from motcua.dossiers.models import Alert, Dossier
from motcua.dossiers.rules import CLOCK_RUNNING
from motcua.dossiers.selectors import soon_due_threshold
from motcua.workdays.domain import to_local

KIND_TEXT = {Alert.Kind.SOON_DUE: "sắp đến hạn", Alert.Kind.OVERDUE: "đã quá hạn"}


@dataclass(frozen=True)
class _Line:
    kind: str
    code: str
    procedure: str
    due_at: datetime


def _leaders_by_unit(unit_ids: set[int], day: object) -> dict[int, list[User]]:
    """Agency leaders (head of the one-stop unit) assigned exactly at each receiving unit today."""
    rows = (
        RoleAssignment.objects.filter(role=Role.AGENCY_LEADER, unit_id__in=unit_ids, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .filter(user__is_active=True)
        .select_related("user")
    )
    leaders: dict[int, list[User]] = defaultdict(list)
    for row in rows:
        leaders[row.unit_id].append(row.user)
    return leaders


@task()
def flag_due_dossiers(now: str | None = None) -> dict[str, int]:
    """Raise a soon-due or overdue alert once per dossier and kind, and e-mail the person handling it
    and the head of the receiving one-stop unit (one digest per recipient). Returns counts per kind.

    ``now`` (ISO 8601) exists for replays and tests; the scheduled run uses the clock.
    """
    moment = datetime.fromisoformat(now) if now else timezone.now()
    running = Dossier.objects.filter(state__in=[s.value for s in CLOCK_RUNNING], due_at__isnull=False)
    candidates = [
        (Alert.Kind.OVERDUE, running.filter(due_at__lt=moment).exclude(alerts__kind=Alert.Kind.OVERDUE)),
        (
            Alert.Kind.SOON_DUE,
            running.filter(due_at__gte=moment, due_at__lte=soon_due_threshold(moment)).exclude(
                alerts__kind__in=[Alert.Kind.SOON_DUE, Alert.Kind.OVERDUE]
            ),
        ),
    ]
    counts = {str(kind): 0 for kind, _ in candidates}
    digests: dict[str, list[_Line]] = defaultdict(list)
    with audit.acting_as(None, label="việc định kỳ: cảnh báo hạn hồ sơ"), transaction.atomic():
        for kind, qs in candidates:
            dossiers = list(qs.select_related("assignee", "procedure").order_by("due_at", "pk"))
            leaders = _leaders_by_unit({d.receiving_unit_id for d in dossiers}, to_local(moment).date())
            for dossier in dossiers:
                assert dossier.due_at is not None
                people = [dossier.assignee] if dossier.assignee else []
                people += leaders.get(dossier.receiving_unit_id, [])
                emails = sorted({p.email for p in people if p.email})
                try:
                    with transaction.atomic():
                        Alert.objects.create(
                            dossier=dossier,
                            kind=kind,
                            due_at=dossier.due_at,
                            created_at=moment,
                            recipients=emails,
                        )
                except IntegrityError:
                    continue  # another worker raised it first
                counts[str(kind)] += 1
                for email in emails:
                    digests[email].append(_Line(kind, dossier.code, dossier.procedure.name, dossier.due_at))
        if any(counts.values()):
            audit.record(
                "dossier.flag_due",
                object_type="dossiers.alert",
                summary=f"Cảnh báo hạn: {counts['overdue']} quá hạn, {counts['soon_due']} sắp đến hạn",
                data={"counts": counts, "at": moment.isoformat()},
            )
        # The digests are queued with the alerts (core.mail outbox) and leave once both are committed:
        # a rollback sends nothing, a worker killed after the commit leaves them to the next delivery.
        _send(digests)
    return counts


def _send(digests: dict[str, list[_Line]]) -> None:
    def subject(lines: Sequence[_Line]) -> str:
        overdue = sum(1 for line in lines if line.kind == Alert.Kind.OVERDUE)
        return f"[Một cửa] {overdue} hồ sơ quá hạn, {len(lines) - overdue} hồ sơ sắp đến hạn"

    send_digests(
        digests,
        subject=subject,
        intro="Các hồ sơ cần xử lý gấp:",
        line=lambda line: (
            f"- {line.code} ({KIND_TEXT[Alert.Kind(line.kind)]}, "
            f"hạn {to_local(line.due_at):%H:%M %d/%m/%Y}): {line.procedure}"
        ),
        signature="Hệ thống thông tin giải quyết thủ tục hành chính.",
    )


@task()
def pull_national() -> dict[str, Any]:
    """Take the dossiers submitted on the national public service portal (when it is configured)."""
    from motcua.core.audit import acting_as
    from motcua.dossiers.national_pull import pull_submitted
    from motcua.integrations.registry import QueryFailed

    try:
        with acting_as(None, label="việc định kỳ nhận hồ sơ từ Cổng DVCQG"):
            return pull_submitted().as_dict()
    except QueryFailed as exc:
        return {"skipped": exc.message}
