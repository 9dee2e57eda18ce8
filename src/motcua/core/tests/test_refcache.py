"""The reference-data cache: one token in the database decides what every process may keep."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.catalogue.models import ProcedureVersion
from motcua.catalogue.services import import_catalogue
from motcua.catalogue.tests import factories as cf
from motcua.core import refcache
from motcua.core.models import CacheGeneration, RuleVersion
from motcua.core.rules import RULES, rule_value
from motcua.core.tests import factories
from motcua.workdays.models import CalendarOverride

pytestmark = pytest.mark.django_db


def test_a_value_is_loaded_once_per_token():
    calls: list[int] = []

    def load() -> int:
        calls.append(1)
        return 42

    assert refcache.lookup("x", load) == 42
    assert refcache.lookup("x", load) == 42
    assert len(calls) == 1
    with connection.cursor() as cursor:  # another process changed something
        cursor.execute("UPDATE core_cachegeneration SET token = 'elsewhere' WHERE id = 1")
    assert refcache.lookup("x", load) == 42 and len(calls) == 2


def test_saving_or_deleting_a_watched_model_writes_a_new_token():
    before = refcache.read_token()
    province = factories.unit("Thành phố", kind="province")
    after_unit = refcache.read_token()
    override = CalendarOverride.objects.create(date=date(2026, 12, 2), kind="day_off", name="Nghỉ")
    after_override = refcache.read_token()
    override.delete()
    after_delete = refcache.read_token()
    RuleVersion.objects.create(key="workdays.cutoff", effective_from=date(2027, 1, 1), value="16:00")
    after_rule = refcache.read_token()
    import_catalogue(cf.document())
    after_catalogue = refcache.read_token()
    version = ProcedureVersion.objects.get()
    version.implementing_units.add(province)  # a many-to-many change sends no post_save
    after_m2m = refcache.read_token()
    tokens = [before, after_unit, after_override, after_delete, after_rule, after_catalogue, after_m2m]
    assert len(set(tokens)) == len(tokens)


def test_the_token_is_read_once_in_a_pinned_block():
    refcache.lookup("warm", lambda: 1)
    with CaptureQueriesContext(connection) as ctx, transaction.atomic(), refcache.pinned():
        for _ in range(5):
            refcache.lookup("warm", lambda: 1)
    assert sum("core_cachegeneration" in q["sql"] for q in ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            refcache.lookup("warm", lambda: 1)
    assert sum("core_cachegeneration" in q["sql"] for q in ctx.captured_queries) == 3


def test_a_change_inside_a_pinned_block_is_seen_by_the_rest_of_the_block():
    with transaction.atomic(), refcache.pinned():
        assert rule_value("workdays.cutoff", date(2026, 3, 9)) == "15:00"
        RuleVersion.objects.create(key="workdays.cutoff", effective_from=date(2026, 1, 1), value="16:00")
        assert rule_value("workdays.cutoff", date(2026, 3, 9)) == "16:00"


def test_a_rolled_back_change_leaves_nothing_behind_in_the_cache():
    assert rule_value("workdays.cutoff", date(2026, 3, 9)) == "15:00"
    with pytest.raises(RuntimeError), transaction.atomic():
        RuleVersion.objects.create(key="workdays.cutoff", effective_from=date(2026, 1, 1), value="16:00")
        assert rule_value("workdays.cutoff", date(2026, 3, 9)) == "16:00"  # cached under the new token
        raise RuntimeError("thao tác bị hủy")
    # The new token was rolled back with the row and is never written again.
    assert rule_value("workdays.cutoff", date(2026, 3, 9)) == "15:00"


def test_a_missing_token_row_is_created_with_a_fresh_token():
    first = refcache.read_token()
    CacheGeneration.objects.all().delete()  # a flushed database
    second = refcache.read_token()
    assert second != first and CacheGeneration.objects.get().token == second


def test_rule_values_follow_their_versions_and_are_copies():
    assert rule_value("workdays.office_hours", date(2026, 3, 9)) == RULES["workdays.office_hours"].default
    RuleVersion.objects.create(
        key="workdays.office_hours", effective_from=date(2026, 1, 1), value=[["08:00", "12:00"]]
    )
    RuleVersion.objects.create(
        key="workdays.office_hours", effective_from=date(2026, 6, 1), value=[["07:00", "11:00"]]
    )
    assert rule_value("workdays.office_hours", date(2025, 12, 31)) == RULES["workdays.office_hours"].default
    assert rule_value("workdays.office_hours", date(2026, 3, 9)) == [["08:00", "12:00"]]
    assert rule_value("workdays.office_hours", date(2026, 6, 1)) == [["07:00", "11:00"]]
    value = rule_value("workdays.office_hours", date(2026, 3, 9))
    value.append(["13:00", "17:00"])  # a caller changing its copy does not change the cache
    assert rule_value("workdays.office_hours", date(2026, 3, 9)) == [["08:00", "12:00"]]
    with CaptureQueriesContext(connection) as ctx:
        for key in ("workdays.cutoff", "dossiers.code_format", "workdays.office_hours"):
            rule_value(key, date(2026, 3, 9))
    assert len(ctx.captured_queries) == 3  # the token each time, the rule versions never
