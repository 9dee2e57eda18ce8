"""Pass 2, the writing of a checked file's lines, a batch at a time, in the caller's transaction.

``Writer`` is the ``References`` of the file plus the writing: for each batch, its applicants found
or created, its new dossiers (``build.prepare``, ahead in a second thread when it can, then
``build.finish``) inserted as plain rows (``tables``), each existing dossier either left alone (the
export already gives the line's values) or given **one** ``import_update`` event that sets the state
and dates the line states (the projection columns stay a fold of the events, ``lock_version`` = number
of events), and one audit entry (``dossier.import``). No outbox message: nothing is re-sent to the
national portal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction

from motcua.catalogue.models import WorkflowStep
from motcua.core import audit
from motcua.dossiers import jsonl, projection, rules
from motcua.dossiers.importing.build import LIST_KEYS, Built, finish
from motcua.dossiers.importing.build import prepare as prepare_rows
from motcua.dossiers.importing.history import iso
from motcua.dossiers.importing.parse import Checked
from motcua.dossiers.importing.parsed import IMPORT_LABEL, Parsed
from motcua.dossiers.importing.report import Summary
from motcua.dossiers.importing.resolve import UNIDENTIFIED, Applicant, References
from motcua.dossiers.importing.tables import COMPONENTS, DOSSIERS, EVENTS, FEES, RESETS, SUPPLEMENTS, among
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierFee, DueReset, Supplement
from motcua.dossiers.rules import Action


class Writer(References):
    def __init__(self, checked: Checked, summary: Summary, label: str) -> None:
        super().__init__(checked.first_day, summary)
        self.checked = checked
        self.label = label

    # -- building one dossier --

    def build(self, p: Parsed, applicant: Applicant, now: datetime) -> Built:
        """The rows of ``p``'s dossier (not written), creating placeholder records when needed."""
        self.procedure(p.procedure_code, p.raw)
        self.unit(p.competent_code)
        self.unit(p.receiving_code)
        built = self.prepare(p, now)
        assert built is not None
        return finish(built, p, applicant)

    def prepare(self, p: Parsed, now: datetime) -> Built | None:
        """``build.prepare`` with this file's references: ``None`` when the line needs a procedure or
        unit not loaded yet. No database: it runs in the second thread."""
        return prepare_rows(self, p, now)

    # -- a batch --

    def existing(self, batch: list[Parsed]) -> dict[str, dict[str, Any]]:
        """The exported records of the batch's dossiers that exist already, by code."""
        qs = among(Dossier.objects.all(), "code", [p.code for p in batch])
        return {code: record for _, code, record in jsonl.records(qs)}

    def prepare_all(
        self, new: list[Parsed], now: datetime, reserved: dict[str, tuple[int, list[int]]] | None
    ) -> list[Built | None]:
        """``prepare`` each new line; with ``reserved`` ids (``reserve``), also its ``COPY`` rows."""
        out = []
        for p in new:
            built = self.prepare(p, now)
            if built is not None and reserved is not None:
                built.make_ready(*reserved[p.code])
            out.append(built)
        return out

    def write_batch(
        self,
        batch: list[Parsed],
        number: int,
        now: datetime,
        *,
        existing: dict[str, dict[str, Any]] | None = None,
        prepared: dict[str, Built | None] | None = None,
    ) -> None:
        """The batch's applicants, new dossiers, updates, and its audit entry, in the caller's
        transaction (``import_file``: one for the whole file), else in one of its own.
        ``existing`` (``self.existing``) and ``prepared`` (``self.prepare`` of the new lines, by
        code) when the caller has them already."""
        with transaction.atomic(savepoint=False):
            applicants = self.applicants(batch)
            if existing is None:
                existing = self.existing(batch)
            new: list[Built] = []
            updated: list[str] = []
            for p in batch:
                applicant = applicants[(p.applicant_type, p.applicant_id)] if p.applicant_id else UNIDENTIFIED
                record = existing.get(p.code)
                if record is None:
                    built = prepared.get(p.code) if prepared is not None else None
                    if built is None:
                        new.append(self.build(p, applicant, now))
                    else:
                        new.append(finish(built, p, applicant))
                elif self.update(record, p, applicant, now):
                    updated.append(p.code)
                else:
                    self.summary.unchanged += 1
            self.insert(new)
            self.summary.created += len(new)
            self.summary.updated += len(updated)
            audit.record(
                "dossier.import",
                object_type="dossiers.dossier",
                summary=f"Nhập hồ sơ từ {self.label}, lô {number}: {len(new)} mới, {len(updated)} cập nhật",
                data={
                    "file": self.label,
                    "batch": number,
                    "lines": [batch[0].line, batch[-1].line],
                    "created": [b.dossier["code"] for b in new],
                    "updated": updated,
                    "unchanged": len(batch) - len(new) - len(updated),
                },
            )

    def reserve(self, new: list[Parsed]) -> dict[str, tuple[int, list[int]]] | None:
        """PostgreSQL: ids for the new dossiers and their supplements, by code (else ``None``)."""
        if connection.vendor != "postgresql" or not new:
            return None
        dossier_ids = DOSSIERS.reserve(len(new))
        supplement_ids = iter(SUPPLEMENTS.reserve(sum(len(p.supplements) for p in new)))
        return {
            p.code: (pk, [next(supplement_ids) for _ in p.supplements])
            for p, pk in zip(new, dossier_ids, strict=True)
        }

    def insert(self, new: list[Built]) -> None:
        if not new:
            return
        self.summary.events += sum(len(b.timed) for b in new)
        if connection.vendor == "postgresql":
            missing = [b for b in new if b.ready is None]
            if missing:
                dossier_ids = DOSSIERS.reserve(len(missing))
                supplement_ids = iter(SUPPLEMENTS.reserve(sum(len(b.supplements) for b in missing)))
                for b, pk in zip(missing, dossier_ids, strict=True):
                    b.make_ready(pk, [next(supplement_ids) for _ in b.supplements])
            DOSSIERS.copy(([b.pk, *DOSSIERS.values(b.dossier)] for b in new), with_pk=True)
            for key, table in (("components", COMPONENTS), ("fees", FEES), ("resets", RESETS)):
                table.copy(row for b in new for row in b.ready[key])  # type: ignore[index]
            SUPPLEMENTS.copy((row for b in new for row in b.ready["supplements"]), with_pk=True)  # type: ignore[index]
            EVENTS.copy(row for b in new for row in b.ready["events"])  # type: ignore[index]
            return
        ids = DOSSIERS.insert([b.dossier for b in new], ids=True)
        components: list[dict[str, Any]] = []
        fees: list[dict[str, Any]] = []
        supplements: list[dict[str, Any]] = []
        resets: list[dict[str, Any]] = []
        for b, pk in zip(new, ids, strict=True):
            for rows, into in (
                (b.components, components),
                (b.fees, fees),
                (b.supplements, supplements),
                (b.resets, resets),
            ):
                for row in rows:
                    row["dossier_id"] = pk
                    into.append(row)
        COMPONENTS.insert(components)
        FEES.insert(fees)
        supplement_ids = iter(SUPPLEMENTS.insert(supplements, ids=True))
        RESETS.insert(resets)
        events = []
        for b, pk in zip(new, ids, strict=True):
            events.extend(b.events(pk, [next(supplement_ids) for _ in b.supplements]))
        EVENTS.insert(events)

    # -- re-import of an existing dossier --

    def update(self, record: dict[str, Any], p: Parsed, applicant: Applicant, now: datetime) -> bool:
        """Nothing when the export (``record``) already gives the line's values; else one
        ``import_update`` event."""
        if not jsonl.differing(record, p.raw):
            return False
        # the dossier as it is now (locked), and its record then (``record`` was read a little earlier)
        current = Dossier.objects.select_for_update().get(code=p.code)
        _, _, record = jsonl.records(Dossier.objects.filter(pk=current.pk))[0]
        changed = {k: [record.get(k), p.raw[k]] for k in jsonl.differing(record, p.raw)}
        if not changed:
            return False
        fresh = self.build(p, applicant, now)
        columns = fresh.dossier
        last_step = fresh.timed[-1][1]
        target = projection.Projection(**{n: columns[n] for n in projection.PROJECTED_FIELDS})
        data: dict[str, Any] = {
            "changed": {k: v for k, v in list(changed.items())[:50]},
            "received_at": iso(target.received_at),
            "promised_at": iso(target.promised_at),
            "finished_at": iso(target.finished_at),
            "returned_at": iso(target.returned_at),
        }
        if target.current_step_id != current.current_step_id:
            data["assignee_id"] = None
        step_ids = dict(fresh.step_ids)
        if current.procedure_version_id != columns["procedure_version_id"]:
            step_ids.update(
                WorkflowStep.objects.filter(version_id=current.procedure_version_id).values_list("code", "pk")
            )
        seq = current.lock_version + 1
        facts = projection.EventFacts(
            seq=seq,
            action=Action.IMPORT_UPDATE.value,
            at=now,
            to_state=target.state,
            national_status=target.national_status,
            step_code=last_step,
            due_at=target.due_at,
            data=data,
        )
        after = projection.apply(projection.stored(current), facts, step_ids)
        # replace the lists the line gives differently
        for key, rows, model in (
            ("TaiLieuNop", fresh.components, DossierComponent),
            ("DanhSachLePhi", fresh.fees, DossierFee),
            ("DanhSachHoSoBoSung", fresh.supplements, Supplement),
            ("DanhSachHenLai", fresh.resets, DueReset),
        ):
            if key not in changed:
                continue
            if key == "DanhSachHoSoBoSung":
                DossierComponent.objects.filter(dossier=current, supplement__isnull=False).update(
                    supplement=None
                )
            manager: Any = model.objects
            manager.filter(dossier=current).delete()
            manager.bulk_create([model(**{**row, "dossier_id": current.pk}) for row in rows])
        update = {
            name: columns[name]
            for name in (
                "procedure_id",
                "procedure_version_id",
                "receiving_unit_id",
                "competent_unit_id",
                "applicant_person_id",
                "applicant_organisation_id",
                "unidentified_applicant_type",
                "applicant_name",
                "applicant_name_folded",
                "applicant_id_number",
                "channel",
                "result_delivery",
                "submitted_at",
                "paid_online",
                *p.scalars,
            )
        }
        update.update({n: getattr(after, n) for n in projection.PROJECTED_FIELDS})
        update["extra"] = {**(current.extra or {}), **columns["extra"]}
        update["imported_at"] = now
        done = Dossier.objects.filter(pk=current.pk, lock_version=current.lock_version).update(
            **update, lock_version=seq, updated_at=now
        )
        if done != 1:
            raise rules.StaleDossier(rules.STALE_MESSAGE)
        DossierEvent.objects.create(
            dossier=current,
            seq=seq,
            at=now,
            actor_label=IMPORT_LABEL,
            action=Action.IMPORT_UPDATE.value,
            from_state=current.state,
            to_state=target.state,
            national_status=target.national_status,
            step_code=last_step,
            data=data,
            due_at=target.due_at,
        )
        self.summary.events += 1
        # what the export gives now, against the line: the file's values where they differ
        _, _, plain = jsonl.records(Dossier.objects.filter(pk=current.pk), own_values=False)[0]
        overrides = {
            k: [plain[k], v]
            for k, v in p.raw.items()
            if k in plain and k not in LIST_KEYS and not jsonl.same(plain[k], v)
        }
        Dossier.objects.filter(pk=current.pk).update(import_overrides=overrides)
        return True
