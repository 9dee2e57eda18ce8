"""Staff workspace (/can-bo/): sign-in with two factors, and the home page of each officer."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core import login as signin
from motcua.core.audit import acting_as, record
from motcua.core.middleware import client_ip
from motcua.core.models import Role, TOTPDevice, User
from motcua.core.permissions import active_assignments

PENDING_KEY = "motcua_pending_login"
PENDING_SECONDS = 300


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: anything else (a bare word) would be taken for a URL name by redirect().
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


def _render(request: HttpRequest, step: str, status: int = 200, **context: object) -> HttpResponse:
    context.update({"step": step, "next": _next_url(request)})
    return render(request, "staff/login.html", context, status=status)


def _finish(request: HttpRequest, user: User) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    signin.succeeded(user.get_username(), client_ip(request))
    with acting_as(user, ip=client_ip(request)):
        record("login", object_type="core.user", object_id=user.pk, summary=str(user))
    return redirect(_next_url(request))


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def _qr_svg(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_inline(scale=4, dark="#0b2545"))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect(_next_url(request))
        request.session.pop(PENDING_KEY, None)
        return _render(request, "password")

    ip = client_ip(request)
    step = request.POST.get("step", "password")
    if step == "password":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        if not username or not password:
            return _render(
                request,
                "password",
                400,
                error=_("Vui lòng nhập tên đăng nhập và mật khẩu."),
                username=username,
            )
        # Counted before the password is checked: parallel attempts check at most the limit.
        lock = signin.reserve(username, ip)
        if lock:
            return _render(request, "password", 429, error=lock.message, username=username)
        user = authenticate(request, username=username, password=password)
        if user is None:
            # Audit summaries stay Vietnamese whatever the visitor's language: the log is a record.
            with acting_as(None, ip=ip):
                signin.register_failure(username, ip, "sai mật khẩu hoặc tài khoản không tồn tại")
            return _render(
                request,
                "password",
                400,
                error=_("Tên đăng nhập hoặc mật khẩu không đúng."),
                username=username,
            )
        signin.passed(username, ip)
        device = TOTPDevice.objects.filter(user=user).first()
        if device and device.confirmed:
            request.session[PENDING_KEY] = {"user": user.pk, "at": time.time()}
            return _render(request, "otp")
        if settings.MOTCUA_REQUIRE_2FA:
            device = signin.start_enrolment(user)
            request.session[PENDING_KEY] = {"user": user.pk, "at": time.time()}
            return _render(
                request, "enrol", qr=_qr_svg(signin.provisioning_uri(device)), secret=device.secret
            )
        return _finish(request, user)

    user = _pending_user(request)
    if user is None:
        return _render(
            request, "password", 400, error=_("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.")
        )
    lock = signin.reserve(user.get_username(), ip)
    if lock:
        request.session.pop(PENDING_KEY, None)
        return _render(request, "password", 429, error=lock.message)
    device = TOTPDevice.objects.filter(user=user).first()
    code = request.POST.get("code", "")
    if step == "otp" and device and device.confirmed:
        if signin.verify_totp(device, code):
            signin.passed(user.get_username(), ip)
            return _finish(request, user)
        with acting_as(None, ip=ip):
            signin.register_failure(user.get_username(), ip, "sai mã xác thực hai lớp")
        return _render(
            request, "otp", 400, error=_("Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã mới.")
        )
    if step == "enrol" and device and not device.confirmed:
        with acting_as(user, ip=ip):
            confirmed = signin.confirm_enrolment(device, code)
        if confirmed:
            signin.passed(user.get_username(), ip)
            return _finish(request, user)
        with acting_as(None, ip=ip):
            signin.register_failure(user.get_username(), ip, "sai mã khi đăng ký xác thực hai lớp")
        return _render(
            request,
            "enrol",
            400,
            error=_("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và thử lại."),
            qr=_qr_svg(signin.provisioning_uri(device)),
            secret=device.secret,
        )
    return _render(request, "password", 400, error=_("Yêu cầu đăng nhập không hợp lệ, vui lòng thử lại."))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponseRedirect:
    if request.user.is_authenticated:
        record("logout", object_type="core.user", object_id=request.user.pk, summary=str(request.user))
    logout(request)
    return redirect("staff:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assignments = active_assignments(request.user)  # type: ignore[arg-type]
    roles = {a.role for a in assignments}
    return render(
        request,
        "staff/home.html",
        {
            "assignments": assignments,
            "is_admin": Role.ADMINISTRATOR in roles,
            "can_manage_calendar": bool(roles & {Role.ADMINISTRATOR, Role.SUPERVISOR}),
        },
    )
