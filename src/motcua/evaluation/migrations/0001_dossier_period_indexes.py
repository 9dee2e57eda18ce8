"""Indexes on the dossier table for the QĐ 766 index's period reads (docs/benchmarks.md, "766 index").

The dossiers app owns the table; these indexes belong to the evaluation's reads, so they live here:

- ``evaluation_dossier_received``: dossiers received in a period (every dossier indicator);
- ``evaluation_dossier_ended``: dossiers received before the period that ended in or after it (2.1):
  ``finished_at >= start AND received_at < start`` are both index conditions, so only those rows
  reach the table;
- ``evaluation_dossier_open``: dossiers received earlier and still open (2.1), a small partial index.

On PostgreSQL they are built ``CONCURRENTLY`` (no write lock on a large table), hence a non-atomic
migration. Django's model state does not know them, so no model change can drop them by accident.
"""

from django.db import migrations

INDEXES = [
    ("evaluation_dossier_received", "(received_at)", ""),
    ("evaluation_dossier_ended", "(finished_at, received_at)", ""),
    ("evaluation_dossier_open", "(received_at)", " WHERE finished_at IS NULL"),
]


def create(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name, columns, where in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX{concurrently} IF NOT EXISTS {name} ON dossiers_dossier {columns}{where}"
        )


def drop(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("dossiers", "0003_inbox_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
