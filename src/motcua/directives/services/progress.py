"""Progress reports (báo cáo tiến độ) of a lead unit on its part, with their attachments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from motcua.core import audit
from motcua.core.models import User
from motcua.directives.models import ProgressReport, ReportAttachment
from motcua.directives.services.common import (
    InvalidInput,
    _acting_part,
    _as_lead,
    _locked_occurrence,
    _now,
    _part_not_done,
    _text,
)
from motcua.directives.services.occurrences import sync_occurrence

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_MB = 20
# Extension → the bytes such a file starts with: the content is checked, not only the name.
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
}


def check_attachment(upload: UploadedFile) -> str:
    """The extension of an acceptable attachment; a Vietnamese refusal otherwise."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_SIGNATURES:
        raise InvalidInput(f"Tệp “{name}”: chỉ nhận PDF, Word, Excel, OpenDocument, ảnh JPG/PNG hoặc ZIP.")
    if not upload.size:
        raise InvalidInput(f"Tệp “{name}” rỗng.")
    if upload.size > MAX_ATTACHMENT_MB * 1024 * 1024:
        raise InvalidInput(f"Tệp “{name}” quá lớn: tối đa {MAX_ATTACHMENT_MB} MB mỗi tệp.")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in ATTACHMENT_SIGNATURES[extension]):
        raise InvalidInput(f"Nội dung tệp “{name}” không phải tệp {extension.upper()}.")
    return extension


def report_progress(
    by: User,
    directive_id: int,
    *,
    percent: int,
    text: str,
    files: Sequence[UploadedFile] = (),
    occurrence_id: int | None = None,
    part_id: int | None = None,
    now: datetime | None = None,
) -> ProgressReport:
    """Báo cáo tiến độ of a lead unit on its own part: text, percentage (0–100), up to 5 attachments."""
    moment = _now(now)
    directive, access = _as_lead(by, directive_id)
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise InvalidInput("Tiến độ phải là số nguyên từ 0 đến 100 (%).")
    body = _text(text, "nội dung báo cáo")
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(f"Mỗi báo cáo đính kèm tối đa {MAX_ATTACHMENTS} tệp.")
    extensions = [check_attachment(f) for f in files]
    with transaction.atomic():
        occurrence = _locked_occurrence(directive, occurrence_id)
        part = _acting_part(occurrence, access, part_id)
        _part_not_done(part)
        report = ProgressReport.objects.create(
            occurrence=occurrence,
            part=part,
            unit_id=part.unit_id,
            author=by,
            created_at=moment,
            percent=percent,
            text=body,
        )
        for upload, extension in zip(files, extensions, strict=True):
            original = (upload.name or "tep")[:255]
            upload.name = f"{uuid.uuid4().hex}.{extension}"  # the person's file name never reaches the disk
            ReportAttachment.objects.create(report=report, file=upload, name=original, size=upload.size or 0)
        part.progress = percent
        part.last_report_at = moment
        part.save(update_fields=["progress", "last_report_at"])
        sync_occurrence(occurrence)
        audit.record(
            "directives.report",
            object_type="directives.directive",
            object_id=directive.pk,
            summary=(
                f"Báo cáo tiến độ {percent}% — nhiệm vụ {directive.number} ({directive.document.number}), "
                f"{part.unit.name}"
            ),
            data={
                "occurrence": occurrence.pk,
                "part": part.pk,
                "percent": percent,
                "attachments": len(files),
            },
        )
    return report
