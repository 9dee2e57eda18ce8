"""The tables the importer writes, as plain rows (``{attname: value}``, no model instances): ``COPY``
on PostgreSQL (primary keys drawn from the sequences first when they are needed), ``bulk_create``
elsewhere; and ``among``, a filter on many values as one array parameter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import F, Lookup

from motcua.core.models import Organisation, Person
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierFee, DueReset, Supplement


def _copy(table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


_JSON = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False), less work


class Table:
    """A model written as plain rows (``{attname: value}``, no model instances): ``COPY`` on
    PostgreSQL, ``bulk_create`` elsewhere. Every row starts from the model's defaults."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.pk_column = model._meta.pk.column
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.defaults: dict[str, Any] = {
            f.attname: "" if f.get_internal_type() == "FileField" else f.get_default() for f in fields
        }
        self.json = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
        self.sequence: str | None = None  # the primary key's sequence (PostgreSQL), once asked

    def row(self, **values: Any) -> dict[str, Any]:
        return {**self.defaults, **values}

    def values(self, row: dict[str, Any]) -> list[Any]:
        """``row`` as a ``COPY`` row (JSON columns encoded)."""
        out = [row[name] for name in self.attnames]
        for i in self.json:
            out[i] = _JSON(out[i])
        return out

    def reserve(self, count: int) -> list[int]:
        """``count`` new primary keys from the table's sequence (PostgreSQL)."""
        if not count:
            return []
        with connection.cursor() as cursor:
            if self.sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [self.name, self.pk_column])
                self.sequence = cursor.fetchone()[0]
            # the sequence named once: pg_get_serial_sequence in the select list would run per row
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [self.sequence, count])
            return [value for (value,) in cursor.fetchall()]

    def copy(self, rows: Iterable[Sequence[Any]], *, with_pk: bool = False) -> None:
        """``COPY`` rows made by ``values`` (preceded by their primary key when ``with_pk``)."""
        _copy(self.name, [self.pk_column, *self.columns] if with_pk else self.columns, rows)

    def insert(self, rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
        """Insert ``rows``; with ``ids``, their new primary keys (in order), else ``[]``."""
        if not rows:
            return []
        if connection.vendor != "postgresql":
            objects = [self.model(**row) for row in rows]
            self.model.objects.bulk_create(objects, batch_size=2000)
            return [obj.pk for obj in objects] if ids else []
        if ids:
            new_ids = self.reserve(len(rows))
            self.copy(([pk, *self.values(row)] for pk, row in zip(new_ids, rows, strict=True)), with_pk=True)
            return new_ids
        self.copy(self.values(row) for row in rows)
        return []


def among(qs: Any, name: str, values: list[str]) -> Any:
    """``qs`` where the field ``name`` is one of ``values``: on PostgreSQL one array parameter
    (``= ANY(%s)``: a thousand-value ``IN`` list costs the client more than the query), else ``IN``."""
    if connection.vendor != "postgresql":
        return qs.filter(**{f"{name}__in": values})
    return qs.filter(_AnyOf(F(name), values))


class _AnyOf(Lookup):
    """``field = ANY(%s)`` with the values as one array parameter (PostgreSQL). Not registered:
    used as an expression by ``among`` only."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: Any) -> Any:
        return "%s", (list(value),)

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


DOSSIERS = Table(Dossier)
COMPONENTS = Table(DossierComponent)
FEES = Table(DossierFee)
SUPPLEMENTS = Table(Supplement)
RESETS = Table(DueReset)
EVENTS = Table(DossierEvent)
PEOPLE = Table(Person)
ORGANISATIONS = Table(Organisation)
