"""What a document a citizen uploads must be before it is kept: a PDF that opens (not encrypted, not
damaged, with pages) or a JPEG/PNG photograph that decodes whole, no larger than
``MOTCUA_DOCUMENT_MAX_BYTES`` — judged by its content, never by its name. Refusals are
``UploadRefused`` (422) with the reason in Vietnamese.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core import files
from motcua.core.errors import DomainError

PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
# What the file pickers offer (the content decides, not this).
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class UploadRefused(DomainError):
    status = 422
    code = "upload_refused"


@dataclass(frozen=True)
class Checked:
    content_type: str
    suffix: str
    pages: int


DAMAGED, TOO_SMALL = "damaged", "too_small"
IMAGE_PROBLEMS = {DAMAGED: "ảnh bị hỏng, không đọc được.", TOO_SMALL: "ảnh quá nhỏ để đọc được."}


def image_problem(data: bytes) -> str:
    """Why a photograph cannot be used — ``DAMAGED`` or ``TOO_SMALL`` ("" when it decodes whole and is
    large enough to read).

    WeasyPrint lets Pillow load truncated images (filled with grey), so loading proves nothing: a PNG's
    chunks are checked against their checksums, a JPEG must end with its end-of-image marker."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            picture.verify()
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
            width, height = picture.size
        whole = picture.format != "JPEG" or data.rstrip(b"\x00").endswith(b"\xff\xd9")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        whole = False
    if not whole:
        return DAMAGED
    return TOO_SMALL if min(width, height) < 50 else ""


def pdf_pages(data: bytes) -> int:
    """The pages of a PDF that opens; ``UploadRefused`` when it is encrypted, damaged or empty."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise UploadRefused(
                "Tệp PDF có mật khẩu: hãy gỡ mật khẩu rồi tải lên lại.", code="upload_encrypted"
            )
        pages = int(reader.root["/Pages"]["/Count"])
    except (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise UploadRefused("Tệp PDF bị hỏng, không đọc được.", code="upload_damaged") from None
    if pages < 1:
        raise UploadRefused("Tệp PDF không có trang nào.", code="upload_damaged")
    return pages


def check(data: bytes) -> Checked:
    """The upload's kind by its content, checked; ``UploadRefused`` otherwise."""
    if not data:
        raise UploadRefused("Tệp rỗng.", code="upload_empty")
    if len(data) > settings.MOTCUA_DOCUMENT_MAX_BYTES:
        raise UploadRefused(
            f"Tệp quá lớn: tối đa {files.document_max_mb()} MB mỗi tệp.", code="upload_too_large"
        )
    if files.PDF_MAGIC in data[:1024]:
        return Checked("application/pdf", ".pdf", pdf_pages(data))
    if data.startswith(PNG) or data.startswith(JPEG):
        problem = image_problem(data)
        if problem:
            raise UploadRefused(f"Ảnh không dùng được: {IMAGE_PROBLEMS[problem]}", code="upload_damaged")
        png = data.startswith(PNG)
        return Checked("image/png" if png else "image/jpeg", ".png" if png else ".jpg", 1)
    raise UploadRefused("Chỉ nhận tệp PDF, JPG hoặc PNG (theo nội dung tệp).", code="upload_type")
