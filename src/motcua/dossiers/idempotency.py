"""Creating a dossier is idempotent: the ``Idempotency-Key`` of ``POST /api/ho-so/``.

A client that sends a request and loses the answer (a timeout, a dropped connection) sends it again
with the same key. The key is kept per caller (``scope``: the API token, else the staff account, or
the applicant for a portal submission) with a hash of the request and the dossier it created, in the
creation's own transaction (``CreationKey``, unique per scope and key):

- the same key and the same request: the first dossier, nothing created;
- the same key with another request: 409 ``idempotency_key_reused``, nothing created;
- two identical requests at the same moment: the second waits on the unique index while the first
  commits, then finds its dossier; if the first failed, nothing was kept and the second creates.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.db import IntegrityError, transaction

from motcua.core.errors import Conflict
from motcua.dossiers.models import CreationKey, Dossier
from motcua.dossiers.rules import InvalidDossierInput

HEADER = "Idempotency-Key"
MAX_LENGTH = 200
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # visible ASCII, no spaces (UUIDs, ULIDs, client ids)


class KeyReused(Conflict):
    code = "idempotency_key_reused"


def check_key(value: str | None) -> str | None:
    """The header's value, or ``None`` when absent; 422 for a key that cannot be one."""
    if value is None:
        return None
    key = value.strip()
    if not _KEY.match(key):
        raise InvalidDossierInput(
            f"Tiêu đề {HEADER} phải gồm 1 đến {MAX_LENGTH} ký tự ASCII nhìn thấy được, không có dấu cách "
            "(ví dụ một UUID).",
            code="idempotency_key_invalid",
            details={"field": HEADER},
        )
    return key


def request_hash(payload: dict[str, Any]) -> str:
    """SHA-256 of the request as parsed (key order and spacing do not matter)."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scope_of(*, user_id: int | None = None, token_id: int | None = None, applicant: str | None = None) -> str:
    """Whose keys these are: an API token's own, else a staff account's, else an applicant's."""
    if token_id is not None:
        return f"token:{token_id}"
    if user_id is not None:
        return f"user:{user_id}"
    if applicant:
        return f"applicant:{applicant}"[:60]
    raise ValueError("an idempotency scope needs a caller")


def replay(scope: str, key: str, digest: str) -> Dossier | None:
    """The dossier an earlier request with this key created (``None``: the key is new); 409 when the
    key was used for another request."""
    found = CreationKey.objects.filter(scope=scope, key=key).select_related("dossier").first()
    if found is None or found.dossier is None:
        return None
    if found.request_hash != digest:
        raise KeyReused(
            f"Khóa {HEADER} “{key[:60]}” đã được dùng cho một yêu cầu tạo hồ sơ khác (hồ sơ "
            f"{found.dossier.code}); mỗi hồ sơ mới cần một khóa mới.",
            details={"dossier": found.dossier.code},
        )
    return found.dossier


def claim(scope: str, key: str, digest: str) -> tuple[CreationKey | None, Dossier | None]:
    """Take the key inside the creation's transaction, before anything else is written: ``(row,
    None)``, then ``bind`` the row to the new dossier. A concurrent request with the same key waits
    here on the unique index until the first one commits, and gets ``(None, first dossier)``."""
    try:
        with transaction.atomic():
            return CreationKey.objects.create(scope=scope, key=key, request_hash=digest), None
    except IntegrityError:
        earlier = replay(scope, key, digest)
        if earlier is None:  # pragma: no cover - a committed key always names its dossier
            raise
        return None, earlier


def bind(row: CreationKey, dossier: Dossier) -> None:
    row.dossier = dossier
    row.save(update_fields=["dossier"])


__all__ = ["HEADER", "KeyReused", "bind", "check_key", "claim", "replay", "request_hash", "scope_of"]
