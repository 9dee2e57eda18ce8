"""What the ratings add up to, for a period: one function for every screen that shows it (the public
quality page and the staff's ratings page), so the figures agree."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from motcua.core.models import OrgUnit
from motcua.feedback.models import Rating


@dataclass(frozen=True)
class Summary:
    unit_id: int | None  # None: every unit asked for together
    unit_name: str
    ratings: int
    satisfied: int

    @property
    def satisfied_pct(self) -> float | None:
        return None if not self.ratings else round(self.satisfied * 100 / self.ratings, 1)


def summary(start: datetime, end: datetime, unit_ids: Collection[int] | None = None) -> list[Summary]:
    """The ratings given in [start, end): the total first (``unit_id`` None), then each competent unit
    with ratings, most rated first. ``unit_ids``: only those units (a staff member's), else all. Two
    queries."""
    rows = Rating.objects.filter(rated_at__gte=start, rated_at__lt=end)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    grouped = list(
        rows.values("unit_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(satisfied=True)))
        .order_by("-n", "unit_id")
    )
    names = dict(OrgUnit.objects.filter(pk__in=[g["unit_id"] for g in grouped]).values_list("pk", "name"))
    units = [Summary(g["unit_id"], names.get(g["unit_id"], ""), g["n"], g["ok"]) for g in grouped]
    total = Summary(None, "", sum(u.ratings for u in units), sum(u.satisfied for u in units))
    return [total, *units]
