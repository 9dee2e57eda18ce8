"""Scans of a dossier's documents, kept on the documents' storage under their SHA-256
(``core.contentstore``) with what 766 group 4 and the archive need: hash, size, pages, who digitised
them and when.

A file handed in at the counter (or with a supplement received there) is a digitisation by the one-stop
(NĐ 45/2020 Điều 25; 766 indicator 4.2): it is marked digitised, by the officer, at that moment. A file
uploaded by the applicant online is an electronic submission, not a digitisation: its flags stay as
given."""

from __future__ import annotations

import io
import os
from datetime import datetime
from typing import Any

from django.core.files import File

from motcua.core import contentstore
from motcua.core.models import User

PREFIX = "scans/"


def page_count(data: bytes, suffix: str) -> int:
    """Pages of a PDF (its page tree's count); 1 for an image or a PDF that cannot be read."""
    if suffix != ".pdf":
        return 1
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        count = int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"])
    except (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return 1
    return max(1, min(count, 32767))


def stored(upload: File[Any], *, by: User | None, at: datetime, digitised: bool) -> dict[str, Any]:
    """The fields of a ``DossierComponent`` for ``upload``, stored now under its hash."""
    upload.seek(0)
    data = upload.read()
    suffix = os.path.splitext(upload.name or "")[1].lower() or ".bin"
    kept = contentstore.put(data, suffix=suffix, prefix=PREFIX)
    fields: dict[str, Any] = {
        "file": kept.name,
        "file_sha256": kept.sha256,
        "file_size": kept.size,
        "file_pages": page_count(data, suffix),
    }
    if digitised:
        fields.update(digitised=True, digitised_at=at, digitised_by=by)
    return fields


def content(name: str, sha256: str) -> bytes:
    """A scan's bytes, checked against its hash (an older scan without one is read as it is)."""
    if sha256:
        return contentstore.read(name, sha256)
    with contentstore.documents_storage().open(name, "rb") as f:
        return bytes(f.read())
