"""Hash-chained audit log of every write.

Every save and delete of a motcua model appends an ``AuditEntry`` in the same transaction (signal
handlers below), so the admin, services, importers and scripts are all covered. The actor and the
client address come from a context variable that the web middleware, the API and the CLI set.

Each entry's hash covers its content and the previous entry's hash; ``verify_chain`` recomputes
them, so an edited, inserted or removed row breaks the chain from that point on.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from motcua.core import fastsql

GENESIS = "0" * 64
AUDITED_APPS = {"core", "workdays", "catalogue", "dossiers", "integrations", "portal", "staff"}
# TOTP secrets never enter the log; the cache generation token is not data.
NOT_AUDITED = {"AuditEntry", "AuditHead", "TOTPDevice", "ScheduleState", "CacheGeneration"}


@dataclass
class Actor:
    user_id: int | None = None
    label: str = "hệ thống"
    ip: str | None = None


_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("motcua_actor", default=Actor())  # noqa: B039


def current_actor() -> Actor:
    return _actor.get()


@contextlib.contextmanager
def acting_as(user: Any = None, *, label: str | None = None, ip: str | None = None) -> Iterator[None]:
    """Attribute the writes inside the block to ``user`` (or to a named system process)."""
    if user is not None and getattr(user, "is_authenticated", False):
        actor = Actor(user.pk, label or str(user.get_username()), ip)
    else:
        actor = Actor(None, label or "hệ thống", ip)
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(
        payload, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def entry_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(payload)).encode()).hexdigest()


def _payload(entry: Any) -> dict[str, Any]:
    return {
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "summary": entry.summary,
        "data": json.loads(_canonical(entry.data)),
        "ip": entry.ip,
    }


def record(
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> Any:
    """Append one entry to the chain. Runs inside the caller's transaction when there is one."""
    from motcua.core.models import AuditEntry

    actor = current_actor()
    # Inside the caller's transaction no savepoint is needed: an error here rolls the whole use case
    # back anyway. The head row stays locked until that transaction ends, so the chain never forks.
    with transaction.atomic(savepoint=False):
        last_hash, count = _lock_head()
        canonical = _canonical(data or {})
        entry = AuditEntry(
            at=timezone.now(),
            actor_id=actor.user_id,
            actor_label=actor.label[:150],
            action=action[:40],
            object_type=object_type[:80],
            object_id=str(object_id)[:80],
            summary=summary[:255],
            data=json.loads(canonical),
            ip=actor.ip,
            prev_hash=last_hash,
        )
        entry.hash = entry_hash(last_hash, _payload(entry))
        _store(entry, count + 1)  # AuditEntry has no signal receivers (NOT_AUDITED)
    return entry


def _head_table() -> str:
    from motcua.core.models import AuditHead

    return connection.ops.quote_name(AuditHead._meta.db_table)


def _lock_head() -> tuple[str, int]:
    """The chain's tip (hash, count), locked until the transaction ends (``SELECT … FOR UPDATE``;
    SQLite's ``BEGIN IMMEDIATE`` already holds the write lock). Creates the head on the first entry."""
    from motcua.core.models import AuditHead

    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with fastsql.cursor() as cursor:
        cursor.execute(f'SELECT last_hash, "count" FROM {_head_table()} WHERE id = 1{lock}')  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
        return head.last_hash, head.count
    return str(row[0]), int(row[1])


def _store(entry: Any, count: int) -> None:
    """Insert ``entry`` and move the head to it: one statement on PostgreSQL (the insert in a ``WITH``
    of the head's update), two elsewhere."""
    head = _head_table()
    move = f'UPDATE {head} SET last_hash = %s, "count" = %s'  # noqa: S608
    if connection.vendor != "postgresql":
        fastsql.insert([entry])
        with connection.cursor() as cursor:
            cursor.execute(f"{move} WHERE id = 1", [entry.hash, count])
        return
    insert, params = fastsql.statement([entry])
    with fastsql.cursor() as cursor:
        cursor.execute(
            f"WITH entry AS ({insert}) {move} FROM entry WHERE {head}.id = 1 RETURNING entry.id",
            [*params, entry.hash, count],
        )
        fastsql.saved(entry, cursor.fetchone()[0])


@dataclass
class ChainReport:
    checked: int
    ok: bool
    first_bad_id: int | None = None
    problem: str = ""


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first entry where the chain breaks."""
    from motcua.core.models import AuditEntry, AuditHead

    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.prev_hash != prev:
                return ChainReport(
                    checked, False, entry.pk, "liên kết tới bản ghi trước bị đứt (bản ghi bị xóa hoặc chèn)"
                )
            if entry_hash(prev, _payload(entry)) != entry.hash:
                return ChainReport(checked, False, entry.pk, "nội dung bản ghi đã bị sửa")
            prev = entry.hash
            checked += 1
        last_id = batch[-1].pk
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != checked):
        return ChainReport(checked, False, None, "cuối chuỗi không khớp đỉnh chuỗi (bản ghi cuối bị xóa)")
    return ChainReport(checked, True)


def snapshot(instance: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"password", "secret"}:
            continue
        data[field.attname] = field.value_from_object(instance)
    return data


def _label(instance: models.Model) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"


def _on_save(
    sender: type[models.Model], instance: models.Model, created: bool, raw: bool, **kwargs: Any
) -> None:
    if raw:
        return
    record(
        "create" if created else "update",
        object_type=_label(instance),
        object_id=instance.pk,
        summary=str(instance)[:255],
        data=snapshot(instance),
    )


def _on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    record(
        "delete",
        object_type=_label(instance),
        object_id=instance.pk,
        summary=str(instance)[:255],
        data=snapshot(instance),
    )


def connect_signals() -> None:
    from django.apps import apps

    for model in apps.get_models():
        # Aggregates written only through their use-case services (dossiers, outbox) declare
        # AUDIT_BY_SERVICE = True: the service appends one entry per use case instead of one per row.
        if getattr(model, "AUDIT_BY_SERVICE", False):
            continue
        if model._meta.app_label in AUDITED_APPS and model.__name__ not in NOT_AUDITED:
            post_save.connect(_on_save, sender=model, dispatch_uid=f"audit-save-{_label(model)}")
            post_delete.connect(_on_delete, sender=model, dispatch_uid=f"audit-delete-{_label(model)}")
