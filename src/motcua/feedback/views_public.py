"""The citizen's rating pages that need no account: the link sent with the notice of return
(/danh-gia/<token>/) and the counter's rating tablet (/may-danh-gia/).

Neither page shows personal data: the dossier's code, its procedure, the unit and the date of return.
The link is signed and expires (``feedback.rating_link_days``); the tablet rates only the dossier an
officer of its counter has just offered to it, while the offer lasts (``feedback.kiosk_minutes``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from motcua.core import throttle
from motcua.core.errors import DomainError, NotFound
from motcua.core.middleware import client_ip
from motcua.feedback import forms, services
from motcua.feedback.models import Channel

KIOSK_COOKIE = "motcua_may_danh_gia"
KIOSK_COOKIE_AGE = 5 * 365 * 86_400


def _limited(request: HttpRequest) -> bool:
    """Rating posts per address: generous (a counter's tablet, a family behind one router), bounded."""
    limits = [throttle.Limit(throttle.key("rating", client_ip(request) or "-"), 120)]
    return bool(throttle.attempt(limits, 3600))


@require_http_methods(["GET", "POST"])
def by_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        dossier = services.dossier_from_link(token[:300])
    except NotFound as exc:
        return render(request, "feedback/message.html", {"message": exc.message}, status=404)
    context = {"dossier": dossier, **forms.context(request.POST if request.method == "POST" else None)}
    if not services.rateable(dossier):
        return render(request, "feedback/message.html", {"message": _closed(dossier)}, status=200)
    if request.method == "POST":
        if _limited(request):
            message = "Có quá nhiều lượt đánh giá từ địa chỉ này; vui lòng thử lại sau."
            return render(request, "feedback/message.html", {"message": message}, status=429)
        try:
            services.rate(dossier, channel=Channel.ONLINE, **forms.read(request.POST))
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "feedback/rate.html", context, status=exc.status)
        return render(request, "feedback/thanks.html", {"dossier": dossier})
    return render(request, "feedback/rate.html", context)


def _closed(dossier: object) -> str:
    from motcua.feedback.models import Rating

    if Rating.objects.filter(dossier=dossier).exists():
        return "Hồ sơ này đã được đánh giá. Cảm ơn ông/bà đã đóng góp ý kiến."
    return "Hồ sơ chưa trả kết quả nên chưa thể đánh giá."


# -- the counter's tablet ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def kiosk_pair(request: HttpRequest, secret: str) -> HttpResponse:
    """The pairing link, opened once on the tablet: a page to confirm (a link preview must not pair),
    then the secret goes into a long-lived cookie of that browser only."""
    kiosk = services.kiosk_by_secret(secret[:100])
    if kiosk is None:
        message = "Đường dẫn ghép nối máy đánh giá không đúng hoặc máy đã bị thu hồi."
        return render(request, "feedback/message.html", {"message": message}, status=404)
    if request.method == "GET":
        return render(request, "feedback/kiosk_pair.html", {"kiosk": kiosk})
    services.pair(kiosk)
    response = redirect("feedback:kiosk")
    response.set_cookie(
        KIOSK_COOKIE,
        secret[:100],
        max_age=KIOSK_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    device = services.kiosk_by_secret(request.COOKIES.get(KIOSK_COOKIE, "")[:100])
    if device is None:
        return render(request, "feedback/kiosk_unpaired.html", status=403)
    if request.method == "POST":
        try:
            dossier_id = int(request.POST.get("ho_so", "0"))
        except ValueError:
            dossier_id = 0
        try:
            services.rate_at_kiosk(device, dossier_id, **forms.read(request.POST))
        except DomainError as exc:
            current = services.waiting(device)
            context = {
                "kiosk": device,
                "dossier": current,
                "error": exc.message,
                **forms.context(request.POST),
            }
            return render(request, "feedback/kiosk.html", context, status=exc.status)
        return render(request, "feedback/kiosk_thanks.html", {"kiosk": device})
    current = services.waiting(device)
    return render(request, "feedback/kiosk.html", {"kiosk": device, "dossier": current, **forms.context()})
