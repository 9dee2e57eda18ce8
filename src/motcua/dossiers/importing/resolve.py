"""The references of a file's lines, resolved against the database.

- Pass 1: ``Resolver``, the unit codes that exist and the dossier code format of a day (the rules),
  for ``parse.check_lines``.
- Pass 2: ``References``, read once and kept for the whole file: the procedures with their versions,
  workflows and catalogue components, the units by code; a **placeholder** procedure (with a draft
  version) or unit for a code the catalogue does not have, noted in the ``Summary``; the applicants of
  a batch (``core.Person`` by CCCD, ``core.Organisation`` by tax code), the new ones written as plain
  rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from motcua.catalogue.models import Component, LimitUnit, Procedure, ProcedureVersion, WorkflowStep
from motcua.core.models import Organisation, OrgUnit, Person
from motcua.core.rules import rule_value
from motcua.core.text import fold
from motcua.dossiers.importing.fields import UnitCodes
from motcua.dossiers.importing.parsed import Parsed
from motcua.dossiers.importing.report import Summary
from motcua.dossiers.importing.tables import ORGANISATIONS, PEOPLE, among

PLACEHOLDER_NOTE = "Bản ghi tạm từ dữ liệu nhập: mã đơn vị chưa có trong danh mục, cần rà soát."
_EID = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$")


def _code_format(day: date) -> str:
    return str(rule_value("dossiers.code_format", day))


class Resolver(UnitCodes):
    """Which unit a code names: the known units (electronic id code or internal code), read once."""

    def __init__(self) -> None:
        units: dict[str, int] = {}
        for pk, code, eid in OrgUnit.objects.values_list("pk", "code", "eid_code"):
            units[code] = pk
            if eid:
                units[eid] = pk
        super().__init__(units, _code_format)


@dataclass
class KnownProcedure:
    procedure: Procedure
    versions: list[ProcedureVersion]
    steps: dict[int, list[WorkflowStep]]
    components: dict[int, dict[str, Component]]

    def version_on(self, day: date) -> ProcedureVersion:
        published = [
            v
            for v in self.versions
            if v.status == ProcedureVersion.Status.PUBLISHED
            and v.effective_from <= day
            and (v.effective_to is None or day < v.effective_to)
        ]
        if published:
            return max(published, key=lambda v: v.effective_from)
        earlier = [v for v in self.versions if v.effective_from <= day]
        if earlier:
            return max(earlier, key=lambda v: (v.effective_from, v.version))
        return min(self.versions, key=lambda v: (v.effective_from, v.version))


@dataclass
class Flow:
    """A procedure version's workflow as the services walk it: the first step, the step after each
    (consultations and the closing one-stop step left out), the closing step, the steps' ids."""

    first: str
    after: dict[str, str]
    closing: str
    step_ids: dict[str, int]

    @classmethod
    def of(cls, all_steps: list[WorkflowStep]) -> Flow:
        closing = all_steps[-1] if len(all_steps) >= 2 and all_steps[-1].unit_mode == "one_stop" else None
        steps = [s for s in all_steps if not s.is_consultation and s is not closing]
        after: dict[str, str] = {}
        for s in steps:
            later = [t for t in steps if t.order > s.order]
            after.setdefault(s.code, later[0].code if later else s.code)
        return cls(
            first=steps[0].code if steps else "",
            after=after,
            closing=closing.code if closing else "",
            step_ids={s.code: s.pk for s in all_steps},
        )


@dataclass(frozen=True)
class Applicant:
    pk: int
    email: str
    phone: str


UNIDENTIFIED = Applicant(0, "", "")  # a line without MaDoiTuong: no Person or Organisation


class References:
    """The catalogue, units and applicants a file names, read once (placeholders when unknown).
    ``first_day``: the earliest day each procedure or unit code is used (``Checked.first_day``)."""

    def __init__(self, first_day: dict[str, date], summary: Summary) -> None:
        self.first_day = first_day
        self.summary = summary
        self.procedures: dict[str, KnownProcedure] = {}
        self.versions: dict[tuple[str, date], ProcedureVersion] = {}
        self.flows: dict[int, Flow] = {}
        self.folded: dict[str, str] = {}
        self.units: dict[str, OrgUnit] = {}
        for unit in OrgUnit.objects.all():
            self.units[unit.code] = unit
            if unit.eid_code:
                self.units[unit.eid_code] = unit
        roots = [u for u in set(self.units.values()) if u.parent_id is None and u.valid_to is None]
        provinces = [u for u in roots if u.kind == OrgUnit.Kind.PROVINCE]
        self.root = provinces[0] if len(provinces) == 1 else None

    # -- catalogue and units, placeholders when unknown --

    def preload(self, codes: Iterable[str]) -> None:
        """Read the file's known procedures (those with versions) at once: no writes."""
        for procedure in Procedure.objects.select_related("field").filter(code__in=list(codes)):
            if procedure.code not in self.procedures:
                versions = list(procedure.versions.all())
                if versions:
                    self.procedures[procedure.code] = self._catalogue(procedure, versions)

    def procedure(self, code: str, raw: dict[str, Any]) -> KnownProcedure:
        found = self.procedures.get(code)
        if found is not None:
            return found
        from motcua.catalogue.services import create_placeholder_procedure

        procedure = Procedure.objects.select_related("field").filter(code=code).first()
        if procedure is None:
            name = raw.get("TenTTHC") if isinstance(raw.get("TenTTHC"), str) else ""
            procedure = create_placeholder_procedure(code, name=(name or "")[:600])
            procedure = Procedure.objects.select_related("field").get(pk=procedure.pk)
            self.summary.placeholder_procedures.append(code)
        versions = list(procedure.versions.all())
        if not versions:
            versions = [self._placeholder_version(procedure, raw)]
        found = self.procedures[code] = self._catalogue(procedure, versions)
        return found

    @staticmethod
    def _catalogue(procedure: Procedure, versions: list[ProcedureVersion]) -> KnownProcedure:
        steps: dict[int, list[WorkflowStep]] = {v.pk: [] for v in versions}
        for step in WorkflowStep.objects.filter(version__in=versions).order_by("order", "id"):
            steps[step.version_id].append(step)
        components: dict[int, dict[str, Component]] = {v.pk: {} for v in versions}
        for component in Component.objects.filter(version__in=versions).exclude(code=""):
            components[component.version_id].setdefault(component.code, component)
        return KnownProcedure(procedure, versions, steps, components)

    def version(self, proc: KnownProcedure, day: date) -> ProcedureVersion:
        key = (proc.procedure.code, day)
        found = self.versions.get(key)
        if found is None:
            found = self.versions[key] = proc.version_on(day)
        return found

    def flow(self, proc: KnownProcedure, version: ProcedureVersion) -> Flow:
        found = self.flows.get(version.pk)
        if found is None:
            found = self.flows[version.pk] = Flow.of(proc.steps[version.pk])
        return found

    def _placeholder_version(self, procedure: Procedure, raw: dict[str, Any]) -> ProcedureVersion:
        unit = raw.get("DonViTinh")
        value = raw.get("ThoiGianGiaiQuyet")
        limit_unit = unit if unit in LimitUnit.values else LimitUnit.WORKING_DAYS
        limit = (
            Decimal(str(value))
            if isinstance(value, int | float) and not isinstance(value, bool)
            else Decimal(0)
        )
        if limit_unit != LimitUnit.WORKING_HOURS:
            limit = limit.to_integral_value()
        version = ProcedureVersion(
            procedure=procedure,
            version=1,
            status=ProcedureVersion.Status.DRAFT,
            effective_from=self.first_day.get(procedure.code, date(2000, 1, 1)),
            name=procedure.name,
            time_limit_value=min(limit, Decimal("999999")),
            time_limit_unit=limit_unit,
            online_level=ProcedureVersion.OnlineLevel.NONE,
            notes={"placeholder": "Phiên bản tạm tạo khi nhập hồ sơ; cần rà soát."},
        )
        version.save()
        return version

    def unit(self, code: str) -> OrgUnit:
        found = self.units.get(code)
        if found is not None:
            return found
        eid = code if _EID.match(code) and not OrgUnit.objects.filter(eid_code=code).exists() else None
        internal = code if not OrgUnit.objects.filter(code=code).exists() else f"tam-{len(self.units)}"
        unit = OrgUnit(
            code=internal,
            name=f"Đơn vị mã {code} (bản ghi tạm từ dữ liệu nhập)",
            kind=OrgUnit.Kind.DIVISION,
            parent=self.root,
            eid_code=eid,
            valid_from=min(self.first_day.get("unit:" + code, date(2025, 7, 1)), date(2025, 7, 1)),
            note=PLACEHOLDER_NOTE,
            verified={"placeholder": False},
        )
        unit.save()
        self.units[code] = unit
        self.summary.placeholder_units.append(code)
        return unit

    def fold(self, name: str) -> str:
        folded = self.folded.get(name)
        if folded is None:
            if len(self.folded) > 100_000:
                self.folded.clear()
            folded = self.folded[name] = fold(name)
        return folded

    # -- applicants --

    def applicants(self, batch: list[Parsed]) -> dict[tuple[int | None, str], Applicant]:
        people = {p.applicant_id: p for p in batch if p.applicant_type == 1 and p.applicant_id}
        orgs = {p.applicant_id: p for p in batch if p.applicant_type == 2 and p.applicant_id}
        found: dict[tuple[int | None, str], Applicant] = {}
        if people:
            for pk, number, email, phone in among(
                Person.objects.all(), "citizen_id", list(people)
            ).values_list("pk", "citizen_id", "email", "phone"):
                found[(1, number)] = Applicant(pk, email, phone)
        if orgs:
            for pk, number, email, phone in among(
                Organisation.objects.all(), "tax_code", list(orgs)
            ).values_list("pk", "tax_code", "email", "phone"):
                found[(2, number)] = Applicant(pk, email, phone)
        # new applicants: plain rows too (COPY with ids drawn first on PostgreSQL, bulk_create elsewhere)
        created: list[tuple[tuple[int | None, str], dict[str, Any]]] = []
        for number, p in people.items():
            if (1, number) not in found:
                row = PEOPLE.row(
                    citizen_id=number,
                    full_name=p.applicant_name[:150],
                    full_name_folded=self.fold(p.applicant_name)[:150],
                    email=p.email if len(p.email) <= 254 else "",
                    phone=p.phone if len(p.phone) <= 20 else "",
                )
                created.append(((1, number), row))
        new_people = [row for _, row in created]
        for number, p in orgs.items():
            if (2, number) not in found:
                row = ORGANISATIONS.row(
                    tax_code=number,
                    name=p.applicant_name,
                    name_folded=self.fold(p.applicant_name),
                    email=p.email if len(p.email) <= 254 else "",
                    phone=p.phone if len(p.phone) <= 20 else "",
                )
                created.append(((2, number), row))
        new_orgs = [row for _, row in created[len(new_people) :]]
        ids = PEOPLE.insert(new_people, ids=True) + ORGANISATIONS.insert(new_orgs, ids=True)
        for (key, row), pk in zip(created, ids, strict=True):
            found[key] = Applicant(pk, row["email"], row["phone"])
        self.summary.applicants_created += len(new_people) + len(new_orgs)
        return found
