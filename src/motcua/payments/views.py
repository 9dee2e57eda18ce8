"""The applicant's online payment: start (from the public tracking page), the gateway's return and its
server-to-server notification, the result page and the receipt. No account is needed: starting asks for
the same second factor as tracking (and counts failures the same way); the result page's address carries
a signed token."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.core import throttle
from motcua.core.errors import DomainError
from motcua.core.middleware import client_ip
from motcua.documents.services import content
from motcua.dossiers.tracking import TooManyLookups, public_lookup
from motcua.payments import receipts, services
from motcua.payments.models import Payment, PaymentNotice

SALT = "motcua.payments.result"


def token_for(payment: Payment) -> str:
    return signing.dumps(payment.reference, salt=SALT)


def _payment(token: str) -> Payment | None:
    try:
        reference = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return Payment.objects.select_related("dossier").filter(reference=reference).first()


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "payments/result.html", {"error": message}, status=status)


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    code = (request.POST.get("ma") or "").strip()[:80]
    factor = (request.POST.get("xac_thuc") or "").strip()[:20]
    try:
        if public_lookup(code, factor, client_ip(request)) is None:
            return _problem(request, _("Không tìm thấy hồ sơ với mã và 4 chữ số đã nhập."), 404)
        _started, url = services.start_online(
            code, return_url=request.build_absolute_uri(reverse("payments:back")), ip=client_ip(request)
        )
    except TooManyLookups as exc:
        return _problem(request, exc.message, 429)
    except DomainError as exc:
        return _problem(request, exc.message, exc.status)
    # A page that moves on to the gateway by itself (a redirect answering a form would be blocked by the
    # Content-Security-Policy ``form-action 'self'``; a link and a meta refresh are navigations).
    return render(request, "payments/redirect.html", {"url": url})


@require_GET
def back(request: HttpRequest) -> HttpResponse:
    """The gateway sends the applicant back here with its signed word on the payment."""
    answer, _msg, payment = services.apply_reply(
        dict(request.GET.items()), source=PaymentNotice.Source.RETURN, ip=client_ip(request)
    )
    if answer == services.BAD_SIGNATURE:
        return _problem(request, _("Kết quả thanh toán không hợp lệ (sai chữ ký)."), 400)
    if payment is None:
        return _problem(request, _("Không tìm thấy giao dịch thanh toán này."), 404)
    return redirect("payments:result", token=token_for(payment))


@csrf_exempt  # server to server, signed by the gateway (verified in apply_reply)
@require_GET
def notify(request: HttpRequest) -> HttpResponse:
    # Forged notifications are logged, so an address is allowed only so many of them (valid ones give
    # their attempt back): a flood cannot fill the log.
    ip = client_ip(request)
    limits = [throttle.Limit(throttle.key("payment-notice", ip or "-"), settings.MOTCUA_PAYMENT_NOTICE_MAX)]
    if throttle.attempt(limits, settings.MOTCUA_PAYMENT_NOTICE_WINDOW_SECONDS):
        return JsonResponse({"RspCode": "99", "Message": "Too many invalid requests"}, status=429)
    answer, message, _found = services.apply_reply(
        dict(request.GET.items()), source=PaymentNotice.Source.NOTIFY, ip=ip
    )
    if answer != services.BAD_SIGNATURE:
        throttle.give_back([limit.key for limit in limits])
    return JsonResponse({"RspCode": answer, "Message": message})


@require_GET
def result(request: HttpRequest, token: str) -> HttpResponse:
    payment = _payment(token)
    if payment is None:
        return _problem(request, _("Không tìm thấy giao dịch thanh toán này."), 404)
    return render(request, "payments/result.html", {"p": payment, "token": token})


@require_GET
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    payment = _payment(token)
    if payment is None or payment.status != Payment.Status.PAID:
        return _problem(request, _("Chưa có biên lai cho giao dịch này."), 404)
    document = receipts.receipt_for(payment)
    response = FileResponse(iter([content(document)]), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="bien-lai-{payment.receipt_number.replace("/", "-")}.pdf"'
    )
    return response
