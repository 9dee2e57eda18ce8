"""Feedback and complaints (phản ánh, kiến nghị — PAKN): received from a signed-in citizen or from anyone
with a contact for the answer, handled by one unit at a time (transfers restart the clock), answered,
then published without personal data; citizens like or dislike a published answer.

The deadlines are a versioned rule (``feedback.pakn_deadlines``, working days on the handling unit's
calendar): reject ≤ 2, first request for more information ≤ 5, answer ≤ 15, publish ≤ 2 — counted from
receipt or from the latest transfer (``Pakn.clock_from``); the publication's from the answer. ``due``
gives the moments, ``verdict`` the on-time judgement that 766 indicator 5.2 counts.

Every change is one transaction with its history event (``PaknEvent``) under a row lock, so two officers
acting at once never both succeed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from motcua.core.errors import Conflict, DomainError, Forbidden
from motcua.core.models import OrgUnit, Role, User
from motcua.core.permissions import has_role
from motcua.core.rules import rule_value
from motcua.core.text import fold
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Pakn, PaknEvent, PaknVote, Status, Subject
from motcua.workdays.domain import compute_due
from motcua.workdays.services import calendar_for

TITLE = (5, 200)
CONTENT = (20, 5000)
MAX_LINKS = 3
DUPLICATE_DAYS = 30
HANDLERS = (Role.INTAKE_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SUPERVISOR)
OPEN = (Status.RECEIVED, Status.INFO_REQUESTED)
EVENT_LABELS = {
    "received": "Tiếp nhận",
    "transferred": "Chuyển đơn vị xử lý",
    "info_requested": "Yêu cầu người gửi bổ sung thông tin",
    "info_supplied": "Người gửi bổ sung thông tin",
    "rejected": "Không tiếp nhận",
    "answered": "Trả lời",
    "published": "Công khai câu trả lời",
    "reraised": "Được phản ánh lại",
}


class PaknRefused(DomainError):
    status = 422
    code = "pakn_invalid"


class Duplicate(Conflict):
    code = "pakn_duplicate"


@dataclass(frozen=True)
class Sender:
    account_id: int | None = None
    name: str = ""
    email: str = ""
    phone: str = ""


def fingerprint(content: str, who: str) -> str:
    """The same words from the same sender, whatever the case, accents and spacing."""
    return hashlib.sha256(f"{who}\x1f{fold(content)}".encode()).hexdigest()


def _check(subject: str, title: str, content: str, sender: Sender) -> None:
    if subject not in Subject.values:
        raise PaknRefused("Chọn phản ánh, kiến nghị về nội dung nào.", details={"field": "subject"})
    if not TITLE[0] <= len(title) <= TITLE[1]:
        raise PaknRefused(f"Tiêu đề từ {TITLE[0]} đến {TITLE[1]} ký tự.", details={"field": "title"})
    if not CONTENT[0] <= len(content) <= CONTENT[1]:
        raise PaknRefused(
            f"Nội dung từ {CONTENT[0]} đến {CONTENT[1]} ký tự: nêu rõ sự việc, nơi, thời gian.",
            details={"field": "content"},
        )
    if len(re.findall(r"https?://|www\.", content, re.I)) > MAX_LINKS:
        message = "Nội dung có quá nhiều đường dẫn; vui lòng viết rõ sự việc."
        raise PaknRefused(message, details={"field": "content"})
    if sender.account_id is None and not (sender.email or sender.phone):
        raise PaknRefused(
            "Để lại thư điện tử hoặc số điện thoại để cơ quan trả lời ông/bà.", details={"field": "contact"}
        )
    if sender.account_id is None and len(sender.name.strip()) < 2:
        raise PaknRefused("Cho biết họ và tên người gửi.", details={"field": "name"})


def _next_code(moment: datetime) -> str:
    day = timezone.localdate(moment)
    prefix = f"PAKN-{day:%y%m%d}-"
    codes = Pakn.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True)
    last = codes.first()
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def submit(
    *,
    subject: str,
    title: str,
    content: str,
    unit: OrgUnit,
    sender: Sender,
    dossier: Dossier | None = None,
    reraise_of: Pakn | None = None,
    at: datetime | None = None,
) -> Pakn:
    """Receive a PAKN for ``unit`` (the caller checked that the sender may name ``dossier``). The same
    content from the same sender within 30 days is refused as a duplicate, naming the first one."""
    title, content = title.strip(), content.strip()
    _check(subject, title, content, sender)
    moment = at or timezone.now()
    who = f"a:{sender.account_id}" if sender.account_id else f"c:{(sender.email or sender.phone).lower()}"
    mark = fingerprint(content, who)
    earlier = (
        Pakn.objects.filter(fingerprint=mark, received_at__gte=moment - timedelta(days=DUPLICATE_DAYS))
        .values_list("code", flat=True)
        .first()
    )
    if earlier:
        raise Duplicate(
            f"Nội dung này đã được gửi (mã {earlier}); cơ quan đang xử lý, ông/bà không cần gửi lại."
        )
    for _ in range(5):  # two receipts at the same moment take the next number
        try:
            with transaction.atomic():
                pakn = Pakn.objects.create(
                    code=_next_code(moment),
                    subject=subject,
                    title=title,
                    content=content,
                    dossier=dossier,
                    account_id=sender.account_id,
                    sender_name=sender.name.strip()[:150],
                    sender_email=sender.email.strip()[:254],
                    sender_phone=sender.phone.strip()[:20],
                    unit=unit,
                    received_at=moment,
                    clock_from=moment,
                    reraise_of=reraise_of,
                    fingerprint=mark,
                )
                PaknEvent.objects.create(pakn=pakn, at=moment, action="received", to_unit=unit)
                if reraise_of is not None:
                    PaknEvent.objects.create(pakn=reraise_of, at=moment, action="reraised", note=pakn.code)
            return pakn
        except IntegrityError:
            continue
    raise Conflict("Hệ thống đang bận; vui lòng gửi lại sau ít phút.")


def _locked(pakn: Pakn, by: User, states: tuple[str, ...]) -> Pakn:
    locked = Pakn.objects.select_for_update().select_related("unit").get(pk=pakn.pk)
    if not has_role(by, HANDLERS, locked.unit):
        raise Forbidden("Phản ánh, kiến nghị này không thuộc đơn vị bạn xử lý.")
    if locked.status not in states:
        raise Conflict(f"Phản ánh, kiến nghị đang ở tình trạng “{locked.get_status_display()}”.")
    return locked


def _note(text: str, what: str) -> str:
    text = text.strip()
    if not 5 <= len(text) <= 5000:
        raise PaknRefused(f"Ghi {what} (từ 5 đến 5000 ký tự).", details={"field": "note"})
    return text


def transfer(pakn: Pakn, to: OrgUnit, *, by: User, note: str, at: datetime | None = None) -> Pakn:
    """Send to the competent unit; its clock starts again from now."""
    note = _note(note, "lý do chuyển")
    moment = at or timezone.now()
    with transaction.atomic():
        locked = _locked(pakn, by, OPEN)
        if to.pk == locked.unit_id:
            raise PaknRefused("Chọn một đơn vị khác đơn vị đang xử lý.", details={"field": "unit"})
        PaknEvent.objects.create(
            pakn=locked,
            at=moment,
            action="transferred",
            actor=by,
            from_unit=locked.unit,
            to_unit=to,
            note=note,
        )
        locked.unit, locked.clock_from, locked.status = to, moment, Status.RECEIVED
        locked.save(update_fields=["unit", "clock_from", "status"])
    return locked


def request_info(pakn: Pakn, *, by: User, note: str, at: datetime | None = None) -> Pakn:
    note = _note(note, "thông tin cần bổ sung")
    moment = at or timezone.now()
    with transaction.atomic():
        locked = _locked(pakn, by, (Status.RECEIVED,))
        PaknEvent.objects.create(pakn=locked, at=moment, action="info_requested", actor=by, note=note)
        locked.status = Status.INFO_REQUESTED
        locked.first_info_request_at = locked.first_info_request_at or moment
        locked.save(update_fields=["status", "first_info_request_at"])
    return locked


def supply_info(pakn: Pakn, text: str, at: datetime | None = None) -> Pakn:
    """The sender's answer to a request for more information (the caller checked who they are)."""
    text = _note(text, "thông tin bổ sung")
    with transaction.atomic():
        locked = Pakn.objects.select_for_update().get(pk=pakn.pk)
        if locked.status != Status.INFO_REQUESTED:
            raise Conflict("Phản ánh, kiến nghị này không chờ bổ sung thông tin.")
        PaknEvent.objects.create(pakn=locked, at=at or timezone.now(), action="info_supplied", note=text)
        locked.status = Status.RECEIVED
        locked.save(update_fields=["status"])
    return locked


def reject(pakn: Pakn, *, by: User, reason: str, at: datetime | None = None) -> Pakn:
    """Not received (outside the scope of PAKN, insulting, anonymous without contact…), with the reason."""
    reason = _note(reason, "lý do không tiếp nhận")
    moment = at or timezone.now()
    with transaction.atomic():
        locked = _locked(pakn, by, OPEN)
        PaknEvent.objects.create(pakn=locked, at=moment, action="rejected", actor=by, note=reason)
        locked.status, locked.rejected_at, locked.answer = Status.REJECTED, moment, reason
        locked.save(update_fields=["status", "rejected_at", "answer"])
    return locked


def answer(pakn: Pakn, *, by: User, text: str, at: datetime | None = None) -> Pakn:
    text = _note(text, "nội dung trả lời")
    moment = at or timezone.now()
    with transaction.atomic():
        locked = _locked(pakn, by, (Status.RECEIVED,))
        PaknEvent.objects.create(pakn=locked, at=moment, action="answered", actor=by)
        locked.status, locked.answered_at = Status.ANSWERED, moment
        locked.answered_by, locked.answer = by, text
        locked.save(update_fields=["status", "answered_at", "answered_by", "answer"])
    return locked


def publish(pakn: Pakn, *, by: User, at: datetime | None = None) -> Pakn:
    moment = at or timezone.now()
    with transaction.atomic():
        locked = _locked(pakn, by, (Status.ANSWERED,))
        PaknEvent.objects.create(pakn=locked, at=moment, action="published", actor=by)
        locked.status, locked.published_at = Status.PUBLISHED, moment
        locked.search_text = fold(f"{locked.title} {locked.content} {locked.answer}")
        locked.save(update_fields=["status", "published_at", "search_text"])
    return locked


def vote(pakn: Pakn, voter: str, value: int) -> Pakn:
    """A like (+1) or dislike (−1) of a published answer; a voter's second vote replaces the first."""
    if value not in (1, -1):
        raise PaknRefused("Chọn đồng tình hoặc không đồng tình với câu trả lời.")
    key = hashlib.sha256(voter.encode()).hexdigest()
    with transaction.atomic():
        locked = Pakn.objects.select_for_update().get(pk=pakn.pk)
        if locked.status != Status.PUBLISHED:
            raise Conflict("Chỉ đánh giá được câu trả lời đã công khai.")
        PaknVote.objects.update_or_create(pakn=locked, voter=key, defaults={"value": value})
        counts = PaknVote.objects.filter(pakn=locked).aggregate(
            likes=Count("id", filter=Q(value=1)), dislikes=Count("id", filter=Q(value=-1))
        )
        locked.likes, locked.dislikes = counts["likes"], counts["dislikes"]
        locked.save(update_fields=["likes", "dislikes"])
    return locked


# -- deadlines and the on-time verdict (766 indicator 5.2) -------------------------------------------


@dataclass(frozen=True)
class Due:
    reject: datetime
    first_info_request: datetime
    handle: datetime
    publish: datetime | None  # from the answer; None before it


def due(pakn: Pakn) -> Due:
    """The moments each step is due, on the handling unit's calendar, from ``clock_from`` (the
    publication from the answer)."""
    limits = rule_value("feedback.pakn_deadlines", timezone.localdate(pakn.clock_from))
    calendar = calendar_for(pakn.unit)

    def after(start: datetime, days: int) -> datetime:
        return compute_due(calendar, start, days, "working_days").due

    return Due(
        reject=after(pakn.clock_from, limits["reject"]),
        first_info_request=after(pakn.clock_from, limits["first_info_request"]),
        handle=after(pakn.clock_from, limits["handle"]),
        publish=after(pakn.answered_at, limits["publish"]) if pakn.answered_at else None,
    )


def on_time(pakn: Pakn, as_of: datetime) -> bool:
    """The 766 verdict (5.2) at ``as_of``: every step taken was within its limit, and a PAKN still
    open has not passed its handling limit."""
    limits = due(pakn)
    checks = [
        pakn.rejected_at is None or pakn.rejected_at <= limits.reject,
        pakn.first_info_request_at is None or pakn.first_info_request_at <= limits.first_info_request,
    ]
    if pakn.status in OPEN:
        checks.append(as_of <= limits.handle)
    elif pakn.answered_at is not None:
        checks.append(pakn.answered_at <= limits.handle)
        published = pakn.published_at
        checks.append(limits.publish is not None and (published or as_of) <= limits.publish)
    return all(checks)
