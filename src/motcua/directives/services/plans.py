"""The import of a plan (kế hoạch): its document and tasks, all or nothing, with the agency names matched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction

from motcua.core import audit
from motcua.core.errors import Forbidden
from motcua.core.models import OrgUnit, User
from motcua.directives.access import access_for
from motcua.directives.matching import Match, Matcher
from motcua.directives.models import Directive, DirectiveUnit, SourceDocument
from motcua.directives.planparse import Plan, PlanTask, Problem
from motcua.directives.services.common import PlanImportError, _now, _today
from motcua.directives.services.occurrences import ensure_occurrences
from motcua.directives.unitnames import alias_key

# -- plan import -------------------------------------------------------------------------------------

KIND_BY_WORD = {
    "kế hoạch": SourceDocument.Kind.PLAN,
    "quyết định": SourceDocument.Kind.DECISION,
    "chỉ thị": SourceDocument.Kind.DIRECTIVE,
    "thông báo": SourceDocument.Kind.NOTICE,
    "nghị quyết": SourceDocument.Kind.RESOLUTION,
    "chương trình": SourceDocument.Kind.PROGRAMME,
    "công văn": SourceDocument.Kind.LETTER,
}


@dataclass
class DocumentFields:
    """What the import stores about the document; the file's own lines fill the blanks."""

    number: str = ""
    issued_on: date | None = None
    issuer: str = ""
    summary: str = ""
    kind: str = ""


@dataclass
class ImportReport:
    plan: Plan
    fields: DocumentFields
    matches: dict[tuple[str, str], list[Match]]
    dry_run: bool
    document: SourceDocument | None = None
    created: bool = False
    tasks_created: int = 0
    warnings: list[Problem] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.dry_run and not self.created

    def unmatched(self) -> list[tuple[PlanTask, str, str]]:
        out = []
        for task in self.plan.tasks:
            for role in ("lead", "coordinating"):
                for m in self.matches[(task.number, role)]:
                    if not m.resolved:
                        out.append((task, role, m.name))
        return out

    def as_dict(self) -> dict[str, Any]:
        tasks = []
        for task in self.plan.tasks:
            row = task.as_dict()
            for role, key in (("lead", "lead_unit_matches"), ("coordinating", "coordinating_unit_matches")):
                row[key] = [m.unit_dict() for m in self.matches[(task.number, role)] if m.unit is not None]
            row["collective_units"] = [
                {"name": m.name, "role": role, "collective": m.collective}
                for role in ("lead", "coordinating")
                for m in self.matches[(task.number, role)]
                if m.collective
            ]
            row["unmatched_units"] = [
                {"name": m.name, "role": role, **({"hint": m.hint} if m.hint else {})}
                for role in ("lead", "coordinating")
                for m in self.matches[(task.number, role)]
                if not m.resolved
            ]
            tasks.append(row)
        doc = self.plan.document.as_dict() | {
            "number": self.fields.number or None,
            "issued_on": self.fields.issued_on.isoformat() if self.fields.issued_on else None,
            "issuer": self.fields.issuer,
            "summary": self.fields.summary,
        }
        out: dict[str, Any] = {"document": doc, "tasks": tasks, "dry_run": self.dry_run}
        if self.dry_run:
            out["already_imported"] = self.document is not None
        if not self.dry_run:
            out["created"] = {
                "document": self.created,
                "document_id": self.document.pk if self.document else None,
                "tasks": self.tasks_created,
                "unit_names": sum(len(v) for v in self.matches.values()) if self.created else 0,
                "unmatched_unit_names": len(self.unmatched()) if self.created else 0,
            }
            out["unchanged"] = self.unchanged
        return out

    def summary(self) -> str:
        total = sum(len(v) for v in self.matches.values())
        units = sum(1 for v in self.matches.values() for m in v if m.unit is not None)
        collective = sum(1 for v in self.matches.values() for m in v if m.collective and m.unit is None)
        missing = len(self.unmatched())
        head = (
            f"{len(self.plan.tasks)} nhiệm vụ; {total} tên cơ quan: {units} khớp đơn vị, "
            f"{collective} tên chung, {missing} chưa khớp"
        )
        if self.dry_run:
            known = " Văn bản này đã có: nhập sẽ không thay đổi gì." if self.document is not None else ""
            return head + " (chạy thử, không lưu)." + known
        if not self.created:
            return (
                head + f". Văn bản {self.fields.number} ngày {self.fields.issued_on:%d/%m/%Y} đã có: "
                "không thay đổi gì."
            )
        return head + f". Đã lưu văn bản và {self.tasks_created} nhiệm vụ."


def _document_fields(plan: Plan, given: DocumentFields) -> DocumentFields:
    info = plan.document
    kind = given.kind or KIND_BY_WORD.get(info.kind.lower(), SourceDocument.Kind.PLAN)
    return DocumentFields(
        number=(given.number or info.number).strip(),
        issued_on=given.issued_on or info.issued_on,
        issuer=(given.issuer or info.issuer).strip(),
        summary=(
            given.summary or (f"{info.kind} {info.title[:1].lower()}{info.title[1:]}" if info.title else "")
        ).strip(),
        kind=kind,
    )


def default_assigning_unit(today: date) -> OrgUnit | None:
    """The provincial office (Văn phòng UBND) of today's province, when the unit list has one."""
    return (
        OrgUnit.objects.active_on(today)
        .filter(kind=OrgUnit.Kind.OFFICE, parent__kind=OrgUnit.Kind.PROVINCE, parent__parent__isnull=True)
        .order_by("path")
        .first()
    )


def import_plan(
    plan: Plan,
    *,
    source_file: str = "",
    by: User | None = None,
    dry_run: bool = False,
    document: DocumentFields | None = None,
    assigning_unit: OrgUnit | None = None,
    strict_units: bool = False,
    now: datetime | None = None,
) -> ImportReport:
    """Store a plan's document and tasks (all or nothing); the same document (number and date) again
    changes nothing. Unmatched agency names are kept for the office's review unless ``strict_units``."""
    today = _today(now)
    if by is not None and not access_for(by).is_office:
        raise Forbidden("Chỉ Văn phòng UBND (giám sát, quản trị) được nhập kế hoạch.")
    fields = _document_fields(plan, document or DocumentFields())
    matcher = Matcher.load(today=today, document_date=fields.issued_on, issuer=fields.issuer)
    matches = {
        (task.number, role): [matcher.match(name) for name in names]
        for task in plan.tasks
        for role, names in (("lead", task.lead_units), ("coordinating", task.coordinating_units))
    }
    report = ImportReport(plan, fields, matches, dry_run)
    for task, role, name in report.unmatched():
        label = "chủ trì" if role == "lead" else "phối hợp"
        report.warnings.append(
            Problem(task.place, f"nhiệm vụ {task.number}: chưa khớp cơ quan {label} “{name}” với đơn vị nào.")
        )
    if strict_units and report.warnings:
        raise PlanImportError(
            "Có tên cơ quan không khớp với đơn vị nào (nhập lại sau khi bổ sung đơn vị, "
            "hoặc bỏ --strict-units "
            "để Văn phòng đối chiếu trên màn hình):",
            details=[{"place": w.place, "problem": w.message} for w in report.warnings],
        )
    if dry_run:
        if fields.number and fields.issued_on:
            report.document = SourceDocument.objects.filter(
                number=fields.number, issued_on=fields.issued_on
            ).first()
        return report
    missing = [
        label
        for label, value in (("số, ký hiệu", fields.number), ("ngày ban hành", fields.issued_on))
        if not value
    ]
    if missing:
        raise PlanImportError(
            "Không đọc được " + " và ".join(missing) + " của văn bản trong tệp; hãy ghi rõ "
            "(dòng lệnh: --number SỐ --date YYYY-MM-DD)."
        )
    assert fields.issued_on is not None
    existing = SourceDocument.objects.filter(number=fields.number, issued_on=fields.issued_on).first()
    if existing is not None:
        report.document = existing
        return report
    office = assigning_unit or default_assigning_unit(today)
    with transaction.atomic():
        try:
            with transaction.atomic():
                doc = SourceDocument.objects.create(
                    kind=fields.kind,
                    number=fields.number,
                    issued_on=fields.issued_on,
                    issuer=fields.issuer[:255],
                    summary=fields.summary,
                    assigning_unit=office,
                    source_file=source_file[:255],
                    imported_at=_now(now),
                    imported_by=by,
                )
        except IntegrityError:
            # Someone imported the same document a moment ago: nothing to do.
            report.document = SourceDocument.objects.get(number=fields.number, issued_on=fields.issued_on)
            return report
        rows: list[DirectiveUnit] = []
        directives: list[Directive] = []
        for task in plan.tasks:
            directive = Directive.objects.create(
                document=doc,
                number=task.number,
                section=task.section,
                section_title=task.section_title,
                position=task.position,
                content=task.content,
                product=task.product,
                lead_text=task.lead_text,
                coordinating_text=task.coordinating_text,
                deadline_text=task.deadline.text,
                deadline_kind=task.deadline.kind.value,
                deadline=task.deadline.date,
                recurrence=task.deadline.recurrence or "",
                place=task.place,
                created_at=_now(now),
            )
            directives.append(directive)
            for role in ("lead", "coordinating"):
                for position, m in enumerate(matches[(task.number, role)], start=1):
                    rows.append(
                        DirectiveUnit(
                            directive=directive,
                            role=role,
                            position=position,
                            name=m.name[:500],
                            name_key=alias_key(m.name)[:500],
                            unit=m.unit,
                            original_unit=m.original_unit,
                            collective=m.collective,
                            via=m.via,
                        )
                    )
        DirectiveUnit.objects.bulk_create(rows)
        for directive in directives:
            ensure_occurrences(directive, today)  # after the units: one part per lead unit
        report.document, report.created, report.tasks_created = doc, True, len(plan.tasks)
        audit.record(
            "directives.import",
            object_type="directives.sourcedocument",
            object_id=doc.pk,
            summary=f"Nhập {doc}: {len(plan.tasks)} nhiệm vụ",
            data={
                "number": doc.number,
                "issued_on": doc.issued_on,
                "source_file": source_file,
                "tasks": len(plan.tasks),
                "unmatched": sorted({name for _, _, name in report.unmatched()}),
            },
        )
    return report
