"""Reads compiled once and run many times: the hot public paths (tracking a dossier) without the ORM's
work on every request.

Building a queryset and compiling it to SQL costs more CPU than the database spends answering a
look-up by an indexed key (about 0.7 ms against 0.1 ms on the development machine, measured with
``bench/profile_pages.py``). A ``Prepared`` read is written as an ordinary queryset — so its table and
column names, joins and ordering stay the ORM's — built once per database connection with markers in
place of its parameters; each call runs that SQL with the real values and passes the rows through the
same value converters the ORM applies (dates on SQLite, time zones), so callers get what
``values_list`` would have returned.

Parameters are text (codes, keys) compared as they are: exact and range look-ups on text columns (a
``contains`` look-up rewrites its value, a number column refuses a marker); the markers are checked to
come back unchanged from the compiler, else building fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

MARKER = "\x1fmotcua-prepared-{}\x1f"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: tuple[int, ...]  # for each SQL parameter, the index of the caller's value
    fixed: tuple[Any, ...]  # parameters the query carries itself (None where the caller's goes)
    compiler: Any
    converters: dict[int, Any]


class Prepared:
    """A ``values_list`` read built by ``build(*markers)`` and run as ``rows(*values)``."""

    def __init__(self, name: str, build: Callable[..., QuerySet[Any, Any]], arity: int) -> None:
        self.name = name
        self.build = build
        self.arity = arity

    def _compile(self, alias: str) -> _Compiled:
        markers = [MARKER.format(i) for i in range(self.arity)]
        queryset = self.build(*markers)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions: list[int] = []
        fixed: list[Any] = []
        for value in params:
            if value in markers:
                positions.append(markers.index(value))
                fixed.append(None)
            else:
                positions.append(-1)
                fixed.append(value)
        if sorted(p for p in positions if p >= 0) != list(range(self.arity)):
            raise ValueError(f"{self.name}: each parameter must appear once, unchanged, in the SQL")
        fields = [item[0] for item in compiler.select[: compiler.col_count]]
        return _Compiled(sql, tuple(positions), tuple(fixed), compiler, compiler.get_converters(fields))

    def rows(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        if len(values) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} value(s)")
        connection = connections[using]
        # one compilation per connection object (a thread's own): its converters are bound to it
        cache: dict[str, _Compiled] = connection.__dict__.setdefault("_motcua_prepared", {})
        compiled = cache.get(self.name)
        if compiled is None:
            compiled = cache[self.name] = self._compile(using)
        params = [values[p] if p >= 0 else f for p, f in zip(compiled.positions, compiled.fixed, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched: Sequence[Any] = cursor.fetchall()
        if compiled.converters:
            return [tuple(r) for r in compiled.compiler.apply_converters(fetched, compiled.converters)]
        return [tuple(r) for r in fetched]
