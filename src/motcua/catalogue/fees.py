"""What a fee comes to. One function for every screen and document that shows an amount.

A fixed fee is its amount, once per dossier. A per-page fee (certified copies: TT 226/2016/TT-BTC —
2,000 đồng a page, 1,000 đồng a page from the third page on, at most 200,000 đồng a copy) is counted on
the pages of the original, for each copy."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from motcua.catalogue.models import Fee


def charge(fee: Fee, *, pages: int = 1, copies: int = 1) -> Decimal | None:
    """The amount due for ``copies`` copies of an original of ``pages`` pages; ``None`` when the fee's
    amount is not known. ``ValueError`` for fewer than one page or copy."""
    if pages < 1 or copies < 1:
        raise ValueError("Số trang và số bản phải từ 1 trở lên.")
    if fee.amount_vnd is None:
        return None
    if fee.basis != Fee.Basis.PER_PAGE:
        return Decimal(fee.amount_vnd)
    full = pages
    reduced = 0
    if fee.reduced_from_page is not None and fee.reduced_vnd is not None:
        full = min(pages, fee.reduced_from_page - 1)
        reduced = pages - full
    per_copy = full * Decimal(fee.amount_vnd) + reduced * Decimal(fee.reduced_vnd or 0)
    if fee.cap_vnd is not None:
        per_copy = min(per_copy, Decimal(fee.cap_vnd))
    return per_copy * copies


def describe(fee: Fee) -> str:
    """The fee as a person reads it: "2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản"
    (a fixed fee: its amount, as ``vnd`` writes it)."""
    from django.utils.translation import gettext as _

    from motcua.core.templatetags.motcua_tags import vnd

    if fee.basis != Fee.Basis.PER_PAGE or fee.amount_vnd is None:
        return vnd(fee.amount_vnd)
    parts = [_("%(amount)s/trang") % {"amount": vnd(fee.amount_vnd)}]
    if fee.reduced_from_page is not None and fee.reduced_vnd is not None:
        parts.append(
            _("từ trang thứ %(page)s: %(amount)s/trang")
            % {"page": fee.reduced_from_page, "amount": vnd(fee.reduced_vnd)}
        )
    if fee.cap_vnd is not None:
        parts.append(_("tối đa %(amount)s/bản") % {"amount": vnd(fee.cap_vnd)})
    return "; ".join(parts)


def exemption(fee: Fee, code: str) -> dict[str, object] | None:
    """The exemption ``code`` of ``fee`` (``None``: the fee has no such case)."""
    return next((dict(rule) for rule in fee.exemption_rules or [] if rule.get("code") == code), None)


def exempted(amount_vnd: Decimal | None, percent: int) -> Decimal | None:
    """What is left to pay when ``percent`` of ``amount_vnd`` is waived, to the đồng (half up)."""
    if amount_vnd is None:
        return None
    left = amount_vnd * (100 - percent) / 100
    return left.quantize(Decimal(1), rounding=ROUND_HALF_UP)
