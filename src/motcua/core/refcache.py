"""In-process cache of reference data (calendars, rule versions, the procedure catalogue), kept correct
across processes by one generation token in the database.

The web server, the worker and the scripts each keep their own cache; they agree through the single
``CacheGeneration`` row. Every save or delete of a watched model (``WATCHED``, connected in
``connect_signals``) writes a new random token in the writer's own transaction, so the change and
the new token become visible together. A reader reads the token (one small query) and uses its cache
only if it was filled under that same token; otherwise it drops everything and reloads. Tokens are
never reused, so a change that is rolled back cannot bring back a cache filled while it was pending.

A use case reads the token once per transaction: ``with pinned():`` remembers it until the block
ends (or takes it from the use case's first query: ``token_sql`` / ``adopt``). Outside such a block
every ``lookup`` reads it again. Changes made through ``QuerySet.update()``, ``bulk_create`` or raw
SQL send no signal: call ``bump()`` after them.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection

# Models whose rows the cached values are built from ("app_label.ModelName").
# The core's own reference data; the apps add theirs from ``AppConfig.ready`` with ``watch``.
WATCHED: list[str] = ["core.RuleVersion", "core.OrgUnit"]
MAX_ENTRIES = 20_000  # a bound on memory; the cache is simply emptied when it is reached

_MISSING = object()


@dataclass
class _Store:
    token: str
    values: dict[Hashable, Any] = field(default_factory=dict)


@dataclass
class _Pin:
    token: str | None = None
    disabled: bool = False  # a change was written inside the block: read the token every time


_store = _Store(token="")
_pin: contextvars.ContextVar[_Pin | None] = contextvars.ContextVar("motcua_refcache_pin", default=None)


def _table() -> str:
    # Through the app registry: the models use this module (by way of the rules), so importing
    # them here would close a circle.
    from django.apps import apps

    return connection.ops.quote_name(apps.get_model("core", "CacheGeneration")._meta.db_table)


def _new_token() -> str:
    return uuid.uuid4().hex


def read_token() -> str:
    """The current token, as this connection sees it (one query; creates the row when missing)."""
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608 (table name only)
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"INSERT INTO {table} (id, token) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",  # noqa: S608
                [_new_token()],
            )
            cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608
            row = cursor.fetchone()
    return str(row[0])


def token_sql() -> str:
    """A scalar subquery giving the token (NULL when the row is missing), for a use case's first query
    to carry it along (``adopt``) instead of spending a round trip on it."""
    return f"(SELECT token FROM {_table()} WHERE id = 1)"  # noqa: S608 (table name only)


def adopt(found: str | None) -> None:
    """Use ``found`` (read by ``token_sql()`` in this transaction) as the token of the pinned block."""
    pin = _pin.get()
    if found is not None and pin is not None and not pin.disabled and pin.token is None:
        pin.token = str(found)


def token() -> str:
    """The token the current block works with: read once inside ``pinned()``, else every time."""
    pin = _pin.get()
    if pin is None or pin.disabled:
        return read_token()
    if pin.token is None:
        pin.token = read_token()
    return pin.token


@contextlib.contextmanager
def pinned() -> Iterator[None]:
    """Read the token at most once in the block. A use case wraps its whole transaction in one (the
    dossier services' ``_transaction``); ``calendar_for`` and the catalogue cache wrap their own
    look-ups, so that one call reads the token once. Nested blocks share the outer one's token."""
    if _pin.get() is not None:
        yield
        return
    reset = _pin.set(_Pin())
    try:
        yield
    finally:
        _pin.reset(reset)


def pinned_view[V: Callable[..., Any]](view: V) -> V:
    """A read-only page as one use case: the token is read once for the whole request (the page's
    calendars, rules and catalogue look-ups), instead of once per look-up."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with pinned():
            return view(*args, **kwargs)

    return cast(V, wrapper)


def lookup[T](key: Hashable, load: Callable[[], T]) -> T:
    """The cached value for ``key``, or ``load()`` stored under the current token.

    Values are shared by every caller of the process: they must be treated as read-only."""
    global _store
    current = token()
    store = _store
    if store.token != current:
        store = _store = _Store(token=current)
    value = store.values.get(key, _MISSING)
    if value is _MISSING:
        value = load()
        if len(store.values) >= MAX_ENTRIES:
            store.values.clear()
        store.values[key] = value
    return cast(T, value)


def bump() -> None:
    """Write a new token (in the caller's transaction, when there is one) and drop this process's cache."""
    global _store
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table()} (id, token) VALUES (1, %s) "  # noqa: S608
            "ON CONFLICT (id) DO UPDATE SET token = excluded.token",
            [_new_token()],
        )
    _store = _Store(token="")
    pin = _pin.get()
    if pin is not None:
        pin.token = None
        pin.disabled = True


def _on_change(sender: Any, raw: bool = False, **kwargs: Any) -> None:
    bump()


def _on_m2m_change(sender: Any, action: str, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        bump()


def connect_signals() -> None:
    _connect(WATCHED)


def watch(*labels: str) -> None:
    """Renew every process's cache whenever a row of these models changes (from ``AppConfig.ready``)."""
    for label in labels:
        if label not in WATCHED:
            WATCHED.append(label)
    _connect(labels)


def _connect(labels: Iterable[str]) -> None:
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label in labels:
        model = apps.get_model(label)
        uid = f"refcache-{label}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}-delete")
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            m2m_changed.connect(_on_m2m_change, sender=through, dispatch_uid=f"{uid}-{m2m.name}")
