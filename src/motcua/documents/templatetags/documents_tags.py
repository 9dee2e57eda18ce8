from __future__ import annotations

from typing import Any

from django import template

from motcua.documents import services
from motcua.dossiers.lookup import DossierDetail

register = template.Library()


@register.simple_tag
def dossier_forms(detail: DossierDetail) -> list[Any]:
    """The forms the dossier's history calls for (``services.available``), for the dossier page."""
    return services.available(detail)


@register.simple_tag
def dossier_signed(detail: DossierDetail) -> list[Any]:
    """The signed documents of the dossier (results, certified copies), newest first, with revocations."""
    from motcua.documents.models import Document

    return list(
        Document.objects.filter(
            dossier=detail.dossier, kind__in=[Document.Kind.RESULT, Document.Kind.CERTIFIED_COPY]
        )
        .select_related("revocation")
        .order_by("-created_at", "-id")
    )
