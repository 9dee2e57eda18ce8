"""The outbox: a message is written in the transaction of the change it reports, once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from motcua.core.models import AuditEntry
from motcua.integrations.models import OutboxMessage
from motcua.integrations.outbox import OutboxError, enqueue
from motcua.workdays.domain import TZ

pytestmark = pytest.mark.django_db


def test_enqueue_writes_a_pending_json_message_once_per_idempotency_key():
    audit_before = AuditEntry.objects.count()
    with transaction.atomic():
        first = enqueue(
            "dvcqg.DongBoHoSoMC",
            "H31-260309-0001",
            {"at": datetime(2026, 3, 9, 9, 0, tzinfo=TZ), "amount": Decimal("8000")},
            idempotency_key="k-1",
        )
        again = enqueue("dvcqg.DongBoHoSoMC", "H31-260309-0001", {"other": True}, idempotency_key="k-1")
    assert again.pk == first.pk and OutboxMessage.objects.count() == 1
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 0
    assert message.payload == {"at": "2026-03-09T09:00:00+07:00", "amount": "8000"}
    assert AuditEntry.objects.count() == audit_before  # audited by the use case, not per row


@pytest.mark.django_db(transaction=True)
def test_enqueue_refuses_to_run_outside_a_transaction():
    with pytest.raises(OutboxError):
        enqueue("t", "k", {}, idempotency_key="x")


def test_a_rolled_back_change_leaves_no_message():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("t", "k", {}, idempotency_key="y")
        raise RuntimeError("the use case failed later")
    assert not OutboxMessage.objects.exists()
