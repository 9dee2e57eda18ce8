"""What every upload of a document is checked for before anything reads it further: not empty, not
larger than ``MOTCUA_DOCUMENT_MAX_BYTES``, and really a PDF by its content (the ``%PDF-`` header near the
start), not by its name."""

from __future__ import annotations

from django.conf import settings

PDF_MAGIC = b"%PDF-"


def document_max_mb() -> int:
    """The largest document accepted, in whole megabytes, as the messages say it."""
    return int(settings.MOTCUA_DOCUMENT_MAX_BYTES // (1024 * 1024))


def pdf_problem(size: int, head: bytes) -> str:
    """Why a file of ``size`` bytes starting with ``head`` is not an acceptable PDF ("" when it may be
    one: whether it is readable and not encrypted is for the PDF library to say)."""
    if not size:
        return "Tệp rỗng."
    if size > settings.MOTCUA_DOCUMENT_MAX_BYTES:
        return f"Tệp quá lớn: tối đa {document_max_mb()} MB."
    if PDF_MAGIC not in head[:1024]:
        return "Nội dung tệp không phải PDF."
    return ""
