"""Attempt counters hold under concurrency: twenty wrong passwords or tokens sent at the same moment,
each on its own thread and database connection, are checked (and answered "wrong") at most the limit
times; the others are refused as locked."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.test import Client

from motcua.core import throttle
from motcua.core.models import AuditEntry, Role, Throttle
from motcua.core.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
PARALLEL = 20
LOGIN = "/can-bo/dang-nhap/"


def at_once(request: Callable[[Client], int], address: str) -> list[int]:
    """Send ``PARALLEL`` requests from ``address`` released together by a barrier; their statuses."""
    barrier = threading.Barrier(PARALLEL)

    def one(_: int) -> int:
        client = Client(REMOTE_ADDR=address)
        try:
            barrier.wait(timeout=60)
            return request(client)
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(one, range(PARALLEL)))


def test_twenty_parallel_wrong_passwords_check_the_password_at_most_the_limit(settings, monkeypatch):
    settings.MOTCUA_LOGIN_MAX_FAILURES = 5
    officer = factories.staff([Role.INTAKE_OFFICER], factories.unit("Phường Song Song"), username="motcua.ss")
    checked: list[int] = []
    lock = threading.Lock()
    real_verify = Argon2PasswordHasher.verify

    def counting_verify(self, password, encoded):
        with lock:
            checked.append(1)
        return real_verify(self, password, encoded)

    monkeypatch.setattr(Argon2PasswordHasher, "verify", counting_verify)
    statuses = at_once(
        lambda c: (
            c.post(
                LOGIN, {"step": "password", "username": "motcua.ss", "password": "sai-mat-khau"}
            ).status_code
        ),
        "10.0.0.7",
    )
    assert len(checked) == 5  # the limit, not twenty
    assert sorted(statuses) == [400] * 5 + [429] * 15
    assert AuditEntry.objects.filter(action="login_failed").count() == 5
    right = Client(REMOTE_ADDR="10.0.0.7").post(
        LOGIN, {"step": "password", "username": officer.username, "password": factories.PASSWORD}
    )
    assert right.status_code == 429 and len(checked) == 5  # locked: not even the right one is checked


def test_twenty_parallel_wrong_tokens_are_answered_invalid_at_most_the_limit(settings):
    settings.MOTCUA_API_TOKEN_MAX_FAILURES = 5
    stale = "mc_" + "z" * 43
    statuses = at_once(
        lambda c: c.get("/api/ho-so/", headers={"Authorization": f"Bearer {stale}"}).status_code, "10.0.0.8"
    )
    assert sorted(statuses) == [401] * 5 + [429] * 15
    assert AuditEntry.objects.filter(action="api_token_failed").count() == 5
    # The counter is exact: no increment was lost between two requests.
    assert Throttle.objects.get(key=throttle.key("api-token", "10.0.0.8", stale[:11])).count == 5


def test_a_successful_sign_in_gives_its_attempt_back(settings):
    settings.MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    ward = factories.unit("Phường Đông")
    for name in ("a.mot", "a.hai", "a.ba"):
        factories.staff([Role.SPECIALIST], ward, username=name)
        response = Client(REMOTE_ADDR="10.0.0.9").post(
            LOGIN, {"step": "password", "username": name, "password": factories.PASSWORD}
        )
        assert response.status_code == 302  # three sign-ins from one address lock nothing
