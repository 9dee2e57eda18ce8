"""Ratings of returned dossiers: one per dossier, from any of three channels — online (the applicant's
portal page, or the link sent with the notice of return), the counter's rating tablet, or a paper form
entered by staff — with the units and the officer as they were at the return.

A "not satisfied" rating goes to the heads of the competent unit (their list, and an e-mail through the
outbox to those who have an address), who record what was done about it (``review``).

The caller decides who may rate which dossier (the portal: the account's own dossiers; the link: its
signature; the tablet: its binding; staff: their units); these functions check what holds for every
channel: the dossier is returned, not yet rated, and the answers are the rule's items on its scale.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from motcua.core import audit
from motcua.core.errors import Conflict, DomainError, Forbidden, NotFound
from motcua.core.models import OrgUnit, Role, RoleAssignment, User
from motcua.core.permissions import has_role
from motcua.core.rules import rule_value
from motcua.core.staffing import covering_paths
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.notify import TOPIC_EMAIL
from motcua.dossiers.rules import Action, State
from motcua.feedback.models import Channel, Kiosk, Rating
from motcua.integrations.outbox import enqueue_many

REASON_MIN = 5
TEXT_MAX = 2000
LINK_SALT = "motcua.feedback.rating-link"
HEADS = (Role.UNIT_LEADER, Role.AGENCY_LEADER)


class RatingRefused(DomainError):
    status = 422
    code = "rating_invalid"


class AlreadyRated(Conflict):
    code = "already_rated"


@dataclass(frozen=True)
class Item:
    code: str
    label: str


def items(on: datetime | None = None) -> list[Item]:
    """What the citizen rates, as the rule in force says (NĐ 61/2018 Điều 31)."""
    day = timezone.localdate(on or timezone.now())
    return [Item(code, label) for code, label in rule_value("feedback.rating_items", day)]


def scale(on: datetime | None = None) -> list[Item]:
    day = timezone.localdate(on or timezone.now())
    return [Item(code, label) for code, label in rule_value("feedback.rating_scale", day)]


def rateable(dossier: Dossier) -> bool:
    """The dossier's result has been returned and nobody has rated it yet."""
    return (
        dossier.state == State.RETURNED
        and dossier.returned_at is not None
        and not Rating.objects.filter(dossier_id=dossier.pk).exists()
    )


def _clean(
    answers: dict[str, str], satisfied: bool | None, reason: str, comment: str, moment: datetime
) -> tuple[dict[str, str], str, str]:
    if satisfied is None:
        raise RatingRefused("Vui lòng chọn “Hài lòng” hoặc “Không hài lòng”.", details={"field": "satisfied"})
    known = {item.code for item in items(moment)}
    levels = {level.code for level in scale(moment)}
    kept: dict[str, str] = {}
    for code, level in answers.items():
        if not level:
            continue  # an item left unanswered
        if code not in known or level not in levels:
            raise RatingRefused("Nội dung đánh giá không hợp lệ; vui lòng tải lại trang và chọn lại.")
        kept[code] = level
    reason, comment = reason.strip(), comment.strip()
    if len(reason) > TEXT_MAX or len(comment) > TEXT_MAX:
        raise RatingRefused(f"Nội dung quá dài (tối đa {TEXT_MAX} ký tự).")
    if not satisfied and len(reason) < REASON_MIN:
        raise RatingRefused(
            "Vui lòng cho biết lý do chưa hài lòng để cơ quan xem xét, khắc phục.",
            details={"field": "reason"},
        )
    return kept, (reason if not satisfied else ""), comment


def returned_by(dossier: Dossier) -> int | None:
    """The officer who handed over the result (the latest "return" event's actor)."""
    return (
        DossierEvent.objects.filter(dossier_id=dossier.pk, action=Action.RETURN_RESULT)
        .order_by("-seq")
        .values_list("actor_id", flat=True)
        .first()
    )


def rate(
    dossier: Dossier,
    *,
    satisfied: bool | None,
    answers: dict[str, str] | None = None,
    reason: str = "",
    comment: str = "",
    channel: str,
    account_id: int | None = None,
    entered_by: User | None = None,
    at: datetime | None = None,
    tell_heads: bool = True,
) -> Rating:
    """Record the rating of ``dossier`` (returned, not rated before): one per dossier, even when two
    channels answer at the same moment (the second gets ``AlreadyRated``). ``tell_heads=False`` for
    ratings of the past loaded in bulk (the demo's year), which nobody needs to be told about now."""
    moment = at or timezone.now()
    kept, reason, comment = _clean(answers or {}, satisfied, reason, comment, moment)
    assert satisfied is not None
    if channel not in Channel.values:
        raise RatingRefused("Kênh đánh giá không hợp lệ.")
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            if locked.state != State.RETURNED or locked.returned_at is None:
                raise RatingRefused("Hồ sơ chưa trả kết quả nên chưa thể đánh giá.")
            if Rating.objects.filter(dossier_id=locked.pk).exists():
                raise AlreadyRated("Hồ sơ này đã được đánh giá. Cảm ơn ông/bà.")
            rating = Rating.objects.create(
                dossier=locked,
                unit_id=locked.competent_unit_id,
                receiving_unit_id=locked.receiving_unit_id,
                officer_id=returned_by(locked),
                satisfied=satisfied,
                answers=kept,
                reason=reason,
                comment=comment,
                channel=channel,
                account_id=account_id,
                entered_by=entered_by,
                rated_at=moment,
            )
            # The rating changes 766 indicator 5.4 of the dossier's period: touching the row gives the
            # dashboard's cached index a new data stamp (evaluation.cache), nothing else changes.
            Dossier.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
            if not satisfied and tell_heads:
                transaction.on_commit(lambda: _tell_heads(rating.pk))
    except IntegrityError as exc:  # the same dossier rated at the same moment elsewhere
        raise AlreadyRated("Hồ sơ này đã được đánh giá. Cảm ơn ông/bà.") from exc
    return rating


def heads_of(unit: OrgUnit) -> list[User]:
    """The active leaders whose role covers ``unit`` today: at the unit itself, or above it including
    its subunits (one query)."""
    today = timezone.localdate()
    holding = (
        RoleAssignment.objects.filter(role__in=HEADS, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .filter(Q(unit=unit) | Q(include_subunits=True, unit__path__in=covering_paths(unit)))
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=holding, is_active=True).order_by("username"))


def notice_lines(dossier: Dossier, event: DossierEvent) -> list[str]:
    """The rating link, in the notice of the result's return (``dossiers.notify``)."""
    if event.action != Action.RETURN_RESULT:
        return []
    return ["", f"Mời ông/bà đánh giá mức độ hài lòng: {link_url(dossier)}"]


def _tell_heads(rating_id: int) -> None:
    """An e-mail to each head of the competent unit who has an address (through the outbox)."""
    rating = Rating.objects.select_related("dossier", "unit").get(pk=rating_id)
    base = settings.MOTCUA_PUBLIC_URL.rstrip("/")
    rows = []
    for head in heads_of(rating.unit):
        if not head.email:
            continue
        body = (
            f"Hồ sơ {rating.dossier.code} ({rating.unit.name}) được người dân đánh giá KHÔNG HÀI LÒNG.\n"
            f"Lý do: {rating.reason}\n\nXem và ghi nhận kết quả xem xét: "
            f"{base}/can-bo/danh-gia-cua-nguoi-dan/?loai=cho-xem-xet"
        )
        payload = {
            "to": head.email,
            "subject": f"Đánh giá không hài lòng: hồ sơ {rating.dossier.code}",
            "body": body,
        }
        rows.append(
            (TOPIC_EMAIL, rating.dossier.code, payload, f"{TOPIC_EMAIL}:rating:{rating.pk}:{head.pk}")
        )
    if rows:
        enqueue_many(rows)


def review(rating: Rating, *, by: User, note: str, at: datetime | None = None) -> Rating:
    """A head of the unit records what was done about a "not satisfied" rating."""
    note = note.strip()
    if not has_role(by, HEADS, rating.unit):
        raise Forbidden("Chỉ lãnh đạo của cơ quan giải quyết ghi nhận kết quả xem xét đánh giá này.")
    if rating.satisfied:
        raise RatingRefused("Đánh giá hài lòng không cần xem xét.")
    if len(note) < REASON_MIN or len(note) > TEXT_MAX:
        raise RatingRefused("Vui lòng ghi kết quả xem xét (từ 5 đến 2000 ký tự).", details={"field": "note"})
    with transaction.atomic():
        locked = Rating.objects.select_for_update().get(pk=rating.pk)
        if locked.reviewed_at is not None:
            raise Conflict("Đánh giá này đã được xem xét.")
        locked.reviewed_at, locked.reviewed_by, locked.review_note = at or timezone.now(), by, note
        locked.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    return locked


# -- the link sent with the notice of return ---------------------------------------------------------


def link_token(dossier: Dossier) -> str:
    """A signed token naming the dossier, for the rating link of the notice of return."""
    return signing.TimestampSigner(salt=LINK_SALT).sign(dossier.code)


def dossier_from_link(token: str) -> Dossier:
    """The dossier a rating link names, while the link is valid (``feedback.rating_link_days``)."""
    days = rule_value("feedback.rating_link_days", timezone.localdate())
    try:
        code = signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=timedelta(days=days))
    except signing.SignatureExpired as exc:
        raise NotFound("Đường dẫn đánh giá đã hết hạn.") from exc
    except signing.BadSignature as exc:
        raise NotFound("Đường dẫn đánh giá không đúng. Vui lòng dùng đường dẫn trong thông báo.") from exc
    dossier = Dossier.objects.filter(code=code).first()
    if dossier is None:
        raise NotFound("Đường dẫn đánh giá không đúng. Vui lòng dùng đường dẫn trong thông báo.")
    return dossier


def link_url(dossier: Dossier) -> str:
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/danh-gia/{link_token(dossier)}/"


# -- the counter's rating tablet -----------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_run_kiosks(user: User, unit: OrgUnit) -> bool:
    return has_role(user, (Role.INTAKE_OFFICER, *HEADS, Role.ADMINISTRATOR), unit)


def create_kiosk(unit: OrgUnit, name: str, *, by: User) -> tuple[Kiosk, str]:
    """A new tablet for ``unit``'s counter; the secret (shown once) goes into its pairing link."""
    name = name.strip()
    if not may_run_kiosks(by, unit):
        raise Forbidden("Bạn không quản lý bộ phận một cửa này.")
    if not 2 <= len(name) <= 80:
        raise RatingRefused("Tên máy (quầy) từ 2 đến 80 ký tự, ví dụ “Quầy số 3”.", details={"field": "name"})
    if Kiosk.objects.filter(unit=unit, name=name, revoked_at__isnull=True).exists():
        raise Conflict(f"Bộ phận đã có máy đánh giá tên “{name}”.")
    secret = secrets.token_urlsafe(32)
    kiosk = Kiosk.objects.create(unit=unit, name=name, secret_hash=_hash(secret), created_by=by)
    return kiosk, secret


def pair(kiosk: Kiosk) -> Kiosk:
    """Record that the tablet's pairing link was opened and confirmed (found by ``kiosk_by_secret``;
    the link works until the tablet is revoked)."""
    if kiosk.paired_at is None:
        kiosk.paired_at = timezone.now()
        kiosk.save(update_fields=["paired_at"])
    return kiosk


def kiosk_by_secret(secret: str) -> Kiosk | None:
    return Kiosk.objects.filter(secret_hash=_hash(secret or "-"), revoked_at__isnull=True).first()


def revoke_kiosk(kiosk: Kiosk, *, by: User) -> None:
    if not may_run_kiosks(by, kiosk.unit):
        raise Forbidden("Bạn không quản lý bộ phận một cửa này.")
    Kiosk.objects.filter(pk=kiosk.pk).update(revoked_at=timezone.now(), dossier=None, bound_until=None)
    audit.record(
        "kiosk_revoked", object_type="feedback.kiosk", object_id=kiosk.pk, summary=f"Thu hồi {kiosk.name}"
    )


def kiosks_for(user: User) -> list[Kiosk]:
    """The tablets of the counters the user works at."""
    rows = Kiosk.objects.filter(revoked_at__isnull=True).select_related("unit").order_by("unit__path", "name")
    return [k for k in rows if may_run_kiosks(user, k.unit)]


def bind(kiosk: Kiosk, dossier: Dossier, *, by: User) -> Kiosk:
    """Show the rating form of ``dossier`` on ``kiosk`` for ``feedback.kiosk_minutes``."""
    if not may_run_kiosks(by, kiosk.unit) or kiosk.revoked_at is not None:
        raise Forbidden("Bạn không quản lý máy đánh giá này.")
    if not rateable(dossier):
        raise RatingRefused("Hồ sơ chưa trả kết quả hoặc đã được đánh giá.")
    minutes = rule_value("feedback.kiosk_minutes", timezone.localdate())
    until = timezone.now() + timedelta(minutes=minutes)
    Kiosk.objects.filter(pk=kiosk.pk).update(dossier=dossier, bound_until=until, bound_by=by)
    audit.record(
        "rating_invited",
        object_type="feedback.kiosk",
        object_id=kiosk.pk,
        summary=f"Mời đánh giá hồ sơ {dossier.code} tại {kiosk.name}",
    )
    kiosk.dossier, kiosk.bound_until, kiosk.bound_by = dossier, until, by
    return kiosk


def waiting(kiosk: Kiosk) -> Dossier | None:
    """The dossier the tablet asks to rate now (bound, not expired, not yet rated), else None."""
    if kiosk.dossier_id is None or kiosk.bound_until is None or kiosk.bound_until <= timezone.now():
        return None
    dossier = Dossier.objects.select_related("procedure_version").filter(pk=kiosk.dossier_id).first()
    return dossier if dossier is not None and rateable(dossier) else None


def rate_at_kiosk(kiosk: Kiosk, dossier_id: int, **answers: Any) -> Rating:
    """The rating given on the tablet for the dossier it was showing; the tablet is free again."""
    with transaction.atomic():
        locked = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
        current = waiting(locked)
        if current is None or current.pk != dossier_id:
            raise RatingRefused("Phiên đánh giá đã kết thúc. Vui lòng đề nghị cán bộ mời đánh giá lại.")
        rating = rate(current, channel=Channel.KIOSK, **answers)
        Kiosk.objects.filter(pk=locked.pk).update(dossier=None, bound_until=None)
    audit.record(
        "rating_kiosk",
        object_type="feedback.kiosk",
        object_id=str(kiosk.pk),
        summary=f"Đánh giá hồ sơ {current.code} tại {kiosk.name}",
    )
    return rating
