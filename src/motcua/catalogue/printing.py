"""A blank declaration to print and fill in by hand, drawn from a component's e-form.

The catalogue lies below ``documents`` in the layers (docs/architecture.md): it cannot use the official
forms' renderer, so it calls WeasyPrint itself, with the forms' typeface (Liberation Serif, from Debian's
fonts-liberation2). The page fetches nothing: no network, no file of the disk. A rendered form is kept in
Django's cache under the component and a digest of what it shows, so an edit of the e-form shows at once.
"""

from __future__ import annotations

import hashlib
import io
import ssl
from functools import cache
from typing import Any

from django.core.cache import cache as django_cache
from django.template.loader import render_to_string

from motcua.catalogue import eform_render
from motcua.catalogue.models import Component, Procedure, ProcedureVersion

CACHE_SECONDS = 24 * 3600

# The paper is a Vietnamese administrative document whatever the language of the page it was asked from
# (like the official forms of ``documents``): its fixed words are here, not translated.
PAPER = {
    "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "motto": "Độc lập - Tự do - Hạnh phúc",
    "to": "Kính gửi:",
    "if_any": "(nếu có)",
    "date_line": ".........., ngày ...... tháng ...... năm ..........",
    "signer": "NGƯỜI YÊU CẦU",
    "sign_hint": "(Ký, ghi rõ họ, chữ đệm, tên)",
    "footer": "Mẫu in từ biểu mẫu điện tử - thủ tục",
    "page": "Trang",
}


@cache
def _tls() -> ssl.SSLContext:
    # WeasyPrint's fetcher builds a TLS context per document (tens of ms) although this one fetches nothing.
    return ssl.create_default_context()


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    return URLFetcher(ssl_context=_tls(), allowed_protocols={"data"}, fail_on_errors=True)


def blank_form_html(procedure: Procedure, version: ProcedureVersion, component: Component) -> str:
    schema = component.eform_schema or {}
    return render_to_string(
        "catalogue/eform/print.html",
        {
            "procedure": procedure,
            "version": version,
            "component": component,
            "title": str(schema.get("title") or component.name),
            "intro": str(schema.get("description") or ""),
            "items": eform_render.fields(schema, {}, {}),
            "paper": PAPER,
        },
    )


def blank_form_pdf(procedure: Procedure, version: ProcedureVersion, component: Component) -> bytes:
    """The PDF of the component's declaration with every answer left blank (A4)."""
    html = blank_form_html(procedure, version, component)
    digest = hashlib.sha256(html.encode()).hexdigest()[:24]
    key = f"catalogue:blank-form:{component.pk}:{digest}"
    found = django_cache.get(key)
    if isinstance(found, bytes):
        return found
    from weasyprint import HTML  # imported on use: loading Pango costs ~0.2 s at start-up

    out = io.BytesIO()
    HTML(string=html, url_fetcher=_fetcher()).write_pdf(out)
    data = out.getvalue()
    django_cache.set(key, data, CACHE_SECONDS)
    return data
