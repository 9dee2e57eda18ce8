"""Staff screen of the organisation (/can-bo/don-vi/): the units in office today as a tree, and the
units that ended with their successors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from motcua.core.models import OrgUnit, OrgUnitSuccession


def _tree(units: list[OrgUnit]) -> list[dict[str, Any]]:
    nodes: dict[int, dict[str, Any]] = {u.pk: {"unit": u, "children": []} for u in units}
    roots: list[dict[str, Any]] = []
    for u in units:
        parent = nodes.get(u.parent_id) if u.parent_id else None
        (parent["children"] if parent else roots).append(nodes[u.pk])
    return roots


@login_required
def units_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    active = list(OrgUnit.objects.active_on(today).order_by("path"))
    ended = list(
        OrgUnit.objects.filter(valid_to__lte=today)
        .order_by("path")
        .prefetch_related(
            Prefetch("successions", queryset=OrgUnitSuccession.objects.select_related("successor"))
        )
    )
    return render(request, "core/units.html", {"tree": _tree(active), "ended": ended, "today": today})
