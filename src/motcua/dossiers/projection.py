"""A dossier's current state is a projection of its events.

``apply`` folds one event into a ``Projection``; the services use it to compute the columns they
write, and ``rebuild`` uses it to recompute them from the events alone. Because both go through the
same function, a projection column that disagrees with the events was written by something other
than a service (a manual ``UPDATE``, a faulty import, a restored backup): ``motcua dossiers rebuild
--verify`` lists those dossiers, and ``motcua dossiers rebuild`` rewrites their columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from motcua.core import audit
from motcua.dossiers import boxcache
from motcua.dossiers.rules import Action, State, national_status

# Events after which the receipt clock was (re)computed from the rules. Every event's ``due_at`` is the
# statutory due in force after it (an apology's new date is in its data, ``new_due``).
RULE_DUE_ACTIONS = frozenset(
    {Action.RECEIVE_AT_COUNTER, Action.ACCEPT_ONLINE, Action.RECEIVE_SUPPLEMENT, Action.SUPPLEMENT_ONLINE}
)
# Events that end processing (NgayKetThucXuLy).
FINISHING_ACTIONS = frozenset(
    {Action.MARK_RESULT_READY, Action.REFUSE_AFTER_APPRAISAL, Action.STOP, Action.WITHDRAW}
)


class ProjectionError(ValueError):
    pass


@dataclass(frozen=True)
class EventFacts:
    """What the projection needs from a ``DossierEvent``."""

    seq: int
    action: str
    at: datetime
    to_state: str
    national_status: int
    step_code: str
    due_at: datetime | None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Projection:
    """The columns of ``Dossier`` that are derived from its events."""

    state: str = ""
    national_status: int = 0
    current_step_id: int | None = None
    assignee_id: int | None = None
    received_at: datetime | None = None
    due_at: datetime | None = None
    promised_at: datetime | None = None
    step_started_at: datetime | None = None
    step_due_at: datetime | None = None
    finished_at: datetime | None = None
    returned_at: datetime | None = None


PROJECTED_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Projection))


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def apply(current: Projection, event: EventFacts, step_ids: Mapping[str, int]) -> Projection:
    """The projection after ``event``."""
    if national_status(event.to_state) != event.national_status:
        raise ProjectionError(
            f"Sự kiện #{event.seq} ghi trạng thái DVCQG {event.national_status}, "
            f"không khớp trạng thái {event.to_state}."
        )
    if event.step_code and event.step_code not in step_ids:
        raise ProjectionError(f"Sự kiện #{event.seq} ghi bước “{event.step_code}” không có trong quy trình.")
    data = event.data
    changes: dict[str, Any] = {
        "state": State(event.to_state).value,
        "national_status": event.national_status,
        "current_step_id": step_ids[event.step_code] if event.step_code else None,
        "due_at": event.due_at,
    }
    for key in ("assignee_id",):
        if key in data:
            changes[key] = data[key]
    for key in ("received_at", "step_started_at", "step_due_at"):
        if key in data:
            changes[key] = _moment(data[key])
    action = Action(event.action)
    if action in RULE_DUE_ACTIONS:
        # a new statutory clock: any date promised in an earlier apology is superseded
        changes["promised_at"] = None
    if action is Action.RESET_DUE:
        # an apology promises a new date; the statutory due (``event.due_at``) stays as it was
        changes["promised_at"] = _moment(data.get("new_due"))
    if action in FINISHING_ACTIONS and current.finished_at is None:
        changes["finished_at"] = event.at
    if action is Action.RETURN_RESULT:
        changes["returned_at"] = event.at
    if action is Action.IMPORT_UPDATE:
        # A re-imported record states its own dates: the event carries them.
        for key in ("promised_at", "finished_at", "returned_at"):
            if key in data:
                changes[key] = _moment(data[key])
    if not event.step_code:
        changes.update(step_started_at=None, step_due_at=None)
    return replace(current, **changes)


def project(events: Iterable[EventFacts], step_ids: Mapping[str, int]) -> Projection:
    state = Projection()
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            raise ProjectionError(f"Lịch sử hồ sơ thiếu sự kiện #{expected_seq} (gặp #{event.seq}).")
        state = apply(state, event, step_ids)
        expected_seq += 1
    return state


def facts(event: Any) -> EventFacts:
    return EventFacts(
        seq=event.seq,
        action=event.action,
        at=event.at,
        to_state=event.to_state,
        national_status=event.national_status,
        step_code=event.step_code,
        due_at=event.due_at,
        data=event.data or {},
    )


def stored(dossier: Any) -> Projection:
    """The projection columns as the dossier row holds them now."""
    return Projection(**{name: getattr(dossier, name) for name in PROJECTED_FIELDS})


def differences(a: Projection, b: Projection) -> dict[str, tuple[Any, Any]]:
    return {
        name: (getattr(a, name), getattr(b, name))
        for name in PROJECTED_FIELDS
        if getattr(a, name) != getattr(b, name)
    }


# -- rebuild ---------------------------------------------------------------------------------------


@dataclass
class Mismatch:
    code: str
    fields: dict[str, tuple[Any, Any]]  # name → (stored, rebuilt)
    problem: str = ""


@dataclass
class RebuildReport:
    checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    rewritten: int = 0

    @property
    def ok(self) -> bool:
        return not self.mismatches


def rebuild(*, verify: bool, codes: Sequence[str] | None = None, batch_size: int = 500) -> RebuildReport:
    """Recompute every dossier's projection from its events; compare (``verify``) or rewrite.

    Rewriting does not touch ``lock_version`` (the number of events) and appends one audit entry for
    the whole run. A dossier whose history is broken (a gap in the sequence, an unknown step) is
    reported, never rewritten.
    """
    from motcua.catalogue.models import WorkflowStep
    from motcua.dossiers.models import Dossier, DossierEvent

    report = RebuildReport()
    step_cache: dict[int, dict[str, int]] = {}
    base = Dossier.objects.order_by("id").only(
        "id", "code", "procedure_version_id", "lock_version", *PROJECTED_FIELDS
    )
    if codes:
        base = base.filter(code__in=list(codes))
    last_id = 0
    while True:
        batch = list(
            base.filter(id__gt=last_id).prefetch_related(
                Prefetch("events", queryset=DossierEvent.objects.order_by("seq"), to_attr="history")
            )[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1].pk
        missing = {d.procedure_version_id for d in batch} - step_cache.keys()
        for version_id in missing:
            step_cache[version_id] = {}
        for version_id, code, pk in WorkflowStep.objects.filter(version_id__in=missing).values_list(
            "version_id", "code", "pk"
        ):
            step_cache[version_id][code] = pk
        fixes: list[tuple[Any, Projection]] = []
        for dossier in batch:
            report.checked += 1
            history = dossier.history
            try:
                rebuilt = project((facts(e) for e in history), step_cache[dossier.procedure_version_id])
            except (ProjectionError, ValueError) as exc:
                report.mismatches.append(Mismatch(dossier.code, {}, str(exc)))
                continue
            diff = differences(stored(dossier), rebuilt)
            problem = ""
            if dossier.lock_version != len(history):
                problem = f"phiên bản khóa {dossier.lock_version} khác số sự kiện {len(history)}"
            if diff or problem:
                report.mismatches.append(Mismatch(dossier.code, diff, problem))
                if diff:
                    fixes.append((dossier, rebuilt))
        if not verify and fixes:
            with transaction.atomic():
                for dossier, rebuilt in fixes:
                    Dossier.objects.filter(pk=dossier.pk).update(
                        **{name: getattr(rebuilt, name) for name in PROJECTED_FIELDS}
                    )
                    report.rewritten += 1
                boxcache.touch_all()
    if not verify and report.rewritten:
        audit.record(
            "dossier.rebuild",
            object_type="dossiers.dossier",
            summary=f"Dựng lại trạng thái {report.rewritten} hồ sơ từ lịch sử",
            data={
                "rewritten": [m.code for m in report.mismatches if m.fields][:1000],
                "checked": report.checked,
            },
        )
    return report
