"""SQL for the hottest write path (a counter receipt): ``INSERT … RETURNING id`` and prepared statements.

``insert`` / ``insert_family`` build the statement once per model and bind each field's value exactly
as Django's own insert does (``field.pre_save(obj, add=True)`` — ``auto_now`` dates, file uploads —
then ``field.get_db_prep_save``), without building a query object per row. What they leave out, and
so must not be used for: models with ``pre_save`` / ``post_save`` receivers (no signal is sent),
models whose primary key is not an auto-increment ``id``, and values that are query expressions. The
objects get their ``pk`` and count as saved. ``cursor`` runs such fixed statements prepared on
PostgreSQL. ``docs/benchmarks.md`` ("Counter intake rate") gives what each step saves.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

PREPARE_AFTER = 2  # runs of a statement on a connection before psycopg prepares it
_STATEMENTS: dict[tuple[Any, ...], tuple[str, list[models.Field[Any, Any]]]] = {}


def _connection() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]  # the real wrapper, not the thread-local proxy


_NATIVE: dict[str, str] = {}


def _native(sql: str) -> str:
    """``sql`` with its ``%s`` placeholders numbered ``$1, $2…`` (PostgreSQL's own), once per statement."""
    found = _NATIVE.get(sql)
    if found is None:
        if "%%" in sql:  # pragma: no cover - none of this module's statements has a literal %
            raise ValueError("fastsql: a literal % is not supported")
        parts = sql.split("%s")
        found = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
        if len(_NATIVE) < 1000:
            _NATIVE[sql] = found
    return found


class _NativeCursor:
    """Django's cursor wrapper around a psycopg ``RawCursor``: the statement goes to the server as it
    is, with ``$n`` placeholders, so psycopg neither rewrites it on every run (it would: a long
    statement with many values is not in its own cache) nor quotes the values into it."""

    def __init__(self, wrapped: Any) -> None:
        self._wrapped = wrapped

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._wrapped.execute(_native(sql), params)

    def fetchone(self) -> Any:
        return self._wrapped.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._wrapped.fetchall())


@contextlib.contextmanager
def cursor() -> Iterator[Any]:
    """A cursor for the fixed statements of a hot path, run again and again with other values
    (``%s`` placeholders, ``execute``, ``fetchone``, ``fetchall``).

    On PostgreSQL the values travel apart from the statement (server-side binding) and psycopg
    prepares each statement after a few runs, so the server no longer parses and plans it every time
    (a join's planning costs more than its execution). Elsewhere, the usual cursor. Errors are Django's
    (``IntegrityError``…), and the statements are logged like any other (``CaptureQueriesContext``)."""
    connection = _connection()
    if connection.vendor != "postgresql":
        with connection.cursor() as found:
            yield found
        return
    from psycopg import RawCursor

    connection.ensure_connection()
    with connection.wrap_database_errors:
        pg = connection.connection
        if pg.prepare_threshold is None:
            # Django turns psycopg's automatic preparing off; it only ever applies to server-binding
            # cursors, which nothing but this module uses.
            pg.prepare_threshold = PREPARE_AFTER
        raw: Any = RawCursor(pg)
    wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with wrapped:
        yield _NativeCursor(wrapped)


def _statement(
    connection: BaseDatabaseWrapper, model: type[models.Model], rows: int, parent: tuple[str, str] | None
) -> tuple[str, list[models.Field[Any, Any]]]:
    """The statement and the fields bound to its placeholders. ``parent``: (foreign key attname, SQL
    giving its value), written into every row instead of a placeholder."""
    key = (model, connection.vendor, rows, parent)
    found = _STATEMENTS.get(key)
    if found is None:
        meta = model._meta
        quote = connection.ops.quote_name
        columns = [f for f in meta.concrete_fields if not f.primary_key]
        attname, value_sql = parent if parent is not None else ("", "")
        fields = [f for f in columns if f.attname != attname]
        one = "(" + ", ".join("%s" if f in fields else value_sql for f in columns) + ")"
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in columns)}) "  # noqa: S608
            f"VALUES {', '.join([one] * rows)} RETURNING {quote(str(meta.pk.column))}"
        )
        found = _STATEMENTS[key] = (sql, fields)
    return found


def statement(objs: Sequence[models.Model], parent: tuple[str, str] | None = None) -> tuple[str, list[Any]]:
    """The ``INSERT … VALUES (…), (…) RETURNING id`` of ``objs`` (one model) and its parameters, to
    run as it is or inside a larger statement; ``saved`` then records the ids."""
    connection = _connection()
    sql, fields = _statement(connection, type(objs[0]), len(objs), parent)
    params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for obj in objs for f in fields]
    return sql, params


def saved(obj: models.Model, pk: Any) -> None:
    """Mark ``obj`` as stored with primary key ``pk``."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS


def insert(objs: Sequence[models.Model]) -> None:
    """Insert ``objs`` (all of one model) and set their primary keys: one statement on PostgreSQL
    (rows come back in the order of ``VALUES``), one per row elsewhere."""
    if not objs:
        return
    connection = _connection()
    batch = len(objs) if connection.vendor == "postgresql" else 1
    with cursor() as found:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            sql, params = statement(chunk)
            found.execute(sql, params)
            for obj, (pk,) in zip(chunk, found.fetchall(), strict=True):
                saved(obj, pk)


def insert_family(parent: models.Model, children: Sequence[tuple[Sequence[models.Model], str]]) -> None:
    """Insert ``parent`` and, for each ``(rows, foreign key name)``, rows that point at it.

    On PostgreSQL one statement: the parent's ``INSERT`` in a ``WITH``, each group of children an
    ``INSERT`` taking the parent's new id from it (Django's foreign keys are checked at commit).
    The ids come back tagged by group; within a group they were drawn from the sequence in the order
    of ``VALUES``, so sorted they match the rows. Elsewhere: ``insert`` for each."""
    groups = [(rows, name) for rows, name in children if rows]
    connection = _connection()
    if connection.vendor != "postgresql":
        insert([parent])
        for rows, name in groups:
            for row in rows:
                setattr(row, name, parent)
            insert(rows)
        return
    sql, params = statement([parent])
    ctes = [f"p AS ({sql})"]
    selects = ["SELECT 0, id FROM p"]
    for n, (rows, name) in enumerate(groups, start=1):
        attname = rows[0]._meta.get_field(name).get_attname()  # type: ignore[union-attr]
        child_sql, child_params = statement(rows, parent=(attname, "(SELECT id FROM p)"))
        ctes.append(f"c{n} AS ({child_sql})")
        selects.append(f"SELECT {n}, id FROM c{n}")  # noqa: S608 (numbers only)
        params += child_params
    with cursor() as found:
        found.execute(f"WITH {', '.join(ctes)} {' UNION ALL '.join(selects)}", params)
        ids: dict[int, list[Any]] = {}
        for group, pk in found.fetchall():
            ids.setdefault(group, []).append(pk)
    saved(parent, ids[0][0])
    for n, (rows, name) in enumerate(groups, start=1):
        for row, pk in zip(rows, sorted(ids[n]), strict=True):
            setattr(row, name, parent)  # the id and the cached object
            saved(row, pk)


def next_value(model: type[models.Model], keys: dict[str, Any], field: str = "last_value") -> int:
    """The next value of a counter row of ``model`` (one per ``keys``, which a unique constraint covers):
    one statement, ``INSERT … VALUES (…, 1) ON CONFLICT (keys) DO UPDATE SET field = field + 1
    RETURNING field`` (PostgreSQL; SQLite ≥ 3.35). The first use inserts the row, the next ones
    increment it; the row stays locked until the transaction ends, so a concurrent caller waits and
    gets the next value, and a rolled-back transaction spends none. Foreign keys are given by id."""
    meta = model._meta
    quote = _connection().ops.quote_name
    table = quote(meta.db_table)
    columns = [quote(meta.get_field(name).column) for name in keys]  # type: ignore[union-attr]
    value = quote(meta.get_field(field).column)  # type: ignore[union-attr]
    names = ", ".join(columns)
    places = ", ".join("%s" for _ in keys)
    with cursor() as c:
        c.execute(
            f"INSERT INTO {table} ({names}, {value}) VALUES ({places}, 1) "  # noqa: S608 - our own names
            f"ON CONFLICT ({names}) DO UPDATE SET {value} = {table}.{value} + 1 RETURNING {value}",
            list(keys.values()),
        )
        row = c.fetchone()
    return int(row[0])
