"""Error responses: one JSON format for the API, one page per layout (portal, staff) for people.

- Under ``/api/`` every error is ``{"code": …, "message": …}`` (the API's format, ``motcua.api``), with
  a Vietnamese message, whatever produced it: an unknown address, a method the address does not
  take, a body too large, an unexpected failure.
- Elsewhere the visitor gets a page in the language they chose (the language cookie), in the look of
  the public portal, or of the staff workspace under ``/can-bo/`` and ``/quan-tri/``. The pages need
  no inline script or style (CSP), and the 500 page needs neither the database nor a signed-in user.

``RequestGuardMiddleware`` refuses two kinds of requests before any view sees them: a body larger
than the limit (413) and, outside the API, a NUL character in the path or the query string (400),
which PostgreSQL cannot even compare. The API checks its own parameters and answers a NUL with a
422 like any other invalid input (``core.validation.Text``, the dossier schemas).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from ninja import Schema
from pydantic import Field

from motcua.core.middleware import cookie_language

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
STAFF_PREFIXES = ("/can-bo/", "/quan-tri/")

# Status → (stable code, Vietnamese message) of the API's error body.
API_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("unauthenticated", "Cần đăng nhập hoặc mã truy cập hợp lệ."),
    403: ("forbidden", "Không có quyền thực hiện yêu cầu này."),
    404: ("not_found", "Không có địa chỉ này trong API (xem /api/docs)."),
    405: ("method_not_allowed", "Địa chỉ này không nhận phương thức {method}; dùng: {allowed}."),
    413: ("payload_too_large", "Nội dung gửi lên quá lớn: tối đa {limit}."),
    429: ("too_many_requests", "Quá nhiều yêu cầu; vui lòng thử lại sau."),
    500: ("server_error", "Hệ thống gặp lỗi ngoài dự kiến; lỗi đã được ghi lại. Vui lòng thử lại sau."),
}


class ErrorOut(Schema):
    """The body of every API error (one schema for every router)."""

    code: str = Field(description="Mã lỗi ổn định (xem docs/api.md).")
    message: str = Field(description="Thông báo tiếng Việt, hiển thị được cho người dùng.")
    details: Any | None = None


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def is_staff_area(request: HttpRequest) -> bool:
    return request.path_info.startswith(STAFF_PREFIXES)


def size_text(n: int) -> str:
    """A byte count for people: "2,5 MB", "512 KB" (Vietnamese decimal comma)."""
    if n < 1024 * 1024:
        return f"{n // 1024} KB"
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",") + " MB"


def body_limit(request: HttpRequest) -> int:
    """The largest body accepted: forms with files up to ``MOTCUA_UPLOAD_MAX_BYTES``, anything else
    (JSON, plain forms, every API call) up to Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
    if multipart and not is_api(request):
        return int(settings.MOTCUA_UPLOAD_MAX_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) or int(settings.MOTCUA_UPLOAD_MAX_BYTES)


def api_error(
    request: HttpRequest, status: int, *, code: str | None = None, message: str | None = None, **fmt: Any
) -> JsonResponse:
    default_code, template = API_ERRORS.get(status, ("http_error", "Yêu cầu không thực hiện được."))
    body = {"code": code or default_code, "message": message or template.format(**fmt)}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def error_page(request: HttpRequest, status: int, **context: Any) -> HttpResponse:
    """The error page of the request's area, in the visitor's language."""
    area = "staff" if is_staff_area(request) else "portal"
    # The 500 page stands alone (no navigation, no signed-in user): whatever failed may fail again.
    template = "errors/500.html" if status >= 500 else f"errors/{area}.html"
    context = {"status": status, "area": area, **context}
    with translation.override(cookie_language(request)):
        try:
            html = render_to_string(template, context, request=request)
        except Exception:
            if status < 500:
                raise
            logger.exception("the 500 page itself failed; answering with the plain one")
            html = PLAIN_500
    return HttpResponse(html, status=status)


PLAIN_500 = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi hệ thống</title></head>'
    "<body><h1>Hệ thống gặp lỗi ngoài dự kiến</h1><p>Vui lòng thử lại sau ít phút. "
    "(The system met an unexpected error; please try again in a few minutes.)</p></body></html>"
)


def error_response(request: HttpRequest, status: int, **fmt: Any) -> HttpResponse:
    if is_api(request):
        return api_error(request, status, **fmt)
    return error_page(request, status, **fmt)


def too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    limit = body_limit(request) if limit is None else limit
    if is_api(request):
        return api_error(request, 413, limit=size_text(limit))
    # The page formats the number in the visitor's language (2,5 MB / 2.5 MB).
    return error_page(request, 413, limit_mb=round(limit / (1024 * 1024), 1))


# -- Django's error handlers (``handler400`` … ``handler500`` in motcua/urls.py) ---------------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Django's own limit on what is not a file (a form's fields, a body read whole) was passed.
        return too_large(request, int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0))
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500)


# -- the guard ---------------------------------------------------------------------------------------


def _has_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in request.path_info or "%00" in query or "\x00" in query


class RequestGuardMiddleware:
    """Refuse what no view can serve, in the error format of the area; and give the API's own error
    responses that are not JSON (a method not allowed, from ninja) the API's format.

    It sits last in ``MIDDLEWARE``, so its answers still get the security headers (CSP and the rest)
    on the way out; nothing before it reads the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > body_limit(request):
            return too_large(request)
        api = is_api(request)
        if not api and _has_nul(request):
            return error_page(request, 400, nul=True)
        response = self.get_response(request)
        if api and response.status_code >= 400 and not _is_json(response):
            return self._as_api_error(request, response)
        return response

    @staticmethod
    def _as_api_error(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        allowed = response.headers.get("Allow", "")
        limit = size_text(body_limit(request))
        out = api_error(request, status, method=request.method, allowed=allowed, limit=limit)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response.headers:
                out.headers[header] = response.headers[header]
        return out


def _is_json(response: HttpResponse) -> bool:
    return str(response.headers.get("Content-Type", "")).startswith("application/json")
