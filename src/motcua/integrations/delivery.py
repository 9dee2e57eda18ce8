"""The delivery engine of the outbox: every channel's messages, at least once, in order per key.

One pass (``send_pending``) takes each configured channel in turn (``registry``) and repeats:

1. **Claim** the due *heads*: pending messages whose ``next_attempt_at`` has come and that have no
   older open (pending or dead) message of the same key in the channel. A failing message therefore
   holds back the later messages of its dossier, never those of other dossiers. The claim is one
   transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; a conditional update everywhere) that writes
   a unique claim token in ``claimed_by`` and moves ``next_attempt_at`` to the end of a lease: two
   senders never hold the same message, and a sender killed mid-batch loses its claims when the lease
   ends (the messages are sent again, with the same idempotency key: the receiver acknowledges them
   without doing anything twice).
2. **Send** them through the channel's adapter, a few at a time in threads (``MOTCUA_OUTBOX_CONCURRENCY``);
   each send has one ``Outcome``.
3. **Record** the outcomes in one transaction, conditional on the claim token: delivered (with the
   receiver's reference and the app hooks, ``registry.on_delivered``), dead at once when rejected,
   retried after an exponential back-off with jitter (``backoff``) on a temporary error and dead after
   ``MOTCUA_OUTBOX_MAX_ATTEMPTS``, or kept due when the receiver is unreachable: then the channel's
   circuit opens (``ChannelState``) for a growing while, and one message probes it when that while is
   over. An outage costs no message its place or its attempts budget.

``replay`` puts dead messages (or every message of a key) back in the queue; each replay is audited.
The worker runs ``run_forever`` continuously; ``motcua integrations send-pending`` runs one pass.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from motcua.core import audit
from motcua.integrations import outbox, registry
from motcua.integrations.models import ChannelState, OutboxMessage
from motcua.integrations.registry import Adapter, Channel, Delivered, Envelope, Outcome

log = logging.getLogger(__name__)

PENDING = OutboxMessage.Status.PENDING
DELIVERED = OutboxMessage.Status.DELIVERED
DEAD = OutboxMessage.Status.DEAD
OPEN = (PENDING, DEAD)


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=float(getattr(settings, name)))


def lease() -> timedelta:
    return _seconds("MOTCUA_OUTBOX_LEASE_SECONDS")


def max_attempts() -> int:
    return int(settings.MOTCUA_OUTBOX_MAX_ATTEMPTS)


def backoff(attempts: int, salt: str = "") -> timedelta:
    """The wait after the ``attempts``-th failure: ``base × 2^(attempts−1)``, at most ``max``, then
    *equal jitter*: between half and all of it, decided by ``salt`` (the message's key and attempt), so
    that the messages of an outage do not all come back in the same second, and a test can predict
    each wait."""
    base = _seconds("MOTCUA_OUTBOX_BASE_DELAY_SECONDS")
    ceiling = _seconds("MOTCUA_OUTBOX_MAX_DELAY_SECONDS")
    delay: timedelta = min(base * (2 ** min(max(attempts - 1, 0), 30)), ceiling)
    fraction = (zlib.crc32(f"{salt}:{attempts}".encode()) % 1000) / 1000
    return delay * (0.5 + fraction / 2)


@dataclass
class Summary:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    pending: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "dead": self.dead,
            "pending": self.pending,
        }

    def add(self, other: Summary) -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.dead += other.dead


def _claim(channel: Channel, moment: datetime, limit: int, token: str) -> list[Envelope]:
    older_open = OutboxMessage.objects.filter(
        topic__in=channel.topics, key=OuterRef("key"), status__in=OPEN, id__lt=OuterRef("id")
    )
    heads = (
        OutboxMessage.objects.filter(status=PENDING, topic__in=channel.topics, next_attempt_at__lte=moment)
        .filter(~Exists(older_open))
        .order_by("id")
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            heads = heads.select_for_update(skip_locked=True, of=("self",))
        ids = list(heads.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids, status=PENDING, next_attempt_at__lte=moment).update(
            claimed_by=token, next_attempt_at=moment + lease()
        )
    rows = (
        OutboxMessage.objects.filter(claimed_by=token, status=PENDING)
        .order_by("id")
        .values_list("id", "topic", "key", "idempotency_key", "payload", "attempts")
    )
    return [Envelope(*row) for row in rows]


def _send_one(adapter: Adapter, message: Envelope) -> Outcome:
    try:
        return adapter.send(message)
    except Exception as exc:  # an adapter's bug must not stop the channel: the message is retried
        log.exception("outbox: adapter failed on %s", message.idempotency_key)
        return Outcome("retry", f"Lỗi khi gửi: {exc.__class__.__name__}: {exc}")
    finally:
        if threading.current_thread() is not threading.main_thread():
            close_old_connections()


def _send_all(adapter: Adapter, messages: list[Envelope], pool: ThreadPoolExecutor | None) -> list[Outcome]:
    if pool is None or len(messages) == 1:
        return [_send_one(adapter, m) for m in messages]
    return list(pool.map(lambda m: _send_one(adapter, m), messages))


def _set_receipts(token: str, receipts: dict[int, str]) -> None:
    """Write each delivered message's receipt: one ``UPDATE … FROM (VALUES …)`` (PostgreSQL, SQLite)."""
    if not receipts:
        return
    meta = OutboxMessage._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    values = ", ".join(["(%s, %s)"] * len(receipts))
    sql = (
        f"UPDATE {table} SET {quote('receipt')} = v.column2 FROM (VALUES {values}) AS v "  # noqa: S608
        f"WHERE {table}.{pk} = v.column1 AND {table}.{quote('claimed_by')} = %s"
    )
    params: list[Any] = [x for pair in receipts.items() for x in pair]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, token])


def _record(
    channel: Channel, token: str, moment: datetime, results: list[tuple[Envelope, Outcome]]
) -> Summary:
    """Write the outcomes of one batch in one transaction, conditional on the claim token: one statement
    for all the delivered messages (and one for their receipts), one for the unreachable ones, one per
    message that failed on its own (rare)."""
    summary = Summary()
    delivered: dict[str, list[Delivered]] = {}
    receipts: dict[int, str] = {}
    reached: list[int] = []
    unreachable: list[int] = []
    unreachable_detail = ""
    failed: list[tuple[Envelope, Outcome, bool]] = []  # message, outcome, dead
    for message, outcome in results:
        if outcome.kind == "delivered":
            reached.append(message.id)
            receipt = outcome.receipt[:120]
            if receipt:
                receipts[message.id] = receipt
            delivered.setdefault(message.topic, []).append(
                Delivered(message.idempotency_key, message.topic, message.key, receipt, moment)
            )
            summary.delivered += 1
        elif outcome.kind == "unavailable":
            unreachable.append(message.id)
            unreachable_detail = unreachable_detail or outcome.detail
            summary.failed += 1
        else:
            dead = outcome.kind == "rejected" or message.attempts + 1 >= max_attempts()
            failed.append((message, outcome, dead))
            if dead:
                summary.dead += 1
            else:
                summary.failed += 1
    mine = OutboxMessage.objects.filter(claimed_by=token)
    with transaction.atomic():
        if reached:
            _set_receipts(token, receipts)
            mine.filter(pk__in=reached).update(
                status=DELIVERED,
                attempts=F("attempts") + 1,
                delivered_at=moment,
                last_error="",
                last_outcome="delivered",
                claimed_by="",
            )
            for topic, items in delivered.items():
                for hook in registry.delivered_hooks(topic):
                    hook(items)
        if unreachable:  # due again as soon as the channel is reachable
            mine.filter(pk__in=unreachable).update(
                attempts=F("attempts") + 1,
                next_attempt_at=moment,
                last_error=unreachable_detail[:2000],
                last_outcome="unavailable",
                claimed_by="",
            )
        for message, outcome, dead in failed:
            attempts = message.attempts + 1
            mine.filter(pk=message.id).update(
                status=DEAD if dead else PENDING,
                attempts=attempts,
                next_attempt_at=moment if dead else moment + backoff(attempts, message.idempotency_key),
                last_error=outcome.detail[:2000],
                last_outcome=outcome.kind,
                claimed_by="",
            )
            if dead:
                audit.record(
                    "integrations.dead_letter",
                    object_type="integrations.outboxmessage",
                    object_id=message.id,
                    summary=f"{channel.label}: không gửi được {message.key}: {outcome.detail}"[:255],
                    data={"idempotency_key": message.idempotency_key, "attempts": attempts},
                )
    return summary


def _channel_state(name: str) -> ChannelState:
    state, _ = ChannelState.objects.get_or_create(channel=name)
    return state


def _note_channel(channel: Channel, moment: datetime, outcomes: list[Outcome]) -> bool:
    """Open or close the channel's circuit after a batch; ``True`` when it is now open."""
    reached = any(o.kind != "unavailable" for o in outcomes)
    unreachable = [o for o in outcomes if o.kind == "unavailable"]
    if not unreachable:
        if reached:
            ChannelState.objects.filter(channel=channel.name).update(
                failures=0, open_until=None, last_success_at=moment
            )
        return False
    state = _channel_state(channel.name)
    failures = state.failures + 1
    ChannelState.objects.filter(channel=channel.name).update(
        failures=failures,
        open_until=moment + backoff(failures, channel.name),
        last_error=unreachable[0].detail[:2000],
        last_failure_at=moment,
        **({"last_success_at": moment} if reached else {}),
    )
    if state.failures == 0:
        audit.record(
            "integrations.channel_unavailable",
            object_type="integrations.channelstate",
            object_id=channel.name,
            summary=f"{channel.label} không kết nối được, tạm ngừng gửi: {unreachable[0].detail}"[:255],
        )
    return True


def _pending_count(channels: Sequence[Channel]) -> int:
    topics = [t for c in channels for t in c.topics]
    return OutboxMessage.objects.filter(status=PENDING, topic__in=topics).count()


def retry_now(channels: Sequence[Channel], moment: datetime | None = None) -> int:
    """Make every waiting message of ``channels`` due at once and close their circuits (an operator
    who knows the receiver is back). Claimed messages are left to their sender."""
    ChannelState.objects.filter(channel__in=[c.name for c in channels]).update(open_until=None)
    return outbox.make_due([t for c in channels for t in c.topics], now=moment or timezone.now())


def _drain(
    channel: Channel, adapter: Adapter, *, now: datetime | None, owner: str, deadline: float | None
) -> Summary:
    summary = Summary()
    batch = int(settings.MOTCUA_OUTBOX_BATCH)
    workers = int(settings.MOTCUA_OUTBOX_CONCURRENCY)
    pool = (
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"outbox-{channel.name}")
        if workers > 1
        else None
    )
    try:
        while True:
            moment = now or timezone.now()
            state = _channel_state(channel.name)
            if state.open_until is not None and state.open_until > moment:
                break
            token = f"{owner}:{uuid.uuid4().hex[:12]}"
            messages = _claim(channel, moment, 1 if state.failures else batch, token)
            if not messages:
                break
            outcomes = _send_all(adapter, messages, pool)
            done = now or timezone.now()
            summary.add(_record(channel, token, done, list(zip(messages, outcomes, strict=True))))
            if _note_channel(channel, done, outcomes):
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        adapter.close()
    return summary


def send_pending(
    channels: Sequence[str] | None = None,
    *,
    now: datetime | None = None,
    retry: bool = False,
    owner: str = "",
    max_seconds: float | None = None,
    adapters: dict[str, Adapter] | None = None,
) -> Summary:
    """Deliver what is due on ``channels`` (names or topics; all by default) until nothing is due or
    ``max_seconds`` have passed. ``retry`` makes every waiting message due first (``retry_now``).
    ``adapters`` replaces the configured adapters (tests); ``now`` freezes the clock of the pass."""
    chosen = registry.select(channels)
    if retry:
        retry_now(chosen, now or timezone.now())
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    owner = owner or f"cli-{uuid.uuid4().hex[:8]}"
    total = Summary()
    for channel in chosen:
        adapter = (adapters or {}).get(channel.name) or registry.adapter(channel.name)
        if adapter is None:
            continue  # not configured: its messages wait
        total.add(_drain(channel, adapter, now=now, owner=owner, deadline=deadline))
    total.pending = _pending_count(chosen)
    return total


def replay(
    channel_or_topic: str,
    *,
    key: str | None = None,
    dead_only: bool = False,
    ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> int:
    """Put messages back in the queue (``outbox.replay``): the dead messages of a channel or topic, or
    every message of one ``key``, or the messages ``ids``; the channel's pause is lifted. Audited;
    returns how many were put back."""
    [channel] = registry.select([channel_or_topic])
    topics = channel.topics if channel_or_topic == channel.name else (channel_or_topic,)
    with transaction.atomic():
        chosen = outbox.replay(
            topics, keys=None if key is None else [key], ids=ids, dead_only=dead_only, now=now
        )
        if not chosen:
            return 0
        ChannelState.objects.filter(channel=channel.name).update(open_until=None)
        audit.record(
            "integrations.replay",
            object_type="integrations.channelstate",
            object_id=channel.name,
            summary=f"Gửi lại {len(chosen)} thông điệp {channel.label}" + (f" của {key}" if key else ""),
            data={"ids": chosen[:500], "key": key or "", "dead_only": dead_only},
        )
    return len(chosen)


def run_forever(stop: threading.Event, *, owner: str) -> None:
    """The worker's delivery loop: a pass whenever there may be something to send, a short sleep
    (``MOTCUA_OUTBOX_IDLE_SECONDS``) when there was nothing."""
    idle = float(settings.MOTCUA_OUTBOX_IDLE_SECONDS)
    while not stop.is_set():
        worked = False
        try:
            with audit.acting_as(None, label="tiến trình gửi thông điệp"):
                summary = send_pending(owner=owner, max_seconds=10)
            worked = bool(summary.delivered or summary.dead)
        except Exception:  # a database hiccup must not stop deliveries for good
            log.exception("outbox: delivery pass failed, trying again")
        finally:
            close_old_connections()
        if not worked:
            stop.wait(idle)


def message_state(message: Any) -> str:
    """A message's state in words (admin screen, dossier page)."""
    if message.status == PENDING and message.last_outcome in ("retry", "unavailable"):
        return "Chờ gửi lại"
    return str(message.get_status_display())
