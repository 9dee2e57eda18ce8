"""Citizen portal: find a procedure (diacritics optional), read what to bring, how long, how much."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.catalogue.selectors import procedure_detail, search_procedures
from motcua.core.errors import NotFound
from motcua.core.params import legacy_names

PAGE_SIZE = 30


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"popular": list(search_procedures("")[:6])})


# Citizens bookmarked ?cap=… before the parameters were English.
@legacy_names(cap="level")
def procedures(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    level = request.GET.get("level") or None
    if level not in (None, "province", "commune"):
        level = None
    results = list(search_procedures(query, level=level)[: PAGE_SIZE + 1])
    context = {
        "query": query,
        "level": level,
        "results": results[:PAGE_SIZE],
        "more": len(results) > PAGE_SIZE,
    }
    template = "portal/_results.html" if request.htmx else "portal/procedures.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def procedure(request: HttpRequest, code: str) -> HttpResponse:
    try:
        detail = procedure_detail(code)
    except NotFound:
        # The selector's message is Vietnamese only; the page says the same in the visitor's language.
        message = _("Không tìm thấy thủ tục có mã %(code)s.") % {"code": code}
        return render(request, "portal/not_found.html", {"message": message}, status=404)
    return render(
        request, "portal/procedure.html", {"procedure": detail.procedure, "version": detail.version}
    )
