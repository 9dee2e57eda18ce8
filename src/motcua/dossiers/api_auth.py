"""Authentication of the dossier API: a system token, or a staff session with its CSRF token."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from motcua.core import tokens
from motcua.core.errors import Forbidden
from motcua.core.middleware import client_ip
from motcua.core.models import User


class CsrfFailed(Forbidden):
    code = "csrf_failed"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer mc_…``: a system token, acting as its account."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = tokens.verify(token, ip=client_ip(request))  # InvalidToken (401) / TooManyFailures (429)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class StaffSession(APIKeyCookie):
    """The staff session cookie; unsafe methods also need the CSRF token (header ``X-CSRFToken``)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF is checked in ``authenticate``, once the session is known to be signed in: without a
        # session the answer is 401, not a CSRF failure.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if check_csrf(request) is not None:
            raise CsrfFailed(
                "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF): gửi kèm tiêu đề X-CSRFToken "
                "bằng giá trị cookie csrftoken, hoặc dùng mã truy cập API."
            )
        return user if isinstance(user, User) else None
