"""Procedure details from the national public service portal (``LayThuTuc``) become a **draft version
for review**, never a silent change of the catalogue.

``propose_from_portal(code)`` asks the portal for the procedure and compares what it publishes with the
version in force here: the name (``TENTTHC``), the time limit (``THOIGIANGIAIQUYET`` + ``DONVITINH``),
the sequence (``TRINHTUTHUCHIEN``) and the method (``CACHTHUCTHUCHIEN``). When something differs, a new
version is written through the catalogue's own import (``catalogue.services.import_catalogue``, with its
validation): a copy of the version in force (components, fees, workflow) with the portal's values, status
*Dự thảo*, taking effect on the day it is proposed, its notes naming each field that changed with the old
and the new value. An administrator reviews and publishes it (catalogue administration), or deletes it.
A proposal identical to a draft already waiting is not written again.

❓ The answer's deeper shape is assumed (docs/integrations.md): ``result[0]`` with the fields above, the
sequence and method as text or as lists of texts or of ``{"MOTA"|"TEN…": text}``; ``DONVITINH`` in words
("Ngày làm việc", "Giờ làm việc", "Ngày", "Tháng").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from motcua.catalogue.models import LimitUnit, ProcedureVersion
from motcua.catalogue.schema import FORMAT_NAME, FORMAT_VERSION
from motcua.catalogue.services import export, import_catalogue, procedure_dict
from motcua.core import audit
from motcua.core.errors import DomainError
from motcua.integrations import registry

UNITS = {
    "ngày làm việc": LimitUnit.WORKING_DAYS,
    "giờ làm việc": LimitUnit.WORKING_HOURS,
    "ngày": LimitUnit.CALENDAR_DAYS,
    "tháng": LimitUnit.CALENDAR_MONTHS,
    "trong ngày": LimitUnit.SAME_DAY,
}
SOURCE = "Cổng Dịch vụ công quốc gia (LayThuTuc)"


@dataclass
class Proposal:
    code: str
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # field label → (here, portal)
    version: int | None = None  # the draft written, if any
    already: bool = False  # the same draft was waiting already


def _text(value: Any) -> str:
    """A sequence or method as one text: a string, or a list of strings / ``{…: text}`` items."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                item = next(
                    (
                        v
                        for k, v in item.items()
                        if isinstance(v, str) and k.upper().startswith(("MOTA", "TEN"))
                    ),
                    "",
                )
            if isinstance(item, str) and item.strip():
                parts.append(item.strip())
        return "\n".join(parts)
    return ""


def _limit(national: dict[str, Any]) -> tuple[Decimal, str] | None:
    unit = UNITS.get(str(national.get("DONVITINH") or "").strip().lower())
    try:
        value = Decimal(str(national.get("THOIGIANGIAIQUYET")))
    except (InvalidOperation, ValueError):
        return None
    if unit is None or value < 0:
        return None
    return value, unit


def _fetch(code: str) -> dict[str, Any]:
    try:
        answer = registry.query("dvcqg", {"service": "LayThuTuc", "MaTTHC": code})
    except registry.QueryFailed as exc:
        raise DomainError(exc.message, code="portal_unavailable", status=503) from None
    found = answer.get("result") or []
    if not found or not isinstance(found[0], dict):
        raise DomainError(f"Cổng DVCQG không có thủ tục {code}.", code="portal_procedure_unknown", status=404)
    return found[0]


def propose_from_portal(code: str) -> Proposal:
    """Compare the portal's procedure ``code`` with the version in force; write a draft when they
    differ (see the module)."""
    procedure = export.full_queryset().filter(code=code).first()
    if procedure is None:
        raise DomainError(f"Không có thủ tục {code} trong danh mục.", code="procedure_unknown", status=404)
    today = timezone.localdate()
    current = ProcedureVersion.objects.in_force(today).filter(procedure=procedure).first()
    if current is None:
        raise DomainError(f"Thủ tục {code} không có phiên bản đang hiệu lực.", code="no_version", status=409)
    national = _fetch(code)
    here = next(v for v in procedure.versions.all() if v.pk == current.pk)
    draft = export.version_dict(here)
    proposal = Proposal(code)
    name = str(national.get("TENTTHC") or "").strip()
    if name and name != here.name:
        proposal.changes["tên thủ tục"] = (here.name, name)
        draft["name"] = name
    limit = _limit(national)
    if limit is not None and (limit[0], limit[1]) != (here.time_limit_value, here.time_limit_unit):
        old = f"{here.time_limit_value.normalize()} {LimitUnit(here.time_limit_unit).label}"
        proposal.changes["thời hạn giải quyết"] = (old, f"{limit[0].normalize()} {LimitUnit(limit[1]).label}")
        draft["time_limit"] = {
            "value": float(limit[0]),
            "unit": limit[1],
            "text": draft["time_limit"]["text"],
        }
    texts = (
        ("TRINHTUTHUCHIEN", "sequence", "trình tự thực hiện"),
        ("CACHTHUCTHUCHIEN", "method", "cách thức thực hiện"),
    )
    for key, attr, label in texts:
        text = _text(national.get(key))
        if text and text != getattr(here, attr):
            proposal.changes[label] = (getattr(here, attr), text)
            draft[attr] = text
    if not proposal.changes:
        return proposal
    summary = "; ".join(
        f"{label}: “{old[:80]}” → “{new[:80]}”" for label, (old, new) in proposal.changes.items()
    )
    waiting = [v for v in procedure.versions.all() if v.status == ProcedureVersion.Status.DRAFT]
    for v in waiting:
        if (v.notes or {}).get("de_xuat_tu_cong") == summary:
            proposal.already, proposal.version = True, v.version
            return proposal
    number = max(v.version for v in procedure.versions.all()) + 1
    draft.update(
        version=number,
        status=ProcedureVersion.Status.DRAFT,
        effective_from=today.isoformat(),
        effective_to=None,
        decision="",
        decision_date=None,
        notes={**draft["notes"], "de_xuat_tu_cong": summary},
        sources=[*draft["sources"], f"{SOURCE}, {today:%d/%m/%Y}"],
    )
    stored = procedure_dict(procedure)
    stored["versions"].append(draft)
    import_catalogue({"format": FORMAT_NAME, "version": FORMAT_VERSION, "procedures": [stored]})
    proposal.version = number
    audit.record(
        "catalogue.proposed_from_portal",
        object_type="catalogue.procedure",
        object_id=code,
        summary=f"Dự thảo phiên bản {number} của thủ tục {code} theo Cổng DVCQG: {summary}"[:255],
        data={"changes": {k: list(v) for k, v in proposal.changes.items()}, "version": number},
    )
    return proposal
