"""Online submission, from a draft to a dossier, and what a signed-in citizen may see.

- ``start``: the citizen's open draft of a procedure, or a new one with its e-forms prefilled from what
  the state knows (the account's identity, the population database) and from the citizen's earlier
  answers (``catalogue.eforms.prefill``);
- ``save_form`` keeps what was typed as typed (a draft is never lost, valid or not); ``attach_upload``
  keeps the file in the citizen's warehouse and gives it to the component; ``attach_item`` takes a
  document already in the warehouse (the component is then "reused", 766 indicators 4.3–4.4);
- ``problems``: everything that would stop the submission, in the citizen's words;
- ``submit``: the draft becomes a dossier through ``dossiers.services.submit_online`` — once: the draft
  row is locked and a second submission of the same draft returns the first dossier.
- ``visible_dossiers`` / ``visible_items``: a proven account sees its person's or organisation's whole
  record; another only what it submitted and uploaded itself (``citizens.models``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.catalogue import eform_render, eforms
from motcua.catalogue.models import Component, ProcedureVersion
from motcua.citizens import services as accounts
from motcua.citizens.models import Account
from motcua.core import audit
from motcua.core.errors import DomainError, NotFound
from motcua.core.models import Organisation, OrgUnit, Person
from motcua.documents import warehouse
from motcua.documents.models import WarehouseItem
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Channel, Dossier, ResultDelivery
from motcua.online.models import Draft

ONLINE = "online"  # the catalogue's channel code of online submission


class DraftInvalid(DomainError):
    status = 422
    code = "draft_invalid"


def party(account: Account) -> Person | Organisation:
    found = account.person or account.organisation
    assert found is not None
    return found


# -- where to submit -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    receiving: OrgUnit
    competent: OrgUnit

    @property
    def key(self) -> str:
        return f"{self.receiving.pk}-{self.competent.pk}"

    @property
    def label(self) -> str:
        if self.receiving.pk == self.competent.pk:
            return self.competent.name
        return f"{self.competent.name} (nộp qua {self.receiving.name})"


def places(version: ProcedureVersion, day: date) -> list[Place]:
    """Where the procedure can be submitted: each implementing unit, through its own one-stop section
    or, for a unit without one (a department), the city's public administration service centre."""
    active = OrgUnit.objects.active_on(day)
    centre = active.filter(is_one_stop=True, kind=OrgUnit.Kind.SERVICE_CENTRE).order_by("path").first()
    out: list[Place] = []
    for unit in active.filter(pk__in=version.implementing_units.values("pk")).order_by("name"):
        if unit.is_one_stop:
            out.append(Place(unit, unit))
        elif centre is not None:
            out.append(Place(centre, unit))
    return out


def place_of(draft: Draft) -> Place | None:
    if draft.receiving_unit is None or draft.competent_unit is None:
        return None
    return Place(draft.receiving_unit, draft.competent_unit)


# -- the draft -------------------------------------------------------------------------------------


def version_in_force(code: str, day: date | None = None) -> ProcedureVersion:
    """The version of ``code`` in force that can be submitted online; ``NotFound`` otherwise."""
    today = day or timezone.localdate()
    version = (
        ProcedureVersion.objects.in_force(today)
        .filter(procedure__code=code, procedure__is_placeholder=False)
        .select_related("procedure")
        .first()
    )
    if version is None:
        raise NotFound(f"Không tìm thấy thủ tục có mã {code}.")
    if version.online_level == ProcedureVersion.OnlineLevel.NONE:
        raise DraftInvalid(
            "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại Bộ phận Một cửa.",
            code="procedure_not_online",
        )
    return version


def online_components(version: ProcedureVersion) -> list[Component]:
    return [
        c for c in version.components.select_related("doc_type").order_by("order") if c.applies_to(ONLINE)
    ]


def schema_of(component: Component) -> dict[str, Any]:
    """The component's e-form (``{}`` when it has none)."""
    found = component.eform_schema
    return found if isinstance(found, dict) else {}


def eform_components(version: ProcedureVersion) -> list[Component]:
    return [c for c in online_components(version) if c.eform_schema]


def document_components(version: ProcedureVersion) -> list[Component]:
    return [c for c in online_components(version) if not c.eform_schema]


def drafts_of(account: Account) -> QuerySet[Draft]:
    return Draft.objects.filter(account=account).select_related("procedure", "version", "dossier")


def draft_for(account: Account, token: str) -> Draft:
    """The account's own draft (anyone else's is "not found", like a missing one)."""
    found = drafts_of(account).filter(token=token).first() if _uuid(token) else None
    if found is None:
        raise NotFound("Không tìm thấy hồ sơ đang soạn này.")
    return found


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True


def _previous_answers(account: Account) -> dict[str, Any]:
    """The citizen's latest answer to each field path in their submitted drafts."""
    answers: dict[str, Any] = {}
    for old in drafts_of(account).filter(dossier__isnull=False).order_by("submitted_at"):
        for typed in (old.typed or {}).values():
            if isinstance(typed, dict):
                answers.update({k: v for k, v in typed.items() if isinstance(v, str) and v.strip()})
    return answers


def start(account: Account, code: str, *, via_idp: bool) -> Draft:
    """The account's draft of procedure ``code`` still being written, or a new one prefilled."""
    version = version_in_force(code)
    existing = (
        drafts_of(account)
        .filter(procedure=version.procedure, dossier__isnull=True)
        .order_by("-updated_at")
        .first()
    )
    if existing is not None:
        return existing
    known = accounts.known_values(account)
    previous = _previous_answers(account)
    typed: dict[str, dict[str, str]] = {}
    prefilled: dict[str, list[str]] = {}
    for component in eform_components(version):
        data, paths = eforms.prefill(schema_of(component), known, previous)
        typed[str(component.pk)] = _as_typed(schema_of(component), data)
        prefilled[str(component.pk)] = sorted(paths)
    day = timezone.localdate()
    choices = places(version, day)
    with transaction.atomic():
        draft = Draft.objects.create(
            account=account,
            procedure=version.procedure,
            version=version,
            typed=typed,
            prefilled=prefilled,
            receiving_unit=choices[0].receiving if len(choices) == 1 else None,
            competent_unit=choices[0].competent if len(choices) == 1 else None,
            via_identity_provider=via_idp,
        )
        audit.record(
            "online.draft_started",
            object_type="online.draft",
            object_id=str(draft.token),
            summary=f"Bắt đầu soạn hồ sơ trực tuyến thủ tục {version.procedure.code}",
        )
    return draft


def _as_typed(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    """Prefilled answers as the form's inputs hold them (ISO dates, choices by value, "on" ticked)."""
    out: dict[str, str] = {}
    for item in eform_render.iter_fields(eform_render.fields(schema, data, {})):
        if item.kind == "checkbox":
            if item.value is True:
                out[item.name] = "on"
        elif item.value not in ("", None):
            out[item.name] = str(item.value)
    return out


def component_of(draft: Draft, component_id: int | str) -> Component:
    try:
        number = int(component_id)
    except (TypeError, ValueError):
        raise NotFound("Không có thành phần hồ sơ này.") from None
    for component in online_components(draft.version):
        if component.pk == number:
            return component
    raise NotFound("Không có thành phần hồ sơ này.")


def _editable(draft: Draft) -> None:
    if draft.dossier_id is not None:
        raise DraftInvalid("Hồ sơ này đã nộp; không sửa được bản nháp nữa.", code="draft_submitted")


def save_form(draft: Draft, component: Component, posted: Mapping[str, str]) -> Draft:
    """Keep what was typed in the component's e-form, as typed (only the form's own fields)."""
    _editable(draft)
    names = {f.path for f in eforms.field_specs(schema_of(component))}
    typed = {k: str(v)[:5000] for k, v in posted.items() if k in names and str(v).strip()}
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        _editable(locked)
        locked.typed = {**(locked.typed or {}), str(component.pk): typed}
        locked.updated_at = timezone.now()
        locked.save(update_fields=["typed", "updated_at"])
    return locked


def form_state(draft: Draft, component: Component) -> tuple[dict[str, Any], dict[str, str]]:
    """The e-form's answers (typed values converted) and its problems."""
    typed = (draft.typed or {}).get(str(component.pk)) or {}
    data = eforms.coerce(schema_of(component), typed)
    return data, eforms.validate(schema_of(component), data)


def save_choices(draft: Draft, *, place: str, delivery: str, address: str) -> Draft:
    """Where to submit and how to receive the result."""
    _editable(draft)
    chosen = next((p for p in places(draft.version, timezone.localdate()) if p.key == place), None)
    if place and chosen is None:
        raise DraftInvalid("Nơi nộp hồ sơ không hợp lệ; hãy chọn lại.", code="place_invalid")
    if delivery not in ResultDelivery.values:
        raise DraftInvalid("Hãy chọn cách nhận kết quả.", code="delivery_invalid")
    text = " ".join(address.split())[:255]
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        _editable(locked)
        if chosen is not None:
            locked.receiving_unit, locked.competent_unit = chosen.receiving, chosen.competent
        locked.delivery, locked.delivery_address = delivery, text
        locked.updated_at = timezone.now()
        locked.save(
            update_fields=["receiving_unit", "competent_unit", "delivery", "delivery_address", "updated_at"]
        )
    return locked


def doc_type_of(component: Component) -> str:
    """The code of the type of paper the component asks for ("" when the catalogue names none)."""
    return component.doc_type.code if component.doc_type is not None else ""


def attach_upload(draft: Draft, component: Component, data: bytes, *, title: str = "") -> WarehouseItem:
    """The citizen uploads the component's document: kept in their warehouse, given to the component."""
    _editable(draft)
    account = draft.account
    item = warehouse.keep_upload(
        party(account),
        data,
        title=title or component.name[:200],
        doc_type=doc_type_of(component),
        account_id=account.pk,
    )
    _give(draft, component, item, reused=False)
    return item


def attach_item(draft: Draft, component: Component, item_id: int | str) -> WarehouseItem:
    """The citizen takes a document already in their warehouse for the component."""
    _editable(draft)
    item = visible_items(draft.account, usable=True).filter(pk=_number(item_id)).first()
    if item is None:
        raise NotFound("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn.")
    wanted = doc_type_of(component)
    if wanted and item.doc_type and item.doc_type != wanted:
        raise DraftInvalid(
            "Giấy tờ đã chọn không đúng loại giấy tờ thành phần hồ sơ này yêu cầu.", code="doc_type"
        )
    _give(draft, component, item, reused=True)
    return item


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _give(draft: Draft, component: Component, item: WarehouseItem, *, reused: bool) -> None:
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        _editable(locked)
        locked.documents = {
            **(locked.documents or {}),
            str(component.pk): {"item": item.pk, "reused": reused},
        }
        locked.updated_at = timezone.now()
        locked.save(update_fields=["documents", "updated_at"])
        draft.documents = locked.documents


def detach(draft: Draft, component: Component) -> None:
    _editable(draft)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        _editable(locked)
        documents = dict(locked.documents or {})
        documents.pop(str(component.pk), None)
        locked.documents = documents
        locked.updated_at = timezone.now()
        locked.save(update_fields=["documents", "updated_at"])
        draft.documents = documents


@dataclass
class Problems:
    forms: dict[int, dict[str, str]] = field(default_factory=dict)  # component id → field → message
    missing: list[str] = field(default_factory=list)  # components without their document
    other: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.forms or self.missing or self.other)

    def messages(self) -> list[str]:
        out = list(self.other)
        out += [f"Chưa có giấy tờ: {name}" for name in self.missing]
        out += ["Tờ khai chưa hoàn chỉnh." for _ in self.forms][:1]
        return out


def problems(draft: Draft) -> Problems:
    """Everything that would stop the submission."""
    found = Problems()
    # a component is given by its document, or by its e-form filled in without a problem
    given = {int(k) for k in (draft.documents or {})}
    for component in eform_components(draft.version):
        data, errors = form_state(draft, component)
        if errors:
            found.forms[component.pk] = errors
        elif data:
            given.add(component.pk)
    for names in dossier_services.missing_components(online_components(draft.version), given, Channel.ONLINE):
        found.missing.append(" hoặc ".join(names))
    if place_of(draft) is None:
        found.other.append("Chưa chọn nơi nộp hồ sơ.")
    if draft.delivery == ResultDelivery.POST and not draft.delivery_address:
        found.other.append("Nhận kết quả qua bưu chính cần địa chỉ nhận.")
    return found


def submit(draft: Draft, *, via_idp: bool) -> Dossier:
    """Submit the draft: the dossier with its code, first event, audit entry and outbox rows, in one
    transaction. A draft submitted already returns its dossier (a repeated click, a resent form)."""
    with transaction.atomic():
        locked = (
            Draft.objects.select_for_update()
            .select_related("account", "version", "procedure")
            .get(pk=draft.pk)
        )
        if locked.dossier_id is not None:
            return Dossier.objects.get(pk=locked.dossier_id)
        found = problems(locked)
        if found:
            raise DraftInvalid(
                "Hồ sơ chưa đủ để nộp: " + "; ".join(found.messages()), code="draft_incomplete"
            )
        place = place_of(locked)
        assert place is not None
        account = locked.account
        inputs: list[dossier_services.ComponentInput] = []
        eform_data: dict[str, Any] = {}
        for component in eform_components(locked.version):
            data, _errors = form_state(locked, component)
            if data:
                eform_data[str(component.pk)] = data
                inputs.append(
                    dossier_services.ComponentInput(
                        component_id=component.pk, kind="electronic", received=True
                    )
                )
        # what the draft points at, still in the warehouse and not revoked since
        chosen = [v["item"] for v in locked.documents.values()]
        items = {i.pk: i for i in visible_items(account, usable=True).filter(pk__in=chosen)}
        for key, given in (locked.documents or {}).items():
            item = items.get(int(given["item"]))
            if item is None:
                raise DraftInvalid(
                    "Một giấy tờ đính kèm không còn trong kho dữ liệu hoặc đã bị thu hồi; hãy đính kèm lại."
                )
            inputs.append(
                dossier_services.ComponentInput(
                    component_id=int(key),
                    received=True,
                    file=warehouse.as_upload(item),
                    reused=bool(given.get("reused")),
                )
            )
        used_population = bool(account.population_record) and any(
            any(s.startswith("population.") for s in f.prefill)
            for c in eform_components(locked.version)
            for f in eforms.field_specs(schema_of(c))
        )
        dossier = dossier_services.submit_online(
            applicant=party(account),
            procedure=locked.procedure,
            receiving_unit=place.receiving,
            competent_unit=place.competent,
            components=inputs,
            result_delivery=locked.delivery,
            extra={
                "eforms": eform_data,
                **({"delivery_address": locked.delivery_address} if locked.delivery_address else {}),
            },
            vneid_authenticated=via_idp,
            population_db_code=account.population_record if used_population else "",
        )
        locked.dossier = dossier
        locked.submitted_at = timezone.now()
        locked.via_identity_provider = via_idp
        locked.save(update_fields=["dossier", "submitted_at", "via_identity_provider"])
    return dossier


# -- what a signed-in citizen may see ----------------------------------------------------------------


def visible_dossiers(account: Account) -> QuerySet[Dossier]:
    """The dossiers a portal account may see: all of its person's or organisation's once proven, else
    those it submitted itself."""
    if account.trusted:
        if account.person_id is not None:
            return Dossier.objects.filter(applicant_person_id=account.person_id)
        return Dossier.objects.filter(applicant_organisation_id=account.organisation_id)
    return Dossier.objects.filter(online_draft__account=account)


def dossier_for(account: Account, code: str) -> Dossier:
    found = visible_dossiers(account).filter(code=code).first()
    if found is None:
        raise NotFound(f"Không tìm thấy hồ sơ có mã {code} trong hồ sơ của bạn.")
    return found


def visible_items(account: Account, *, usable: bool = False) -> QuerySet[WarehouseItem]:
    """The warehouse documents the account may see and use: all of the holder's once proven; else the
    ones it uploaded and the results of the dossiers it submitted."""
    items = warehouse.items_for(party(account), usable=usable)
    if account.trusted:
        return items
    return items.filter(Q(account_id=account.pk) | Q(dossier__online_draft__account=account))


def supplement(
    account: Account,
    dossier: Dossier,
    *,
    files: list[bytes],
    picks: list[str],
    note: str,
    expected_version: int,
) -> Dossier:
    """Answer the open supplement request of the account's dossier with new files (kept in the
    warehouse too) and documents picked from the warehouse."""
    holder = party(account)
    inputs: list[dossier_services.ComponentInput] = []
    for data in files:
        if not data:
            continue
        item = warehouse.keep_upload(holder, data, title="Giấy tờ bổ sung", account_id=account.pk)
        inputs.append(
            dossier_services.ComponentInput(
                name="Giấy tờ bổ sung", file=warehouse.as_upload(item), reused=False
            )
        )
    for pick in picks:
        chosen = visible_items(account, usable=True).filter(pk=_number(pick)).first()
        if chosen is None:
            raise NotFound("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn.")
        inputs.append(
            dossier_services.ComponentInput(name=chosen.title, file=warehouse.as_upload(chosen), reused=True)
        )
    return dossier_services.supplement_online(
        dossier.code, applicant=holder, expected_version=expected_version, components=inputs, note=note
    )
