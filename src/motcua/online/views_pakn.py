"""The portal's pages of feedback and complaints (phản ánh, kiến nghị): send one (signed in, or with a
name and a contact for the answer), read the published answers (searchable without diacritics; no
sender, no officer, no contact shown) and like or dislike them.

Sending is throttled per address and per account, and a hidden field that people never fill catches the
simplest robots; the same content from the same sender within 30 days is refused (``pakn.submit``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from motcua.citizens import access
from motcua.core import throttle
from motcua.core.errors import DomainError
from motcua.core.middleware import client_ip
from motcua.core.models import OrgUnit
from motcua.core.text import search_tokens
from motcua.dossiers.models import Dossier
from motcua.dossiers.tracking import FACTOR_DIGITS
from motcua.feedback import pakn
from motcua.feedback.models import Pakn, Status, Subject

VOTER_COOKIE = "motcua_nguoi_danh_gia"
PAGE = 20


def _account_id(request: HttpRequest) -> int | None:
    account = access.current(request)
    return account.pk if account is not None else None


def units() -> list[OrgUnit]:
    """The units a citizen may address: those with a one-stop counter, the departments, the province."""
    kinds = ("province", "department")
    wanted = Q(is_one_stop=True) | Q(kind__in=kinds)
    return list(OrgUnit.objects.filter(wanted, valid_to__isnull=True).order_by("name"))


def _limited(request: HttpRequest, account: int | None) -> str:
    limits = [throttle.Limit(throttle.key("pakn-address", client_ip(request) or "-"), 5)]
    if account is not None:
        limits.append(throttle.Limit(throttle.key("pakn-account", account), 10))
    wait = throttle.attempt(limits, 3600)
    if wait:
        minutes = throttle.minutes(wait)
        return f"Ông/bà đã gửi nhiều phản ánh trong thời gian ngắn; vui lòng thử lại sau {minutes} phút."
    return ""


def _dossier(code: str, factor: str) -> Dossier | None:
    """The dossier a PAKN is about: its code and the last four digits of its applicant's number."""
    if not code:
        return None
    found = Dossier.objects.filter(code=code).only("id", "code", "applicant_id_number").first()
    holder = found.applicant_id_number if found is not None else ""
    if found is None or len(holder) < FACTOR_DIGITS or holder[-FACTOR_DIGITS:] != factor:
        raise pakn.PaknRefused(
            "Không tìm thấy hồ sơ với mã và 4 chữ số đã nhập; để trống nếu phản ánh không về một hồ sơ.",
            details={"field": "dossier"},
        )
    return found


@require_http_methods(["GET", "POST"])
def send(request: HttpRequest) -> HttpResponse:
    account = _account_id(request)
    context: dict[str, object] = {
        "subjects": Subject.choices,
        "units": units(),
        "signed_in": account is not None,
        "posted": request.POST if request.method == "POST" else {},
    }
    if request.method == "GET":
        return render(request, "feedback/pakn_send.html", context)
    data = request.POST
    if data.get("website"):  # the hidden field: a robot filled it; it is told nothing else
        return render(request, "feedback/pakn_sent.html", {"code": ""})
    problem = _limited(request, account)
    if problem:
        context["error"] = problem
        return render(request, "feedback/pakn_send.html", context, status=429)
    unit = next((u for u in context["units"] if str(u.pk) == data.get("don_vi", "")), None)  # type: ignore[attr-defined]
    try:
        if unit is None:
            raise pakn.PaknRefused("Chọn cơ quan nhận phản ánh, kiến nghị.", details={"field": "unit"})
        item = pakn.submit(
            subject=data.get("noi_dung_ve", ""),
            title=data.get("tieu_de", "")[:300],
            content=data.get("noi_dung", "")[:6000],
            unit=unit,
            sender=pakn.Sender(
                account_id=account,
                name=data.get("ho_ten", "")[:150],
                email=data.get("email", "")[:254],
                phone=data.get("dien_thoai", "")[:20],
            ),
            dossier=_dossier(data.get("ma_ho_so", "").strip()[:60], data.get("xac_thuc", "").strip()[:4]),
        )
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "feedback/pakn_send.html", context, status=exc.status)
    return render(request, "feedback/pakn_sent.html", {"code": item.code})


def answers(request: HttpRequest) -> HttpResponse:
    """The published answers, newest first, searchable without diacritics."""
    query = (request.GET.get("q") or "").strip()[:100]
    rows = (
        Pakn.objects.filter(status=Status.PUBLISHED).select_related("unit").order_by("-published_at", "-id")
    )
    for word in search_tokens(query)[:6]:
        rows = rows.filter(search_text__contains=word)
    page = Paginator(rows, PAGE).get_page(request.GET.get("trang"))
    return render(
        request, "feedback/pakn_answers.html", {"page": page, "q": query, "subjects": dict(Subject.choices)}
    )


def answer_page(request: HttpRequest, code: str) -> HttpResponse:
    item = Pakn.objects.select_related("unit").filter(code=code[:30], status=Status.PUBLISHED).first()
    if item is None:
        message = "Không tìm thấy câu trả lời đã công khai với mã này."
        return render(request, "feedback/message.html", {"message": message}, status=404)
    context = {"item": item, "subjects": dict(Subject.choices)}
    return render(request, "feedback/pakn_answer.html", context)


@require_POST
def vote(request: HttpRequest, code: str) -> HttpResponse:
    item = Pakn.objects.filter(code=code[:30], status=Status.PUBLISHED).first()
    back = reverse("online:pakn_answer", args=[code[:30]])
    if item is None:
        message = "Không tìm thấy câu trả lời đã công khai với mã này."
        return render(request, "feedback/message.html", {"message": message}, status=404)
    limits = [throttle.Limit(throttle.key("pakn-vote", client_ip(request) or "-"), 60)]
    if throttle.attempt(limits, 3600):
        message = "Có quá nhiều lượt đánh giá từ địa chỉ này; vui lòng thử lại sau."
        return render(request, "feedback/message.html", {"message": message}, status=429)
    account = _account_id(request)
    key = request.COOKIES.get(VOTER_COOKIE) or secrets.token_urlsafe(24)
    voter = f"tai-khoan:{account}" if account is not None else f"trinh-duyet:{key[:64]}"
    try:
        pakn.vote(item, voter, 1 if request.POST.get("gia_tri") == "1" else -1)
    except DomainError as exc:
        return render(request, "feedback/message.html", {"message": exc.message}, status=exc.status)
    response = HttpResponseRedirect(back)
    if account is None and VOTER_COOKIE not in request.COOKIES:
        response.set_cookie(
            VOTER_COOKIE,
            key,
            max_age=365 * 86_400,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response
