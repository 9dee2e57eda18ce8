"""Write-side of the outbox: ``enqueue`` a message inside the caller's transaction.

Delivery (the adapters, retries with back-off, the dead letters and replay) is the delivery engine's
(``integrations.delivery``), run by the worker.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from motcua.core import fastsql
from motcua.integrations.models import OutboxMessage


class OutboxError(RuntimeError):
    pass


def _insert_sql(connection: Any, rows: int = 1) -> tuple[str, list[Any]]:
    """``INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`` of ``rows`` rows, and the
    fields of a row."""
    meta = OutboxMessage._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = "), (".join([", ".join(["%s"] * len(fields))] * rows)
    key = quote(meta.get_field("idempotency_key").column)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({key}) DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


def _connection() -> Any:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise OutboxError("outbox.enqueue phải được gọi bên trong giao dịch của thao tác nghiệp vụ.")
    return connection


def _message(topic: str, key: str, payload: dict[str, Any], idempotency_key: str) -> OutboxMessage:
    """A checked, unsaved message; the payload round-trips through the encoder, so dates and decimals
    are stored as the receiver will see them."""
    if not topic or not key or not idempotency_key:
        raise OutboxError("Thông điệp cần loại (topic), khóa (key) và khóa chống trùng (idempotency_key).")
    body = json.loads(DjangoJSONEncoder().encode(payload))
    return OutboxMessage(topic=topic, key=key, payload=body, idempotency_key=idempotency_key)


def _insert(connection: Any, messages: Sequence[OutboxMessage]) -> Any:
    """One ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` of ``messages``; the cursor's rows."""
    sql, fields = _insert_sql(connection, len(messages))
    params = [f.get_db_prep_save(f.pre_save(m, add=True), connection) for m in messages for f in fields]
    with fastsql.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def enqueue(topic: str, key: str, payload: dict[str, Any], idempotency_key: str) -> OutboxMessage:
    """Add a pending message; the same ``idempotency_key`` twice returns the first message unchanged.

    Must run inside the use case's ``transaction.atomic()`` block, so that the message is committed
    with the change it reports, or not at all. One statement (``ON CONFLICT DO NOTHING``, PostgreSQL
    and SQLite ≥ 3.35): no savepoint, and a duplicate never aborts the caller's transaction.
    """
    connection = _connection()
    message = _message(topic, key, payload, idempotency_key)
    rows = _insert(connection, [message])
    if not rows:
        existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:  # pragma: no cover - the conflicting row cannot vanish inside the transaction
            raise OutboxError(f"Không ghi được thông điệp {idempotency_key}.")
        return existing
    message.pk = rows[0][0]
    message._state.adding = False
    message._state.db = connection.alias
    return message


def enqueue_many(messages: Sequence[tuple[str, str, dict[str, Any], str]]) -> None:
    """``enqueue`` several messages ``(topic, key, payload, idempotency_key)`` in one statement, in
    order (their ids follow the order given, so they are delivered in that order per key). A message
    whose idempotency key exists is skipped."""
    connection = _connection()
    if messages:
        _insert(connection, [_message(*m) for m in messages])


def _open(topics: Sequence[str], keys: Sequence[str] | None) -> Q:
    where = Q(topic__in=list(topics))
    if keys is not None:
        where &= Q(key__in=list(keys))
    return where


def replay(
    topics: Sequence[str],
    *,
    keys: Sequence[str] | None = None,
    ids: Sequence[int] | None = None,
    dead_only: bool = False,
    now: datetime | None = None,
) -> list[int]:
    """Put messages of ``topics`` back in the queue, due now, with a fresh attempts budget: the dead
    ones (``dead_only``, or when neither ``keys`` nor ``ids`` is given), or every message of ``keys``
    or ``ids`` (acknowledged ones too: the receiver is sent them again, in order, under their
    idempotency keys). Returns the ids put back, in order."""
    moment = now or timezone.now()
    where = _open(topics, keys) & ~Q(status=OutboxMessage.Status.PENDING)
    if ids is not None:
        where &= Q(pk__in=list(ids))
    if dead_only or (keys is None and ids is None):
        where &= Q(status=OutboxMessage.Status.DEAD)
    with transaction.atomic():
        chosen = list(
            OutboxMessage.objects.select_for_update()
            .filter(where)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if chosen:
            OutboxMessage.objects.filter(pk__in=chosen).update(
                status=OutboxMessage.Status.PENDING,
                next_attempt_at=moment,
                attempts=0,
                claimed_by="",
                delivered_at=None,
                replays=F("replays") + 1,
            )
    return chosen


def make_due(topics: Sequence[str], *, keys: Sequence[str] | None = None, now: datetime | None = None) -> int:
    """Make the waiting messages of ``topics`` (of ``keys``) due at once; claimed ones are left to
    their sender. Returns how many."""
    moment = now or timezone.now()
    return OutboxMessage.objects.filter(
        _open(topics, keys), status=OutboxMessage.Status.PENDING, claimed_by="", next_attempt_at__gt=moment
    ).update(next_attempt_at=moment)
