"""API tokens of systems (mã truy cập API): issue, verify, revoke, and throttling of failed attempts.

A token is ``mc_`` followed by 43 URL-safe characters: a random 32-byte secret in base64url. Only the
SHA-256 of the token is stored (``ApiToken.key_hash``), with its first characters (``prefix``) to
recognise it in lists; the token itself is shown once, when issued. A token acts as its account: the
account's role assignments scope what it may see and do, exactly as for a person signed in.

Failed attempts are counted atomically (``core.throttle``), as staff sign-in does (``core.login``):
after ``MOTCUA_API_TOKEN_MAX_FAILURES`` failures of one token (by its public prefix) from one address
within ``MOTCUA_API_TOKEN_LOCK_SECONDS``, that token is refused from that address (HTTP 429) until the
window passes; after ``MOTCUA_API_TOKEN_MAX_FAILURES_PER_ADDRESS`` failures of any tokens the address
is refused whatever token it presents.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from motcua.core import throttle
from motcua.core.audit import record
from motcua.core.errors import DomainError
from motcua.core.models import ApiToken, User

TOKEN_PREFIX = "mc_"  # noqa: S105 - a public marker, not a secret
SECRET_BYTES = 32
PREFIX_LENGTH = 11  # "mc_" and 8 characters of the secret
DEFAULT_DAYS = 365
MAX_DAYS = 3650
# Writing ``last_used_at`` at most once a minute keeps reads from writing on every request.
LAST_USED_RESOLUTION = timedelta(seconds=60)

_TOKEN = re.compile(r"^mc_[A-Za-z0-9_-]{43}$")


class TokenError(DomainError):
    """A token that cannot be issued or revoked as asked (HTTP 422 / CLI error)."""

    code = "token_invalid"


class InvalidToken(DomainError):
    """The presented token is unknown, expired or revoked (the three are not told apart)."""

    status = 401
    code = "unauthenticated"


class TooManyFailures(DomainError):
    status = 429
    code = "too_many_attempts"


INVALID_MESSAGE = "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str  # the token text, shown once


def hash_token(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _max_failures() -> int:
    return int(getattr(settings, "MOTCUA_API_TOKEN_MAX_FAILURES", 10))


def _max_failures_per_address() -> int:
    return int(getattr(settings, "MOTCUA_API_TOKEN_MAX_FAILURES_PER_ADDRESS", 10 * _max_failures()))


def _lock_seconds() -> int:
    return int(getattr(settings, "MOTCUA_API_TOKEN_LOCK_SECONDS", settings.MOTCUA_LOGIN_LOCK_SECONDS))


# -- issue and revoke ------------------------------------------------------------------------------


def issue(user: User, name: str, *, days: int | None = DEFAULT_DAYS, now: datetime | None = None) -> Issued:
    """A new token for ``user``; valid ``days`` days (``None``: until revoked)."""
    label = (name or "").strip()
    if not label:
        raise TokenError(
            "Phải đặt tên cho mã truy cập (tên hệ thống sẽ dùng mã).", code="token_name_required"
        )
    if len(label) > 100:
        raise TokenError("Tên mã truy cập dài quá 100 ký tự.", code="token_name_too_long")
    if days is not None and not (1 <= days <= MAX_DAYS):
        raise TokenError(
            f"Thời hạn của mã truy cập phải từ 1 đến {MAX_DAYS} ngày.", code="token_days_invalid"
        )
    if not user.is_active:
        raise TokenError(f"Tài khoản {user.get_username()} đã bị khóa.", code="token_user_inactive")
    moment = now or timezone.now()
    secret = TOKEN_PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")
    token = ApiToken.objects.create(
        user=user,
        name=label,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_token(secret),
        created_at=moment,
        expires_at=None if days is None else moment + timedelta(days=days),
    )
    return Issued(token, secret)


def find(reference: str) -> ApiToken:
    """A token by its number, its prefix (``mc_xxxxxxxx``) or the token itself."""
    ref = (reference or "").strip()
    qs = ApiToken.objects.select_related("user")
    if ref.isdigit() and len(ref) < 19:
        found = qs.filter(pk=int(ref)).first()
    elif _TOKEN.match(ref):
        found = qs.filter(key_hash=hash_token(ref)).first()
    elif ref.startswith(TOKEN_PREFIX) and len(ref) >= PREFIX_LENGTH:
        matches = list(qs.filter(prefix=ref[:PREFIX_LENGTH])[:2])
        if len(matches) > 1:
            raise TokenError(
                f"Có nhiều mã truy cập bắt đầu bằng {ref[:PREFIX_LENGTH]}; hãy dùng số thứ tự của mã.",
                code="token_ambiguous",
            )
        found = matches[0] if matches else None
    else:
        found = None
    if found is None:
        raise TokenError(f"Không tìm thấy mã truy cập “{ref[:40]}”.", code="token_not_found")
    return found


def revoke(token: ApiToken, *, now: datetime | None = None) -> bool:
    """Revoke ``token``; ``False`` when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or timezone.now()
    token.save(update_fields=["revoked_at"])
    return True


def status(token: ApiToken, now: datetime | None = None) -> str:
    moment = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and moment >= token.expires_at:
        return "expired"
    if not token.user.is_active:
        return "user_inactive"
    return "active"


def usable() -> Q:
    """Tokens that still work (for lists)."""
    now = timezone.now()
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


# -- verify, with throttling per token and per client address ---------------------------------------


def _limits(ip: str | None, presented: str) -> list[throttle.Limit]:
    """The counters a failure goes to: the token presented (by its public prefix) from this address,
    so that one system's stale token does not lock out the other systems behind the same address,
    and the address across every token, at a higher limit, against guessing."""
    shown = presented[:PREFIX_LENGTH] if presented.startswith(TOKEN_PREFIX) else ""
    address = ip or "-"
    return [
        throttle.Limit(throttle.key("api-token", address, shown), _max_failures()),
        throttle.Limit(throttle.key("api-address", address), _max_failures_per_address()),
    ]


def register_failure(ip: str | None, presented: str) -> None:
    """Audit a failed token (counted by ``verify``)."""
    shown = presented[:PREFIX_LENGTH] if presented.startswith(TOKEN_PREFIX) else ""
    record(
        "api_token_failed",
        object_type="core.apitoken",
        object_id=shown,
        summary="Mã truy cập API không hợp lệ" + (f" ({shown}…)" if shown else ""),
    )


def _lock_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return (
        f"Dùng mã truy cập sai quá nhiều lần. Địa chỉ này tạm bị khóa, vui lòng thử lại sau {minutes} phút."
    )


def verify(presented: str, *, ip: str | None = None, now: datetime | None = None) -> ApiToken:
    """The usable token ``presented`` stands for, or ``InvalidToken`` (401) / ``TooManyFailures`` (429).

    A locked token or address is refused before the token is looked at. A failure is counted
    atomically (``core.throttle``) and answered 401 only while the counters are under their limits:
    however many wrong tokens arrive together, at most the limit are told "invalid", the rest 429.
    A good token writes nothing but ``last_used_at`` (without an audit entry: it is bookkeeping, not
    a change), at most once a minute.
    """
    text = (presented or "").strip()
    limits = _limits(ip, text)
    left = throttle.seconds_left(limits, now)
    if left:
        raise TooManyFailures(_lock_message(left), details={"retry_after": left})
    token = None
    if _TOKEN.match(text):
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(text)).first()
    moment = now or timezone.now()
    if token is None or not token.is_usable(moment):
        left = throttle.attempt(limits, _lock_seconds(), now)
        if left:
            raise TooManyFailures(_lock_message(left), details={"retry_after": left})
        register_failure(ip, text)
        raise InvalidToken(INVALID_MESSAGE)
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
        token.last_used_at = moment
    return token


def actor_label(token: ApiToken) -> str:
    """How the audit log names writes made with ``token``."""
    return f"{token.user.get_username()} (mã truy cập “{token.name}”)"[:150]
