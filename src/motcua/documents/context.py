"""What each form prints, from a dossier's history as it was at the moment the form records."""

from __future__ import annotations

import urllib.parse
from datetime import datetime
from decimal import Decimal
from typing import Any

import segno
from django.conf import settings
from django.utils import translation

from motcua.catalogue import fees
from motcua.catalogue.models import Fee, WorkflowStep
from motcua.documents.forms import RECEIPT, FormSpec
from motcua.dossiers.clock import action_of, parse_moment
from motcua.dossiers.lookup import DossierDetail
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierFee, ResultDelivery
from motcua.dossiers.rules import ACTION_LABELS, Action
from motcua.dossiers.services import workflow_steps
from motcua.workdays.domain.calendar import to_local

STEP_RESULT = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
APPLICANT = "Người nộp hồ sơ"
# The hand-overs a control sheet lists (Mẫu 05: one row per transfer between units or people).
CONTROL_ACTIONS = frozenset(
    {
        Action.RECEIVE_AT_COUNTER,
        Action.ACCEPT_ONLINE,
        Action.HAND_OVER,
        Action.SEND_BACK,
        Action.ASSIGN,
        Action.REQUEST_SUPPLEMENT,
        Action.RECEIVE_SUPPLEMENT,
        Action.REQUEST_INTAKE_SUPPLEMENT,
        Action.SUPPLEMENT_ONLINE,
        Action.REQUEST_CONSULTATION,
        Action.ANSWER_CONSULTATION,
        Action.REFUSE_AFTER_APPRAISAL,
        Action.STOP,
        Action.MARK_RESULT_READY,
        Action.RETURN_RESULT,
    }
)


def officer(event: DossierEvent) -> str:
    """The officer who acted, as printed under a signature; "" for a step recorded without one (an
    imported history names its source there, which is no person's name)."""
    return event.actor_label if event.actor_id is not None else ""


def place_name() -> str:
    """The place on the date line: "Hải Phòng" of "Thành phố Hải Phòng"."""
    name = str(settings.MOTCUA_PROVINCE_NAME)
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def long_date(moment: datetime) -> str:
    local = to_local(moment)
    return f"ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def clock_text(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = to_local(moment)
    return f"{local:%H} giờ {local:%M} phút, {long_date(moment)}"


def tracking_url(code: str) -> str:
    return f"{settings.MOTCUA_PUBLIC_URL}/tra-cuu-ho-so/?{urllib.parse.urlencode({'ma': code})}"


def qr_data_uri(text: str) -> str:
    return str(segno.make(text, error="m").svg_data_uri(scale=3, border=1))


def _money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".") + " đồng"


def _fee_text(fee: DossierFee) -> str:
    """A fee line as the receipt prints it: the amount, or for a fee by page (certified copies) its
    rates, the amount being known only once the original's pages are counted."""
    listed = fee.catalogue_fee
    if listed is not None and listed.basis == Fee.Basis.PER_PAGE:
        with translation.override("vi"):
            return fees.describe(listed)
    return _money(fee.amount_vnd)


def _issuer(dossier: Dossier) -> dict[str, str]:
    unit = dossier.receiving_unit
    parent = unit.parent if unit.parent_id else None
    return {
        "authority": (parent.name if parent else str(settings.MOTCUA_PROVINCE_NAME)).upper(),
        "unit": unit.name.upper(),
        "unit_name": unit.name,
    }


def _applicant(dossier: Dossier) -> dict[str, str]:
    holder = dossier.applicant_person or dossier.applicant_organisation
    kind = "Số định danh cá nhân" if dossier.applicant_person_id else "Mã số thuế"
    return {
        "name": dossier.applicant_name,
        "id_label": kind if dossier.applicant_id_number else "",
        "id_number": dossier.applicant_id_number,
        "address": getattr(holder, "address", "") or "",
        "phone": getattr(holder, "phone", "") or "",
        "email": getattr(holder, "email", "") or "",
    }


def base(spec: FormSpec, detail: DossierDetail, at: datetime, number: str) -> dict[str, Any]:
    return {"spec": spec, **base_context(detail, at, number)}


def base_context(detail: DossierDetail, at: datetime, number: str) -> dict[str, Any]:
    """What every document of a dossier prints: its issuer, number, applicant, date line, QR code."""
    dossier = detail.dossier
    return {
        "d": dossier,
        "number": number,
        "issuer": _issuer(dossier),
        "applicant": _applicant(dossier),
        "procedure": dossier.procedure_version.name,
        "procedure_code": dossier.procedure.code,
        "place": place_name(),
        "date_line": long_date(at),
        "qr": qr_data_uri(tracking_url(dossier.code)),
        "tracking": tracking_url(dossier.code),
    }


def receipt(detail: DossierDetail, event: DossierEvent) -> dict[str, Any]:
    dossier = detail.dossier
    data = event.data or {}
    received: list[DossierComponent] = [
        c for c in detail.components if c.supplement_id is None and c.received
    ]
    return {
        "received_at": clock_text(parse_moment(data.get("received_at")) or event.at),
        "due_at": clock_text(event.due_at),
        "components": [(c.name, c.get_kind_display(), c.quantity) for c in received],
        "fees": [(f.name, _fee_text(f)) for f in detail.fees],
        "delivery": ResultDelivery(dossier.result_delivery).label,
        "officer": officer(event),
        "online": dossier.channel != 1,
    }


def supplement(detail: DossierDetail, event: DossierEvent) -> dict[str, Any]:
    data = event.data or {}
    found = next((s for s in detail.supplements if s.pk == data.get("supplement_id")), None)
    items = list(found.items if found else data.get("items") or [])
    return {
        "items": items,
        "reasons": found.reasons if found else data.get("reasons", ""),
        "officer": officer(event),
        "requested_at": clock_text(event.at),
    }


def refusal(detail: DossierDetail, event: DossierEvent) -> dict[str, Any]:
    return {"reasons": (event.data or {}).get("reasons", ""), "officer": officer(event)}


def apology(detail: DossierDetail, event: DossierEvent) -> dict[str, Any]:
    data = event.data or {}
    return {
        "received_at": clock_text(detail.dossier.received_at),
        "old_due": clock_text(parse_moment(data.get("old_due"))),
        "new_due": clock_text(parse_moment(data.get("new_due"))),
        "reason": data.get("reason", ""),
        "officer": officer(event),
        "ordinal": data.get("ordinal", 1),
    }


def _step_names(version_id: int) -> dict[str, WorkflowStep]:
    return {s.code: s for s in workflow_steps(version_id)}


def control(detail: DossierDetail, upto: int) -> dict[str, Any]:
    """The control sheet as of version ``upto``: one row per hand-over, with the result of the step
    that ended there (trước hạn / đúng hạn / quá hạn)."""
    dossier = detail.dossier
    steps = _step_names(dossier.procedure_version_id)
    rows = []
    for event in detail.events:
        if event.seq > upto:
            break
        action = action_of(event)
        if action is None or action not in CONTROL_ACTIONS:
            continue
        data = event.data or {}
        closed = data.get("closed_step") if isinstance(data.get("closed_step"), dict) else {}
        if action in RECEIPT:
            giver, who = APPLICANT, officer(event)
            receiver = f"{who} ({dossier.receiving_unit.name})" if who else dossier.receiving_unit.name
        elif action is Action.SUPPLEMENT_ONLINE:  # handed in on the portal
            giver, receiver = APPLICANT, dossier.receiving_unit.name
        else:
            giver = officer(event) or "—"
            if action is Action.RETURN_RESULT:
                receiver = APPLICANT
            elif action in (Action.REQUEST_SUPPLEMENT, Action.REQUEST_INTAKE_SUPPLEMENT):
                receiver = f"{APPLICANT} (bổ sung hồ sơ)"
            else:
                step = steps.get(event.step_code)
                receiver = step.name if step else ""
        rows.append(
            {
                "what": ACTION_LABELS[action],
                "giver": giver,
                "receiver": receiver,
                "at": to_local(event.at).strftime("%H:%M %d/%m/%Y"),
                "result": STEP_RESULT.get(str(closed.get("result", "")), ""),
            }
        )
    due = next((e.due_at for e in reversed(detail.events) if e.seq <= upto and e.due_at), None)
    return {
        "received_at": clock_text(dossier.received_at),
        "due_at": clock_text(due),
        "rows": rows,
        "version": upto,
    }
