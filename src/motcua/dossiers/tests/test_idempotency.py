"""Creating a dossier through the API is idempotent with an ``Idempotency-Key`` header."""

from __future__ import annotations

import json
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client

from motcua.core import tokens
from motcua.dossiers.models import CreationKey, DailySequence, Dossier
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.integrations.models import OutboxMessage

MONDAY = at(2026, 3, 9, 9, 0)
URL = "/api/ho-so/"


def body(w, **overrides) -> dict:
    data = {
        "channel": 1,
        "applicant": {"citizen_id": df.CITIZEN_ID},
        "procedure": w.procedure.code,
        "receiving_unit": w.ward_a.code,
        "components": [{"order": c.order} for c in w.version.components.all()],
    }
    data.update(overrides)
    return data


def post(secret: str, data, key: str | None = None, *, raw: bool = False):
    headers = {"Authorization": f"Bearer {secret}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    text = data if raw else json.dumps(data)
    return Client().post(URL, text, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_the_same_key_and_request_return_the_first_dossier():
    w = df.world()
    secret = tokens.issue(w.intake_a, "Cổng dịch vụ công").secret
    with time_machine.travel(MONDAY, tick=False):
        first = post(secret, body(w), "4d1c6f0e-9a3b-4b7e-8a51-6f1f0a2c9e11")
        assert first.status_code == 201, first.content
        again = post(secret, body(w), "4d1c6f0e-9a3b-4b7e-8a51-6f1f0a2c9e11")
        # the same request written with its keys in another order is the same request
        shuffled = json.dumps(dict(reversed(list(body(w).items()))))
        third = post(secret, shuffled, "4d1c6f0e-9a3b-4b7e-8a51-6f1f0a2c9e11", raw=True)
    assert again.status_code == third.status_code == 201
    code = first.json()["code"]
    assert again.json()["code"] == third.json()["code"] == code == "000.11.01.H31-260309-0001"
    assert Dossier.objects.count() == 1 and CreationKey.objects.get().dossier.code == code
    assert DailySequence.objects.get().last_value == 1  # no number spent on the repeats
    assert OutboxMessage.objects.filter(key=code).count() == 2  # the record and the progress event


@pytest.mark.django_db
def test_the_same_key_with_another_request_is_409_and_creates_nothing():
    w = df.world()
    secret = tokens.issue(w.intake_a, "Cổng dịch vụ công").secret
    with time_machine.travel(MONDAY, tick=False):
        first = post(secret, body(w), "khoa-1")
        other = post(secret, body(w, result_delivery="post"), "khoa-1")
    assert other.status_code == 409
    error = other.json()
    assert error["code"] == "idempotency_key_reused"
    assert error["message"] == (
        f"Khóa Idempotency-Key “khoa-1” đã được dùng cho một yêu cầu tạo hồ sơ khác (hồ sơ "
        f"{first.json()['code']}); mỗi hồ sơ mới cần một khóa mới."
    )
    assert Dossier.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_caller_and_a_failed_request_keeps_none():
    w = df.world()
    portal = tokens.issue(w.intake_a, "Cổng dịch vụ công").secret
    post_office = tokens.issue(w.intake_a, "Bưu điện").secret
    with time_machine.travel(MONDAY, tick=False):
        # refused (no components): nothing kept, so the corrected request with the same key creates
        refused = post(portal, body(w, components=[]), "khoa-2")
        assert refused.status_code == 422 and refused.json()["code"] == "components_missing"
        assert not CreationKey.objects.exists()
        created = post(portal, body(w), "khoa-2")
        assert created.status_code == 201
        # another system (another token) may use the same key for its own dossier
        theirs = post(post_office, body(w), "khoa-2")
        assert theirs.status_code == 201 and theirs.json()["code"] != created.json()["code"]
        # an online submission relayed by the portal is idempotent too
        online = [post(portal, body(w, channel=2), "khoa-3").json()["code"] for _ in range(2)]
        assert online[0] == online[1]
        # without a key, each request creates
        assert post(portal, body(w)).json()["code"] != post(portal, body(w)).json()["code"]
    assert Dossier.objects.count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["có dấu", "a b", "x" * 201, ""])
def test_a_malformed_key_is_422(key):
    w = df.world()
    secret = tokens.issue(w.intake_a, "Cổng dịch vụ công").secret
    with time_machine.travel(MONDAY, tick=False):
        response = post(secret, body(w), key)
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_invalid"
    assert "Idempotency-Key" in response.json()["message"] and not Dossier.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_the_same_moment_create_one_dossier():
    w = df.world()
    secret = tokens.issue(w.intake_a, "Cổng dịch vụ công").secret
    barrier = threading.Barrier(4)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            barrier.wait(timeout=30)
            response = post(secret, body(w), "cung-luc")
            with lock:
                answers.append((response.status_code, response.json().get("code", response.content)))
        finally:
            connection.close()

    with time_machine.travel(MONDAY, tick=False):
        threads = [threading.Thread(target=send) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert len(answers) == 4
    assert {status for status, _ in answers} == {201}
    assert len({code for _, code in answers}) == 1
    assert Dossier.objects.count() == 1 and CreationKey.objects.count() == 1
