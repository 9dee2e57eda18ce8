"""Staff screens of the procedure catalogue (/can-bo/thu-tuc/): search ignoring diacritics, and each
version in full. The citizen's pages of the same catalogue are in motcua.portal."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.catalogue.models import ProcedureVersion
from motcua.catalogue.selectors import procedure_detail, search_procedures
from motcua.core.errors import NotFound
from motcua.core.models import Role
from motcua.core.params import legacy_names
from motcua.core.permissions import has_role

PAGE_SIZE = 50


@legacy_names(cap="level", truc_tuyen="online")
@login_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    level = request.GET.get("level") or None
    online = request.GET.get("online") or None
    results = list(search_procedures(query, level=level, online_level=online)[: PAGE_SIZE + 1])
    context = {
        "query": query,
        "level": level,
        "online": online,
        "results": results[:PAGE_SIZE],
        "more": len(results) > PAGE_SIZE,
        "online_levels": ProcedureVersion.OnlineLevel.choices,
    }
    template = "catalogue/_procedure_rows.html" if request.htmx else "catalogue/procedures.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def procedure_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        detail = procedure_detail(code)
        procedure, version = detail.procedure, detail.version
    except NotFound:
        # The selector's message is Vietnamese only; the page says the same in the visitor's language.
        message = _("Không tìm thấy thủ tục có mã %(code)s.") % {"code": code}
        return render(request, "staff/not_found.html", {"message": message}, status=404)
    versions = procedure.versions.order_by("-version")
    return render(
        request,
        "catalogue/procedure.html",
        {
            "procedure": procedure,
            "version": version,
            "versions": versions,
            "can_edit": has_role(request.user, [Role.ADMINISTRATOR]),  # type: ignore[arg-type]
        },
    )
