"""Public page of the published late lists (/ho-so-tre-han/): per month and unit, the late dossiers
with the reason and the apology letter, as the unit published them (``evaluation.LatePublication``).

Only published lists appear (a publication is the unit's act of making the list public under NĐ
61/2018); the columns are the snapshot's — never the applicant's name or identity number.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit
from motcua.core.params import legacy_names
from motcua.evaluation import latelist
from motcua.evaluation.models import LatePublication


def _rows(publication: LatePublication) -> list[dict[str, Any]]:
    """The snapshot's rows with their moments parsed back (the template formats them)."""
    out = []
    for row in publication.rows:
        item = dict(row)
        for key in ("received_at", "due_at", "end_at", "apology_new_due"):
            item[key] = datetime.fromisoformat(row[key]) if row.get(key) else None
        sent = row.get("apology_sent_on")
        item["apology_sent_on"] = date.fromisoformat(sent) if sent else None
        out.append(item)
    return out


@legacy_names(thang="month", **{"don-vi": "unit"})
@require_GET
def late_lists(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    status = 200
    error = ""
    month = latelist.previous_month(today)
    try:
        if request.GET.get("month"):
            month = latelist.parse_month(request.GET["month"])
    except DomainError as exc:
        error, status = exc.message, exc.status
    # The latest revision of each unit's list for the month (two queries: units, then the one chosen).
    published = list(
        LatePublication.objects.filter(month=month)
        .order_by("unit__path", "-revision")
        .values(
            "pk",
            "unit_id",
            "unit__code",
            "unit__name",
            "revision",
            "count",
            "without_apology",
            "published_at",
        )
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in published:
        latest.setdefault(row["unit_id"], row)
    lists = list(latest.values())
    chosen = None
    rows: list[dict[str, Any]] = []
    code = (request.GET.get("unit") or "").strip()
    if code and not error:
        match = next((p for p in lists if code == p["unit__code"]), None)
        if match is None:
            if not OrgUnit.objects.filter(code=code).exists():
                error, status = _("Không có đơn vị mã “%(code)s”.") % {"code": code[:40]}, 404
            else:
                error, status = (
                    _("Đơn vị này chưa công bố danh sách hồ sơ trễ hạn tháng %(month)s.")
                    % {"month": f"{month:%m/%Y}"},
                    404,
                )
        else:
            chosen = LatePublication.objects.select_related("unit").get(pk=match["pk"])
            rows = _rows(chosen)
    elif len(lists) == 1 and not error:
        chosen = LatePublication.objects.select_related("unit").get(pk=lists[0]["pk"])
        rows = _rows(chosen)
    context = {
        "month": month,
        "months": [m for m in _months(today) if m < today.replace(day=1)],
        "lists": lists,
        "chosen": chosen,
        "rows": rows,
        "error": error,
        "code": code,
    }
    return render(request, "portal/late.html", context, status=status)


def _months(today: Any) -> list[Any]:
    first = today.replace(day=1)
    months = [first]
    while len(months) < 25:
        months.append(latelist.previous_month(months[-1]))
    return months
