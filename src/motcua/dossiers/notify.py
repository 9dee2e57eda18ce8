"""Status notices to the applicant (NĐ 224/2026 Điều 15): one on every change of the national status
(and when an apology gives a new date), written to the outbox with the change itself.

Each notice states what the decree asks a status notice to state at least: the receiving and the
processing agency, the officer who acted, and the times — submitted, received, the appointment date, the
time of this step and, once it exists, the return — with the address where the applicant follows the
dossier. It goes on each channel enabled (``MOTCUA_NOTIFY_CHANNELS``) for which the applicant gave what
it needs: by e-mail (``thongbao.email``), by SMS without diacritics (``thongbao.sms``) and as a Zalo
template message (``thongbao.zalo``) to a phone number; the delivery engine sends each, retries it, and
keeps what became of it. The text is
Vietnamese, as the forms are, whatever language the officer's screen uses.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation

from motcua.dossiers import rules
from motcua.dossiers.forms.labels import NATIONAL_TEXT
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.rules import Action, State
from motcua.workdays.domain import to_local

TOPIC_EMAIL = "thongbao.email"
TOPIC_SMS = "thongbao.sms"
TOPIC_ZALO = "thongbao.zalo"
# Changes the applicant hears about even when the national status stays the same.
ALWAYS = frozenset({Action.RESET_DUE, Action.REPLACE_RESULT})
# Lines another app adds to the e-mail notice (the feedback app: the rating link once the result is
# returned), registered from its ``AppConfig.ready`` so that this module imports no app above it.
NOTICE_ADDITIONS: list[Callable[[Dossier, DossierEvent], list[str]]] = []


def add_to_notices(addition: Callable[[Dossier, DossierEvent], list[str]]) -> None:
    if addition not in NOTICE_ADDITIONS:
        NOTICE_ADDITIONS.append(addition)


def _when(moment: Any) -> str:
    return "" if moment is None else f"{to_local(moment):%H:%M ngày %d/%m/%Y}"


def _changed(event: DossierEvent) -> bool:
    if Action(event.action) in ALWAYS:
        return True
    if not event.from_state:
        return True  # the dossier's first event
    return rules.national_status(State(event.from_state)) != event.national_status


def notice_text(dossier: Dossier, event: DossierEvent, *, what: str) -> tuple[str, str]:
    """The subject and body of the notice of ``event``."""
    with translation.override("vi"):
        status = str(NATIONAL_TEXT[event.national_status])
    actor = event.actor if event.actor_id else None
    officer = event.actor_label + (f", {actor.job_title}" if actor is not None and actor.job_title else "")
    lines = [
        f"Kính gửi {dossier.applicant_name},",
        "",
        f"Hồ sơ {dossier.code} — {dossier.procedure_version.name}",
        f"Tình trạng: {status} ({what}) lúc {_when(event.at)}.",
    ]
    note = str((event.data or {}).get("reason") or (event.data or {}).get("note") or "").strip()
    if note:
        lines.append(f"Nội dung: {note}")
    lines += [
        "",
        f"Cơ quan tiếp nhận: {dossier.receiving_unit.name}",
        f"Cơ quan giải quyết: {dossier.competent_unit.name}",
        f"Cán bộ xử lý: {officer}",
        f"Nộp hồ sơ lúc: {_when(dossier.submitted_at)}",
    ]
    if dossier.received_at:
        lines.append(f"Tiếp nhận lúc: {_when(dossier.received_at)}")
    if dossier.appointment_at:
        lines.append(f"Hẹn trả kết quả: {_when(dossier.appointment_at)}")
    if dossier.returned_at:
        lines.append(f"Trả kết quả lúc: {_when(dossier.returned_at)}")
    base = str(settings.MOTCUA_PUBLIC_URL).rstrip("/")
    lines += [
        "",
        f"Tra cứu hồ sơ: {base}/tra-cuu-ho-so/ (mã hồ sơ {dossier.code} và 4 số cuối số định danh "
        "của người nộp).",
    ]
    for addition in NOTICE_ADDITIONS:
        lines += addition(dossier, event)
    lines += [
        "",
        f"{dossier.receiving_unit.name} — Hệ thống thông tin giải quyết thủ tục hành chính",
        "Thư này được gửi tự động, xin không trả lời.",
    ]
    return f"Hồ sơ {dossier.code}: {status}", "\n".join(lines)


Row = tuple[str, str, dict[str, Any], str]


def ascii_text(text: str) -> str:
    """Vietnamese without diacritics (what a brandname SMS carries in one segment)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def international(phone: str) -> str:
    """A Vietnamese number as ``84…`` (Zalo, SMS gateways); ``""`` when it is not one."""
    digits = "".join(c for c in phone if c.isascii() and c.isdigit())
    if digits.startswith("84") and len(digits) == 11:
        return digits
    if digits.startswith("0") and len(digits) == 10:
        return "84" + digits[1:]
    return ""


def notices(dossier: Dossier, event: DossierEvent, *, what: str) -> list[Row]:
    """The outbox rows ``(topic, key, payload, idempotency key)`` of the notices of ``event``, one per
    channel enabled (``MOTCUA_NOTIFY_CHANNELS``) for which the applicant gave what it needs: none when
    the national status did not change."""
    if not _changed(event):
        return []
    channels = settings.MOTCUA_NOTIFY_CHANNELS
    applicant = dossier.applicant_person if dossier.applicant_person_id else dossier.applicant_organisation
    email = str(getattr(applicant, "email", "") or "").strip()
    phone = international(str(getattr(applicant, "phone", "") or ""))
    rows: list[Row] = []
    with translation.override("vi"):
        status = str(NATIONAL_TEXT[event.national_status])
    if "email" in channels and email:
        subject, body = notice_text(dossier, event, what=what)
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "motcua"
        payload = {
            "to": email,
            "subject": subject,
            "body": body,
            "message_id": f"<{dossier.code}.{event.seq}@{domain}>",
        }
        rows.append((TOPIC_EMAIL, dossier.code, payload, f"{TOPIC_EMAIL}:{dossier.code}:{event.seq}"))
    if "sms" in channels and phone:
        when = f"{to_local(event.at):%H:%M %d/%m/%Y}"
        text = f"{dossier.receiving_unit.name}: Ho so {dossier.code} {status} luc {when}."
        if dossier.appointment_at and not dossier.returned_at:
            text += f" Hen tra {to_local(dossier.appointment_at):%d/%m/%Y}."
        payload = {"phone": phone, "text": ascii_text(text)}
        rows.append((TOPIC_SMS, dossier.code, payload, f"{TOPIC_SMS}:{dossier.code}:{event.seq}"))
    if "zalo" in channels and phone:
        actor = event.actor if event.actor_id else None
        data = {
            "ten": dossier.applicant_name,
            "ma_ho_so": dossier.code,
            "trang_thai": status,
            "noi_dung": what,
            "thoi_gian": _when(event.at),
            "co_quan_tiep_nhan": dossier.receiving_unit.name,
            "co_quan_giai_quyet": dossier.competent_unit.name,
            "can_bo": event.actor_label
            + (f", {actor.job_title}" if actor is not None and actor.job_title else ""),
            "hen_tra": _when(dossier.appointment_at),
        }
        rows.append(
            (
                TOPIC_ZALO,
                dossier.code,
                {"phone": phone, "template_data": data},
                f"{TOPIC_ZALO}:{dossier.code}:{event.seq}",
            )
        )
    return rows
