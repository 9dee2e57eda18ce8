"""The portal's account pages: sign in (password or national identity provider), sign up, confirm with
the code, sign out, and the account page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.citizens import access, oidc, services
from motcua.citizens.forms import CodeForm, SignInForm, SignUpForm
from motcua.citizens.services import AccountInvalid, TooManyAttempts
from motcua.core.errors import DomainError
from motcua.core.middleware import client_ip
from motcua.core.people import ApplicantInvalid

PENDING = "citizen_pending"  # the account waiting for its code, in the session
NEXT = "citizen_next"


def _ip(request: HttpRequest) -> str | None:
    return client_ip(request)


def _field_error(form: Any, exc: DomainError) -> None:
    """The service's message next to the field it names (at the top of the form otherwise)."""
    field = str(exc.details.get("field", "")) if isinstance(exc.details, dict) else ""
    form.add_error(field if field in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    target = access.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if access.current(request) is not None and request.method == "GET":
        return HttpResponseRedirect(target)
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            account = services.authenticate(
                form.cleaned_data["identifier"], form.cleaned_data["password"], ip=_ip(request)
            )
        except TooManyAttempts as exc:
            form.add_error(None, exc.message)
            status = 429
        except AccountInvalid as exc:
            if exc.code == "account_unconfirmed":
                found = services.find_account(form.cleaned_data["identifier"])
                if found is not None:
                    request.session[PENDING] = found.pk
                    request.session[NEXT] = target
                    messages.info(request, _("Hãy nhập mã xác nhận đã gửi tới bạn để kích hoạt tài khoản."))
                    return HttpResponseRedirect(reverse("citizens:confirm"))
            form.add_error(None, exc.message)
            status = 400
        else:
            access.sign_in(request, account, via_idp=False)
            return HttpResponseRedirect(target)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "citizens/sign_in.html",
        {"form": form, "next": target, "sso": oidc.enabled()},
        status=status,
    )


def sso_start(request: HttpRequest) -> HttpResponse:
    """Go to the national identity provider's sign-in page."""
    request.session[NEXT] = access.safe_next(request, request.GET.get("next"))
    if not oidc.enabled():
        messages.error(request, _("Đăng nhập bằng tài khoản định danh điện tử chưa được cấu hình."))
        return HttpResponseRedirect(reverse("citizens:sign_in"))
    try:
        return oidc.start(request, request.build_absolute_uri(reverse("citizens:sso_back")))
    except DomainError as exc:
        return render(request, "citizens/problem.html", {"message": exc.message}, status=exc.status)


def sso_back(request: HttpRequest) -> HttpResponse:
    """The provider sends the person back here with a one-time code."""
    try:
        claims = oidc.finish(request)
        account = services.sign_in_with_identity(claims)
    except (DomainError, ApplicantInvalid) as exc:
        status = exc.status if exc.status < 500 or exc.status == 503 else 400
        return render(request, "citizens/problem.html", {"message": exc.message}, status=status)
    access.sign_in(request, account, via_idp=True)
    return HttpResponseRedirect(access.safe_next(request, request.session.pop(NEXT, "")))


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            started = services.sign_up(
                services.SignUp(
                    kind=data["kind"],
                    id_number=data["id_number"],
                    name=data["name"],
                    password=data["password"],
                    phone=data.get("phone") or "",
                    email=data.get("email") or "",
                    birth_date=data.get("birth_date"),
                    representative=data.get("representative") or "",
                ),
                ip=_ip(request),
            )
        except TooManyAttempts as exc:
            form.add_error(None, exc.message)
            status = 429
        except (AccountInvalid, ApplicantInvalid) as exc:
            _field_error(form, exc)
            status = 400
        else:
            request.session[PENDING] = started.account.pk
            request.session[NEXT] = access.safe_next(request, request.GET.get("next"))
            if started.on_record:
                messages.info(
                    request,
                    _(
                        "Mã xác nhận đã gửi tới %(to)s — liên hệ đã lưu trong hồ sơ của bạn tại cơ quan "
                        "nhà nước. "
                        "Nếu không còn dùng liên hệ này, hãy đăng nhập bằng tài khoản định danh điện tử."
                    )
                    % {"to": started.sent_to},
                )
            else:
                messages.info(request, _("Mã xác nhận đã gửi tới %(to)s.") % {"to": started.sent_to})
            return HttpResponseRedirect(reverse("citizens:confirm"))
    elif request.method == "POST":
        status = 400
    return render(request, "citizens/sign_up.html", {"form": form, "sso": oidc.enabled()}, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not isinstance(pending, int):
        return HttpResponseRedirect(reverse("citizens:sign_in"))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and request.POST.get("resend"):
        try:
            sent_to = services.resend(pending, ip=_ip(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.info(request, _("Đã gửi mã mới tới %(to)s.") % {"to": sent_to})
        return HttpResponseRedirect(reverse("citizens:confirm"))
    if request.method == "POST" and form.is_valid():
        try:
            account = services.confirm(pending, form.cleaned_data["code"], ip=_ip(request))
        except TooManyAttempts as exc:
            form.add_error("code", exc.message)
            status = 429
        except AccountInvalid as exc:
            form.add_error("code", exc.message)
            status = 400
        else:
            request.session.pop(PENDING, None)
            access.sign_in(request, account, via_idp=False)
            messages.success(request, _("Tài khoản đã được kích hoạt."))
            return HttpResponseRedirect(access.safe_next(request, request.session.pop(NEXT, "")))
    elif request.method == "POST":
        status = 400
    return render(request, "citizens/confirm.html", {"form": form}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    access.sign_out(request)
    return HttpResponseRedirect(reverse("portal:home"))


@access.citizen_required
def account(request: HttpRequest) -> HttpResponse:
    me = access.current(request)
    assert me is not None
    known = services.known_values(me)
    return render(
        request,
        "citizens/account.html",
        {
            "me": me,
            "via_idp": access.via_identity_provider(request),
            "identity": {k.split(".", 1)[1]: v for k, v in known.items() if k.startswith("identity.")},
            "population": {k.split(".", 1)[1]: v for k, v in known.items() if k.startswith("population.")},
            "sso": oidc.enabled(),
        },
    )
