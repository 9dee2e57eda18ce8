"""The import of an interchange document: validated whole, then applied in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError

from motcua.catalogue.models import (
    Component,
    DocumentType,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    WorkflowStep,
)
from motcua.catalogue.schema import ComponentDoc, FeeDoc, FieldDoc, ProcedureDoc, StepDoc, VersionDoc
from motcua.catalogue.services.export import _same_version
from motcua.catalogue.services.problems import Locate, document_locator, invalid_import
from motcua.catalogue.services.publishing import refresh_procedure
from motcua.catalogue.services.validation import ValidatedDocument, validate_document
from motcua.catalogue.services.workflow import staffing_warnings
from motcua.core import audit
from motcua.core.errors import Conflict
from motcua.core.models import OrgUnit
from motcua.core.text import fold

# ---------------------------------------------------------------------------------------------
# Import


@dataclass
class ImportItem:
    procedure: str
    version: int | None
    action: str  # created | updated | unchanged


@dataclass
class ImportReport:
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    procedures_created: int = 0
    procedures_updated: int = 0
    fields_created: int = 0
    items: list[ImportItem] = field(default_factory=list)
    # Saved, but someone must act: workflow steps whose role nobody holds where they would be done.
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.procedures_created
            or self.procedures_updated
            or self.fields_created
        )

    def count(self, code: str, version: int | None, action: str) -> None:
        self.items.append(ImportItem(code, version, action))
        if version is not None:
            setattr(self, action, getattr(self, action) + 1)

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        text = (
            f"{self.created} phiên bản mới, {self.updated} phiên bản cập nhật, "
            f"{self.unchanged} phiên bản không đổi"
            f"; {self.procedures_created} thủ tục mới, {self.procedures_updated} thủ tục cập nhật"
        )
        return ("Chạy thử (không lưu): " if self.dry_run else "") + text

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "procedures_created": self.procedures_created,
            "procedures_updated": self.procedures_updated,
            "fields_created": self.fields_created,
            "items": [
                {"procedure": i.procedure, "version": i.version, "action": i.action} for i in self.items
            ],
            "warnings": list(self.warnings),
        }


def import_catalogue(
    document: dict[str, Any], *, dry_run: bool = False, locate: Locate | None = None
) -> ImportReport:
    """Validate the whole ``document``, then create or update its procedures and versions.

    Raises ``DomainError(code="import_invalid")`` with every problem when the document is invalid;
    then nothing is written. ``dry_run`` validates and reports what would change without writing.
    ``locate`` turns a document location into the detail shown to people (the Excel importer
    gives sheet, row and column); by default: procedure code, version and field path.
    """
    where = locate or document_locator(document)
    if dry_run:
        return _import(document, dry_run=True, locate=where)
    with transaction.atomic():
        return _import(document, dry_run=False, locate=where)


def _import(document: dict[str, Any], *, dry_run: bool, locate: Locate) -> ImportReport:
    checked, problems = validate_document(document)
    if problems or checked is None:
        raise invalid_import([{**locate(p.loc), "problem": p.message} for p in problems])

    report = ImportReport(dry_run=dry_run)
    new_fields: dict[str, Field | None] = {}
    for p in checked.document.procedures:
        stored = checked.procedures.get(p.code)
        field_obj, field_is_new = _field_for(p.field, checked, new_fields, dry_run=dry_run)
        if field_is_new:
            report.fields_created += 1

        procedure_changed = stored is None or (
            stored.is_placeholder
            or stored.level != p.level
            or (field_obj is None or stored.field_id != field_obj.pk)
            or (not p.versions and not stored.versions.all() and stored.name != p.name)
        )
        stored_versions = {v.version: v for v in stored.versions.all()} if stored else {}
        plans: list[tuple[VersionDoc, ProcedureVersion | None, str]] = []
        for v in p.versions:
            existing = stored_versions.get(v.version)
            if existing is None:
                action = "created"
            elif _same_version(existing, v, checked.units):
                action = "unchanged"
            else:
                action = "updated"
            plans.append((v, existing, action))

        if stored is None:
            report.procedures_created += 1
            report.count(p.code, None, "created")
        elif procedure_changed:
            report.procedures_updated += 1
            report.count(p.code, None, "updated")
        for v, _, action in plans:
            report.count(p.code, v.version, action)
            if action != "unchanged":
                report.warnings += staffing_warnings(
                    p.code,
                    v.version,
                    steps=v.workflow,
                    implementing=[checked.units[ref] for ref in v.implementing_units],
                    fixed_units=checked.units,
                    effective_from=v.effective_from,
                    effective_to=v.effective_to,
                )
        if dry_run:
            continue

        assert field_obj is not None
        if stored is not None and stored.field_id == field_obj.pk:
            stored.field = field_obj  # the same row, possibly just renamed
        procedure = _write_procedure(p, stored, field_obj, procedure_changed)
        touched = False
        for v, existing, action in plans:
            if action != "unchanged":
                _write_version(procedure, existing, v, checked.units, checked.doc_types)
                touched = True
        refresh_procedure(procedure, fallback_name=p.name, reload=touched)

    if not dry_run:
        audit.record(
            "catalogue_import",
            object_type="catalogue",
            summary=f"Nhập danh mục TTHC: {report.summary()}",
            data={
                **{k: v for k, v in report.as_dict().items() if k != "items"},
                "changes": [
                    f"{i.procedure} v{i.version}: {i.action}"
                    if i.version is not None
                    else f"{i.procedure}: {i.action}"
                    for i in report.items
                    if i.action != "unchanged"
                ],
            },
        )
    return report


def _generated_field_code(name: str) -> str:
    return (fold(name).upper().replace(" ", "-") or "LV")[:40]


def _field_for(
    f: FieldDoc, checked: ValidatedDocument, new_fields: dict[str, Field | None], *, dry_run: bool
) -> tuple[Field | None, bool]:
    """The Field for a procedure, created when new (``None`` in a dry run for a field not stored yet)."""
    keys = [f"name:{f.name}"] + ([f"code:{f.code}"] if f.code else [])
    for key in keys:
        if key in new_fields:
            return new_fields[key], False
    stored = checked.fields_by_code.get(f.code) if f.code else checked.fields_by_name.get(f.name)
    if stored is not None:
        if f.code and stored.name != f.name and not dry_run:
            stored.name = f.name  # the sector was renamed (validation checked the new name is free)
            stored.save(update_fields=["name"])
            in_document = [d.code for d in checked.document.procedures]
            for other in Procedure.objects.filter(field=stored).exclude(code__in=in_document):
                other.field = stored
                refresh_procedure(other)
        return stored, False
    created: Field | None = None
    if not dry_run:
        code = f.code or _generated_field_code(f.name)
        if not f.code:
            base, n = code, 2
            taken = {d.field.code for d in checked.document.procedures if d.field.code}
            while code in taken or Field.objects.filter(code=code).exists():
                suffix = f"-{n}"
                code, n = base[: 40 - len(suffix)] + suffix, n + 1
        created = Field.objects.create(code=code, name=f.name)
    for key in keys:
        new_fields[key] = created
    return created, True


def _write_procedure(p: ProcedureDoc, stored: Procedure | None, field_obj: Field, changed: bool) -> Procedure:
    if stored is None:
        procedure = Procedure(code=p.code, name=p.name, field=field_obj, level=p.level)
        procedure.refresh_search_text()
        try:
            with transaction.atomic():
                procedure.save()
        except IntegrityError as exc:
            raise Conflict(
                f"Thủ tục có mã {p.code} vừa được tạo bởi một thao tác khác; hãy nhập lại."
            ) from exc
        return procedure
    if changed:
        stored.field = field_obj
        stored.level = p.level
        stored.is_placeholder = False
        if not p.versions and not stored.versions.all():
            stored.name = p.name
        stored.refresh_search_text()
        stored.save()
    return stored


_VERSION_ATTRS = (
    "status",
    "effective_from",
    "effective_to",
    "decision",
    "decision_date",
    "name",
    "levels",
    "implementing_agency",
    "sequence",
    "method",
    "channels",
    "target_groups",
    "result_types",
    "paper_result_required",
    "legal_bases",
    "online_level",
    "online_partial_reason",
    "notes",
    "verified",
    "sources",
)


def _write_version(
    procedure: Procedure,
    existing: ProcedureVersion | None,
    v: VersionDoc,
    units: dict[str, OrgUnit],
    doc_types: dict[str, DocumentType],
) -> ProcedureVersion:
    values: dict[str, Any] = {name: getattr(v, name) for name in _VERSION_ATTRS}
    values.update(
        time_limit_value=v.time_limit.value,
        time_limit_unit=v.time_limit.unit,
        time_limit_text=v.time_limit.text,
        result_doc_type=doc_types[v.result_doc_type] if v.result_doc_type else None,
    )
    if existing is None:
        version = ProcedureVersion(procedure=procedure, version=v.version, **values)
    else:
        version = existing
        for name, value in values.items():
            setattr(version, name, value)
    version.save()
    if "implementing_units" in v.model_fields_set:  # omitted: the stored assignment stays
        version.implementing_units.set([units[ref] for ref in v.implementing_units])

    _sync_children(
        version.components.all() if existing else [],
        {c.order: c for c in v.components},
        key=lambda row: row.order,
        build=lambda c: Component(
            version=version,
            order=c.order,
            code=c.code,
            name=c.name,
            kind=c.kind,
            quantity=c.quantity,
            role=c.role,
            required=c.required,
            channels=list(c.channels),
            alternative_group=c.alternative_group,
            doc_type=doc_types[c.doc_type] if c.doc_type else None,
            form_template=c.form_template,
            eform_schema=c.eform_schema,
            note=c.note,
        ),
        what="thành phần hồ sơ",
    )
    _sync_children(
        version.fees.all() if existing else [],
        {f.order: f for f in v.fees},
        key=lambda row: row.order,
        build=lambda f: Fee(
            version=version,
            order=f.order,
            name=f.name,
            kind=f.kind,
            amount_vnd=Decimal(f.amount_vnd) if f.amount_vnd is not None else None,
            basis=f.basis,
            reduced_from_page=f.reduced_from_page,
            reduced_vnd=Decimal(f.reduced_vnd) if f.reduced_vnd is not None else None,
            cap_vnd=Decimal(f.cap_vnd) if f.cap_vnd is not None else None,
            exemptions=f.exemptions,
            exemption_rules=[rule.model_dump() for rule in f.exemption_rules],
            pay_first=f.pay_first,
            note=f.note,
        ),
        what="phí, lệ phí",
    )
    _sync_children(
        version.workflow_steps.all() if existing else [],
        {s.code: s for s in v.workflow},
        key=lambda row: row.code,
        build=lambda s: WorkflowStep(
            version=version,
            order=s.order,
            code=s.code,
            name=s.name,
            role=s.role,
            unit_mode=s.unit_mode,
            unit=units[s.unit] if s.unit else None,
            allotted_hours=s.allotted_hours,
            parallel_group=s.parallel_group,
            is_consultation=s.is_consultation,
        ),
        what="bước quy trình",
    )
    return version


def _sync_children(
    stored: Iterable[Any],
    wanted: dict[Any, ComponentDoc | FeeDoc | StepDoc],
    *,
    key: Callable[[Any], Any],
    build: Callable[[Any], models.Model],
    what: str,
) -> None:
    """Make the stored rows equal to ``wanted``, keeping the rows (and their ids) whose key is unchanged."""
    current = {key(row): row for row in stored}
    for k, row in current.items():
        if k not in wanted:
            try:
                with transaction.atomic():
                    row.delete()
            except ProtectedError as exc:
                raise Conflict(
                    f"Không thể xóa {what} “{row}” vì đang được dữ liệu khác (hồ sơ) sử dụng; "
                    "hãy tạo phiên bản mới thay vì sửa phiên bản đang dùng."
                ) from exc
    for k, doc in wanted.items():
        fresh = build(doc)
        row = current.get(k)
        if row is None:
            fresh.save()
            continue
        names = [f.attname for f in fresh._meta.concrete_fields if not f.primary_key]
        changed = [n for n in names if getattr(row, n) != getattr(fresh, n)]
        if changed:
            for n in changed:
                setattr(row, n, getattr(fresh, n))
            row.save(update_fields=changed)
