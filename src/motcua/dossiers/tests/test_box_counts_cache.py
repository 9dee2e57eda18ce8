"""The box counts of the side navigation are cached (``dossiers.boxcache``) and never stale after a write:
a hand-over, a consultation, a new role assignment show at once in the counts of everyone concerned.

The tests run inside one transaction that never commits, so the writes' after-commit invalidation is
run by ``django_capture_on_commit_callbacks(execute=True)``, as the commit would run it."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.models import Role, RoleAssignment
from motcua.dossiers import services as s
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 9, 10, 0)
MENU = "/can-bo/ho-so/menu/"
BOX = re.compile(r'href="[^"]*box=([a-z-]+)"[^>]*>.*?(?:<span class="count[^"]*">(\d+)|</a>)', re.S)


@pytest.fixture
def w():
    with time_machine.travel(NOW, tick=False):
        world = df.world()
        cache.clear()
        yield world


def counts(client, user) -> dict[str, int]:
    client.force_login(user)
    text = client.get(MENU).content.decode()
    return {slug: int(n) for slug, n in BOX.findall(text) if n}


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(MENU)
    return sum(1 for q in ctx.captured_queries if "COUNT(*)" in q["sql"])


def test_a_hand_over_shows_at_once_in_both_officers_counts(client, w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = s.hand_over(df.receive(w).code, by=w.intake_a, expected_version=1)
    before_specialist = counts(client, w.specialist_a)
    before_leader = counts(client, w.leader_a)
    assert before_specialist["can-xu-ly"] == 1 and before_leader.get("cho-duyet", 0) == 0
    # Warm: the counts now come from the cache, without counting again.
    client.force_login(w.specialist_a)
    assert count_queries(client) == 0
    with django_capture_on_commit_callbacks(execute=True):
        s.hand_over(d.code, by=w.specialist_a, expected_version=2)
    assert counts(client, w.specialist_a)["can-xu-ly"] == 0
    assert counts(client, w.leader_a)["cho-duyet"] == 1


def test_a_write_that_never_commits_leaves_the_cached_counts_in_place(
    client, w, django_capture_on_commit_callbacks
):
    """The invalidation runs after the commit: a rolled-back or pending write changes no token (and its
    own counts, read by others before the commit, are never stored under a token that outlives it)."""
    with django_capture_on_commit_callbacks(execute=True):
        s.hand_over(df.receive(w).code, by=w.intake_a, expected_version=1)
    assert counts(client, w.specialist_a)["can-xu-ly"] == 1
    with django_capture_on_commit_callbacks(execute=False) as pending:
        s.hand_over(df.receive(w).code, by=w.intake_a, expected_version=1)
    assert pending  # the invalidation waits for the commit
    client.force_login(w.specialist_a)
    assert count_queries(client) == 0  # still the cached counts: nothing committed yet
    for callback in pending:
        callback()
    assert counts(client, w.specialist_a)["can-xu-ly"] == 2


def test_a_consultation_shows_in_the_consulted_units_box(client, w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = s.hand_over(df.receive(w).code, by=w.intake_a, expected_version=1)
    assert counts(client, w.justice_specialist).get("xin-y-kien", 0) == 0
    with django_capture_on_commit_callbacks(execute=True):
        s.request_consultation(
            d.code,
            by=w.specialist_a,
            expected_version=2,
            targets=[s.ConsultationTarget(unit=w.justice, working_days=2)],
            question="Đề nghị xác minh",
        )
    assert counts(client, w.justice_specialist)["xin-y-kien"] == 1


def test_a_new_role_assignment_changes_the_boxes_at_once(client, w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        s.hand_over(df.receive(w).code, by=w.intake_a, expected_version=1)
    assert counts(client, w.specialist_b).get("can-xu-ly", 0) == 0
    with django_capture_on_commit_callbacks(execute=True):
        RoleAssignment.objects.create(
            user=w.specialist_b, role=Role.SPECIALIST, unit=w.ward_a, valid_from=NOW.date()
        )
    assert counts(client, w.specialist_b)["can-xu-ly"] == 1


def test_the_counts_may_be_evicted_at_any_time(client, w, django_capture_on_commit_callbacks):
    """The cache may drop the counts (Redis under memory pressure, the database cache culling): they are
    counted again, never taken from an older generation."""
    with django_capture_on_commit_callbacks(execute=True):
        d = s.hand_over(df.receive(w).code, by=w.intake_a, expected_version=1)
    assert counts(client, w.leader_a).get("cho-duyet", 0) == 0
    with django_capture_on_commit_callbacks(execute=True):
        s.hand_over(d.code, by=w.specialist_a, expected_version=2)
    cache.clear()
    assert counts(client, w.leader_a)["cho-duyet"] == 1
    client.force_login(w.leader_a)
    assert count_queries(client) == 0  # counted once more, then kept
