"""The interchange form: the same dict for a stored version and for a document version; the export."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Prefetch

from motcua.catalogue.models import Field, Procedure, ProcedureVersion
from motcua.catalogue.schema import FORMAT_NAME, FORMAT_VERSION, VersionDoc
from motcua.catalogue.selectors import with_parts
from motcua.core.errors import NotFound
from motcua.core.models import OrgUnit

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
        "result_doc_type": v.result_doc_type.code if v.result_doc_type else None,
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
                "doc_type": c.doc_type.code if c.doc_type else None,
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
                **(
                    {
                        "basis": f.basis,
                        "reduced_from_page": f.reduced_from_page,
                        "reduced_vnd": int(f.reduced_vnd) if f.reduced_vnd is not None else None,
                        "cap_vnd": int(f.cap_vnd) if f.cap_vnd is not None else None,
                    }
                    if f.basis != "fixed"
                    else {}
                ),
                "exemptions": f.exemptions,
                **({"exemption_rules": list(f.exemption_rules)} if f.exemption_rules else {}),
                "pay_first": f.pay_first,
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


PER_PAGE_KEYS = ("basis", "reduced_from_page", "reduced_vnd", "cap_vnd")


def _desired_version_dict(v: VersionDoc, units: dict[str, OrgUnit]) -> dict[str, Any]:
    data = v.model_dump(mode="json")
    data["implementing_units"] = sorted({units[ref].code for ref in v.implementing_units})
    for step in data["workflow"]:
        if step["unit"]:
            step["unit"] = units[step["unit"]].code
    data["components"].sort(key=lambda c: c["order"])
    data["fees"].sort(key=lambda f: f["order"])
    for fee in data["fees"]:  # as the export writes it: the per-page parts only for a per-page fee
        if fee["basis"] == "fixed":
            for key in PER_PAGE_KEYS:
                fee.pop(key, None)
        if not fee.get("exemption_rules"):  # written only when there are some
            fee.pop("exemption_rules", None)
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


def full_queryset() -> models.QuerySet[Procedure]:
    versions = with_parts(ProcedureVersion.objects.order_by("version"), units_by="code")
    return Procedure.objects.select_related("field").prefetch_related(Prefetch("versions", queryset=versions))


# ---------------------------------------------------------------------------------------------
# Export


def export_catalogue(codes: Iterable[str] | None = None) -> dict[str, Any]:
    """The catalogue (or the procedures with the given codes) as an interchange document.

    Placeholder procedures (created by the dossier importer for unknown codes) are not exported.
    """
    qs = full_queryset().filter(is_placeholder=False).order_by("code")
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
