from __future__ import annotations

from django import template

from motcua.catalogue import eform_render, fees
from motcua.catalogue.models import Fee

register = template.Library()


@register.filter
def fee_amount(fee: Fee) -> str:
    """A fee's amount as a person reads it (``catalogue.fees.describe``: per page for certified copies)."""
    return fees.describe(fee)


@register.filter
def eform_errors(items: list[eform_render.Field | eform_render.Section]) -> list[eform_render.Field]:
    """The fields of an e-form (``eform_render.fields``) that have an error, in the form's order."""
    return [f for f in eform_render.iter_fields(items) if f.error]
