"""Public verification of a document (/xac-thuc/): anyone shown an electronic result, a certified copy
or a printed form checks it here — by uploading the file, or by the result code / QR code printed on it.
The answer is in plain words: genuine or not, who signed and when, whether this system issued exactly
these bytes, whether it was revoked. One answer for this page and ``motcua documents verify``
(``documents.verify``)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core import files
from motcua.core.middleware import client_ip
from motcua.documents import results, services, verify


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp văn bản điện tử (PDF)"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": gettext_lazy("Chọn tệp PDF cần kiểm tra."),
            "empty": gettext_lazy("Tệp rỗng."),
        },
    )


def _unknown_code() -> str:
    return _("Không có văn bản nào mang mã kết quả này. Kiểm tra lại mã in trên văn bản.")


def _too_many(exc: verify.TooManyChecks) -> str:
    return _("Bạn đã kiểm tra quá nhiều văn bản; vui lòng thử lại sau %(minutes)d phút.") % {
        "minutes": exc.details["minutes"]
    }


def _too_large() -> str:
    return _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": files.document_max_mb()}


def _render(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    context.setdefault("form", VerifyForm())
    context.setdefault("max_mb", files.document_max_mb())
    return render(request, "portal/verify.html", context, status=status)


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("ma") or "").strip()[:60]
    if request.method == "GET":
        if code:
            normal = results.normalise_code(code)
            if not normal:
                return _render(
                    request,
                    {"code": code, "error": _("Mã kết quả gồm “KQ-” và 16 chữ và số, như in trên văn bản.")},
                    400,
                )
            return redirect("portal:verify_code", code=normal)
        return _render(request, {})
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, {"form": form}, 400)
    upload = form.cleaned_data["file"]
    if upload.size > settings.MOTCUA_DOCUMENT_MAX_BYTES:
        return _render(request, {"form": form, "error": _too_large()}, 400)
    try:
        report = verify.public_verify(upload.read(), client_ip(request))
    except verify.TooManyChecks as exc:
        return _render(request, {"form": form, "error": _too_many(exc)}, 429)
    except verify.NotVerifiable as exc:
        return _render(request, {"form": form, "error": exc.message}, 400)
    return _render(request, {"report": report, "file_name": (upload.name or "")[:120]})


def _unknown(request: HttpRequest, code: str) -> HttpResponse:
    return _render(request, {"code": code, "error": _unknown_code()}, 404)


@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    document = results.by_code(code)
    if document is None:
        return _unknown(request, code)
    try:
        report = verify.public_verify(services.content(document), client_ip(request))
    except verify.TooManyChecks as exc:
        return _render(request, {"code": code, "error": _too_many(exc)}, 429)
    return _render(request, {"report": report, "code": document.public_code, "stored": document})


@require_GET
def verify_file(request: HttpRequest, code: str) -> HttpResponse:
    """The original file of a result, as issued (whoever holds the code holds the paper it is printed on)."""
    document = results.by_code(code)
    if document is None:
        return _unknown(request, code)
    response = HttpResponse(services.content(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.public_code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
