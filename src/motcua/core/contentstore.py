"""Files addressed by their content: Django's storage API (``STORAGES["documents"]``: a folder by
default, S3-compatible object storage when configured), each file named by its SHA-256 and never
overwritten — the same bytes are one object, other bytes another; every read checks the hash.

Used by the dossiers' scans and by the documents (forms, signed results)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages


@dataclass(frozen=True)
class Stored:
    sha256: str
    name: str
    size: int


def documents_storage() -> Storage:
    return storages["documents"]


def name_for(sha256: str, suffix: str, prefix: str = "") -> str:
    return f"{prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}{suffix}"


def put(data: bytes, suffix: str = ".pdf", prefix: str = "") -> Stored:
    """Store ``data`` under its hash (once: an object with that name already holds these bytes)."""
    digest = hashlib.sha256(data).hexdigest()
    name = name_for(digest, suffix, prefix)
    storage = documents_storage()
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # a concurrent writer stored the same bytes first: keep one object
            storage.delete(saved)
    return Stored(digest, name, len(data))


def read(name: str, sha256: str) -> bytes:
    """The bytes of a stored object, checked against the hash it was stored under."""
    with documents_storage().open(name, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OSError(f"Tệp {name} trong kho không khớp mã băm đã lưu.")
    return data


def remove(name: str) -> None:
    """Remove an object nothing refers to (a result whose issue failed after signing)."""
    documents_storage().delete(name)
