"""The dossier API's output side: dossiers and their history as the response schemas (local times,
Vietnamese labels)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from motcua.catalogue.models import Component
from motcua.core.models import User
from motcua.dossiers import lookup, refdata, services
from motcua.dossiers import schemas as s
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.rules import (
    ACTION_LABELS,
    NATIONAL_STATUS_LABELS,
    STATE_LABELS,
    Action,
    DossierNotFound,
    State,
)
from motcua.workdays.domain import to_local


def _t(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_local(moment)


def _state_label(value: str) -> str:
    try:
        return STATE_LABELS[State(value)]
    except ValueError:
        return value


def _action_label(value: str) -> str:
    try:
        return ACTION_LABELS[Action(value)]
    except ValueError:
        return value


def _step(dossier: Dossier) -> s.StepOut | None:
    step = dossier.current_step
    return None if step is None else s.StepOut(code=step.code, name=step.name, role=step.role)


def _assignee_out(dossier: Dossier) -> s.PersonRef | None:
    user = dossier.assignee
    return None if user is None else s.PersonRef(username=user.username, full_name=user.full_name)


def list_items(rows: Sequence[Dossier]) -> list[s.DossierListItem]:
    # The list selectors load the related rows' codes and names with the page (no query here).
    return [
        s.DossierListItem(
            code=d.code,
            state=d.state,
            state_display=_state_label(d.state),
            national_status=d.national_status,
            channel=d.channel,
            applicant_name=d.applicant_name,
            applicant_identified=not d.applicant_unidentified,
            procedure=s.Ref(code=d.procedure.code, name=d.procedure.name),
            receiving_unit=s.Ref(code=d.receiving_unit.code, name=d.receiving_unit.name),
            competent_unit=s.Ref(code=d.competent_unit.code, name=d.competent_unit.name),
            current_step=_step(d),
            assignee=_assignee_out(d),
            submitted_at=to_local(d.submitted_at),
            received_at=_t(d.received_at),
            due_at=_t(d.due_at),
            step_due_at=_t(d.step_due_at),
            finished_at=_t(d.finished_at),
            lock_version=d.lock_version,
        )
        for d in rows
    ]


def status_out(d: Dossier) -> s.DossierStatusOut:
    return s.DossierStatusOut(
        code=d.code,
        procedure=s.Ref(code=d.procedure.code, name=d.procedure.name),
        state=d.state,
        state_display=_state_label(d.state),
        national_status=d.national_status,
        national_status_display=NATIONAL_STATUS_LABELS.get(d.national_status, ""),
        current_step=_step(d),
        submitted_at=to_local(d.submitted_at),
        received_at=_t(d.received_at),
        due_at=_t(d.due_at),
        appointment_at=_t(d.appointment_at),
        finished_at=_t(d.finished_at),
        returned_at=_t(d.returned_at),
        lock_version=d.lock_version,
    )


def detail_out(detail: lookup.DossierDetail) -> s.DossierOut:
    d = detail.dossier
    catalogue_ids = {c.catalogue_component_id for c in detail.components if c.catalogue_component_id}
    catalogue = (
        {
            pk: (code, order)
            for pk, code, order in Component.objects.filter(pk__in=catalogue_ids).values_list(
                "pk", "code", "order"
            )
        }
        if catalogue_ids
        else {}
    )
    kind = d.applicant_type
    return s.DossierOut(
        code=d.code,
        state=d.state,
        state_display=_state_label(d.state),
        national_status=d.national_status,
        national_status_display=NATIONAL_STATUS_LABELS.get(d.national_status, ""),
        channel=d.channel,
        channel_display=Channel(d.channel).label if d.channel in Channel.values else str(d.channel),
        result_delivery=d.result_delivery,
        procedure=s.Ref(code=d.procedure.code, name=d.procedure.name),
        procedure_version=d.procedure_version.version,
        receiving_unit=s.Ref(code=d.receiving_unit.code, name=d.receiving_unit.name),
        competent_unit=s.Ref(code=d.competent_unit.code, name=d.competent_unit.name),
        applicant=s.ApplicantOut(
            type="citizen" if kind == 1 else "organisation" if kind == 2 else None,
            id_number=d.applicant_id_number,
            name=d.applicant_name,
            identified=not d.applicant_unidentified,
        ),
        submitted_at=to_local(d.submitted_at),
        received_at=_t(d.received_at),
        due_at=_t(d.due_at),
        promised_at=_t(d.promised_at),
        step_started_at=_t(d.step_started_at),
        step_due_at=_t(d.step_due_at),
        finished_at=_t(d.finished_at),
        returned_at=_t(d.returned_at),
        current_step=_step(d),
        assignee=_assignee_out(d),
        paid_online=d.paid_online,
        lock_version=d.lock_version,
        allowed_actions=[a.value for a in detail.actions],
        events=[
            s.EventOut(
                seq=e.seq,
                at=to_local(e.at),
                action=e.action,
                action_display=_action_label(e.action),
                actor=e.actor.username if e.actor is not None else None,
                actor_label=e.actor_label,
                from_state=e.from_state or None,
                to_state=e.to_state,
                national_status=e.national_status,
                step=e.step_code or None,
                due_at=_t(e.due_at),
                data=e.data or {},
            )
            for e in detail.events
        ],
        components=[
            s.ComponentOut(
                id=c.pk,
                name=c.name,
                catalogue_code=(catalogue.get(c.catalogue_component_id, ("", None))[0] or None),
                catalogue_order=catalogue.get(c.catalogue_component_id, ("", None))[1],
                kind=c.kind,
                quantity=c.quantity,
                received=c.received,
                digitised=c.digitised,
                reused=c.reused,
                has_file=bool(c.file),
                supplement_id=c.supplement_id,
            )
            for c in detail.components
        ],
        fees=[
            s.FeeOut(
                id=f.pk,
                name=f.name,
                kind=f.kind,
                amount_vnd=None if f.amount_vnd is None else int(f.amount_vnd),
                collect_at=f.collect_at,
                paid=f.paid,
                paid_at=_t(f.paid_at),
                paid_online=f.paid_online,
                receipt_ref=f.receipt_ref,
            )
            for f in detail.fees
        ],
        supplements=[
            s.SupplementOut(
                id=x.pk,
                requested_at=to_local(x.requested_at),
                items=[str(i) for i in x.items or []],
                reasons=x.reasons,
                received_at=_t(x.received_at),
                received_note=x.received_note,
                mode=x.mode,
                due_before=_t(x.due_before),
                due_after=_t(x.due_after),
            )
            for x in detail.supplements
        ],
        consultations=[
            s.ConsultationOut(
                id=c.pk,
                unit=s.Ref(code=c.unit.code, name=c.unit.name),
                mode=c.mode,
                order=c.order,
                batch=c.batch,
                question=c.question,
                working_days=c.working_days,
                requested_at=to_local(c.requested_at),
                due_at=to_local(c.due_at),
                answered_at=_t(c.answered_at),
                answer=c.answer,
            )
            for c in detail.consultations
        ],
        due_resets=[
            s.DueResetOut(
                ordinal=r.ordinal,
                reason=r.reason,
                old_due=to_local(r.old_due),
                new_due=to_local(r.new_due),
                recorded_at=to_local(r.recorded_at),
            )
            for r in detail.due_resets
        ],
    )


def after_create(user: User, dossier: Dossier) -> s.DossierOut:
    """The answer to a create, from the dossier just written (committed) in this request: its
    reference data from the caches, its first event, components and fees read back (the database gives
    them their ids), and no supplement, consultation or new date — a new dossier has none. The caller,
    an intake officer of the receiving unit, sees it. ``test_api`` checks the answer equals the detail
    read afterwards."""
    from motcua.core import refcache

    with refcache.pinned():
        refdata.attach_reference(dossier)
        options = services.action_options(user, dossier)
    return detail_out(
        lookup.DossierDetail(
            dossier=dossier,
            events=list(dossier.events.select_related("actor").order_by("seq")),
            components=list(dossier.components.order_by("id")),
            fees=list(dossier.fees.order_by("id")),
            supplements=[],
            consultations=[],
            due_resets=[],
            actions=[action for action, refusal in options.items() if refusal is None],
            blocked={action: refusal for action, refusal in options.items() if refusal is not None},
        )
    )


def after_write(user: User, dossier: Dossier) -> s.DossierOut:
    """The dossier as the caller now sees it (the write is committed).

    A caller can act and then lose sight of the dossier (the holder of a step at a fixed unit hands it
    on to the competent unit): they still get the state their own action left, with no actions.
    """
    try:
        return detail_out(lookup.dossier_detail(user, dossier.code))
    except DossierNotFound:
        d = Dossier.objects.select_related(*refdata.PEOPLE_RELATED).get(pk=dossier.pk)
        return detail_out(lookup.detail_of(refdata.attach_reference(d), {}))
