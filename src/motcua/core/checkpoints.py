"""Signed checkpoints of the audit chain, kept outside the database.

The hash chain (``core.audit``) shows an edited row only to someone who cannot re-hash: whoever can
write to the database can edit a row, recompute every later hash and move the chain head, and the
chain checks out again. A checkpoint anchors the chain outside the database: the head's position
(``count``), hash and entry id, signed with HMAC-SHA256 under ``AUDIT_CHECKPOINT_KEY`` — a key read
from the environment, never stored in the database — and appended as one JSON line to
``AUDIT_CHECKPOINT_DIR/checkpoints.jsonl`` (a directory on other storage than the database: another
disk, an append-only or object-lock mount). ``motcua audit verify`` walks the chain and checks every
checkpoint against it: a re-hashed chain no longer passes through the signed hashes, and a forged
checkpoint has no valid signature without the key. See ``docs/security.md`` for the threat model.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

FILENAME = "checkpoints.jsonl"
SIGNED_FIELDS = ("at", "count", "entry_id", "hash", "key_id")


class CheckpointError(Exception):
    """The checkpoints cannot be written or read (no key, unwritable directory)."""


@dataclass(frozen=True)
class Checkpoint:
    at: str
    count: int
    entry_id: int
    hash: str
    key_id: str
    mac: str
    line: int  # its line in the file (1-based), for messages


def _keys() -> dict[str, bytes]:
    """The configured keys by their id: the current one first, then the retired ones (rotation)."""
    raw = [settings.AUDIT_CHECKPOINT_KEY, *settings.AUDIT_CHECKPOINT_OLD_KEYS]
    return {key_id(k.encode()): k.encode() for k in raw if k}


def key_id(key: bytes) -> str:
    """A short public name of a key (which key signed a checkpoint), not enough to recover it."""
    return hashlib.sha256(b"motcua-audit-checkpoint:" + key).hexdigest()[:12]


def enabled() -> bool:
    return bool(settings.AUDIT_CHECKPOINT_KEY)


def path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILENAME


def _message(fields: dict[str, Any]) -> bytes:
    return json.dumps({k: fields[k] for k in SIGNED_FIELDS}, sort_keys=True, separators=(",", ":")).encode()


def sign(fields: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, _message(fields), hashlib.sha256).hexdigest()


def read() -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints of the file whose signature holds, and a message for every line that does not."""
    found: list[Checkpoint] = []
    problems: list[str] = []
    file = path()
    if not file.exists():
        return found, problems
    keys = _keys()
    with file.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                fields = json.loads(text)
                checkpoint = Checkpoint(
                    at=str(fields["at"]),
                    count=int(fields["count"]),
                    entry_id=int(fields["entry_id"]),
                    hash=str(fields["hash"]),
                    key_id=str(fields["key_id"]),
                    mac=str(fields["mac"]),
                    line=number,
                )
            except (ValueError, KeyError, TypeError):
                problems.append(f"dòng {number} của tệp điểm neo không đọc được")
                continue
            key = keys.get(checkpoint.key_id)
            if key is None:
                problems.append(
                    f"điểm neo dòng {number} ký bằng khóa không được cấu hình ({checkpoint.key_id})"
                )
                continue
            if not hmac.compare_digest(sign(fields, key), checkpoint.mac):
                problems.append(f"điểm neo dòng {number} có chữ ký sai (bị sửa hoặc giả mạo)")
                continue
            found.append(checkpoint)
    return found, problems


def write(now: datetime | None = None) -> Checkpoint | None:
    """Append a signed checkpoint of the chain head; ``None`` when the head has not moved since the
    last checkpoint (or the chain is empty)."""
    from motcua.core.models import AuditEntry, AuditHead

    if not enabled():
        raise CheckpointError(
            "Chưa cấu hình AUDIT_CHECKPOINT_KEY (biến môi trường): không ký được điểm neo nhật ký."
        )
    key = settings.AUDIT_CHECKPOINT_KEY.encode()
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or head.count == 0:
        return None
    entry_id = AuditEntry.objects.filter(hash=head.last_hash).values_list("id", flat=True).first()
    if entry_id is None:
        raise CheckpointError("Đỉnh chuỗi nhật ký không trỏ tới bản ghi nào: chạy `motcua audit verify`.")
    existing, _ = read()
    if existing and existing[-1].count == head.count and existing[-1].hash == head.last_hash:
        return None
    moment = (now or timezone.now()).astimezone(UTC)
    fields: dict[str, Any] = {
        "at": moment.isoformat(timespec="seconds"),
        "count": int(head.count),
        "entry_id": int(entry_id),
        "hash": head.last_hash,
        "key_id": key_id(key),
    }
    fields["mac"] = sign(fields, key)
    file = path()
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        # One short line written with O_APPEND: several workers appending never interleave.
        descriptor = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, (json.dumps(fields, sort_keys=True) + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as exc:
        raise CheckpointError(f"Không ghi được điểm neo nhật ký vào {file}: {exc.strerror}.") from exc
    return Checkpoint(line=0, **fields)
