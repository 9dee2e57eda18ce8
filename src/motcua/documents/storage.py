"""The documents' storage: files addressed by their SHA-256 (``core.contentstore``, shared with the
dossiers' scans)."""

from __future__ import annotations

from motcua.core.contentstore import Stored, documents_storage, name_for, put, read, remove

__all__ = ["Stored", "documents_storage", "name_for", "put", "read", "remove"]
