from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from motcua.core.models import OrgUnit, OrgUnitSuccession


def _tree(units: list[OrgUnit]) -> list[dict]:
    nodes = {u.pk: {"unit": u, "children": []} for u in units}
    roots = []
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
    return render(request, "staff/units.html", {"tree": _tree(active), "ended": ended, "today": today})
