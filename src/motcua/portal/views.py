"""Citizen portal: find a procedure (diacritics optional), read what to bring, how long, how much."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalogue.cache import public_filters
from motcua.catalogue.models import Component, ProcedureVersion
from motcua.catalogue.printing import blank_form_pdf
from motcua.catalogue.selectors import procedure_cards, procedure_detail
from motcua.core.errors import NotFound
from motcua.core.params import legacy_names

PAGE_SIZE = 30
LEVELS = ("province", "commune")
ONLINE_LEVELS = ("full", "partial")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"popular": list(procedure_cards("")[:6])})


def _choice(value: str | None, allowed: set[str] | tuple[str, ...]) -> str:
    """A filter's value when it is one of ``allowed``; anything else (a stale bookmark) is ignored."""
    return value if value and value in allowed else ""


# Citizens bookmarked ?cap=… before the parameters were English.
@legacy_names(cap="level")
def procedures(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    fields, units = public_filters(timezone.localdate())
    chosen = {
        "field": _choice(request.GET.get("field"), {f.code for f in fields}),
        "level": _choice(request.GET.get("level"), LEVELS),
        "unit": _choice(request.GET.get("unit"), {u.code for u in units}),
        "online": _choice(request.GET.get("online"), ONLINE_LEVELS),
    }
    results = list(
        procedure_cards(
            query,
            field_code=chosen["field"] or None,
            level=chosen["level"] or None,
            unit_code=chosen["unit"] or None,
            online_level=chosen["online"] or None,
        )[: PAGE_SIZE + 1]
    )
    context = {
        "query": query,
        **chosen,
        "filtered": any(chosen.values()),
        "fields": fields,
        "units": units,
        "results": results[:PAGE_SIZE],
        "more": len(results) > PAGE_SIZE,
    }
    template = "portal/_results.html" if request.htmx else "portal/procedures.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "portal/not_found.html", {"message": message}, status=404)


def _unknown(request: HttpRequest, code: str) -> HttpResponse:
    # The selector's message is Vietnamese only; the page says the same in the visitor's language.
    return _not_found(request, _("Không tìm thấy thủ tục có mã %(code)s.") % {"code": code})


def _grouped(components: list[Component]) -> list[list[Component]]:
    """Components as the page lists them: alternatives (one ``alternative_group``) in one item."""
    items: list[list[Component]] = []
    groups: dict[str, list[Component]] = {}
    for c in components:
        if c.alternative_group:
            if c.alternative_group not in groups:
                groups[c.alternative_group] = []
                items.append(groups[c.alternative_group])
            groups[c.alternative_group].append(c)
        else:
            items.append([c])
    return items


def procedure(request: HttpRequest, code: str) -> HttpResponse:
    try:
        detail = procedure_detail(code)
    except NotFound:
        return _unknown(request, code)
    version = detail.version
    context: dict[str, object] = {"procedure": detail.procedure, "version": version}
    if version is not None:
        components = list(version.components.all())
        context.update(
            submit=_grouped([c for c in components if c.role == Component.Role.SUBMIT]),
            present=_grouped([c for c in components if c.role == Component.Role.PRESENT]),
            forms=[c for c in components if c.eform_schema],
            units=list(version.implementing_units.all()),
            # The online submission page is being built in its own app; its address is fixed by agreement
            # (/nop-truc-tuyen/<code>/) and written here until its URL name exists to reverse.
            online_url=(
                "/nop-truc-tuyen/" + detail.procedure.code + "/"
                if version.online_level != ProcedureVersion.OnlineLevel.NONE
                else ""
            ),
        )
    return render(request, "portal/procedure.html", context)


def procedure_form(request: HttpRequest, code: str, order: int) -> HttpResponse:
    """A component's declaration as a blank PDF to print (``catalogue.printing``)."""
    try:
        detail = procedure_detail(code)
    except NotFound:
        return _unknown(request, code)
    version = detail.version
    component = next(
        (c for c in version.components.all() if c.order == order and c.eform_schema) if version else (),
        None,
    )
    if version is None or component is None:
        return _not_found(request, _("Thủ tục này không có mẫu tờ khai số %(order)s.") % {"order": order})
    pdf = blank_form_pdf(detail.procedure, version, component)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-{detail.procedure.code}-{order}.pdf"'
    return response
