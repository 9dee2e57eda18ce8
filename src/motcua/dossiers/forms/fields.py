"""Fields the dossier forms share: scans checked by their content, dates typed as on paper."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from motcua.core.validation import FIRST_DAY, LAST_DAY

# -- uploads -------------------------------------------------------------------------------------

MAX_SCAN_MB = 10
MAX_SCAN_BYTES = MAX_SCAN_MB * 1024 * 1024
# Extension → the bytes every such file starts with. The content is checked, not only the name.
SCAN_SIGNATURES = {
    "pdf": b"%PDF-",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
    "png": b"\x89PNG\r\n\x1a\n",
}
SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def clean_scan(upload: UploadedFile) -> UploadedFile:
    """A scan that is really a PDF, JPEG or PNG of at most ``MAX_SCAN_MB``, stored under a random name
    (the officer's file name never reaches the disk)."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in SCAN_SIGNATURES:
        raise ValidationError(_("Chỉ nhận tệp PDF, JPG hoặc PNG."), code="scan_type")
    if not upload.size:
        raise ValidationError(_("Tệp đính kèm rỗng."), code="scan_empty")
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError(
            _("Tệp quá lớn: tối đa %(mb)s MB mỗi tệp.") % {"mb": MAX_SCAN_MB}, code="scan_size"
        )
    signature = SCAN_SIGNATURES[extension]
    upload.seek(0)
    head = upload.read(len(signature))
    upload.seek(0)
    if head != signature:
        raise ValidationError(
            _("Nội dung tệp không phải %(kind)s.") % {"kind": extension.upper()}, code="scan_content"
        )
    upload.name = f"{uuid.uuid4().hex}.{'jpg' if extension == 'jpeg' else extension}"
    return upload


class ScanField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": SCAN_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        return clean_scan(upload) if upload else None


DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def day_range_message() -> str:
    return _("Ngày phải trong khoảng %(first)s – %(last)s.") % {
        "first": FIRST_DAY.strftime("%d/%m/%Y"),
        "last": LAST_DAY.strftime("%d/%m/%Y"),
    }


def date_field(label: Any, *, required: bool = False) -> forms.DateField:
    # A text box, not the browser's date picker: its format follows the browser's language, and the
    # officer types dates as they are written on paper, dd/mm/yyyy.
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
            format="%d/%m/%Y",
        ),
        error_messages={"invalid": _("Ngày không hợp lệ (dd/mm/yyyy).")},
    )
