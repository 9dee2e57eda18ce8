"""Write path for organisation data: loading the unit tree and successions, staff and roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from motcua.core.audit import record
from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, OrgUnitSuccession, Role, RoleAssignment, User

UNIT_FIELDS = (
    "name",
    "short_name",
    "kind",
    "admin_code",
    "eid_code",
    "eid_code_generated",
    "is_one_stop",
    "valid_from",
    "valid_to",
    "former_province",
    "formed_from",
    "note",
    "verified",
    "sources",
)


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)


def _parse_date(value: Any, where: str, problems: list[dict[str, Any]]) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append({"unit": where, "problem": f"Ngày “{value}” không đúng dạng YYYY-MM-DD."})
        return None


def load_org(document: dict[str, Any]) -> LoadReport:
    """Create or update units and successions from a ``motcua.org`` document, all or nothing."""
    if document.get("format") != "motcua.org":
        raise DomainError(
            'Tệp không phải dữ liệu tổ chức (thiếu "format": "motcua.org").', code="import_invalid"
        )
    units = document.get("units") or []
    problems: list[dict[str, Any]] = []
    codes = [u.get("code") for u in units]
    known = set(codes) | set(OrgUnit.objects.values_list("code", flat=True))
    kinds = {k for k, _ in OrgUnit.Kind.choices}
    for i, unit in enumerate(units, 1):
        where = unit.get("code") or f"dòng {i}"
        if not unit.get("code") or not unit.get("name"):
            problems.append({"unit": where, "problem": "Thiếu mã hoặc tên đơn vị."})
        if unit.get("kind") not in kinds:
            problems.append(
                {"unit": where, "field": "kind", "problem": f"Loại đơn vị “{unit.get('kind')}” không hợp lệ."}
            )
        if unit.get("parent") and unit["parent"] not in known:
            problems.append(
                {"unit": where, "field": "parent", "problem": f"Không có đơn vị cấp trên “{unit['parent']}”."}
            )
        if codes.count(unit.get("code")) > 1:
            problems.append({"unit": where, "field": "code", "problem": "Mã đơn vị bị trùng trong tệp."})
        _parse_date(unit.get("valid_from"), where, problems)
        _parse_date(unit.get("valid_to"), where, problems)
    for s in document.get("successions") or []:
        for key in ("predecessor", "successor"):
            if s.get(key) not in known:
                problems.append(
                    {
                        "succession": f"{s.get('predecessor')}→{s.get('successor')}",
                        "problem": f"Không có đơn vị “{s.get(key)}”.",
                    }
                )
    if problems:
        raise DomainError(
            "Dữ liệu tổ chức có lỗi; không có thay đổi nào được lưu.", code="import_invalid", details=problems
        )

    report = LoadReport()
    with transaction.atomic():
        by_code = {u.code: u for u in OrgUnit.objects.all()}
        # Parents first: a unit may name a parent that appears later in the file.
        pending = list(units)
        while pending:
            progressed = False
            for unit in list(pending):
                parent_code = unit.get("parent")
                if parent_code and parent_code not in by_code:
                    continue
                values = {k: unit.get(k) for k in UNIT_FIELDS if k in unit}
                for key in ("valid_from", "valid_to"):
                    if key in values:
                        values[key] = _parse_date(values[key], unit["code"], [])
                values = {
                    k: (
                        ""
                        if v is None and k in {"short_name", "admin_code", "former_province", "note"}
                        else v
                    )
                    for k, v in values.items()
                }
                values["parent"] = by_code.get(parent_code) if parent_code else None
                existing = by_code.get(unit["code"])
                if existing is None:
                    obj = OrgUnit(code=unit["code"], **values)
                    _full_clean(obj)
                    obj.save()
                    report.created += 1
                else:
                    obj = existing
                    changed = [k for k, v in values.items() if getattr(obj, k) != v]
                    if changed:
                        for k in changed:
                            setattr(obj, k, values[k])
                        _full_clean(obj)
                        obj.save()
                        report.updated += 1
                    else:
                        report.unchanged += 1
                by_code[obj.code] = obj
                pending.remove(unit)
                progressed = True
            if not progressed:
                raise DomainError(
                    "Cây đơn vị có vòng lặp cấp trên.",
                    code="import_invalid",
                    details=[{"unit": u["code"]} for u in pending],
                )
        for s in document.get("successions") or []:
            OrgUnitSuccession.objects.update_or_create(
                predecessor=by_code[s["predecessor"]],
                successor=by_code[s["successor"]],
                defaults={
                    "effective": date.fromisoformat(s["effective"]),
                    "whole": bool(s.get("whole")),
                    "note": s.get("note", ""),
                    "verified": bool(s.get("verified")),
                },
            )
        record(
            "org_load",
            summary=f"Nạp dữ liệu tổ chức: {report.created} mới, {report.updated} cập nhật",
            data={"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
        )
    return report


def _full_clean(obj: OrgUnit) -> None:
    try:
        obj.full_clean(exclude=["parent", "path"], validate_unique=False)
    except ValidationError as exc:
        raise DomainError(
            f"Đơn vị {obj.code}: dữ liệu không hợp lệ.", code="import_invalid", details=exc.message_dict
        ) from exc


def successors_on(unit: OrgUnit, day: date) -> list[OrgUnit]:
    """Where an ended unit's work went, following successions until units active on ``day``."""
    seen: set[int] = set()
    frontier = [unit]
    result: list[OrgUnit] = []
    while frontier:
        current = frontier.pop()
        if current.pk in seen:
            continue
        seen.add(current.pk)
        if current.is_active_on(day):
            result.append(current)
            continue
        frontier.extend(s.successor for s in current.successions.select_related("successor"))
    return sorted(result, key=lambda u: u.path)


@transaction.atomic
def create_staff(
    *,
    username: str,
    full_name: str,
    password: str,
    unit: OrgUnit,
    roles: list[str],
    job_title: str = "",
    include_subunits: bool = True,
    valid_from: date = date(2025, 7, 1),
) -> User:
    for role in roles:
        if role not in Role.values:
            raise DomainError(f"Vai trò “{role}” không tồn tại.", code="invalid_role")
    is_admin = Role.ADMINISTRATOR in roles
    user = User(
        username=username,
        full_name=full_name,
        job_title=job_title,
        primary_unit=unit,
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    user.set_password(password)
    user.save()
    for role in roles:
        RoleAssignment.objects.create(
            user=user, role=role, unit=unit, include_subunits=include_subunits, valid_from=valid_from
        )
    return user
