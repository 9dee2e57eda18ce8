"""An export asked for before the parameters became English still shows and runs: the stored filters
are renamed once, by the exports app's data migration."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from motcua.dossiers.tests import factories as df
from motcua.exports import registry
from motcua.exports.models import ExportJob

pytestmark = pytest.mark.django_db

migration = importlib.import_module("motcua.exports.migrations.0003_english_parameters")


def test_stored_vietnamese_filters_get_the_current_names_and_describe_as_before(client):
    world = df.world()
    old = ExportJob.objects.create(
        owner=world.leader_a,
        kind="evaluation.index",
        format="xlsx",
        params={"tu": "2026-03-01", "den": "2026-03-31", "don_vi": ""},
    )
    late = ExportJob.objects.create(
        owner=world.leader_a, kind="evaluation.late_list", format="xlsx", params={"thang": "2026-03"}
    )
    other = ExportJob.objects.create(
        owner=world.leader_a, kind="dossiers.list", format="csv", params={"received_from": "01/03/2026"}
    )

    migration.rename(apps, None)

    for job in (old, late, other):
        job.refresh_from_db()
    assert old.params == {"start": "2026-03-01", "end": "2026-03-31", "unit": ""}
    assert late.params == {"month": "2026-03"}
    assert other.params == {"received_from": "01/03/2026"}
    described = registry.get("evaluation.index").describe(old.params)
    assert "01/03/2026" in described and "31/03/2026" in described
