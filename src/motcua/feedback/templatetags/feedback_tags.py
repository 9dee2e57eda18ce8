from __future__ import annotations

from typing import Any

from django import template

from motcua.dossiers.lookup import DossierDetail

register = template.Library()


@register.simple_tag(takes_context=True)
def rating_panel(context: template.Context, detail: DossierDetail) -> dict[str, Any] | None:
    """The rating of a returned dossier for the dossier page: the rating itself, or the ways to collect
    one (the counter's tablets of the officer, the paper form); None before the return."""
    from motcua.feedback import services
    from motcua.feedback.models import Channel, Rating

    dossier = detail.dossier
    if dossier.returned_at is None:
        return None
    rating = Rating.objects.select_related("reviewed_by").filter(dossier_id=dossier.pk).first()
    if rating is not None:
        return {"rating": rating, "channel": dict(Channel.choices).get(rating.channel, rating.channel)}
    user = context["request"].user
    return {"rating": None, "kiosks": services.kiosks_for(user), "rateable": services.rateable(dossier)}
