"""Write-side of the outbox: ``enqueue`` a message inside the caller's transaction.

Delivery (the national portal adapter, retries with exponential back-off, the dead-letter state and
replay) is a later issue: for now a message is written as ``pending`` and stays there.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from motcua.core import fastsql
from motcua.integrations.models import OutboxMessage


class OutboxError(RuntimeError):
    pass


def _insert_sql(connection: Any) -> tuple[str, list[Any]]:
    """``INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`` and its fields."""
    meta = OutboxMessage._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    key = quote(meta.get_field("idempotency_key").column)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({key}) DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


def enqueue(topic: str, key: str, payload: dict[str, Any], idempotency_key: str) -> OutboxMessage:
    """Add a pending message; the same ``idempotency_key`` twice returns the first message unchanged.

    Must run inside the use case's ``transaction.atomic()`` block, so that the message is committed
    with the change it reports, or not at all. One statement (``ON CONFLICT DO NOTHING``, PostgreSQL
    and SQLite ≥ 3.35): no savepoint, and a duplicate never aborts the caller's transaction.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise OutboxError("outbox.enqueue phải được gọi bên trong giao dịch của thao tác nghiệp vụ.")
    if not topic or not key or not idempotency_key:
        raise OutboxError("Thông điệp cần loại (topic), khóa (key) và khóa chống trùng (idempotency_key).")
    # Round-trip through the encoder, so dates and decimals are stored as the receiver will see them.
    body = json.loads(DjangoJSONEncoder().encode(payload))
    message = OutboxMessage(topic=topic, key=key, payload=body, idempotency_key=idempotency_key)
    sql, fields = _insert_sql(connection)
    params = [f.get_db_prep_save(f.pre_save(message, add=True), connection) for f in fields]
    with fastsql.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:  # pragma: no cover - the conflicting row cannot vanish inside the transaction
            raise OutboxError(f"Không ghi được thông điệp {idempotency_key}.")
        return existing
    message.pk = row[0]
    message._state.adding = False
    message._state.db = connection.alias
    return message
