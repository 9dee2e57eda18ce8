"""``core.prepared``: a read compiled once answers exactly as the queryset it was written as — the same
rows, the same Python values (aware date-times on SQLite as on PostgreSQL) — for every new value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.models import Throttle
from motcua.core.prepared import Prepared

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 9, 2, 30, 15, 123456, tzinfo=UTC)


BETWEEN = Prepared(
    "test.between",
    lambda low, high: (
        Throttle.objects.filter(key__gte=low, key__lt=high, count__lte=2)
        .order_by("key")
        .values_list("count", "window_ends_at")
    ),
    arity=2,
)


def test_the_prepared_read_answers_as_the_queryset_for_each_new_value():
    for i in range(4):
        Throttle.objects.create(key=f"tracking:{i}", count=i, window_ends_at=START + timedelta(minutes=i))
    for low, high in (("tracking:0", "tracking:9"), ("tracking:1", "tracking:3"), ("x", "y")):
        expected = Throttle.objects.filter(key__gte=low, key__lt=high, count__lte=2).order_by("key")
        assert BETWEEN.rows(low, high) == list(expected.values_list("count", "window_ends_at"))
    one, two = START + timedelta(minutes=1), START + timedelta(minutes=2)
    assert BETWEEN.rows("tracking:1", "tracking:3") == [(1, one), (2, two)]
    assert BETWEEN.rows("tracking:2", "tracking:3")[0][1].tzinfo is not None


def test_it_is_compiled_once_and_then_one_statement_a_call():
    Throttle.objects.create(key="login:a", count=1, window_ends_at=START)
    BETWEEN.rows("login:", "login:~")
    with CaptureQueriesContext(connection) as queries:
        assert BETWEEN.rows("login:", "login:~") == [(1, START)]
        assert BETWEEN.rows("login:b", "login:~") == []
    assert len(queries) == 2


def test_a_look_up_that_rewrites_its_value_is_refused_when_built():
    rewriting = Prepared(
        "test.contains", lambda kind: Throttle.objects.filter(key__contains=kind).values_list("key"), arity=1
    )
    with pytest.raises(ValueError, match="unchanged"):
        rewriting.rows("login")
    with pytest.raises(TypeError):
        BETWEEN.rows("only-one")
