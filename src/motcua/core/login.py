"""Staff sign-in: password (Argon2), throttling per account and per address, TOTP second factor.

The session is created only after every required factor has passed, so no page (admin included)
can be reached half-signed-in.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import ngettext

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


def _keys(username: str, ip: str | None) -> list[str]:
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    keys = [f"login-fail:user:{account}"]
    if ip:
        keys.append(f"login-fail:ip:{ip}")
    return keys


def lock_for(username: str, ip: str | None) -> Lock | None:
    now = time.time()
    for key in _keys(username, ip):
        state = cache.get(key)
        if state and state["count"] >= settings.MOTCUA_LOGIN_MAX_FAILURES:
            left = int(state["until"] - now)
            if left > 0:
                return Lock(left)
    return None


def register_failure(username: str, ip: str | None, reason: str) -> None:
    window = settings.MOTCUA_LOGIN_LOCK_SECONDS
    now = time.time()
    for key in _keys(username, ip):
        state = cache.get(key) or {"count": 0}
        state = {"count": state["count"] + 1, "until": now + window}
        cache.set(key, state, timeout=window)
    record("login_failed", object_type="core.user", object_id=username[:80], summary=reason)


def clear_failures(username: str) -> None:
    cache.delete(_keys(username, None)[0])


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
