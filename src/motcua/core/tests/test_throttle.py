"""Attempt counters hold under concurrency: twenty wrong passwords or tokens sent at the same moment,
each on its own thread and database connection, are checked (and answered "wrong") at most the limit
times; the others are refused as locked. Every test runs on both stores: database rows, and Redis
(``REDIS_URL``) where one listens on 127.0.0.1:6379."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.test import Client
from django.utils import timezone

from motcua.core import throttle
from motcua.core.models import AuditEntry, Role
from motcua.core.tests import factories
from motcua.core.tests.test_cache_redis import _redis_listening

pytestmark = pytest.mark.django_db(transaction=True)
PARALLEL = 20
LOGIN = "/can-bo/dang-nhap/"


@pytest.fixture(autouse=True, params=["database", "redis"])
def store(request, settings):
    """The counters' store; Redis under a prefix of this test's own (runs side by side share Redis)."""
    if request.param == "redis":
        if not _redis_listening():
            pytest.skip("no Redis listening on 127.0.0.1:6379")
        settings.REDIS_URL = "redis://127.0.0.1:6379/14"
        settings.MOTCUA_THROTTLE_PREFIX = f"motcua-test:{uuid.uuid4().hex}:"
    else:
        settings.REDIS_URL = None
    return request.param


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
    assert throttle.count_of(throttle.key("api-token", "10.0.0.8", stale[:11])) == 5


def test_a_successful_sign_in_gives_its_attempt_back(settings):
    settings.MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    ward = factories.unit("Phường Đông")
    for name in ("a.mot", "a.hai", "a.ba"):
        factories.staff([Role.SPECIALIST], ward, username=name)
        response = Client(REMOTE_ADDR="10.0.0.9").post(
            LOGIN, {"step": "password", "username": name, "password": factories.PASSWORD}
        )
        assert response.status_code == 302  # three sign-ins from one address lock nothing


def test_a_counter_locks_for_its_window_after_the_last_attempt_and_opens_again():
    now = timezone.now().replace(microsecond=0)
    pair = [throttle.Limit("t:a", 2), throttle.Limit("t:b", 5)]
    assert throttle.attempt(pair, 600, now) == 0
    assert throttle.attempt(pair, 600, now + timedelta(seconds=30)) == 0
    # "t:a" is at its limit: nothing is counted on either counter, the wait runs from the last attempt
    assert throttle.attempt(pair, 600, now + timedelta(seconds=40)) == 590
    assert throttle.count_of("t:b") == 2
    assert throttle.seconds_left(pair, now + timedelta(seconds=100)) == 530
    throttle.give_back(["t:a"])  # a check that succeeded
    assert throttle.seconds_left(pair, now + timedelta(seconds=100)) == 0
    assert throttle.attempt(pair, 600, now + timedelta(seconds=100)) == 0
    assert throttle.attempt(pair, 600, now + timedelta(seconds=101)) == 599
    # the window is over: the count starts again from nothing
    assert throttle.attempt(pair, 600, now + timedelta(seconds=701)) == 0
    assert throttle.count_of("t:a") == 1 and throttle.count_of("t:b") == 1  # both windows ended
    throttle.clear(["t:a", "t:b"])
    assert throttle.count_of("t:a") == 0 and throttle.seconds_left(pair, now) == 0


def test_give_back_never_goes_below_nothing():
    throttle.give_back(["t:none"])
    assert throttle.attempt([throttle.Limit("t:none", 1)], 60) == 0
    throttle.give_back(["t:none"])
    throttle.give_back(["t:none"])
    assert throttle.count_of("t:none") == 0
    assert throttle.attempt([throttle.Limit("t:none", 1)], 60) == 0
    assert throttle.attempt([throttle.Limit("t:none", 1)], 60) > 0
