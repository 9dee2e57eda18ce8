"""The rows of one new dossier, made from its parsed line and the resolved references without
touching the database (``prepare`` runs in a second thread while the previous batch is written):
the dossier's columns (the projection is the fold of the events, exactly as ``projection.rebuild``
computes it), its items' and its events' rows, and the file's own values where an export would give
something else (``extra``, ``import_overrides``, each item's ``source``). ``finish`` adds the
applicant, once the writing thread has found or created it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from motcua.dossiers import jsonl, national, projection
from motcua.dossiers.importing.history import NATIONAL_STATUS
from motcua.dossiers.importing.parsed import Ev, Parsed
from motcua.dossiers.importing.resolve import Applicant, References
from motcua.dossiers.importing.tables import COMPONENTS, DOSSIERS, EVENTS, FEES, RESETS, SUPPLEMENTS
from motcua.dossiers.jsonl import MISSING
from motcua.dossiers.models import OnlinePayment, ResultDelivery

LIST_KEYS = frozenset(jsonl.ITEM_LISTS)


@dataclass
class Built:
    """One new dossier as plain rows: the dossier's columns, its items' and its events (with the
    step code each leaves the dossier at). Ids are set when written."""

    dossier: dict[str, Any]
    components: list[dict[str, Any]]
    fees: list[dict[str, Any]]
    supplements: list[dict[str, Any]]
    resets: list[dict[str, Any]]
    timed: list[tuple[Ev, str]]
    step_ids: dict[str, int]
    # PostgreSQL: the ids reserved for the dossier and its supplements, and its items' and events'
    # rows ready for COPY (made in the preparing thread)
    pk: int | None = None
    supplement_ids: list[int] = field(default_factory=list)
    ready: dict[str, list[list[Any]]] | None = None

    def events(self, pk: int, supplement_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The event rows of the dossier ``pk`` (its supplements' ids given)."""
        rows = []
        previous = ""
        for seq, (ev, step_code) in enumerate(self.timed, 1):
            data = ev.data
            if ev.supplement is not None:
                data = {"supplement_id": supplement_ids[ev.supplement], **data}
            to_state = ev.to_state
            rows.append(
                EVENTS.row(
                    dossier_id=pk,
                    seq=seq,
                    at=ev.at,
                    actor_id=None,
                    actor_label=ev.actor[:150],
                    action=ev.action.value,
                    from_state=previous,
                    to_state=to_state.value,
                    national_status=NATIONAL_STATUS[to_state],
                    step_code=step_code,
                    data=data,
                    due_at=ev.due,
                )
            )
            previous = to_state.value
        return rows

    def make_ready(self, pk: int, supplement_ids: list[int]) -> None:
        """Give the dossier its reserved ids and make its items' and events' ``COPY`` rows."""
        self.pk, self.supplement_ids = pk, supplement_ids
        ready: dict[str, list[list[Any]]] = {}
        for key, table, rows in (
            ("components", COMPONENTS, self.components),
            ("fees", FEES, self.fees),
            ("resets", RESETS, self.resets),
        ):
            for row in rows:
                row["dossier_id"] = pk
            ready[key] = [table.values(row) for row in rows]
        ready["supplements"] = []
        for sid, row in zip(supplement_ids, self.supplements, strict=True):
            row["dossier_id"] = pk
            ready["supplements"].append([sid, *SUPPLEMENTS.values(row)])
        ready["events"] = [EVENTS.values(row) for row in self.events(pk, supplement_ids)]
        self.ready = ready


def prepare(refs: References, p: Parsed, now: datetime) -> Built | None:
    """The rows of ``p``'s dossier but for its applicant (``finish``), without touching the
    database (it runs in a second thread): ``None`` when the line needs a procedure or unit not
    loaded yet. The projection columns are the fold of the events, exactly as ``rebuild``
    computes it; the file's own values are kept (``extra``, ``import_overrides``, ``source``)."""
    proc = refs.procedures.get(p.procedure_code)
    competent = refs.units.get(p.competent_code)
    receiving = refs.units.get(p.receiving_code)
    if proc is None or competent is None or receiving is None:
        return None
    version = refs.version(proc, p.day)
    flow = refs.flow(proc, version)
    # steps, as the services choose them
    current = ""
    timed: list[tuple[Ev, str]] = []
    for ev in p.events:
        step = ev.step
        if step == "first":
            current = flow.first
        elif step == "next":
            current = flow.after.get(current, current)
        elif step == "closing":
            current = flow.closing
        elif step is None:
            current = ""
        timed.append((ev, current))
    state = projection.Projection()
    for seq, (ev, step_code) in enumerate(timed, 1):
        state = projection.apply(state, facts(seq, ev, step_code), flow.step_ids)
    scalars = p.scalars
    paid_online = scalars["online_payment"] in (OnlinePayment.NATIONAL, OnlinePayment.LOCAL)
    dossier = DOSSIERS.row(
        code=p.code,
        procedure_id=proc.procedure.id,
        procedure_version_id=version.id,
        receiving_unit_id=receiving.id,
        competent_unit_id=competent.id,
        applicant_name=p.applicant_name,
        applicant_name_folded=refs.fold(p.applicant_name)[:255],
        applicant_id_number=p.applicant_id,
        channel=p.channel,
        result_delivery=p.result_delivery,
        submitted_at=p.submitted,
        paid_online=paid_online,
        imported_at=now,
        created_at=now,
        updated_at=now,
        lock_version=len(timed),
        **scalars,
        **{name: getattr(state, name) for name in projection.PROJECTED_FIELDS},
    )
    catalogue = proc.components[version.id]
    built = Built(
        dossier=dossier,
        components=[],
        fees=[],
        supplements=[],
        resets=[],
        timed=timed,
        step_ids=flow.step_ids,
    )
    # each item with what an export would render for it: the file's own values where they differ
    identity = jsonl.ITEM_IDENTITY_KEYS
    for c in p.components:
        v = c.values
        known = catalogue.get(v["code"])
        row = COMPONENTS.row(
            catalogue_component_id=known.id if known is not None else None,
            name=v["name"],
            digitised=v["digitised"],
            reused=v["reused"],
        )
        rendered = national.component_item(
            pk=None,
            name=v["name"],
            catalogue_code=v["code"] if known is not None else "",
            file_name="",
            digitised=v["digitised"],
            reused=v["reused"],
        )
        row["source"] = _source(c.raw, rendered, identity["TaiLieuNop"])
        built.components.append(row)
    for f in p.fees:
        v = f.values
        row = FEES.row(
            name=v["name"],
            kind=v["kind"],
            amount_vnd=v["amount"],
            collect_at=v["collect_at"],
            paid=v["paid"],
        )
        rendered = national.fee_item(
            pk=None,
            catalogue_fee_id=None,
            name=v["name"],
            collect_at=v["collect_at"],
            amount_vnd=v["amount"],
            kind=v["kind"],
            paid=v["paid"],
        )
        row["source"] = _source(f.raw, rendered, identity["DanhSachLePhi"])
        built.fees.append(row)
    for s in p.supplements:
        v = s.values
        row = SUPPLEMENTS.row(
            requested_at=v["requested_at"],
            items=v["items"],
            reasons=v["reasons"],
            received_at=v["received_at"],
            received_note=v["note"],
            due_before=v["due_before"],
            due_after=v["due_after"],
        )
        rendered = national.supplement_item(
            pk=None,
            requested_by="",
            reasons=v["reasons"],
            requested_at=v["requested_at"],
            received_by="",
            received_note=v["note"],
            received_at=v["received_at"],
            items=v["items"],
            due_before=v["due_before"],
            due_after=v["due_after"],
        )
        row["source"] = _source(s.raw, rendered, identity["DanhSachHoSoBoSung"])
        built.supplements.append(row)
    for i, r in enumerate(p.resets, 1):
        v = r.values
        row = RESETS.row(
            ordinal=i,
            reason=v["reason"],
            old_due=v["old_due"],
            new_due=v["new_due"],
            recorded_at=v["recorded_at"],
        )
        rendered = jsonl.reset_item(
            recorded_at=v["recorded_at"], old_due=v["old_due"], new_due=v["new_due"], reason=v["reason"]
        )
        row["source"] = _source(r.raw, rendered, identity["DanhSachHenLai"])
        built.resets.append(row)
    # the top-level fields an export would render, against the line: unknown keys go to ``extra``,
    # values rendered differently to ``import_overrides``
    limit = scalars["time_limit_value"]
    base = jsonl.add_766_inputs(
        national.dossier_fields(
            code=p.code,
            procedure_code=proc.procedure.code,
            procedure_name=version.name,
            field_code=proc.procedure.field.code,
            field_name=proc.procedure.field.name,
            applicant_name=p.applicant_name,
            applicant_type=p.applicant_type,
            applicant_id_number=p.applicant_id,
            email="",  # the applicant's contact: ``finish``
            phone="",
            submitted_at=p.submitted,
            received_at=state.received_at,
            due_at=state.due_at,
            national_status=state.national_status,
            returned_at=state.returned_at,
            finished_at=state.finished_at,
            by_post=p.result_delivery == ResultDelivery.POST,
            unit_name=competent.name,
            unit_code=national.unit_code(competent),
            channel=p.channel,
            online_payment=national.online_payment_code(scalars["online_payment"], paid_online),
            time_limit_value=limit if limit is not None else version.time_limit_value,
            time_limit_unit=scalars["time_limit_unit"] or version.time_limit_unit,
        ),
        result_code=scalars["result_code"],
        result_file_url=scalars["result_file_url"],
        has_digitised_components=scalars["has_digitised_components"],
        vneid_authenticated=scalars["vneid_authenticated"],
        population_db_code=scalars["population_db_code"],
        state=state.state,
    )
    dossier["extra"], dossier["import_overrides"] = _own_values(p.raw, base)
    return built


def finish(built: Built, p: Parsed, applicant: Applicant) -> Built:
    """Complete a prepared dossier with its applicant (and the file's own contact values)."""
    row = built.dossier
    if not p.applicant_id:  # no identity number: by name only, flagged
        row["unidentified_applicant_type"] = p.applicant_type
    elif p.applicant_type == 1:
        row["applicant_person_id"] = applicant.pk
    else:
        row["applicant_organisation_id"] = applicant.pk
    for key, rendered in (("Email", applicant.email or ""), ("SoDienThoai", applicant.phone or "")):
        value = p.raw.get(key, MISSING)
        if value is not MISSING and not jsonl.same(rendered, value):
            row["import_overrides"][key] = [rendered, value]
    return built


def facts(seq: int, ev: Ev, step_code: str) -> projection.EventFacts:
    return projection.EventFacts(
        seq=seq,
        action=ev.action.value,
        at=ev.at,
        to_state=ev.to_state.value,
        national_status=NATIONAL_STATUS[ev.to_state],
        step_code=step_code,
        due_at=ev.due,
        data=ev.data,
    )


def _source(item: dict[str, Any], rendered: dict[str, Any], identity: tuple[str, ...]) -> dict[str, Any]:
    """An item row's ``source``: the file's keys that the export would not give back by itself
    (``keep``: identity and unknown keys; ``when``: values rendered differently, with what was
    rendered)."""
    keep: dict[str, Any] = {}
    when: dict[str, Any] = {}
    same = jsonl.same
    for k, v in item.items():
        if k in identity or k not in rendered:
            keep[k] = v
            continue
        r = rendered[k]
        kind = type(v)
        if kind is type(r) and kind in _PLAIN:
            if r != v:
                when[k] = [r, v]
        elif not same(r, v):
            when[k] = [r, v]
    source: dict[str, Any] = {}
    if keep:
        source["keep"] = keep
    if when:
        source["when"] = when
    return source


_PLAIN = frozenset({str, int, bool, type(None)})  # compared with ==, as ``jsonl.same`` does
_NO_LIST_RENDERED: dict[str, list[Any]] = {"DanhSachTepDinhKemKhac": [], "DanhSachGiayToKetQua": []}
_CONTACT_KEYS = frozenset({"Email", "SoDienThoai"})  # rendered from the applicant: ``finish``


def _own_values(raw: dict[str, Any], base: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(``extra``, ``import_overrides``) of a line against the top-level fields an export renders
    (but for the applicant's contact, which ``finish`` compares)."""
    extra: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    same = jsonl.same
    for key, value in raw.items():
        if key in _CONTACT_KEYS:
            continue
        if key in LIST_KEYS:
            # items are kept by their rows; only a list given as null (or an empty list of the
            # extension, which motcua leaves out) needs the file's value
            if key == "DanhSachHenLai" and not value:
                extra[key] = value
            elif value is None:
                overrides[key] = [[], None]
            continue
        rendered = base.get(key, MISSING)
        if rendered is MISSING:
            rendered = _NO_LIST_RENDERED.get(key, MISSING)
        if rendered is MISSING:
            extra[key] = value
            continue
        kind = type(value)
        if kind is type(rendered) and kind in _PLAIN:  # ``same``, quickly
            if rendered != value:
                overrides[key] = [rendered, value]
        elif not same(rendered, value):
            overrides[key] = [rendered, value]
    return extra, overrides
