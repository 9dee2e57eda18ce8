"""Two counters register the same new applicant at the same moment (real threads, one connection each).

On PostgreSQL the two transactions really overlap: both look the CCCD up and find nothing (the
``lookups_miss_together`` barrier holds each insert until both lookups are done), then both insert;
the second insert waits for the first commit and then violates ``core_person_citizen_id_key``. The
applicant service takes the row the other counter stored instead, so both dossiers are received, for
one citizen. (SQLite takes the write lock at BEGIN, so there the two simply queue: no barrier.)
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.db.models.signals import pre_save
from django.test import Client

from motcua.core import tokens
from motcua.core.models import Organisation, Person
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.dossiers.tests.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)

NEW_ID = "001190000456"  # Hà Nội, male born 1990; not in the world
NEW_TAX = "0209999999"


@contextlib.contextmanager
def lookups_miss_together(model) -> Iterator[None]:
    """On PostgreSQL, hold each thread's insert of ``model`` until both threads are about to insert,
    so both have looked the number up before either row exists: the race, every time."""
    if connection.vendor == "sqlite":
        yield
        return
    barrier = threading.Barrier(2)

    def wait(sender, instance, **kwargs):
        if instance.pk is None:
            barrier.wait(timeout=30)

    pre_save.connect(wait, sender=model, dispatch_uid="race-barrier", weak=False)
    try:
        yield
    finally:
        pre_save.disconnect(sender=model, dispatch_uid="race-barrier")


def _api_create(w, secret: str, applicant: dict) -> tuple[int, str]:
    body = {
        "channel": 1,
        "applicant": applicant,
        "procedure": w.procedure.code,
        "receiving_unit": w.ward_a.code,
        "components": [{"order": c.order} for c in w.version.components.all()],
    }
    response = Client().post(
        "/api/ho-so/",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    "applicant,model,key",
    [
        ({"citizen_id": NEW_ID, "full_name": "Trần Văn Bình"}, Person, {"citizen_id": NEW_ID}),
        ({"tax_code": NEW_TAX, "full_name": "HTX Vận tải Biển Đông"}, Organisation, {"tax_code": NEW_TAX}),
    ],
)
def test_two_api_calls_registering_the_same_new_applicant_both_succeed(applicant, model, key):
    w = df.world()
    secrets = [tokens.issue(w.intake_a, f"Hệ thống {i}").secret for i in range(2)]
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False), lookups_miss_together(model):
        results, errors = run_together(2, lambda i: _api_create(w, secrets[i], applicant))
    assert errors == []
    assert sorted(status for status, _ in results) == [201, 201], results
    assert model.objects.filter(**key).count() == 1
    assert Dossier.objects.filter(applicant_id_number=next(iter(key.values()))).count() == 2


def _form_data(w, **overrides) -> dict:
    data = {
        "procedure": w.procedure.code,
        "receiving_unit": w.ward_a.pk,
        "competent_unit": w.ward_a.pk,
        "channel": 1,
        "result_delivery": "counter",
        "other_quantity": 1,
        "other_kind": "copy",
    }
    for c in w.version.components.all():
        data[f"c{c.pk}_received"] = "on"
        data[f"c{c.pk}_kind"] = c.kind
        data[f"c{c.pk}_quantity"] = 1
    data.update(overrides)
    return data


def _counter_receipt(w, data: dict) -> tuple[int, str]:
    client = Client()
    client.force_login(w.intake_a)
    response = client.post("/can-bo/ho-so/tiep-nhan/", data)
    return response.status_code, response.headers.get("Location", "")


@pytest.mark.parametrize(
    "applicant,model,key",
    [
        (
            {"applicant_kind": "person", "citizen_id": NEW_ID, "full_name": "Trần Văn Bình"},
            Person,
            {"citizen_id": NEW_ID},
        ),
        (
            {"applicant_kind": "organisation", "tax_code": NEW_TAX, "org_name": "HTX Vận tải Biển Đông"},
            Organisation,
            {"tax_code": NEW_TAX},
        ),
    ],
)
def test_two_counters_registering_the_same_new_applicant_both_receive(applicant, model, key):
    w = df.world()
    data = _form_data(w, **applicant)
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False), lookups_miss_together(model):
        results, errors = run_together(2, lambda i: _counter_receipt(w, data))
    assert errors == []
    assert sorted(status for status, _ in results) == [302, 302], results
    assert all(location.startswith("/can-bo/ho-so/000.11.01.H31-260309-") for _, location in results)
    assert model.objects.filter(**key).count() == 1
    assert Dossier.objects.filter(applicant_id_number=next(iter(key.values()))).count() == 2
