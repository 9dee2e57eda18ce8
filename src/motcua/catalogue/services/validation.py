"""Validation of a whole interchange document before anything is written: every problem, located."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from pydantic import ValidationError as PydanticValidationError

from motcua.catalogue import doctypes
from motcua.catalogue.eforms import check_schema
from motcua.catalogue.models import DocumentType, Field, Procedure, ProcedureVersion
from motcua.catalogue.schema import CatalogueDocument, FeeDoc, ProcedureDoc, VersionDoc, vietnamese_message
from motcua.catalogue.services.export import full_queryset
from motcua.catalogue.services.problems import Loc, Problem
from motcua.catalogue.services.version_rules import (
    _overlap,
    _range_text,
    check_version_rules,
    hours_per_day_on,
)
from motcua.core.models import OrgUnit

# ---------------------------------------------------------------------------------------------
# Validation of a whole document


@dataclass
class ValidatedDocument:
    document: CatalogueDocument
    procedures: dict[str, Procedure]  # stored procedures named in the document, with versions prefetched
    units: dict[str, OrgUnit]  # every unit reference (code or eid_code) → unit
    fields_by_code: dict[str, Field]
    fields_by_name: dict[str, Field]
    doc_types: dict[str, DocumentType]  # every document type code named → its row


def _stored_procedures(codes: Iterable[str]) -> dict[str, Procedure]:
    return {p.code: p for p in full_queryset().filter(code__in=list(codes))}


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
    doc_types = _document_types(parsed)

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
            problems.extend(_document_problems(v, vbase, doc_types))

        problems.extend(_overlap_problems(p, base, stored.get(p.code)))

    return ValidatedDocument(parsed, stored, units, fields_by_code, fields_by_name, doc_types), problems


def _document_types(parsed: CatalogueDocument) -> dict[str, DocumentType]:
    codes: set[str] = set()
    for p in parsed.procedures:
        for v in p.versions:
            if v.result_doc_type:
                codes.add(v.result_doc_type)
            codes.update(c.doc_type for c in v.components if c.doc_type)
    if not codes:
        return {}
    found = {t.code: t for t in DocumentType.objects.filter(code__in=codes)}
    if (codes - set(found)) & doctypes.KNOWN:
        # a type motcua ships with is missing (a database emptied since it was migrated): put the known
        # ones back rather than refuse a file that names them
        doctypes.ensure()
        found = {t.code: t for t in DocumentType.objects.filter(code__in=codes)}
    return found


def _unknown_type(code: str) -> str:
    return (
        f"Không có loại giấy tờ mã “{code}” trong danh mục loại giấy tờ; dùng một mã đã có "
        "(Quản trị → Loại giấy tờ) hoặc để trống."
    )


def _document_problems(v: VersionDoc, vbase: Loc, doc_types: dict[str, DocumentType]) -> list[Problem]:
    """Document types must exist; a component's e-form must be one motcua can show (``eforms``)."""
    problems: list[Problem] = []
    if v.result_doc_type and v.result_doc_type not in doc_types:
        problems.append(Problem((*vbase, "result_doc_type"), _unknown_type(v.result_doc_type)))
    for k, c in enumerate(v.components):
        if c.doc_type and c.doc_type not in doc_types:
            problems.append(Problem((*vbase, "components", k, "doc_type"), _unknown_type(c.doc_type)))
        if c.eform_schema is not None:
            problems.extend(
                Problem((*vbase, "components", k, "eform_schema"), f"Biểu mẫu điện tử: {message}")
                for message in check_schema(c.eform_schema)
            )
    return problems


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
        problems.extend(_fee_problems(fee, (*vbase, "fees", k)))

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


def _fee_problems(fee: FeeDoc, loc: Loc) -> list[Problem]:
    """A per-page fee needs its page rate; a reduced rate needs the page it starts from; a fixed fee
    has no per-page parts; a fee paid with the online request is one known, fixed amount."""
    out: list[Problem] = []
    if fee.pay_first and (fee.amount_vnd is None or fee.basis != "fixed"):
        out.append(
            Problem(
                (*loc, "pay_first"),
                f"Phí, lệ phí “{fee.name}” nộp khi nộp hồ sơ trực tuyến phải có một mức thu cố định "
                "(ghi mức thu, không tính theo trang).",
            )
        )
    per_page = (fee.reduced_from_page, fee.reduced_vnd, fee.cap_vnd)
    if fee.basis == "fixed" and any(x is not None for x in per_page):
        out.append(
            Problem((*loc, "basis"), "Mức giảm theo trang, mức tối đa mỗi bản chỉ dùng khi tính theo trang.")
        )
    if fee.basis == "per_page" and fee.amount_vnd is None:
        out.append(Problem((*loc, "amount_vnd"), "Phí tính theo trang phải có mức thu mỗi trang."))
    if (fee.reduced_from_page is None) != (fee.reduced_vnd is None):
        out.append(
            Problem(
                (*loc, "reduced_from_page"),
                "Mức giảm theo trang cần cả trang bắt đầu và mức thu từ trang đó.",
            )
        )
    return out


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
