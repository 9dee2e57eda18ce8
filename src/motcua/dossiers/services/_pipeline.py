"""The pipeline's write half, shared by every use case.

Every use case runs the same pipeline inside ``transaction.atomic()``:

1. permission — the user's roles on the relevant side of the dossier (receiving one-stop unit,
   competent unit, current step's unit, consulted unit), from ``core.permissions``; a dossier the
   user cannot see at all is reported as not found (existence is not revealed);
2. transition — ``rules.next_state`` (the table);
3. optimistic concurrency — the caller's ``expected_version`` must equal ``lock_version``, and the
   write is ``UPDATE … WHERE lock_version = expected`` (0 rows → ``StaleDossier``, HTTP 409);
4. validation of the input and of the legal rules (supplement window, apology once and in time…);
5. mutate the projection columns through ``projection.apply`` (the same fold ``rebuild`` uses);
6. append one ``DossierEvent`` (its ``seq`` is the new ``lock_version``);
7. one ``core.audit.record`` entry;
8. outbox rows in one statement: for the national portal the record (``DongBoHoSoMC``) and the
   progress event (``CapNhatTienDoHoSoMC``), and the applicant's status notice when the national status
   changed (``notify``);
with the deadlines computed by the ``workdays`` engine on the competent unit's calendar.

Steps 1–4 are each use case's own (``authority`` and the stage modules); steps 5–8 are here:
``_apply`` for an existing dossier (``_record``: the same, attributed to the officer or applicant who
acts), ``_create`` for a new one. ``_simple`` is the whole pipeline of an ending (refusal, stop,
withdrawal), which only changes the state.

Any refusal raises a ``DomainError`` subclass from ``rules`` before anything is written, or rolls the
whole transaction back: nothing is half-stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from motcua.catalogue.models import WorkflowStep
from motcua.core import audit, fastsql
from motcua.core.models import Organisation, Person, User
from motcua.core.text import fold
from motcua.dossiers import boxcache, notify, projection, rules
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierFee
from motcua.dossiers.rules import ACTION_LABELS, STALE_MESSAGE, Action, StaleDossier, State
from motcua.dossiers.services._base import (
    Applicant,
    _applicant_label,
    _attributed,
    _check_version,
    _iso,
    _label,
    _load,
    _raise_pending,
    _transaction,
    workflow_steps,
)
from motcua.dossiers.services.authority import _authorise
from motcua.dossiers.sync import TOPIC_DONG_BO, TOPIC_TIEN_DO, cap_nhat_tien_do, dong_bo_ho_so_mc
from motcua.integrations.outbox import enqueue_many


def _step_ids(steps: Sequence[WorkflowStep]) -> dict[str, int]:
    return {s.code: s.pk for s in steps}


# The columns that decide whose box counts a dossier is in (``dossiers.boxcache``).
SCOPE_FIELDS = ("receiving_unit_id", "competent_unit_id", "current_step_id", "assignee_id")


def _step_units(steps: Sequence[WorkflowStep]) -> dict[int, int | None]:
    return {s.pk: s.unit_id for s in steps}


def _summary(action: Action, dossier: Dossier) -> str:
    return f"{ACTION_LABELS[action]}: hồ sơ {dossier.code}"


def _finish(
    dossier: Dossier,
    event: DossierEvent,
    *,
    action: Action,
    summary: str | None = None,
    audit_data: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
) -> None:
    """Steps 7–8: one audit entry and one outbox row (``body``: the record, when already built)."""
    audit.record(
        f"dossier.{action.value}",
        object_type="dossiers.dossier",
        object_id=dossier.code,
        summary=summary or _summary(action, dossier),
        data={
            "seq": event.seq,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "national_status": event.national_status,
            "step": event.step_code,
            "due_at": _iso(event.due_at),
            **(audit_data if audit_data is not None else event.data),
        },
    )
    # The full record, then the progress event, in one statement: delivered in this order per dossier.
    enqueue_many(
        [
            (
                TOPIC_DONG_BO,
                dossier.code,
                body if body is not None else dong_bo_ho_so_mc(dossier, updating=event.seq > 1),
                f"{TOPIC_DONG_BO}:{dossier.code}:{event.seq}",
            ),
            (
                TOPIC_TIEN_DO,
                dossier.code,
                cap_nhat_tien_do(dossier, event, what=ACTION_LABELS[action]),
                f"{TOPIC_TIEN_DO}:{dossier.code}:{event.seq}",
            ),
            # The applicant's status notice (NĐ 224/2026 Điều 15), when the national status changed.
            *notify.notices(dossier, event, what=ACTION_LABELS[action]),
        ]
    )


def _apply(
    dossier: Dossier,
    action: Action,
    *,
    by: User | None,
    actor_label: str,
    at: datetime,
    to_state: State,
    step: WorkflowStep | None,
    due_at: datetime | None,
    data: dict[str, Any],
    steps: Sequence[WorkflowStep],
    extra_fields: dict[str, Any] | None = None,
    summary: str | None = None,
) -> DossierEvent:
    """Steps 5–8 for an existing dossier: guarded UPDATE, event, audit, outbox."""
    _raise_pending(dossier)  # a refusal of ``_authorise`` never reaches the write
    before = projection.stored(dossier)
    scope_before = {name: getattr(dossier, name) for name in SCOPE_FIELDS}
    facts = projection.EventFacts(
        seq=dossier.lock_version + 1,
        action=action.value,
        at=at,
        to_state=to_state.value,
        national_status=rules.national_status(to_state),
        step_code=step.code if step else "",
        due_at=due_at,
        data=data,
    )
    after = projection.apply(before, facts, _step_ids(steps))
    changes = {name: getattr(after, name) for name in projection.PROJECTED_FIELDS}
    changes.update(extra_fields or {})
    expected = dossier.lock_version
    updated = Dossier.objects.filter(pk=dossier.pk, lock_version=expected).update(
        **changes, lock_version=expected + 1, updated_at=at
    )
    if updated != 1:
        raise StaleDossier(STALE_MESSAGE, details={"expected_version": expected})
    for name, value in changes.items():
        setattr(dossier, name, value)
    dossier.lock_version = expected + 1
    dossier.updated_at = at
    if step is not None:
        dossier.current_step = step
    event = DossierEvent.objects.create(
        dossier=dossier,
        seq=facts.seq,
        at=at,
        actor=by,
        actor_label=actor_label,
        action=action.value,
        from_state=before.state,
        to_state=facts.to_state,
        national_status=facts.national_status,
        step_code=facts.step_code,
        data=data,
        due_at=due_at,
    )
    _finish(dossier, event, action=action, summary=summary)
    boxcache.touch_dossier(scope_before, dossier, _step_units(steps))
    return event


def _record(
    dossier: Dossier,
    action: Action,
    *,
    by: User | Applicant,
    at: datetime,
    to_state: State,
    step: WorkflowStep | None,
    due_at: datetime | None,
    data: dict[str, Any],
    steps: Sequence[WorkflowStep] | None = None,
    extra_fields: dict[str, Any] | None = None,
    summary: str | None = None,
) -> DossierEvent:
    """``_apply`` on behalf of ``by`` — an officer, or the applicant through the portal — with the event
    and the audit entry attributed to them; ``steps``: the dossier's workflow when not given."""
    user: User | None
    if isinstance(by, Person | Organisation):
        user, label = None, _applicant_label(by)
    else:
        user, label = by, _label(by)
    if steps is None:
        steps = workflow_steps(dossier.procedure_version_id)
    with _attributed(user, label):
        return _apply(
            dossier,
            action,
            by=user,
            actor_label=label,
            at=at,
            to_state=to_state,
            step=step,
            due_at=due_at,
            data=data,
            steps=steps,
            extra_fields=extra_fields,
            summary=summary,
        )


def _create(
    *,
    action: Action,
    by: User | None,
    actor_label: str,
    at: datetime,
    fields: dict[str, Any],
    to_state: State,
    step: WorkflowStep | None,
    due_at: datetime | None,
    data: dict[str, Any],
    steps: Sequence[WorkflowStep],
    components: Sequence[DossierComponent],
    fees: Sequence[DossierFee],
) -> Dossier:
    facts = projection.EventFacts(
        seq=1,
        action=action.value,
        at=at,
        to_state=to_state.value,
        national_status=rules.national_status(to_state),
        step_code=step.code if step else "",
        due_at=due_at,
        data=data,
    )
    after = projection.apply(projection.Projection(), facts, _step_ids(steps))
    dossier = Dossier(
        **fields,
        **{name: getattr(after, name) for name in projection.PROJECTED_FIELDS},
        lock_version=1,
    )
    dossier.applicant_name_folded = fold(dossier.applicant_name)
    event = DossierEvent(
        dossier=dossier,
        seq=1,
        at=at,
        actor=by,
        actor_label=actor_label,
        action=action.value,
        from_state="",
        to_state=facts.to_state,
        national_status=facts.national_status,
        step_code=facts.step_code,
        data=data,
        due_at=due_at,
    )
    # The dossier models have no signal receivers (AUDIT_BY_SERVICE): the dossier, its components, fees
    # and first event are plain INSERTs — one statement on PostgreSQL (``fastsql`` stores file
    # uploads and ``auto_now`` dates like ``save()`` does).
    fastsql.insert_family(dossier, [(components, "dossier"), (fees, "dossier"), ([event], "dossier")])
    if step is not None:
        dossier.current_step = step
    # A new dossier has exactly these components and fees and no supplement: the record is built from
    # the objects just written instead of reading them back.
    _finish(
        dossier,
        event,
        action=action,
        body=dong_bo_ho_so_mc(dossier, updating=False, components=components, fees=fees, supplements=()),
    )
    boxcache.touch_dossier({}, dossier, _step_units(steps))
    return dossier


def _simple(
    code: str,
    action: Action,
    *,
    by: User,
    expected_version: int,
    data_for: Callable[[Dossier], dict[str, Any]],
    checks: Callable[[Dossier, datetime], None] | None = None,
) -> Dossier:
    """An ending (refusal, stop, withdrawal): the state changes, the step and assignee are cleared."""
    with _transaction():
        dossier = _load(code)
        _authorise(by, dossier, action)
        _check_version(dossier, expected_version)
        to_state = rules.next_state(dossier.state, action)
        at = timezone.now()
        if checks is not None:
            checks(dossier, at)
        data = {**data_for(dossier), "assignee_id": None}
        steps = workflow_steps(dossier.procedure_version_id)
        _record(
            dossier,
            action,
            by=by,
            at=at,
            to_state=to_state,
            step=None,
            due_at=dossier.due_at,
            data=data,
            steps=steps,
        )
        return dossier
