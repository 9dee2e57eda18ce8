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
        .select_related("revocation", "revocation__replaced_by")
        .order_by("-created_at", "-id")
    )


@register.simple_tag(takes_context=True)
def may_revoke(context: template.Context, detail: DossierDetail) -> bool:
    """Whether the signed-in user may revoke the dossier's signed documents (``documents.revocation``)."""
    from motcua.documents import revocation

    return revocation.may_revoke(context["request"].user, detail)


@register.simple_tag
def may_replace_result(detail: DossierDetail) -> bool:
    """Whether the signed-in user may revoke the dossier's wrong result and issue a corrected one."""
    from motcua.dossiers.rules import Action

    return Action.REPLACE_RESULT in detail.actions


@register.simple_tag(takes_context=True)
def certify_panel(context: template.Context, detail: DossierDetail) -> dict[str, Any] | None:
    """The "certify an electronic copy" panel for the signed-in user, or None when it does not apply."""
    from motcua.catalogue.fees import describe
    from motcua.documents import certified
    from motcua.documents.inputs import CertifyForm

    offer = certified.offer(context["request"].user, detail)
    if offer is None:
        return None
    form = CertifyForm(prefix=CertifyForm.PREFIX, initial={"expected_version": detail.dossier.lock_version})
    return {
        "offer": offer,
        "form": form,
        "fee": describe(offer.fee) if offer.fee is not None else "",
        "open": any(done is None for _c, done in offer.components),
    }
