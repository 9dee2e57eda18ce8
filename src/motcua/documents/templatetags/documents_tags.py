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
