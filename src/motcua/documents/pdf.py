"""HTML to PDF with WeasyPrint (Pango and HarfBuzz shape Vietnamese; the fonts come from Debian's
fonts-liberation2, installed by scripts/system-packages)."""

from __future__ import annotations

import io
import ssl
from functools import cache
from typing import Any

from django.template.loader import render_to_string


@cache
def _tls() -> ssl.SSLContext:
    # WeasyPrint's fetcher builds a TLS context for every document (60 ms of loading the system's
    # certificates) although a form fetches nothing over the network: one, made once, is handed to it.
    return ssl.create_default_context()


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    # Only the images written into the form itself (the QR code, a data: URI): a template can never
    # make the server fetch an address, a file of the disk or anything else.
    return URLFetcher(ssl_context=_tls(), allowed_protocols={"data"}, fail_on_errors=True)


# Documents kept for good (results, certified copies drawn from images) are written as PDF/A-2b (ISO
# 19005-2, level B: fonts embedded, an sRGB output intent, XMP identification), the archival form that
# still allows the incremental signatures that follow.
ARCHIVAL = "pdf/a-2b"


def render(template: str, context: dict[str, Any], *, archival: bool = False) -> tuple[bytes, int]:
    """The PDF of a Django template (PDF/A-2b when ``archival``) and its number of pages."""
    from weasyprint import HTML  # imported on use: loading Pango costs ~0.2 s at start-up

    html = render_to_string(template, context)
    document = HTML(string=html, url_fetcher=_fetcher()).render()
    out = io.BytesIO()
    document.write_pdf(out, pdf_variant=ARCHIVAL if archival else None)
    return out.getvalue(), len(document.pages)


def archival_part(data: bytes) -> str:
    """The PDF/A part and level a PDF declares in its XMP metadata ("2B"), or "" when it declares none."""
    import re

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        metadata = PdfFileReader(io.BytesIO(data), strict=False).root["/Metadata"].get_object().data
    except (KeyError, AttributeError, ValueError):
        return ""
    part = re.search(rb"pdfaid:part(?:>|=\")(\d)", metadata)
    level = re.search(rb"pdfaid:conformance(?:>|=\")([ABUabu])", metadata)
    return (part.group(1) + level.group(1)).decode().upper() if part and level else ""
