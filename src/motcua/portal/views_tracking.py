"""Public tracking of a dossier (/tra-cuu-ho-so/): the code on the receipt (or its QR code) and the last
four digits of the applicant's identity number or tax code. No name, number, phone or address is shown;
an unknown code and a wrong second factor get the same answer; failed look-ups are limited per address
(``dossiers.tracking.public_lookup``, shared with the API)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.core.middleware import client_ip
from motcua.dossiers.tracking import FACTOR_PATTERN, TooManyLookups, public_lookup
from motcua.payments import services as payment_services

AWAITING_PAYMENT = 6  # Yêu cầu thực hiện nghĩa vụ tài chính

CODE = re.compile(r"[0-9A-Za-z.\-]{6,60}")
FACTOR = re.compile(FACTOR_PATTERN)


def tracking(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("ma") or "").strip()[:80]
    factor = (request.GET.get("xac_thuc") or "").strip()[:20]
    context: dict[str, object] = {"code": code, "factor_given": bool(factor)}
    if not code or not factor:
        return render(request, "portal/tracking.html", context)
    if not CODE.fullmatch(code):
        context["error"] = _("Mã hồ sơ gồm chữ, số, dấu chấm và gạch ngang, như trên giấy tiếp nhận.")
        return render(request, "portal/tracking.html", context, status=400)
    if not FACTOR.fullmatch(factor):
        context["error"] = _(
            "Nhập đúng 4 chữ số cuối của số định danh cá nhân hoặc mã số thuế của người nộp."
        )
        return render(request, "portal/tracking.html", context, status=400)
    try:
        found = public_lookup(code, factor, client_ip(request))
    except TooManyLookups as exc:
        context["error"] = _("Bạn đã tra cứu sai quá nhiều lần; vui lòng thử lại sau %(minutes)d phút.") % {
            "minutes": exc.details["minutes"]
        }
        return render(request, "portal/tracking.html", context, status=429)
    if found is None:
        context["error"] = _(
            "Không tìm thấy hồ sơ với mã và 4 chữ số đã nhập. Kiểm tra lại mã trên giấy tiếp nhận "
            "và 4 chữ số cuối của số định danh hoặc mã số thuế của người nộp."
        )
        return render(request, "portal/tracking.html", context, status=404)
    context["d"] = found
    # Waiting for payment (state 6) with a gateway: what can be paid online.
    context["offer"] = payment_services.offer(found.code) if found.status_code == AWAITING_PAYMENT else None
    context["factor"] = factor
    return render(request, "portal/tracking.html", context)
