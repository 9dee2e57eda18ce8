from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def vnd(value: object) -> str:
    """Money the Vietnamese way: 1.024.000 đ (and "Không thu phí" for zero)."""
    if value is None or value == "":
        return "Chưa công bố mức thu"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if amount == 0:
        return "Miễn phí (0 đ)"
    return f"{int(amount):,}".replace(",", ".") + " đ"


@register.filter
def unverified(verified: dict | None, key: str) -> bool:
    """True when a data field is marked as not checked against a source."""
    return bool(verified) and verified.get(key) is False  # type: ignore[union-attr]
