"""Hash-chained audit log of every write.

Every save and delete of a motcua model appends an ``AuditEntry`` in the same transaction (signal
handlers below), so the admin, services, importers and scripts are all covered. The actor and the
client address come from a context variable that the web middleware, the API and the CLI set.

Each entry's hash covers its content and the previous entry's hash; ``verify_chain`` recomputes
them, so an edited, inserted or removed row breaks the chain from that point on. Signed checkpoints
kept outside the database (``core.checkpoints``) catch a row edited with the rest of the chain
re-hashed (``docs/security.md``).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from motcua.core import fastsql

GENESIS = "0" * 64
# Every model of every motcua app is audited by one mechanism: by the signal receivers below, or, when
# it declares ``AUDIT_BY_SERVICE = True``, by its use-case services (one entry per use case). Only the
# models listed here write nothing to the log, each for the reason given: the core's own below, a
# feature app's added by that app (``exempt``, from its ``AppConfig.ready``).
NOT_AUDITED: dict[str, str] = {
    "core.AuditEntry": "the log itself",
    "core.AuditHead": "the log's head, moved with every entry",
    "core.TOTPDevice": "TOTP secrets never enter the log (enrolment is recorded as totp_enrolled)",
    "core.ScheduleState": "bookkeeping of the scheduler",
    "core.CacheGeneration": "a cache token, not data",
    "core.WorkerHeartbeat": "liveness of worker processes, not data",
    "core.Throttle": "attempt counters (each failure is recorded as login_failed / api_token_failed)",
}


@dataclass
class Actor:
    user_id: int | None = None
    label: str = "hệ thống"
    ip: str | None = None


_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("motcua_actor", default=Actor())  # noqa: B039
# Entries held back by ``held()``: (actor, ``record``'s arguments), in order.
_held: contextvars.ContextVar[list[tuple[Actor, dict[str, Any]]] | None] = contextvars.ContextVar(
    "motcua_audit_held", default=None
)


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


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold back the entries recorded inside the block and append them, in order, when the block ends
    without an error, inside the transaction that encloses it (required). The chain's head is then
    locked only from the end of the block to the commit, not for the whole block: for one long
    transaction (the dossier import) that would otherwise hold up every audited write in the system.
    An error inside the block drops the entries (its transaction rolls back). Each entry keeps the
    actor it was recorded under; its time is the moment it is appended."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.held() must run inside a transaction.")
    pending: list[tuple[Actor, dict[str, Any]]] = []
    token = _held.set(pending)
    try:
        yield
    finally:
        _held.reset(token)
    for actor, arguments in pending:
        previous = _actor.set(actor)
        try:
            record(**arguments)
        finally:
            _actor.reset(previous)


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
    """Append one entry to the chain. Runs inside the caller's transaction when there is one. Inside
    ``held()`` the entry is appended when that block ends (``None`` is returned)."""
    from motcua.core.models import AuditEntry

    pending = _held.get()
    if pending is not None:
        arguments = {"object_type": object_type, "object_id": object_id, "summary": summary, "data": data}
        pending.append((current_actor(), {"action": action, **arguments}))
        return None
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


def verify_chain(batch_size: int = 5000, anchors: Mapping[int, tuple[str, int]] | None = None) -> ChainReport:
    """Recompute every hash in order; report the first entry where the chain breaks.

    ``anchors`` maps a position in the chain (the number of entries up to it) to the hash and id of
    the entry there, as signed checkpoints kept outside the database recorded them
    (``core.checkpoints``): a chain edited and re-hashed from some row on no longer goes through them.
    """
    from motcua.core.models import AuditEntry, AuditHead

    anchors = anchors or {}
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
            anchored = anchors.get(checked)
            if anchored is not None and anchored != (entry.hash, entry.pk):
                return ChainReport(
                    checked,
                    False,
                    entry.pk,
                    "chuỗi không đi qua điểm neo đã ký ở bản ghi thứ "
                    f"{checked} (bản ghi trước đó bị sửa rồi băm lại)",
                )
        last_id = batch[-1].pk
    beyond = [count for count in anchors if count > checked]
    if beyond:
        return ChainReport(
            checked, False, None, f"chuỗi ngắn hơn điểm neo đã ký ({max(beyond)} bản ghi): bản ghi bị xóa"
        )
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


def _label(instance: models.Model | type[models.Model]) -> str:
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


def audit_mode(model: type[models.Model]) -> str:
    """How writes of ``model`` reach the log: ``signals``, ``service`` (``AUDIT_BY_SERVICE``: its
    services record one entry per use case), ``none`` (``NOT_AUDITED``) or ``outside`` (not a motcua
    model: Django's sessions, the task queue)."""
    app = model._meta.app_config
    if app is None or not app.name.startswith("motcua."):
        return "outside"
    if model._meta.label in NOT_AUDITED:
        return "none"
    if getattr(model, "AUDIT_BY_SERVICE", False):
        return "service"
    return "signals"


def exempt(label: str, *, reason: str) -> None:
    """Leave the model ``label`` ("app_label.ModelName") of a feature app out of the log, for the reason
    given (from the app's ``AppConfig.ready``; the core's receivers are already connected then, so the
    model's are removed). Exempting a model again with the same reason is harmless."""
    from django.apps import apps

    known = NOT_AUDITED.get(label)
    if known is not None and known != reason:
        raise ValueError(f"{label} đã được miễn ghi nhật ký với lý do khác.")
    model = apps.get_model(label)
    NOT_AUDITED[label] = reason
    post_save.disconnect(sender=model, dispatch_uid=f"audit-save-{_label(model)}")
    post_delete.disconnect(sender=model, dispatch_uid=f"audit-delete-{_label(model)}")


def connect_signals() -> None:
    from django.apps import apps

    for model in apps.get_models():
        if audit_mode(model) == "signals":
            post_save.connect(_on_save, sender=model, dispatch_uid=f"audit-save-{_label(model)}")
            post_delete.connect(_on_delete, sender=model, dispatch_uid=f"audit-delete-{_label(model)}")
