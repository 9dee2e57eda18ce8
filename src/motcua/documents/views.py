"""The forms of a dossier, for the staff who may see it: opened in the browser to print, or downloaded."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.core.models import User
from motcua.documents import services
from motcua.dossiers.rules import DossierNotFound
from motcua.dossiers.views.common import not_found

SEQ = re.compile(r"[0-9]{1,9}")  # ASCII digits: "²".isdigit() is True, int("²") fails


def _problem(request: HttpRequest, message: str, status: int = 404) -> HttpResponse:
    return render(request, "dossiers/not_found.html", {"message": message}, status=status)


@login_required
@require_GET
def form_pdf(request: HttpRequest, code: str, key: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    raw_seq = request.GET.get("su-kien", "")
    if raw_seq and not SEQ.fullmatch(raw_seq):
        return _problem(request, _("Số sự kiện “%(value)s” không hợp lệ.") % {"value": raw_seq[:20]}, 400)
    try:
        document = services.issue_form(user, code, key, int(raw_seq) if raw_seq else None)
    except DossierNotFound:
        return not_found(request, code)  # the dossier page's answer: existence is not revealed
    except services.FormNotAvailable as exc:
        return _problem(request, exc.message)
    data = services.content(document)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"{code}-mau-{key}-{document.event_seq}.pdf"
    disposition = "attachment" if request.GET.get("tai") == "1" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
