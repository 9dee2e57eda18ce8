import time

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from motcua.core.models import AuditEntry, Role, TOTPDevice
from motcua.core.tests import factories

pytestmark = pytest.mark.django_db
LOGIN = "/can-bo/dang-nhap/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officer():
    ward = factories.unit("Phường Thử")
    return factories.staff([Role.INTAKE_OFFICER], ward, username="motcua.thu")


def _password(client, username="motcua.thu", password=factories.PASSWORD, **extra):
    return client.post(LOGIN, {"step": "password", "username": username, "password": password, **extra})


def test_passwords_are_hashed_with_argon2(officer):
    assert officer.password.startswith("argon2")


def test_login_and_logout_are_audited(client, officer):
    response = _password(client)
    assert response.status_code == 302 and response["Location"] == reverse("staff:home")
    assert client.get(reverse("staff:home")).status_code == 200
    assert AuditEntry.objects.filter(action="login", actor_id=officer.pk).exists()
    client.post(reverse("staff:logout"))
    assert AuditEntry.objects.filter(action="logout", actor_id=officer.pk).exists()
    assert client.get(reverse("staff:home")).status_code == 302


def test_wrong_password_is_refused_in_vietnamese_with_4xx(client, officer):
    response = _password(client, password="sai-mat-khau")
    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert AuditEntry.objects.filter(action="login_failed").count() == 1


def test_logout_requires_post(client, officer):
    _password(client)
    assert client.get(reverse("staff:logout")).status_code == 405


@pytest.mark.parametrize("bad_next", ["https://evil.example/", "//evil.example/x"])
def test_next_never_leaves_the_site(client, officer, bad_next):
    response = _password(client, next=bad_next)
    assert response["Location"] == reverse("staff:home")


def test_five_failures_lock_the_account_even_with_the_right_password(client, officer, settings):
    settings.MOTCUA_LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        assert _password(client, password="sai").status_code == 400
    locked = _password(client)
    assert locked.status_code == 429
    assert "tạm bị khóa" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_account_failing_at_a_shared_address_does_not_lock_out_the_others(client, officer, settings):
    settings.MOTCUA_LOGIN_MAX_FAILURES = 3
    colleague = factories.staff([Role.SPECIALIST], factories.unit("Phường Bên"), username="canbo.ben")
    for _ in range(3):
        assert _password(client, password="sai").status_code == 400
    assert _password(client).status_code == 429  # this account, from this address, waits
    office = Client(REMOTE_ADDR="127.0.0.1")  # a colleague behind the same address
    assert _password(office, username=colleague.username).status_code == 302
    home = Client(REMOTE_ADDR="10.0.0.9")  # the owner, from elsewhere
    assert _password(home).status_code == 302


def test_guessing_across_accounts_from_one_address_locks_that_address(client, settings):
    settings.MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    ward = factories.unit("Phường X")
    factories.staff([Role.SPECIALIST], ward, username="canbo.that")
    for name in ("a1", "a2", "a3"):
        _password(client, username=name, password="sai")
    assert _password(client, username="canbo.that").status_code == 429
    assert _password(Client(REMOTE_ADDR="10.0.0.8"), username="canbo.that").status_code == 302


def test_guessing_one_account_from_many_addresses_locks_the_account(officer, settings):
    settings.MOTCUA_LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    for n in range(3):
        assert _password(Client(REMOTE_ADDR=f"10.0.1.{n}"), password="sai").status_code == 400
    assert _password(Client(REMOTE_ADDR="10.0.1.9")).status_code == 429


def test_totp_second_factor_is_asked_and_checked(client, officer):
    secret = pyotp.random_base32()
    TOTPDevice.objects.create(user=officer, secret=secret, confirmed=True)
    response = _password(client)
    assert response.status_code == 200 and "Mã xác thực hai lớp" in response.content.decode()
    assert "_auth_user_id" not in client.session  # no session before the second factor
    assert client.post(LOGIN, {"step": "otp", "code": "000000"}).status_code == 400
    code = pyotp.TOTP(secret).now()
    assert client.post(LOGIN, {"step": "otp", "code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_a_totp_code_cannot_be_replayed(client, officer):
    secret = pyotp.random_base32()
    TOTPDevice.objects.create(user=officer, secret=secret, confirmed=True)
    code = pyotp.TOTP(secret).now()
    _password(client)
    assert client.post(LOGIN, {"step": "otp", "code": code}).status_code == 302
    client.post(reverse("staff:logout"))
    _password(client)
    assert client.post(LOGIN, {"step": "otp", "code": code}).status_code == 400


def test_production_requires_enrolment_before_any_session(client, officer, settings):
    settings.MOTCUA_REQUIRE_2FA = True
    response = _password(client)
    assert response.status_code == 200 and "<svg" in response.content.decode()
    assert "_auth_user_id" not in client.session
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    assert client.post(LOGIN, {"step": "enrol", "code": "123456"}).status_code == 400
    ok = client.post(LOGIN, {"step": "enrol", "code": pyotp.TOTP(device.secret).now()})
    assert ok.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_pending_second_factor_expires(client, officer, monkeypatch):
    TOTPDevice.objects.create(user=officer, secret=pyotp.random_base32(), confirmed=True)
    _password(client)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 600)
    response = client.post(LOGIN, {"step": "otp", "code": "123456"})
    assert response.status_code == 400 and "hết hạn" in response.content.decode()


def test_admin_is_for_administrators_only(client, officer):
    anonymous = client.get("/quan-tri/", follow=True)
    assert anonymous.redirect_chain[-1][0].startswith(reverse("staff:login"))
    assert "next=/quan-tri/" in anonymous.redirect_chain[-1][0].replace("%2F", "/")
    _password(client)
    refused = client.get("/quan-tri/", follow=True)
    assert refused.status_code == 403 and "Chỉ tài khoản quản trị" in refused.content.decode()
    province = factories.unit("Tỉnh", kind="province")
    factories.staff([Role.ADMINISTRATOR], province, username="qt")
    client.post(reverse("staff:logout"))
    _password(client, username="qt")
    assert client.get("/quan-tri/").status_code == 200


def test_security_headers_on_pages(client):
    response = client.get(LOGIN)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_login_form_requires_csrf(officer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        LOGIN, {"step": "password", "username": "motcua.thu", "password": factories.PASSWORD}
    )
    assert response.status_code == 403
