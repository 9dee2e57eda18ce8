"""Staff sign-in: password (Argon2), throttling per account and per address, TOTP second factor.

Every attempt is counted before its password or code is checked (``core.throttle``), so parallel
attempts check at most the limit.

The session is created only after every required factor has passed, so no page (admin included)
can be reached half-signed-in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils.translation import ngettext

from motcua.core import throttle
from motcua.core.audit import record
from motcua.core.models import TOTPDevice, User

ISSUER = "motcua"


@dataclass(frozen=True)
class Lock:
    seconds_left: int

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.seconds_left // 60))
        return ngettext(
            "Đăng nhập sai quá nhiều lần. Tài khoản hoặc địa chỉ này tạm bị khóa, "
            "vui lòng thử lại sau %(minutes)d phút.",
            "Đăng nhập sai quá nhiều lần. Tài khoản hoặc địa chỉ này tạm bị khóa, "
            "vui lòng thử lại sau %(minutes)d phút.",
            minutes,
        ) % {"minutes": minutes}


def limits(username: str, ip: str | None) -> list[throttle.Limit]:
    """The counters a sign-in attempt goes through. The account *from this address* locks first
    (``MOTCUA_LOGIN_MAX_FAILURES``), so colleagues behind the same address (an office, a proxy) and
    the owner elsewhere keep signing in; the account from every address and the address across every
    account have their own, higher limits against guessing spread over addresses or accounts."""
    account = username.strip().lower()
    out = [
        throttle.Limit(throttle.key("login-account", account), settings.MOTCUA_LOGIN_MAX_FAILURES_PER_ACCOUNT)
    ]
    if ip:
        out.append(
            throttle.Limit(throttle.key("login-pair", account, ip), settings.MOTCUA_LOGIN_MAX_FAILURES)
        )
        out.append(
            throttle.Limit(throttle.key("login-address", ip), settings.MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS)
        )
    else:
        out[0] = throttle.Limit(out[0].key, settings.MOTCUA_LOGIN_MAX_FAILURES)
    return out


def reserve(username: str, ip: str | None) -> Lock | None:
    """Count one attempt *before* the password or code is checked, atomically on every counter, so
    that parallel attempts can never check more than the limit; ``None`` when the check may go on.
    A successful check gives the attempt back (``passed``)."""
    left = throttle.attempt(limits(username, ip), settings.MOTCUA_LOGIN_LOCK_SECONDS)
    return Lock(left) if left else None


def register_failure(username: str, ip: str | None, reason: str) -> None:
    """Audit a failed check (the attempt was counted by ``reserve``)."""
    record("login_failed", object_type="core.user", object_id=username[:80], summary=reason)


def passed(username: str, ip: str | None) -> None:
    """The password or code was right: give back the attempt ``reserve`` counted."""
    throttle.give_back([item.key for item in limits(username, ip)])


def succeeded(username: str, ip: str | None) -> None:
    """Signed in with every factor: the account's failures are forgotten (the address's are not)."""
    account, *rest = limits(username, ip)
    throttle.clear([account.key, *[item.key for item in rest[:1]]])


def verify_totp(device: TOTPDevice, code: str) -> bool:
    """Accept the current code or its neighbours (clock drift), each 30-second step only once."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(device.secret)
    now_step = int(time.time()) // 30
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        for step in (now_step - 1, now_step, now_step + 1):
            if step <= locked.last_used_step:
                continue
            if totp.at(step * 30) == code:
                locked.last_used_step = step
                locked.save(update_fields=["last_used_step"])
                device.last_used_step = step
                return True
    return False


def start_enrolment(user: User) -> TOTPDevice:
    device, created = TOTPDevice.objects.get_or_create(user=user, defaults={"secret": pyotp.random_base32()})
    if not created and not device.confirmed:
        device.secret = pyotp.random_base32()
        device.save(update_fields=["secret"])
    return device


def provisioning_uri(device: TOTPDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.get_username(), issuer_name=ISSUER)


def confirm_enrolment(device: TOTPDevice, code: str) -> bool:
    if verify_totp(device, code):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("totp_enrolled", object_type="core.user", object_id=device.user_id, summary=str(device.user))
        return True
    return False
