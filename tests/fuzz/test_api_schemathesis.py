"""The REST API fuzzed from its own OpenAPI document (``/api/openapi.json``) with schemathesis.

Every operation gets requests generated from its schema, valid ones and invalid ones, with a real API
token (an intake officer's, ``motcua tokens issue``) and without; the dossier operations also on a
real dossier's code. Every answer must

- not be a server error (5xx),
- have a status the document declares for the operation, as JSON,
- have a body that matches the declared schema of that status.

In-process against the WSGI application (the test database, inside the test's transaction), bounded
(a fixed number of examples per operation) and derandomized, so CI sees the same requests every
run: about a minute on a 2-core machine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import schemathesis
import time_machine
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.core import tokens
from motcua.dossiers.tests import factories as df

pytestmark = pytest.mark.django_db

NOW = df.at(2026, 3, 9, 10, 0)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 15}


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        w = df.world()
        dossier = df.receive(w)
    return w, dossier


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django's WSGI handler closes the database connection after each request; the test client
    does not, and neither may this (the test's transaction would be lost)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema() -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


def _describe(case: schemathesis.Case, response: object, exc: BaseException) -> str:
    status = getattr(response, "status_code", "?")
    text = str(exc).strip().splitlines()
    body = (getattr(response, "text", "") or "")[:300]
    return f"{case.method} {case.formatted_path} → {status}: {' | '.join(text[:6])[:600]}\n    body: {body}"


def fuzz(
    operations: Iterator[schemathesis.APIOperation],
    *,
    headers: dict[str, str],
    path_parameters: dict[str, str] | None = None,
) -> tuple[list[str], int]:
    """Run every operation's generated cases; return the failures (one line each) and the count."""
    failures: list[str] = []
    sent = 0
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            strategy = operation.as_strategy(mode, path_parameters=path_parameters)

            @settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: schemathesis.Case) -> None:
                nonlocal sent
                response = case.call(headers=headers)
                sent += 1
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
                    failures.append(_describe(case, response, exc))

            run()
    return failures, sent


def _operations(schema: schemathesis.BaseSchema) -> list[schemathesis.APIOperation]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("authenticated", [True, False], ids=["with-token", "without-token"])
def test_the_api_answers_every_generated_request_as_documented(world, authenticated):
    w, _ = world
    headers = (
        {"Authorization": f"Bearer {tokens.issue(w.intake_a, 'Kiểm thử').secret}"} if authenticated else {}
    )
    started = time.monotonic()
    with time_machine.travel(NOW, tick=False):
        operations = _operations(_schema())
        assert len(operations) == 16  # catalogue 2, calendar 2, units 2, dossiers 8, result 1, tracking 1
        failures, sent = fuzz(iter(operations), headers=headers)
    print(f"{sent} requests in {time.monotonic() - started:.0f} s")
    assert failures == [], "\n".join(failures)


def test_the_dossier_operations_on_a_real_dossier_answer_as_documented(world):
    w, dossier = world
    headers = {"Authorization": f"Bearer {tokens.issue(w.intake_a, 'Kiểm thử').secret}"}
    with time_machine.travel(NOW, tick=False):
        operations = [op for op in _operations(_schema()) if "{code}" in op.path and "/ho-so/" in op.path]
        assert len(operations) == 6  # detail, lean record, sync record, acceptance, transition, result
        failures, _ = fuzz(iter(operations), headers=headers, path_parameters={"code": dossier.code})
    assert failures == [], "\n".join(failures)
