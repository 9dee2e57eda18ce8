"""Write-side of the outbox: ``enqueue`` a message inside the caller's transaction.

Delivery (the national portal adapter, retries with exponential back-off, the dead-letter state and
replay) is a later issue: for now a message is written as ``pending`` and stays there.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from motcua.integrations.models import OutboxMessage


class OutboxError(RuntimeError):
    pass


def enqueue(topic: str, key: str, payload: dict[str, Any], idempotency_key: str) -> OutboxMessage:
    """Add a pending message; the same ``idempotency_key`` twice returns the first message unchanged.

    Must run inside the use case's ``transaction.atomic()`` block, so that the message is committed
    with the change it reports, or not at all.
    """
    if not transaction.get_connection().in_atomic_block:
        raise OutboxError("outbox.enqueue phải được gọi bên trong giao dịch của thao tác nghiệp vụ.")
    if not topic or not key or not idempotency_key:
        raise OutboxError("Thông điệp cần loại (topic), khóa (key) và khóa chống trùng (idempotency_key).")
    # Round-trip through the encoder, so dates and decimals are stored as the receiver will see them.
    body = json.loads(DjangoJSONEncoder().encode(payload))
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(
                topic=topic, key=key, payload=body, idempotency_key=idempotency_key
            )
    except IntegrityError:
        existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing
