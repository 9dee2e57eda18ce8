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


def render(template: str, context: dict[str, Any]) -> tuple[bytes, int]:
    """The PDF of a Django template and its number of pages."""
    from weasyprint import HTML  # imported on use: loading Pango costs ~0.2 s at start-up

    html = render_to_string(template, context)
    document = HTML(string=html, url_fetcher=_fetcher()).render()
    out = io.BytesIO()
    document.write_pdf(out)
    return out.getvalue(), len(document.pages)
