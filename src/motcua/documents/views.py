"""The forms of a dossier, for the staff who may see it: opened in the browser to print, or downloaded;
the result, signed as it is issued (the "Có kết quả, chuyển trả" panel of the dossier page posts
here); and the electronic certified copy of an original (the "Chứng thực bản sao điện tử" panel)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError
from motcua.core.models import User
from motcua.documents import certified, results, revocation, services, signing
from motcua.documents.inputs import CertifyForm
from motcua.dossiers.forms import ACTION_FORMS
from motcua.dossiers.forms.actions import ResultForm
from motcua.dossiers.rules import Action, DossierNotFound
from motcua.dossiers.views.actions import refusal_for
from motcua.dossiers.views.common import not_found
from motcua.dossiers.views.detail import render_detail
from motcua.dossiers.views.screen import Screen

SEQ = re.compile(r"[0-9]{1,9}")  # ASCII digits: "²".isdigit() is True, int("²") fails


def _refused(
    request: HttpRequest, user: User, code: str, exc: DomainError, bound: tuple[Action, Any] | None = None
) -> HttpResponse:
    """The dossier page again, as it is now, with the refusal's message and status (and the action's
    form as the officer filled it in)."""
    try:
        screen = Screen.load(user, code)
    except DossierNotFound:
        return not_found(request, code)
    return render_detail(request, screen, status=exc.status, bound=bound, error=exc)


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


@login_required
@require_POST
def result(request: HttpRequest, code: str) -> HttpResponse:
    """Issue the signed result and mark the dossier "result ready"; a refusal or a bad file is shown on
    the dossier page with its status, the panel open with what the officer entered."""
    user: User = request.user  # type: ignore[assignment]
    act = Action.MARK_RESULT_READY
    try:
        screen = Screen.load(user, code)
    except DossierNotFound:
        return not_found(request, code)
    form = ACTION_FORMS[act](
        request.POST, request.FILES, prefix=act.value, context=screen.action_context(act)
    )
    if act not in screen.detail.actions:
        error = refusal_for(user, screen.dossier, act, request.POST.get(f"{act.value}-expected_version"))
        return render_detail(request, screen, status=error.status, error=error)
    if not form.is_valid():
        return render_detail(request, screen, status=400, bound=(act, form))
    data = form.cleaned_data
    upload = data["file"].read() if data["source"] == ResultForm.UPLOAD and data.get("file") else None
    try:
        document = results.issue_result(
            user,
            code,
            expected_version=data["expected_version"],
            note=data.get("note", ""),
            upload=upload,
            certified_copy=data["source"] == ResultForm.CERTIFIED,
        )
    except DomainError as exc:
        return _refused(request, user, code, exc, bound=(act, form))
    done = (
        _("Bản sao điện tử đã chứng thực %(result)s là kết quả; hồ sơ %(code)s chuyển sang chờ trả kết quả.")
        if data["source"] == ResultForm.CERTIFIED
        else _("Đã ký số và phát hành kết quả %(result)s; hồ sơ %(code)s chuyển sang chờ trả kết quả.")
    )
    messages.success(request, done % {"result": document.public_code, "code": code})
    return redirect("dossiers:detail", code=code)


@login_required
@require_POST
def revoke(request: HttpRequest, code: str, public_code: str) -> HttpResponse:
    """Revoke a signed document of the dossier (the "Thu hồi" form beside it); a refusal is shown on the
    dossier page with its status."""
    user: User = request.user  # type: ignore[assignment]
    try:
        revocation.revoke(user, code, public_code, reason=request.POST.get("reason", ""))
    except DossierNotFound:
        return not_found(request, code)
    except DomainError as exc:
        return _refused(request, user, code, exc)
    messages.success(
        request,
        _("Đã thu hồi văn bản %(result)s; tra cứu văn bản này sẽ báo đã thu hồi.") % {"result": public_code},
    )
    return redirect("dossiers:detail", code=code)


@login_required
@require_POST
def replace(request: HttpRequest, code: str, public_code: str) -> HttpResponse:
    """Revoke a wrong result and issue the corrected one (the "Thu hồi và cấp lại" form under it)."""
    user: User = request.user  # type: ignore[assignment]
    upload = request.FILES.get("file") if request.POST.get("source") == "upload" else None
    try:
        if request.POST.get("source") == "upload" and upload is None:
            raise signing.NotSignable(_("Chọn tệp PDF kết quả đã đính chính để tải lên."))
        version = request.POST.get("expected_version", "")
        document = results.replace_result(
            user,
            code,
            public_code,
            expected_version=int(version) if SEQ.fullmatch(version) else -1,
            reason=request.POST.get("reason", ""),
            upload=upload.read() if upload is not None else None,
        )
    except DossierNotFound:
        return not_found(request, code)
    except DomainError as exc:
        return _refused(request, user, code, exc)
    messages.success(
        request,
        _("Đã thu hồi kết quả %(old)s và ký số, cấp lại kết quả %(new)s.")
        % {"old": public_code, "new": document.public_code},
    )
    return redirect("dossiers:detail", code=code)


@login_required
@require_POST
def certify(request: HttpRequest, code: str) -> HttpResponse:
    """Certify a scanned original of the dossier as an electronic copy (the "Chứng thực bản sao điện
    tử" panel); a refusal or a bad choice is shown on the dossier page with its status."""
    user: User = request.user  # type: ignore[assignment]
    form = CertifyForm(request.POST, prefix=CertifyForm.PREFIX)
    try:
        if not form.is_valid():
            raise certified.NotCertifiable(form.first_error())
        data = form.cleaned_data
        document = certified.certify_copy(
            user,
            code,
            expected_version=data["expected_version"],
            component_id=data["component"],
            copies=data["copies"],
        )
    except DossierNotFound:
        return not_found(request, code)
    except DomainError as exc:
        return _refused(request, user, code, exc)
    entry = document.certification
    messages.success(
        request,
        _("Đã ký chứng thực bản sao điện tử số %(number)s, quyển số %(book)s (mã %(result)s).")
        % {"number": entry.number, "book": entry.book, "result": document.public_code},
    )
    return redirect("dossiers:detail", code=code)
