"""The only write path of task tracking: one function per use case, each one transaction.

Every use case checks the person's right (``directives.access``) on the task before anything is
written, locks the occurrence it changes (``select_for_update``), writes, and appends one audit entry
(``core.audit.record``; the models are ``AUDIT_BY_SERVICE``). A refusal raises a ``DomainError``
subclass with a Vietnamese message and leaves nothing half-stored.

``now`` parameters exist for the demo history and tests; people's actions use the clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from motcua.core import audit
from motcua.core.errors import Conflict, DomainError, Forbidden, NotFound
from motcua.core.models import OrgUnit, User
from motcua.directives import recurrence
from motcua.directives import status as st
from motcua.directives.access import COLLECTIVE_KINDS, Access, access_for
from motcua.directives.matching import Match, Matcher, collective_label
from motcua.directives.models import (
    CompletionRequest,
    DeadlineChange,
    Decision,
    Directive,
    DirectiveUnit,
    ExtensionRequest,
    Occurrence,
    Part,
    ProgressReport,
    ReportAttachment,
    SourceDocument,
    UnitAlias,
)
from motcua.directives.planparse import DeadlineKind, Plan, PlanTask, Problem
from motcua.directives.unitnames import Collective, alias_key
from motcua.workdays.domain import to_local

MAX_TEXT = 20_000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_MB = 20
# Extension → the bytes such a file starts with: the content is checked, not only the name.
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
}


class InvalidInput(DomainError):
    code = "invalid"


class PlanImportError(DomainError):
    code = "invalid_plan"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _today(now: datetime | None) -> date:
    return to_local(_now(now)).date()


# -- occurrences -------------------------------------------------------------------------------------


def ensure_occurrences(directive: Directive, today: date) -> int:
    """Create the occurrences a task needs on ``today``, and the parts of its lead units in every
    occurrence not completed; returns how many occurrences were created.

    A task with a date or none has exactly one. A recurring task has one per period from the document's
    date up to today, plus the next one — and one more when every existing one is completed."""
    existing = list(directive.occurrences.order_by("seq"))
    created = 0
    if not directive.recurrence:
        if not existing:
            Occurrence.objects.create(
                directive=directive,
                seq=1,
                original_due_on=directive.deadline,
                due_on=directive.deadline,
                next_due_on=directive.deadline,
            )
            created = 1
    else:
        start = directive.document.issued_on
        wanted = recurrence.occurrences(directive.recurrence, start, today)
        upcoming = recurrence.next_after(directive.recurrence, start, today)
        if upcoming is not None:
            wanted.append(upcoming)
        have = {o.original_due_on for o in existing}
        seq = max((o.seq for o in existing), default=0)
        new: list[Occurrence] = []
        for due in wanted:
            if due not in have:
                seq += 1
                new.append(
                    Occurrence(directive=directive, seq=seq, original_due_on=due, due_on=due, next_due_on=due)
                )
                have.add(due)
        everything = existing + new
        if everything and all(o.completed_on for o in everything):
            last = max(o.original_due_on for o in everything if o.original_due_on)
            following = recurrence.next_after(directive.recurrence, start, last)
            if following is not None and following not in have:
                new.append(
                    Occurrence(
                        directive=directive,
                        seq=seq + 1,
                        original_due_on=following,
                        due_on=following,
                        next_due_on=following,
                    )
                )
        Occurrence.objects.bulk_create(new)
        created = len(new)
    ensure_parts(directive)
    refresh_current(directive)
    return created


def lead_unit_ids(directive: Directive, today: date) -> list[int]:
    """The units that lead a task on ``today``, one part each: the units named in its lead cell, and
    the units in operation of the kinds a lead collective covers ("các sở, ban, ngành": every
    department; "UBND cấp huyện": since 01/07/2025 the communes, wards and special zones)."""
    ids: list[int] = []
    kinds: set[str] = set()
    for row in directive.units.filter(role=Directive.UnitRole.LEAD).order_by("position"):
        if row.unit_id is not None and row.unit_id not in ids:
            ids.append(row.unit_id)
        if row.collective:
            kinds |= COLLECTIVE_KINDS.get(Collective(row.collective), frozenset())
    if kinds:
        covered = OrgUnit.objects.active_on(today).filter(kind__in=kinds).order_by("path")
        ids += [pk for pk in covered.values_list("pk", flat=True) if pk not in ids]
    return ids


def ensure_parts(directive: Directive, on: date | None = None) -> None:
    """Give every occurrence not completed one part per lead unit (``lead_unit_ids``) of the units in
    operation ``on`` (by default today — also when a record is dated in the past, as in the demo's
    history). A part of a unit that no longer leads the task (the office matched its name to another
    unit) is removed while nothing was recorded on it; recorded work is never dropped."""
    occurrences = list(directive.occurrences.filter(completed_on__isnull=True).order_by("seq"))
    if not occurrences:
        return
    wanted = lead_unit_ids(directive, on or timezone.localdate())
    changed: list[Occurrence] = []
    for occurrence in occurrences:
        parts = {p.unit_id: p for p in occurrence.parts.all()}
        new = [
            Part(occurrence=occurrence, unit_id=unit_id, due_on=occurrence.due_on)
            for unit_id in wanted
            if unit_id not in parts
        ]
        idle = [
            p.pk
            for unit_id, p in parts.items()
            if unit_id not in wanted
            and p.last_report_at is None
            and p.completed_on is None
            and not p.completions.exists()
            and not p.extensions.exists()
        ]
        if new or idle:
            Part.objects.bulk_create(new)
            Part.objects.filter(pk__in=idle).delete()
            changed.append(occurrence)
    for occurrence in changed:
        sync_occurrence(occurrence)


def sync_occurrence(occurrence: Occurrence) -> bool:
    """Recompute what an occurrence shows from its parts (progress: their average; the last report;
    pending requests; complete when every part is — see ``status.summarise``). Returns whether the
    occurrence has just become complete. An occurrence without parts keeps its own dates."""
    parts = list(occurrence.parts.all())
    was_done = occurrence.completed_on is not None
    if parts:
        summary = st.summarise((p.due_on, p.completed_on) for p in parts)
        occurrence.progress = round(sum(p.progress for p in parts) / len(parts))
        reports = [p.last_report_at for p in parts if p.last_report_at]
        occurrence.last_report_at = max(reports) if reports else None
        asked = [p.completion_requested_at for p in parts if p.completion_requested_at]
        occurrence.completion_requested_at = min(asked) if asked else None
        asked = [p.extension_requested_at for p in parts if p.extension_requested_at]
        occurrence.extension_requested_at = min(asked) if asked else None
        occurrence.completed_on = summary.completed_on
        approved = [p.completed_at for p in parts if p.completed_at]
        occurrence.completed_at = max(approved) if summary.completed_on and approved else None
    else:
        summary = st.summarise([(occurrence.due_on, occurrence.completed_on)])
    occurrence.next_due_on = summary.next_due
    occurrence.done_late = summary.late
    occurrence.save(
        update_fields=[
            "progress",
            "last_report_at",
            "completion_requested_at",
            "extension_requested_at",
            "completed_on",
            "completed_at",
            "next_due_on",
            "done_late",
        ]
    )
    return not was_done and occurrence.completed_on is not None


def refresh_current(directive: Directive) -> None:
    """Point the task at its earliest occurrence not completed (the last one when all are)."""
    rows = list(directive.occurrences.order_by("seq").values_list("pk", "completed_on"))
    if not rows:
        return
    open_ = [pk for pk, done in rows if done is None]
    current = open_[0] if open_ else rows[-1][0]
    if directive.current_id != current:
        directive.current_id = current
        Directive.objects.filter(pk=directive.pk).update(current_id=current)


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


# -- the office's review of agency names ---------------------------------------------------------------


def resolve_unit_name(
    by: User, name_key: str, *, unit: OrgUnit | None = None, collective: str = "", now: datetime | None = None
) -> int:
    """The office decides what an agency name means: a unit or a collective. Every task naming it that
    is not matched yet (or was decided before) follows; later imports use the decision. Returns how
    many task rows changed."""
    access = access_for(by)
    if not access.is_office:
        raise Forbidden("Chỉ Văn phòng UBND được đối chiếu tên cơ quan.")
    if (unit is None) == (not collective):
        raise InvalidInput("Chọn một đơn vị hoặc một nhóm cơ quan (không chọn cả hai).")
    if collective and collective not in {c.value for c in Collective}:
        raise InvalidInput("Nhóm cơ quan không hợp lệ.")
    if unit is not None and not unit.is_active_on(_today(now)):
        raise InvalidInput(f"Đơn vị “{unit.name}” đã hết hiệu lực; chọn đơn vị hiện hành.")
    rows = DirectiveUnit.objects.filter(name_key=name_key)
    sample = rows.first()
    if sample is None:
        raise NotFound("Không có nhiệm vụ nào ghi tên cơ quan này.")
    with transaction.atomic():
        UnitAlias.objects.update_or_create(
            name_key=name_key,
            defaults={
                "name": sample.name,
                "unit": unit,
                "collective": collective,
                "decided_by": by,
                "decided_at": _now(now),
            },
        )
        ids = list(
            rows.filter(
                Q(unit__isnull=True, collective="")
                | Q(via__in=[DirectiveUnit.Via.ALIAS, DirectiveUnit.Via.REVIEW])
            ).values_list("pk", flat=True)
        )
        DirectiveUnit.objects.filter(pk__in=ids).update(
            unit=unit, collective=collective, via=DirectiveUnit.Via.REVIEW
        )
        leading = DirectiveUnit.objects.filter(pk__in=ids, role=Directive.UnitRole.LEAD)
        for directive in Directive.objects.filter(pk__in=leading.values("directive_id")):
            ensure_parts(directive)  # the unit now named leads its own part
        target = unit.name if unit is not None else collective_label(collective)
        audit.record(
            "directives.resolve_unit",
            object_type="directives.unitalias",
            object_id=name_key[:80],
            summary=f"Đối chiếu “{sample.name}” → {target}",
            data={
                "name": sample.name,
                "unit": unit.code if unit else None,
                "collective": collective,
                "rows": len(ids),
            },
        )
    return len(ids)


# -- the work on a task --------------------------------------------------------------------------------


def _directive(directive_id: int) -> Directive:
    found = (
        Directive.objects.select_related("document", "document__assigning_unit")
        .prefetch_related("units")
        .filter(pk=directive_id)
        .first()
    )
    if found is None:
        raise NotFound("Không tìm thấy nhiệm vụ.")
    return found


def _visible(access: Access, directive: Directive) -> bool:
    if access.sees_all or access.can_decide(directive.document.assigning_unit):
        return True
    collectives = access.member_collectives
    return any(u.unit_id in access.member_ids or u.collective in collectives for u in directive.units.all())


def _locked_occurrence(directive: Directive, occurrence_id: int | None) -> Occurrence:
    target = occurrence_id or directive.current_id
    occurrence = Occurrence.objects.select_for_update().filter(pk=target, directive=directive).first()
    if occurrence is None:
        raise NotFound("Không tìm thấy kỳ thực hiện của nhiệm vụ.")
    return occurrence


def _as_lead(by: User, directive_id: int) -> tuple[Directive, Access]:
    """The person's rights are those of today (their current assignments), also when ``now`` dates a
    record in the past (the demo's history). Which part they act for is checked on the occurrence
    (``_acting_part``)."""
    directive = _directive(directive_id)
    access = access_for(by)
    if not _visible(access, directive):
        raise NotFound("Không tìm thấy nhiệm vụ.")  # existence is not revealed
    return directive, access


LEAD_ONLY = "Chỉ cán bộ của đơn vị chủ trì được báo cáo, đề nghị hoàn thành hoặc gia hạn nhiệm vụ."


def _acting_part(occurrence: Occurrence, access: Access, part_id: int | None) -> Part:
    """The unit's part the person acts for, locked: the one asked for, else their only one."""
    parts = list(
        Part.objects.select_for_update()
        .filter(occurrence=occurrence, unit_id__in=list(access.acting_ids))
        .select_related("unit")
        .order_by("unit__path")
    )
    if part_id is not None:
        chosen = next((p for p in parts if p.pk == part_id), None)
        if chosen is None:
            raise Forbidden("Bạn không làm việc cho đơn vị của phần việc này.")
        return chosen
    if not parts:
        raise Forbidden(LEAD_ONLY)
    if len(parts) > 1:
        raise InvalidInput(
            "Bạn làm việc cho nhiều đơn vị chủ trì nhiệm vụ này ("
            + ", ".join(p.unit.name for p in parts)
            + "): hãy chọn đơn vị."
        )
    return parts[0]


def _as_office(by: User, directive: Directive) -> Access:
    access = access_for(by)
    if not _visible(access, directive):
        raise NotFound("Không tìm thấy nhiệm vụ.")
    if not access.can_decide(directive.document.assigning_unit):
        raise Forbidden("Chỉ Văn phòng UBND (đơn vị theo dõi văn bản) được duyệt hoặc điều chỉnh thời hạn.")
    return access


def _text(value: str, label: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"Vui lòng nhập {label}.")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{label[:1].upper()}{label[1:]} dài quá {MAX_TEXT:,} ký tự.".replace(",", "."))
    return text


def _not_done(occurrence: Occurrence) -> None:
    if occurrence.completed_on is not None:
        raise Conflict("Kỳ này của nhiệm vụ đã được xác nhận hoàn thành.")


def _part_not_done(part: Part) -> None:
    if part.completed_on is not None:
        raise Conflict(f"Phần việc của {part.unit.name} trong kỳ này đã được xác nhận hoàn thành.")


def _locked_part(occurrence: Occurrence, part_id: int) -> Part:
    part = (
        Part.objects.select_for_update()
        .select_related("unit")
        .filter(pk=part_id, occurrence=occurrence)
        .first()
    )
    if part is None:
        raise NotFound("Không tìm thấy phần việc của đơn vị trong kỳ này.")
    return part


def check_attachment(upload: UploadedFile) -> str:
    """The extension of an acceptable attachment; a Vietnamese refusal otherwise."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_SIGNATURES:
        raise InvalidInput(f"Tệp “{name}”: chỉ nhận PDF, Word, Excel, OpenDocument, ảnh JPG/PNG hoặc ZIP.")
    if not upload.size:
        raise InvalidInput(f"Tệp “{name}” rỗng.")
    if upload.size > MAX_ATTACHMENT_MB * 1024 * 1024:
        raise InvalidInput(f"Tệp “{name}” quá lớn: tối đa {MAX_ATTACHMENT_MB} MB mỗi tệp.")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in ATTACHMENT_SIGNATURES[extension]):
        raise InvalidInput(f"Nội dung tệp “{name}” không phải tệp {extension.upper()}.")
    return extension


def report_progress(
    by: User,
    directive_id: int,
    *,
    percent: int,
    text: str,
    files: Sequence[UploadedFile] = (),
    occurrence_id: int | None = None,
    part_id: int | None = None,
    now: datetime | None = None,
) -> ProgressReport:
    """Báo cáo tiến độ of a lead unit on its own part: text, percentage (0–100), up to 5 attachments."""
    moment = _now(now)
    directive, access = _as_lead(by, directive_id)
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise InvalidInput("Tiến độ phải là số nguyên từ 0 đến 100 (%).")
    body = _text(text, "nội dung báo cáo")
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(f"Mỗi báo cáo đính kèm tối đa {MAX_ATTACHMENTS} tệp.")
    extensions = [check_attachment(f) for f in files]
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, occurrence_id)
        part = _acting_part(occurrence, access, part_id)
        _part_not_done(part)
        report = ProgressReport.objects.create(
            occurrence=occurrence,
            part=part,
            unit_id=part.unit_id,
            author=by,
            created_at=moment,
            percent=percent,
            text=body,
        )
        for upload, extension in zip(files, extensions, strict=True):
            original = (upload.name or "tep")[:255]
            upload.name = f"{uuid.uuid4().hex}.{extension}"  # the person's file name never reaches the disk
            ReportAttachment.objects.create(report=report, file=upload, name=original, size=upload.size or 0)
        part.progress = percent
        part.last_report_at = moment
        part.save(update_fields=["progress", "last_report_at"])
        sync_occurrence(occurrence)
        audit.record(
            "directives.report",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"Báo cáo tiến độ {percent}% — nhiệm vụ {directive.number} ({directive.document.number}), "
                f"{part.unit.name}"
            ),
            data={
                "occurrence": occurrence.pk,
                "part": part.pk,
                "percent": percent,
                "attachments": len(files),
            },
        )
    return report


def request_completion(
    by: User,
    directive_id: int,
    *,
    completed_on: date,
    note: str = "",
    occurrence_id: int | None = None,
    part_id: int | None = None,
    now: datetime | None = None,
) -> CompletionRequest:
    """A lead unit asks the office to confirm its part of the task (this occurrence) is done on
    ``completed_on``."""
    moment, today = _now(now), _today(now)
    directive, access = _as_lead(by, directive_id)
    if completed_on > today:
        raise InvalidInput("Ngày hoàn thành không được sau ngày hôm nay.")
    if completed_on < directive.document.issued_on:
        raise InvalidInput(
            "Ngày hoàn thành không được trước ngày ban hành văn bản "
            f"({directive.document.issued_on:%d/%m/%Y})."
        )
    body = _text(note, "kết quả thực hiện", required=False)
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, occurrence_id)
        part = _acting_part(occurrence, access, part_id)
        _part_not_done(part)
        if part.completions.filter(status=Decision.PENDING).exists():
            raise Conflict("Đơn vị đang có đề nghị xác nhận hoàn thành chờ Văn phòng duyệt.")
        request = CompletionRequest.objects.create(
            occurrence=occurrence,
            part=part,
            unit_id=part.unit_id,
            requested_by=by,
            requested_at=moment,
            completed_on=completed_on,
            note=body,
        )
        part.completion_requested_at = moment
        part.save(update_fields=["completion_requested_at"])
        sync_occurrence(occurrence)
        audit.record(
            "directives.request_completion",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"Đề nghị xác nhận hoàn thành nhiệm vụ {directive.number} ({directive.document.number}), "
                f"{part.unit.name}"
            ),
            data={
                "occurrence": occurrence.pk,
                "part": part.pk,
                "request": request.pk,
                "completed_on": completed_on,
            },
        )
    return request


def _complete_part(part: Part, completed_on: date, moment: datetime) -> None:
    part.completed_on, part.completed_at, part.progress = completed_on, moment, 100
    part.completion_requested_at = None
    part.save(update_fields=["completed_on", "completed_at", "progress", "completion_requested_at"])


def decide_completion(
    by: User, request_id: int, *, approve: bool, note: str = "", now: datetime | None = None
) -> CompletionRequest:
    """The office approves a unit's completion (its part is done on the date the unit gave; the
    occurrence is complete when every part is) or returns it with a reason."""
    moment, today = _now(now), _today(now)
    request = CompletionRequest.objects.select_related("occurrence").filter(pk=request_id).first()
    if request is None:
        raise NotFound("Không tìm thấy đề nghị xác nhận hoàn thành.")
    directive = _directive(request.occurrence.directive_id)
    _as_office(by, directive)
    reason = _text(note, "lý do trả lại", required=not approve)
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, request.occurrence_id)
        request = CompletionRequest.objects.select_for_update().get(pk=request_id)
        if request.status != Decision.PENDING:
            raise Conflict("Đề nghị này đã được xử lý.")
        if request.part_id is None:
            raise Conflict("Đề nghị này không gắn với phần việc của đơn vị nào; đơn vị hãy gửi lại đề nghị.")
        part = _locked_part(occurrence, request.part_id)
        request.status = Decision.APPROVED if approve else Decision.RETURNED
        request.decided_by, request.decided_at, request.decision_note = by, moment, reason
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            _complete_part(part, request.completed_on, moment)
        else:
            part.completion_requested_at = None
            part.save(update_fields=["completion_requested_at"])
        if sync_occurrence(occurrence):
            ensure_occurrences(directive, today)  # a recurring task moves to its next period
        audit.record(
            "directives.approve_completion" if approve else "directives.return_completion",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"{'Duyệt' if approve else 'Trả lại'} đề nghị hoàn thành nhiệm vụ {directive.number} "
                f"({directive.document.number}), {part.unit.name}"
            ),
            data={"occurrence": occurrence.pk, "part": part.pk, "request": request.pk, "note": reason},
        )
    return request


def record_completion(
    by: User,
    directive_id: int,
    *,
    completed_on: date,
    note: str,
    occurrence_id: int | None = None,
    part_id: int | None = None,
    now: datetime | None = None,
) -> list[CompletionRequest]:
    """The office records that a unit's part (``part_id``), or every part not completed yet, was done
    on ``completed_on`` — from a written report of the unit. Kept as approved requests of the office,
    with its note. Returns the records."""
    moment, today = _now(now), _today(now)
    directive = _directive(directive_id)
    _as_office(by, directive)
    if completed_on > today:
        raise InvalidInput("Ngày hoàn thành không được sau ngày hôm nay.")
    if completed_on < directive.document.issued_on:
        raise InvalidInput(
            "Ngày hoàn thành không được trước ngày ban hành văn bản "
            f"({directive.document.issued_on:%d/%m/%Y})."
        )
    body = _text(note, "căn cứ ghi nhận hoàn thành (văn bản, báo cáo của đơn vị)")
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, occurrence_id)
        _not_done(occurrence)
        if part_id is not None:
            parts = [_locked_part(occurrence, part_id)]
            _part_not_done(parts[0])
        else:
            parts = list(
                Part.objects.select_for_update()
                .select_related("unit")
                .filter(occurrence=occurrence, completed_on__isnull=True)
                .order_by("unit__path")
            )
            if not parts:
                raise Conflict("Kỳ này chưa có đơn vị chủ trì nào để ghi nhận (hãy đối chiếu tên cơ quan).")
        records = []
        for part in parts:
            for pending in part.completions.select_for_update().filter(status=Decision.PENDING):
                pending.status, pending.decided_by, pending.decided_at = Decision.APPROVED, by, moment
                pending.decision_note = body
                pending.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
            records.append(
                CompletionRequest.objects.create(
                    occurrence=occurrence,
                    part=part,
                    unit_id=part.unit_id,
                    requested_by=by,
                    requested_at=moment,
                    completed_on=completed_on,
                    note=body,
                    status=Decision.APPROVED,
                    decided_by=by,
                    decided_at=moment,
                )
            )
            _complete_part(part, completed_on, moment)
        if sync_occurrence(occurrence):
            ensure_occurrences(directive, today)
        audit.record(
            "directives.record_completion",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"Ghi nhận hoàn thành nhiệm vụ {directive.number} ({directive.document.number}) ngày "
                f"{completed_on:%d/%m/%Y}: {len(parts)} đơn vị"
            ),
            data={"occurrence": occurrence.pk, "parts": [p.pk for p in parts], "completed_on": completed_on},
        )
    return records


def request_extension(
    by: User,
    directive_id: int,
    *,
    proposed_due: date,
    reason: str,
    occurrence_id: int | None = None,
    part_id: int | None = None,
    now: datetime | None = None,
) -> ExtensionRequest:
    """A lead unit asks for a later deadline of its own part."""
    moment, today = _now(now), _today(now)
    directive, access = _as_lead(by, directive_id)
    body = _text(reason, "lý do xin gia hạn")
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, occurrence_id)
        part = _acting_part(occurrence, access, part_id)
        _part_not_done(part)
        if part.due_on is None:
            raise InvalidInput("Nhiệm vụ không có thời hạn nên không cần gia hạn.")
        if proposed_due <= part.due_on:
            raise InvalidInput(f"Hạn đề nghị phải sau hạn hiện tại ({part.due_on:%d/%m/%Y}).")
        if proposed_due < today:
            raise InvalidInput("Hạn đề nghị không được trước ngày hôm nay.")
        if part.extensions.filter(status=Decision.PENDING).exists():
            raise Conflict("Đơn vị đang có đề nghị gia hạn chờ Văn phòng duyệt.")
        request = ExtensionRequest.objects.create(
            occurrence=occurrence,
            part=part,
            unit_id=part.unit_id,
            requested_by=by,
            requested_at=moment,
            current_due=part.due_on,
            proposed_due=proposed_due,
            reason=body,
        )
        part.extension_requested_at = moment
        part.save(update_fields=["extension_requested_at"])
        sync_occurrence(occurrence)
        audit.record(
            "directives.request_extension",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"Đề nghị gia hạn nhiệm vụ {directive.number} đến {proposed_due:%d/%m/%Y}, {part.unit.name}"
            ),
            data={
                "occurrence": occurrence.pk,
                "part": part.pk,
                "request": request.pk,
                "proposed_due": proposed_due,
            },
        )
    return request


def decide_extension(
    by: User, request_id: int, *, approve: bool, note: str = "", now: datetime | None = None
) -> ExtensionRequest:
    """The office approves (the unit's deadline moves; the change is kept in the history) or refuses."""
    moment = _now(now)
    request = ExtensionRequest.objects.select_related("occurrence").filter(pk=request_id).first()
    if request is None:
        raise NotFound("Không tìm thấy đề nghị gia hạn.")
    directive = _directive(request.occurrence.directive_id)
    _as_office(by, directive)
    reason = _text(note, "lý do không đồng ý", required=not approve)
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, request.occurrence_id)
        request = ExtensionRequest.objects.select_for_update().get(pk=request_id)
        if request.status != Decision.PENDING:
            raise Conflict("Đề nghị này đã được xử lý.")
        if request.part_id is None:
            raise Conflict("Đề nghị này không gắn với phần việc của đơn vị nào; đơn vị hãy gửi lại đề nghị.")
        part = _locked_part(occurrence, request.part_id)
        request.status = Decision.APPROVED if approve else Decision.REFUSED
        request.decided_by, request.decided_at, request.decision_note = by, moment, reason
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        part.extension_requested_at = None
        fields = ["extension_requested_at"]
        if approve:
            DeadlineChange.objects.create(
                occurrence=occurrence,
                part=part,
                old_due=part.due_on,
                new_due=request.proposed_due,
                changed_at=moment,
                changed_by=by,
                reason=request.reason,
                extension=request,
            )
            part.due_on = request.proposed_due
            fields.append("due_on")
        part.save(update_fields=fields)
        sync_occurrence(occurrence)
        audit.record(
            "directives.approve_extension" if approve else "directives.refuse_extension",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"{'Đồng ý' if approve else 'Không đồng ý'} gia hạn nhiệm vụ {directive.number} "
                f"đến {request.proposed_due:%d/%m/%Y}, {part.unit.name}"
            ),
            data={"occurrence": occurrence.pk, "part": part.pk, "request": request.pk, "note": reason},
        )
    return request


def set_deadline(
    by: User,
    directive_id: int,
    *,
    due: date,
    reason: str,
    occurrence_id: int | None = None,
    part_id: int | None = None,
    now: datetime | None = None,
) -> DeadlineChange:
    """The office sets or changes a deadline itself — e.g. a date for a task "theo tiến độ" once the
    document it waited for is out: for the whole period (every part not completed) or, with
    ``part_id``, for one unit's part. Kept in the deadline history like an extension."""
    moment = _now(now)
    directive = _directive(directive_id)
    _as_office(by, directive)
    body = _text(reason, "căn cứ điều chỉnh thời hạn")
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, occurrence_id)
        _not_done(occurrence)
        part = _locked_part(occurrence, part_id) if part_id is not None else None
        if part is not None:
            _part_not_done(part)
        current = part.due_on if part is not None else occurrence.due_on
        if current == due:
            raise InvalidInput("Thời hạn mới trùng thời hạn hiện tại.")
        if due < directive.document.issued_on:
            raise InvalidInput("Thời hạn không được trước ngày ban hành văn bản.")
        change = DeadlineChange.objects.create(
            occurrence=occurrence,
            part=part,
            old_due=current,
            new_due=due,
            changed_at=moment,
            changed_by=by,
            reason=body,
        )
        if part is not None:
            part.due_on = due
            part.save(update_fields=["due_on"])
        else:
            occurrence.due_on = due
            occurrence.save(update_fields=["due_on"])
            occurrence.parts.filter(completed_on__isnull=True).update(due_on=due)
        sync_occurrence(occurrence)
        scope = f", {part.unit.name}" if part is not None else ""
        audit.record(
            "directives.set_deadline",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"Đặt thời hạn nhiệm vụ {directive.number} ({directive.document.number}): "
                f"{due:%d/%m/%Y}{scope}"
            ),
            data={
                "occurrence": occurrence.pk,
                "part": part.pk if part else None,
                "old": change.old_due,
                "new": due,
            },
        )
    return change


def ensure_all_occurrences(today: date) -> int:
    """New periods of every recurring task, and the parts of units that lead a task since (run by the
    periodic reminder job)."""
    created = 0
    for directive in Directive.objects.select_related("document"):
        with transaction.atomic():
            created += ensure_occurrences(directive, today)
    return created


__all__ = [
    "DeadlineKind",
    "DocumentFields",
    "ImportReport",
    "InvalidInput",
    "PlanImportError",
    "decide_completion",
    "decide_extension",
    "ensure_parts",
    "import_plan",
    "record_completion",
    "report_progress",
    "request_completion",
    "request_extension",
    "resolve_unit_name",
    "set_deadline",
    "sync_occurrence",
]
