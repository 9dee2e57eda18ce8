from __future__ import annotations

from django import template

from motcua.catalogue import fees
from motcua.catalogue.models import Fee

register = template.Library()


@register.filter
def fee_amount(fee: Fee) -> str:
    """A fee's amount as a person reads it (``catalogue.fees.describe``: per page for certified copies)."""
    return fees.describe(fee)
