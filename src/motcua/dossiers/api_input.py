"""The dossier API's input side: path codes, unit, account and procedure references, catalogue
components and the applicant, turned into what ``dossiers.services`` expects (``InvalidDossierInput``
with the offending field otherwise)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from motcua.catalogue.models import Component, Procedure, ProcedureVersion
from motcua.core import people
from motcua.core.models import Organisation, OrgUnit, Person, User
from motcua.dossiers import schemas as s
from motcua.dossiers import services
from motcua.dossiers.rules import DossierNotFound, InvalidDossierInput


def check_code(code: str) -> str:
    """A path code that can be a dossier code; anything else is simply not found."""
    if not code or len(code) > 60 or "\x00" in code:
        raise DossierNotFound(f"Không tìm thấy hồ sơ có mã {code[:60]!s}.")
    return code


def find_unit(code: str, field: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first() or OrgUnit.objects.filter(eid_code=code).first()
    if unit is None:
        raise InvalidDossierInput(
            f"Không có đơn vị mã “{code}”.", code="unit_unknown", details={"field": field}
        )
    return unit


def find_assignee(username: str | None) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidDossierInput(
            f"Không có tài khoản cán bộ “{username}” đang hoạt động.",
            code="assignee_invalid",
            details={"field": "assignee"},
        )
    return user


def find_procedure(code: str) -> Procedure:
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        raise InvalidDossierInput(
            f"Không có thủ tục hành chính mã “{code}”.",
            code="procedure_unknown",
            details={"field": "procedure"},
        )
    return procedure


def component_inputs(
    version_components: Sequence[Component], given: Sequence[s.ComponentIn]
) -> list[services.ComponentInput]:
    """Catalogue references (order or code) → the catalogue ids the services expect."""
    by_order = {c.order: c for c in version_components}
    by_code = {c.code: c for c in version_components if c.code}
    inputs = []
    for i, item in enumerate(given):
        component = None
        if item.order is not None or item.code:
            component = by_order.get(item.order) if item.order is not None else by_code.get(item.code or "")
            if component is None:
                ref = f"thứ tự {item.order}" if item.order is not None else f"mã “{item.code}”"
                raise InvalidDossierInput(
                    f"Giấy tờ {ref} không thuộc thành phần hồ sơ của thủ tục (phiên bản đang có hiệu lực).",
                    code="component_unknown",
                    details={"field": f"components.{i}"},
                )
        inputs.append(
            services.ComponentInput(
                component_id=component.pk if component else None,
                name=item.name,
                kind=item.kind or "original",
                quantity=item.quantity,
                received=item.received,
                digitised=item.digitised,
                reused=item.reused,
            )
        )
    return inputs


def catalogue_components(procedure: Procedure, day: date) -> list[Component]:
    version = ProcedureVersion.objects.in_force(day).filter(procedure=procedure).first()
    return [] if version is None else list(version.components.all())


def applicant_of(data: s.ApplicantIn) -> Person | Organisation:
    """The applicant on record, or a new one (``core.people``: checked, and safe when another
    counter registers the same number at the same moment), inside the caller's transaction."""
    try:
        if data.citizen_id:
            return people.person(
                people.PersonIn(
                    citizen_id=data.citizen_id,
                    full_name=data.full_name or "",
                    birth_date=data.birth_date,
                    phone=data.phone,
                    email=data.email,
                    address=data.address,
                )
            )[0]
        return people.organisation(
            people.OrganisationIn(
                tax_code=data.tax_code or "",
                name=data.full_name or "",
                representative=data.representative,
                phone=data.phone,
                email=data.email,
                address=data.address,
            )
        )[0]
    except people.ApplicantInvalid as exc:
        field = {"id_number": "citizen_id" if data.citizen_id else "tax_code", "name": "full_name"}.get(
            exc.field, exc.field
        )
        raise InvalidDossierInput(
            exc.message, code=exc.code, details={"field": f"applicant.{field}"}
        ) from None
