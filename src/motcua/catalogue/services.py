"""The only write path of the catalogue: import, export, publication and placeholders.

``import_catalogue`` validates the whole document before it writes anything: the shape (pydantic,
``schema.py``), then the rules that need the database or look across versions. Any problem raises
``DomainError(code="import_invalid")`` listing every problem with the procedure code, the version
and the field path; nothing is stored. A valid document is applied in one transaction; versions
that are identical to the stored ones are left alone, so re-importing the same file changes
nothing. Every row written is audited by the signal handlers of ``core.audit``; the import itself
is recorded once with its summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch, ProtectedError, Q
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from motcua.catalogue import rules
from motcua.catalogue.models import Component, Fee, Field, Procedure, ProcedureVersion, WorkflowStep
from motcua.catalogue.schema import (
    FORMAT_NAME,
    FORMAT_VERSION,
    PROCEDURE_CODE_PATTERN,
    CatalogueDocument,
    ComponentDoc,
    FeeDoc,
    FieldDoc,
    ProcedureDoc,
    StepDoc,
    VersionDoc,
    vietnamese_message,
)
from motcua.core import audit, staffing
from motcua.core.errors import Conflict, DomainError, NotFound
from motcua.core.models import OrgUnit, Role
from motcua.core.rules import rule_value
from motcua.core.text import fold

Loc = rules.Loc
Problem = rules.Problem
Locate = Callable[[Loc], dict[str, Any]]

PLACEHOLDER_FIELD_CODE = "CHUA-XAC-DINH"
PLACEHOLDER_FIELD_NAME = "Chưa xác định lĩnh vực"
MAX_DETAILS = 500


# ---------------------------------------------------------------------------------------------
# Problems and where they are


def loc_path(loc: Sequence[str | int]) -> str:
    """``("versions", 0, "workflow", 2, "code")`` → ``versions[0].workflow[2].code``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _item(container: Any, key: str, index: int) -> Any:
    if isinstance(container, dict):
        items = container.get(key)
        if isinstance(items, list) and 0 <= index < len(items):
            return items[index]
    return None


def document_locator(document: Any) -> Locate:
    """Locate problems in a JSON document: procedure code, version number, field path."""

    def locate(loc: Loc) -> dict[str, Any]:
        detail: dict[str, Any] = {}
        if len(loc) >= 2 and loc[0] == "procedures" and isinstance(loc[1], int):
            raw_procedure = _item(document, "procedures", loc[1])
            code = raw_procedure.get("code") if isinstance(raw_procedure, dict) else None
            detail["procedure"] = code if isinstance(code, str) and code else f"(thủ tục thứ {loc[1] + 1})"
            rest = loc[2:]
            if len(rest) >= 2 and rest[0] == "versions" and isinstance(rest[1], int):
                raw_version = _item(raw_procedure, "versions", rest[1])
                number = raw_version.get("version") if isinstance(raw_version, dict) else None
                detail["version"] = number if number is not None else f"(phiên bản thứ {rest[1] + 1})"
            detail["field"] = loc_path(rest)
        else:
            detail["field"] = loc_path(loc)
        return detail

    return locate


def describe_problem(detail: dict[str, Any]) -> str:
    """One line for people: where, then what."""
    where: list[str] = []
    if "sheet" in detail:
        where.append(f"trang “{detail['sheet']}”")
    if detail.get("row") is not None:
        where.append(f"dòng {detail['row']}")
    if detail.get("column"):
        where.append(f"cột “{detail['column']}”")
    if "procedure" in detail:
        where.append(f"thủ tục {detail['procedure']}")
    if detail.get("version") is not None:
        where.append(f"phiên bản {detail['version']}")
    if detail.get("field") and "column" not in detail:
        where.append(f"trường {detail['field']}")
    prefix = ", ".join(where)
    return f"{prefix}: {detail['problem']}" if prefix else str(detail["problem"])


class InvalidCatalogue(DomainError):
    """A document that cannot be imported; ``details`` lists every problem (at most ``MAX_DETAILS``)."""

    code = "import_invalid"

    def __init__(self, details: list[dict[str, Any]]) -> None:
        self.headline = (
            f"Dữ liệu danh mục thủ tục không hợp lệ ({len(details)} lỗi); chưa có thay đổi nào được lưu."
        )
        first = describe_problem(details[0]) if details else ""
        super().__init__(f"{self.headline} Lỗi đầu tiên — {first}", details=details[:MAX_DETAILS])


def invalid_import(details: list[dict[str, Any]]) -> InvalidCatalogue:
    return InvalidCatalogue(details)


# ---------------------------------------------------------------------------------------------
# Working hours per day (rule ``workdays.office_hours``)


def hours_per_day_on(day: date) -> Decimal:
    """Length of the default office day in force on ``day``, in hours (7.5 for 07:30–11:30, 13:30–17:00)."""
    minutes = 0
    for start, end in rule_value("workdays.office_hours", day):
        h1, m1 = (int(x) for x in start.split(":"))
        h2, m2 = (int(x) for x in end.split(":"))
        minutes += (h2 * 60 + m2) - (h1 * 60 + m1)
    return Decimal(minutes) / Decimal(60)


def _steps_for_rules(steps: Iterable[StepDoc | WorkflowStep]) -> list[rules.Step]:
    return [
        rules.Step(
            code=s.code,
            order=int(s.order),
            allotted_hours=Decimal(s.allotted_hours),
            parallel_group=s.parallel_group or "",
        )
        for s in steps
    ]


def check_version_rules(
    *,
    status: str,
    online_level: str,
    online_partial_reason: str,
    time_limit_value: Decimal,
    time_limit_unit: str,
    effective_from: date,
    effective_to: date | None,
    steps: Sequence[StepDoc | WorkflowStep],
    hours_per_day: Decimal | None = None,
) -> list[Problem]:
    """The rules of one version that need no other row (locations relative to the version)."""
    problems: list[Problem] = []
    if online_level == ProcedureVersion.OnlineLevel.PARTIAL and not online_partial_reason.strip():
        problems.append(
            Problem(("online_partial_reason",), "Thủ tục chỉ cung cấp trực tuyến một phần phải ghi rõ lý do.")
        )
    if effective_to is not None and effective_to <= effective_from:
        problems.append(
            Problem(
                ("effective_to",),
                f"Ngày hết hiệu lực ({effective_to:%d/%m/%Y}) phải sau "
                f"ngày hiệu lực ({effective_from:%d/%m/%Y}).",
            )
        )
    per_day = hours_per_day if hours_per_day is not None else hours_per_day_on(effective_from)
    result = rules.check_allocation(
        time_limit_value,
        time_limit_unit,
        _steps_for_rules(steps),
        published=status == ProcedureVersion.Status.PUBLISHED,
        hours_per_day=per_day,
    )
    problems.extend(result.problems)
    return problems


def _overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from < (b_to or date.max) and b_from < (a_to or date.max)


def _range_text(start: date, end: date | None) -> str:
    return f"từ {start:%d/%m/%Y}" + (f" đến trước {end:%d/%m/%Y}" if end else " (không thời hạn)")


# ---------------------------------------------------------------------------------------------
# Validation of a whole document


@dataclass
class ValidatedDocument:
    document: CatalogueDocument
    procedures: dict[str, Procedure]  # stored procedures named in the document, with versions prefetched
    units: dict[str, OrgUnit]  # every unit reference (code or eid_code) → unit
    fields_by_code: dict[str, Field]
    fields_by_name: dict[str, Field]


def _stored_procedures(codes: Iterable[str]) -> dict[str, Procedure]:
    return {p.code: p for p in _full_queryset().filter(code__in=list(codes))}


def _full_queryset() -> models.QuerySet[Procedure]:
    versions = ProcedureVersion.objects.order_by("version").prefetch_related(
        Prefetch("components", queryset=Component.objects.order_by("order")),
        Prefetch("fees", queryset=Fee.objects.order_by("order")),
        Prefetch(
            "workflow_steps", queryset=WorkflowStep.objects.select_related("unit").order_by("order", "code")
        ),
        Prefetch("implementing_units", queryset=OrgUnit.objects.order_by("code")),
    )
    return Procedure.objects.select_related("field").prefetch_related(Prefetch("versions", queryset=versions))


def _resolve_units(refs: set[str]) -> dict[str, OrgUnit]:
    if not refs:
        return {}
    found = list(OrgUnit.objects.filter(Q(code__in=refs) | Q(eid_code__in=refs)))
    by_ref: dict[str, OrgUnit] = {}
    for unit in found:  # an eid_code never shadows another unit's internal code
        if unit.eid_code and unit.eid_code in refs:
            by_ref[unit.eid_code] = unit
    for unit in found:
        if unit.code in refs:
            by_ref[unit.code] = unit
    return by_ref


def validate_document(document: Any) -> tuple[ValidatedDocument | None, list[Problem]]:
    """Every problem of ``document`` (locations from the document root); nothing is written."""
    try:
        parsed = CatalogueDocument.model_validate(document)
    except PydanticValidationError as exc:
        return None, [Problem(tuple(err["loc"]), vietnamese_message(err)) for err in exc.errors()]

    problems: list[Problem] = []
    stored = _stored_procedures(p.code for p in parsed.procedures)

    refs: set[str] = set()
    for p in parsed.procedures:
        for v in p.versions:
            refs.update(v.implementing_units)
            refs.update(s.unit for s in v.workflow if s.unit)
    units = _resolve_units(refs)

    field_codes = {p.field.code for p in parsed.procedures if p.field.code}
    field_names = {p.field.name for p in parsed.procedures}
    stored_fields = list(Field.objects.filter(Q(code__in=field_codes) | Q(name__in=field_names)))
    fields_by_code = {f.code: f for f in stored_fields}
    fields_by_name = {f.name: f for f in stored_fields}

    hours_cache: dict[date, Decimal] = {}
    seen_codes: dict[str, int] = {}
    doc_field_name_by_code: dict[str, tuple[str, str]] = {}
    doc_field_code_by_name: dict[str, tuple[str, str]] = {}

    for i, p in enumerate(parsed.procedures):
        base: Loc = ("procedures", i)
        if p.code in seen_codes:
            problems.append(
                Problem(
                    (*base, "code"),
                    f"Mã TTHC {p.code} xuất hiện hai lần trong tài liệu "
                    f"(thủ tục thứ {seen_codes[p.code] + 1} và thứ {i + 1}).",
                )
            )
        else:
            seen_codes[p.code] = i
        problems.extend(
            _field_problems(
                p, base, fields_by_code, fields_by_name, doc_field_name_by_code, doc_field_code_by_name
            )
        )

        seen_versions: dict[int, int] = {}
        for j, v in enumerate(p.versions):
            vbase: Loc = (*base, "versions", j)
            if v.version in seen_versions:
                problems.append(
                    Problem((*vbase, "version"), f"Phiên bản {v.version} bị trùng trong thủ tục {p.code}.")
                )
            else:
                seen_versions[v.version] = j
            if v.effective_from not in hours_cache:
                hours_cache[v.effective_from] = hours_per_day_on(v.effective_from)
            for problem in check_version_rules(
                status=v.status,
                online_level=v.online_level,
                online_partial_reason=v.online_partial_reason,
                time_limit_value=v.time_limit.value,
                time_limit_unit=v.time_limit.unit,
                effective_from=v.effective_from,
                effective_to=v.effective_to,
                steps=v.workflow,
                hours_per_day=hours_cache[v.effective_from],
            ):
                problems.append(Problem((*vbase, *problem.loc), problem.message))
            problems.extend(_children_problems(v, vbase, units))

        problems.extend(_overlap_problems(p, base, stored.get(p.code)))

    return ValidatedDocument(parsed, stored, units, fields_by_code, fields_by_name), problems


def _field_problems(
    p: ProcedureDoc,
    base: Loc,
    fields_by_code: dict[str, Field],
    fields_by_name: dict[str, Field],
    doc_name_by_code: dict[str, tuple[str, str]],
    doc_code_by_name: dict[str, tuple[str, str]],
) -> list[Problem]:
    problems: list[Problem] = []
    f = p.field
    if f.code:
        earlier = doc_name_by_code.setdefault(f.code, (f.name, p.code))
        if earlier[0] != f.name:
            problems.append(
                Problem(
                    (*base, "field", "name"),
                    f"Lĩnh vực mã {f.code} đã được ghi với tên “{earlier[0]}” ở thủ tục {earlier[1]}.",
                )
            )
        earlier = doc_code_by_name.setdefault(f.name, (f.code, p.code))
        if earlier[0] != f.code:
            problems.append(
                Problem(
                    (*base, "field", "code"),
                    f"Lĩnh vực “{f.name}” đã được ghi với mã {earlier[0]} ở thủ tục {earlier[1]}.",
                )
            )
        holder = fields_by_name.get(f.name)
        if holder is not None and holder.code != f.code:
            problems.append(
                Problem(
                    (*base, "field", "code"),
                    f"Tên lĩnh vực “{f.name}” đã dùng cho lĩnh vực mã {holder.code} trong danh mục.",
                )
            )
    return problems


def _children_problems(v: VersionDoc, vbase: Loc, units: dict[str, OrgUnit]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    for k, c in enumerate(v.components):
        assert c.order is not None  # filled in by VersionDoc
        if c.order in seen:
            problems.append(
                Problem(
                    (*vbase, "components", k, "order"),
                    f"Thứ tự thành phần {c.order} bị trùng với thành phần thứ {seen[c.order] + 1}.",
                )
            )
        seen.setdefault(c.order, k)
    problems.extend(_alternative_problems(v, vbase))
    seen = {}
    for k, fee in enumerate(v.fees):
        assert fee.order is not None
        if fee.order in seen:
            problems.append(
                Problem(
                    (*vbase, "fees", k, "order"),
                    f"Thứ tự phí, lệ phí {fee.order} bị trùng với mục thứ {seen[fee.order] + 1}.",
                )
            )
        seen.setdefault(fee.order, k)

    for k, ref in enumerate(v.implementing_units):
        problems.extend(_unit_problems(ref, units, v.effective_from, (*vbase, "implementing_units", k)))
    for k, step in enumerate(v.workflow):
        loc: Loc = (*vbase, "workflow", k, "unit")
        if step.unit_mode == "fixed" and not step.unit:
            problems.append(Problem(loc, f"Bước “{step.code}” giao cho đơn vị cụ thể phải ghi mã đơn vị."))
        elif step.unit_mode != "fixed" and step.unit:
            problems.append(
                Problem(
                    loc,
                    f"Bước “{step.code}”: chỉ ghi mã đơn vị khi bước giao cho "
                    "đơn vị cụ thể (unit_mode = fixed).",
                )
            )
        elif step.unit:
            problems.extend(_unit_problems(step.unit, units, v.effective_from, loc))
    return problems


def _alternative_problems(v: VersionDoc, vbase: Loc) -> list[Problem]:
    """Alternatives (one ``alternative_group``) replace one another: two or more of them, all submitted
    or all presented, all required or all optional."""
    groups: dict[str, list[int]] = {}
    for k, c in enumerate(v.components):
        if c.alternative_group:
            groups.setdefault(c.alternative_group, []).append(k)
    problems: list[Problem] = []
    for group, members in groups.items():
        first = v.components[members[0]]
        loc: Loc = (*vbase, "components", members[-1], "alternative_group")
        if len(members) < 2:
            problems.append(
                Problem(
                    loc,
                    f"Nhóm thay thế “{group}” chỉ có một thành phần; cần ít nhất hai giấy tờ thay thế nhau.",
                )
            )
        elif any(
            (v.components[k].role, v.components[k].required) != (first.role, first.required) for k in members
        ):
            problems.append(
                Problem(
                    loc,
                    f"Các thành phần của nhóm thay thế “{group}” phải cùng là giấy tờ nộp (hoặc xuất trình) "
                    "và cùng bắt buộc (hoặc cùng không bắt buộc).",
                )
            )
    return problems


def _unit_problems(ref: str, units: dict[str, OrgUnit], day: date, loc: Loc) -> list[Problem]:
    unit = units.get(ref)
    if unit is None:
        return [
            Problem(loc, f"Không có cơ quan, đơn vị nào có mã “{ref}” (mã nội bộ hoặc mã định danh điện tử).")
        ]
    if not unit.is_active_on(day):
        return [
            Problem(
                loc,
                f"Đơn vị “{unit.name}” ({unit.code}) không hoạt động vào ngày hiệu lực {day:%d/%m/%Y} "
                f"(hoạt động {_range_text(unit.valid_from, unit.valid_to)}).",
            )
        ]
    return []


def _overlap_problems(p: ProcedureDoc, base: Loc, stored: Procedure | None) -> list[Problem]:
    """Published versions of one procedure must not be in force on the same day."""
    in_document = {v.version for v in p.versions}
    published: list[tuple[int | None, int, date, date | None]] = [
        (j, v.version, v.effective_from, v.effective_to)
        for j, v in enumerate(p.versions)
        if v.status == "published"
    ]
    if stored is not None:
        published += [
            (None, v.version, v.effective_from, v.effective_to)
            for v in stored.versions.all()
            if v.version not in in_document and v.status == ProcedureVersion.Status.PUBLISHED
        ]
    problems: list[Problem] = []
    for a_index, (a_j, a_version, a_from, a_to) in enumerate(published):
        if a_j is None:
            continue
        for b_index, (b_j, b_version, b_from, b_to) in enumerate(published):
            if b_index == a_index or (b_j is not None and b_index < a_index):
                continue  # each pair of document versions is reported once
            if _overlap(a_from, a_to, b_from, b_to):
                where = "đang lưu trong danh mục" if b_j is None else "trong tài liệu"
                problems.append(
                    Problem(
                        (*base, "versions", a_j, "effective_from"),
                        f"Phiên bản {a_version} ({_range_text(a_from, a_to)}) có thời gian hiệu lực "
                        f"trùng với phiên bản {b_version} {where} ({_range_text(b_from, b_to)}); "
                        "hai phiên bản đang công khai không được cùng có hiệu lực — "
                        "hãy đặt ngày hết hiệu lực cho phiên bản trước.",
                    )
                )
    return problems


# ---------------------------------------------------------------------------------------------
# Canonical form: the same dict for a stored version and for a document version


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _field_dict(f: Field) -> dict[str, Any]:
    return {"code": f.code, "name": f.name}


def version_dict(v: ProcedureVersion) -> dict[str, Any]:
    """A stored version in the interchange format (uses prefetched children when present)."""
    return {
        "version": v.version,
        "status": v.status,
        "effective_from": v.effective_from.isoformat(),
        "effective_to": v.effective_to.isoformat() if v.effective_to else None,
        "decision": v.decision,
        "decision_date": v.decision_date.isoformat() if v.decision_date else None,
        "name": v.name,
        "levels": list(v.levels or []),
        "implementing_agency": v.implementing_agency,
        "implementing_units": sorted(u.code for u in v.implementing_units.all()),
        "sequence": v.sequence,
        "method": v.method,
        "channels": list(v.channels or []),
        "time_limit": {
            "value": _number(v.time_limit_value),
            "unit": v.time_limit_unit,
            "text": v.time_limit_text,
        },
        "target_groups": list(v.target_groups or []),
        "result_types": list(v.result_types or []),
        "paper_result_required": v.paper_result_required,
        "legal_bases": list(v.legal_bases or []),
        "online_level": v.online_level,
        "online_partial_reason": v.online_partial_reason,
        "notes": dict(v.notes or {}),
        "verified": dict(v.verified or {}),
        "sources": list(v.sources or []),
        "components": [
            {
                "order": c.order,
                "code": c.code,
                "name": c.name,
                "kind": c.kind,
                "quantity": c.quantity,
                "role": c.role,
                "required": c.required,
                "channels": list(c.channels or []),
                "alternative_group": c.alternative_group,
                "form_template": c.form_template,
                "eform_schema": c.eform_schema,
                "note": c.note,
            }
            for c in sorted(v.components.all(), key=lambda c: c.order)
        ],
        "fees": [
            {
                "order": f.order,
                "name": f.name,
                "kind": f.kind,
                "amount_vnd": int(f.amount_vnd) if f.amount_vnd is not None else None,
                "exemptions": f.exemptions,
                "note": f.note,
            }
            for f in sorted(v.fees.all(), key=lambda f: f.order)
        ],
        "workflow": [
            {
                "order": s.order,
                "code": s.code,
                "name": s.name,
                "role": s.role,
                "unit_mode": s.unit_mode,
                "unit": s.unit.code if s.unit else None,
                "allotted_hours": _number(s.allotted_hours),
                "parallel_group": s.parallel_group,
                "is_consultation": s.is_consultation,
            }
            for s in sorted(v.workflow_steps.all(), key=lambda s: (s.order, s.code))
        ],
    }


def _desired_version_dict(v: VersionDoc, units: dict[str, OrgUnit]) -> dict[str, Any]:
    data = v.model_dump(mode="json")
    data["implementing_units"] = sorted({units[ref].code for ref in v.implementing_units})
    for step in data["workflow"]:
        if step["unit"]:
            step["unit"] = units[step["unit"]].code
    data["components"].sort(key=lambda c: c["order"])
    data["fees"].sort(key=lambda f: f["order"])
    data["workflow"].sort(key=lambda s: (s["order"], s["code"]))
    return data


def _same_version(stored: ProcedureVersion, v: VersionDoc, units: dict[str, OrgUnit]) -> bool:
    current = version_dict(stored)
    desired = _desired_version_dict(v, units)
    if "implementing_units" not in v.model_fields_set:  # omitted: the stored assignment stays
        desired["implementing_units"] = current["implementing_units"]
    return current == desired


def procedure_dict(p: Procedure) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "field": _field_dict(p.field),
        "level": p.level,
        "versions": [version_dict(v) for v in sorted(p.versions.all(), key=lambda v: v.version)],
    }


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
                _write_version(procedure, existing, v, checked.units)
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
    procedure: Procedure, existing: ProcedureVersion | None, v: VersionDoc, units: dict[str, OrgUnit]
) -> ProcedureVersion:
    values: dict[str, Any] = {name: getattr(v, name) for name in _VERSION_ATTRS}
    values.update(
        time_limit_value=v.time_limit.value,
        time_limit_unit=v.time_limit.unit,
        time_limit_text=v.time_limit.text,
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
            exemptions=f.exemptions,
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


# ---------------------------------------------------------------------------------------------
# Staffing of the workflow: a step whose role nobody holds leaves its dossiers stuck


def staffing_warnings(
    code: str,
    number: int,
    *,
    steps: Iterable[StepDoc | WorkflowStep],
    implementing: Sequence[OrgUnit],
    fixed_units: dict[str, OrgUnit] | None = None,
    effective_from: date,
    effective_to: date | None,
    on: date | None = None,
) -> list[str]:
    """One sentence per workflow step whose role no active account holds, on the day the version
    applies (today, or its first day if later), at a unit that would perform it: each implementing unit
    for a step of the competent unit, the step's own unit for a fixed one. (One-stop steps depend on
    where the dossier is received; intake checks them.) Intake refuses those units with the same news
    (``dossiers.services``)."""
    today = on or timezone.localdate()
    if effective_to is not None and effective_to <= today:
        return []
    day = max(today, effective_from)
    plan: list[tuple[str, str, list[OrgUnit]]] = []
    for step in steps:
        if step.is_consultation or step.unit_mode == WorkflowStep.UnitMode.ONE_STOP:
            continue
        if step.unit_mode == WorkflowStep.UnitMode.FIXED:
            unit = step.unit if isinstance(step, WorkflowStep) else (fixed_units or {}).get(step.unit or "")
            units = [unit] if unit is not None else []
        else:
            units = list(implementing)
        if units:
            plan.append((step.name, step.role, units))
    held = staffing.staffed([(role, unit) for _, role, units in plan for unit in units], day)
    warnings = []
    for name, role, units in plan:
        missing = [u for u in units if (role, u.pk) not in held]
        if not missing:
            continue
        shown = ", ".join(u.name for u in missing[:3])
        more = f" và {len(missing) - 3} đơn vị khác" if len(missing) > 3 else ""
        label = Role(role).label if role in Role.values else role
        warnings.append(
            f"Thủ tục {code} phiên bản {number}: bước “{name}” do {str(label).lower()} thực hiện, nhưng ngày "
            f"{day:%d/%m/%Y} chưa có ai giữ vai trò này tại {shown}{more}. Hồ sơ giao cho "
            f"{'các đơn vị này' if len(missing) > 1 else 'đơn vị này'} sẽ không được tiếp nhận cho đến khi "
            "có người được phân công."
        )
    return warnings


def version_staffing_warnings(version: ProcedureVersion, *, on: date | None = None) -> list[str]:
    """``staffing_warnings`` of a stored version (the admin screen says them after saving)."""
    return staffing_warnings(
        version.procedure.code,
        version.version,
        steps=list(version.workflow_steps.select_related("unit")),
        implementing=list(version.implementing_units.all()),
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        on=on,
    )


# ---------------------------------------------------------------------------------------------
# Procedure summary fields


def current_version_of(procedure: Procedure, on: date | None = None) -> ProcedureVersion | None:
    """The version in force on the day; else the latest published; else the latest version."""
    day = on or timezone.localdate()
    versions = list(procedure.versions.all())
    published = ProcedureVersion.Status.PUBLISHED
    in_force = [
        v
        for v in versions
        if v.status == published
        and v.effective_from <= day
        and (v.effective_to is None or v.effective_to > day)
    ]
    if in_force:
        return max(in_force, key=lambda v: v.effective_from)
    published_versions = [v for v in versions if v.status == published]
    if published_versions:
        return max(published_versions, key=lambda v: (v.effective_from, v.version))
    return max(versions, key=lambda v: v.version) if versions else None


def refresh_procedure(procedure: Procedure, *, fallback_name: str | None = None, reload: bool = True) -> bool:
    """Keep ``Procedure.name`` and ``search_text`` in step with the current version; saves only on change.

    ``reload=False`` trusts versions already prefetched on ``procedure``.
    """
    if reload and hasattr(procedure, "_prefetched_objects_cache"):
        procedure._prefetched_objects_cache.pop("versions", None)
    version = current_version_of(procedure)
    name = version.name if version else (fallback_name or procedure.name)
    before = (procedure.name, procedure.search_text)
    procedure.name = name
    procedure.refresh_search_text()
    if (procedure.name, procedure.search_text) == before:
        return False
    procedure.save(update_fields=["name", "search_text"])
    return True


# ---------------------------------------------------------------------------------------------
# Export


def export_catalogue(codes: Iterable[str] | None = None) -> dict[str, Any]:
    """The catalogue (or the procedures with the given codes) as an interchange document.

    Placeholder procedures (created by the dossier importer for unknown codes) are not exported.
    """
    qs = _full_queryset().filter(is_placeholder=False).order_by("code")
    if codes is not None:
        wanted = list(dict.fromkeys(codes))
        qs = qs.filter(code__in=wanted)
        procedures = list(qs)
        missing = sorted(set(wanted) - {p.code for p in procedures})
        if missing:
            raise NotFound(
                f"Không tìm thấy thủ tục có mã {', '.join(missing)} trong danh mục.",
                details={"codes": missing},
            )
    else:
        procedures = list(qs)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "procedures": [procedure_dict(p) for p in procedures],
    }


# ---------------------------------------------------------------------------------------------
# Publication and placeholders


def publish_version(version: ProcedureVersion, *, close_previous: bool = True) -> ProcedureVersion:
    """Publish a draft version.

    With ``close_previous`` an earlier published version without an end date is ended on the new
    version's effective date (the new announcement replaces it); any other overlap is an error.
    """
    with transaction.atomic():
        v = (
            ProcedureVersion.objects.select_for_update()
            .select_related("procedure__field")
            .prefetch_related("workflow_steps")
            .get(pk=version.pk)
        )
        label = f"{v.procedure.code} phiên bản {v.version}"
        if v.status == ProcedureVersion.Status.PUBLISHED:
            raise Conflict(f"Thủ tục {label} đã được công bố.")
        if v.status == ProcedureVersion.Status.REPEALED:
            raise Conflict(f"Thủ tục {label} đã bãi bỏ, không thể công bố lại; hãy tạo phiên bản mới.")
        problems = check_version_rules(
            status=ProcedureVersion.Status.PUBLISHED,
            online_level=v.online_level,
            online_partial_reason=v.online_partial_reason,
            time_limit_value=v.time_limit_value,
            time_limit_unit=v.time_limit_unit,
            effective_from=v.effective_from,
            effective_to=v.effective_to,
            steps=list(v.workflow_steps.all()),
        )
        to_close: list[ProcedureVersion] = []
        others = (
            ProcedureVersion.objects.select_for_update()
            .filter(procedure_id=v.procedure_id, status=ProcedureVersion.Status.PUBLISHED)
            .exclude(pk=v.pk)
        )
        for other in others:
            if not _overlap(v.effective_from, v.effective_to, other.effective_from, other.effective_to):
                continue
            if close_previous and other.effective_to is None and other.effective_from < v.effective_from:
                to_close.append(other)
                continue
            problems.append(
                Problem(
                    ("effective_from",),
                    f"Thời gian hiệu lực trùng với phiên bản {other.version} "
                    f"({_range_text(other.effective_from, other.effective_to)}).",
                )
            )
        if problems:
            details = [
                {
                    "procedure": v.procedure.code,
                    "version": v.version,
                    "field": loc_path(p.loc),
                    "problem": p.message,
                }
                for p in problems
            ]
            raise DomainError(
                f"Không thể công bố {label}: {problems[0].message}", code="publish_invalid", details=details
            )
        for other in to_close:
            other.effective_to = v.effective_from
            other.save(update_fields=["effective_to"])
        v.status = ProcedureVersion.Status.PUBLISHED
        v.save(update_fields=["status"])
        refresh_procedure(v.procedure)
        audit.record(
            "catalogue_publish",
            object_type="catalogue.procedureversion",
            object_id=v.pk,
            summary=f"Công bố thủ tục {label}",
            data={"closed_versions": [o.version for o in to_close]},
        )
    version.refresh_from_db()
    return v


def create_placeholder_procedure(
    code: str, *, name: str = "", level: str = Procedure.Level.PROVINCE
) -> Procedure:
    """A placeholder for a TTHC code that the catalogue does not have yet (e.g. met in imported dossiers).

    Returns the existing procedure when the code is known. The placeholder is flagged
    ``is_placeholder`` for review and is replaced by a real record when the catalogue is imported.
    """
    code = code.strip()
    if not code or len(code) > 40 or not re.fullmatch(PROCEDURE_CODE_PATTERN, code):
        raise DomainError(f"Mã TTHC “{code}” không hợp lệ.", code="invalid_procedure_code")
    existing = Procedure.objects.filter(code=code).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            placeholder_field = (
                Field.objects.filter(code=PLACEHOLDER_FIELD_CODE).first()
                or Field.objects.filter(name=PLACEHOLDER_FIELD_NAME).first()
                or Field.objects.create(code=PLACEHOLDER_FIELD_CODE, name=PLACEHOLDER_FIELD_NAME)
            )
            procedure = Procedure(
                code=code,
                name=name.strip() or f"Thủ tục mã {code} (chưa có trong danh mục)",
                field=placeholder_field,
                level=level,
                is_placeholder=True,
            )
            procedure.refresh_search_text()
            procedure.save()
    except IntegrityError:
        return Procedure.objects.get(code=code)  # created meanwhile by another process
    return procedure
