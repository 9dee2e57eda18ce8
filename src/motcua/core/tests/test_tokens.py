"""API tokens: issue (hash stored, never the secret), verify, revoke, expiry, throttling, the CLI."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from motcua.core import tokens
from motcua.core.models import ApiToken, AuditEntry, Role
from motcua.core.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return factories.staff(
        [Role.INTAKE_OFFICER], factories.unit("Phường Thử", is_one_stop=True), username="cong_dvc"
    )


def test_issue_stores_only_the_hash_of_a_random_secret(user):
    issued = tokens.issue(user, "Cổng DVC tỉnh")
    secret = issued.secret
    assert secret.startswith("mc_") and len(secret) == 46
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:11] and token.name == "Cổng DVC tỉnh" and token.user == user
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert secret not in stored and secret[11:] not in stored
    assert not any(secret in json.dumps(e.data, default=str) for e in AuditEntry.objects.all())
    assert token.expires_at - token.created_at == timedelta(days=tokens.DEFAULT_DAYS)
    assert tokens.issue(user, "Khác").secret != secret


def test_verify_returns_the_token_and_notes_its_last_use(user):
    issued = tokens.issue(user, "Hệ thống A")
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        found = tokens.verify(issued.secret, ip="10.0.0.1")
        assert found.pk == issued.token.pk and found.user == user
        assert ApiToken.objects.get().last_used_at == moment
        assert tokens.verify(f"  {issued.secret} ", ip="10.0.0.1").pk == found.pk
    assert tokens.actor_label(found) == "cong_dvc (mã truy cập “Hệ thống A”)"


@pytest.mark.parametrize("presented", ["", "mc_", "mc_" + "a" * 42, "Bearer x", "mc_" + "a" * 43, "x" * 5000])
def test_unknown_or_malformed_tokens_are_refused(user, presented):
    tokens.issue(user, "A")
    with pytest.raises(tokens.InvalidToken) as caught:
        tokens.verify(presented, ip="10.0.0.2")
    assert caught.value.status == 401 and caught.value.code == "unauthenticated"
    assert "không hợp lệ" in caught.value.message


def test_revoked_expired_and_inactive_tokens_are_refused(user):
    revoked = tokens.issue(user, "Thu hồi")
    assert tokens.revoke(revoked.token) is True
    assert tokens.revoke(revoked.token) is False
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(revoked.secret)

    now = timezone.now()
    short = tokens.issue(user, "Một ngày", days=1, now=now)
    assert tokens.verify(short.secret, now=now + timedelta(hours=23)).pk == short.token.pk
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(short.secret, now=now + timedelta(days=1))
    assert tokens.status(short.token, now + timedelta(days=2)) == "expired"

    forever = tokens.issue(user, "Không hết hạn", days=None)
    assert forever.token.expires_at is None
    user.is_active = False
    user.save()
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(forever.secret)


@pytest.mark.parametrize(
    "name,days,code",
    [("", 30, "token_name_required"), ("x" * 101, 30, "token_name_too_long"), ("A", 0, "token_days_invalid")],
)
def test_issue_refuses_bad_requests(user, name, days, code):
    with pytest.raises(tokens.TokenError) as caught:
        tokens.issue(user, name, days=days)
    assert caught.value.code == code
    assert not ApiToken.objects.exists()


def test_failures_lock_the_token_at_that_address_for_the_window(user, settings):
    settings.MOTCUA_API_TOKEN_MAX_FAILURES = 3
    settings.MOTCUA_API_TOKEN_LOCK_SECONDS = 600
    good = tokens.issue(user, "A").secret
    stale = "mc_" + "b" * 43
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            with pytest.raises(tokens.InvalidToken):
                tokens.verify(stale, ip="10.0.0.3")
        with pytest.raises(tokens.TooManyFailures) as caught:
            tokens.verify(stale, ip="10.0.0.3")
        assert caught.value.status == 429 and "10 phút" in caught.value.message
        # One system's stale token does not lock out the other systems behind the same address.
        assert tokens.verify(good, ip="10.0.0.3").user == user
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(stale, ip="10.0.0.4")  # nor the same token elsewhere
        clock.move_to(start + timedelta(seconds=601))
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(stale, ip="10.0.0.3")  # the window is over: checked again
    failures = AuditEntry.objects.filter(action="api_token_failed")
    assert failures.count() == 5 and failures.first().object_id == "mc_bbbbbbbb"


def test_guessing_many_tokens_from_one_address_locks_the_address(user, settings):
    settings.MOTCUA_API_TOKEN_MAX_FAILURES = 3
    settings.MOTCUA_API_TOKEN_MAX_FAILURES_PER_ADDRESS = 5
    good = tokens.issue(user, "A").secret
    with time_machine.travel(timezone.now(), tick=False):
        for letter in "cdefg":
            with pytest.raises(tokens.InvalidToken):
                tokens.verify("mc_" + letter * 43, ip="10.0.0.5")
        with pytest.raises(tokens.TooManyFailures):
            tokens.verify(good, ip="10.0.0.5")  # the address is locked, whatever it presents
        assert tokens.verify(good, ip="10.0.0.6").user == user


# -- the command -----------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("tokens", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_issue_prints_the_token_alone(user):
    out, err = run("issue", "--user", "cong_dvc", "--name", "Cổng DVC tỉnh", "--days", "30")
    secret = out.strip()
    assert out == secret + "\n" and secret.startswith("mc_")
    assert "chỉ hiện một lần" in err
    token = tokens.verify(secret)
    assert (token.expires_at - token.created_at).days == 30
    entry = AuditEntry.objects.filter(object_type="core.apitoken", action="create").get()
    assert entry.actor_label == "dòng lệnh motcua tokens"

    out, _ = run("issue", "--user", "cong_dvc", "--name", "Vĩnh viễn", "--no-expiry")
    assert tokens.verify(out.strip()).expires_at is None


def test_command_list_and_revoke(user):
    first = tokens.issue(user, "Một").token
    second = tokens.issue(user, "Hai").token
    rows = json.loads(run("list", "--json")[0])
    assert [(r["id"], r["user"], r["status"]) for r in rows] == [
        (first.pk, "cong_dvc", "active"),
        (second.pk, "cong_dvc", "active"),
    ]
    assert set(rows[0]) >= {"name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"}

    _, err = run("revoke", str(first.pk), second.prefix)
    assert "Đã thu hồi mã truy cập #" in err
    assert json.loads(run("list", "--json")[0]) == []
    listed = json.loads(run("list", "--json", "--all", "--user", "cong_dvc")[0])
    assert {r["status"] for r in listed} == {"revoked"}
    _, err = run("revoke", str(first.pk))
    assert "đã bị thu hồi từ trước" in err
    out, _ = run("list", "--all")
    assert "đã thu hồi" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (("issue", "--user", "khong_co", "--name", "A"), "Không có tài khoản"),
        (("issue", "--user", "cong_dvc", "--name", " "), "Phải đặt tên"),
        (("issue", "--user", "cong_dvc", "--name", "A", "--days", "99999"), "từ 1 đến"),
        (("revoke", "424242"), "Không tìm thấy mã truy cập"),
        (("revoke", "mc_khongco"), "Không tìm thấy mã truy cập"),
    ],
)
def test_command_errors_exit_non_zero_in_vietnamese(user, args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert message in str(caught.value)
