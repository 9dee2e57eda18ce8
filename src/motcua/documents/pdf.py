"""HTML to PDF with WeasyPrint (Pango and HarfBuzz shape Vietnamese; the fonts come from Debian's
fonts-liberation2, installed by scripts/system-packages)."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string


def render(template: str, context: dict[str, Any]) -> tuple[bytes, int]:
    """The PDF of a Django template and its number of pages."""
    from weasyprint import HTML  # imported on use: loading Pango costs ~0.2 s at start-up

    html = render_to_string(template, context)
    document = HTML(string=html).render()
    out = io.BytesIO()
    document.write_pdf(out)
    return out.getvalue(), len(document.pages)
