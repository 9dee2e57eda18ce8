"""The REST API (OpenAPI at /api/docs). Errors are JSON with a stable code and a Vietnamese message."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from motcua.core.errors import DomainError
from motcua.core.validation import vietnamese_message

api = NinjaAPI(
    title="motcua API",
    version="1",
    description="API của hệ thống thông tin giải quyết thủ tục hành chính (motcua).",
    docs_url="/docs",
    # Swagger UI from django-ninja's own static files (same origin, no inline script: our CSP holds);
    # no online validator badge, which would send the document's address to a third party.
    docs=Swagger(settings={"validatorUrl": None}),
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {
            "field": ".".join(str(p) for p in err.get("loc", []) if p not in ("body", "query", "path")),
            "problem": vietnamese_message(err),  # type: ignore[arg-type]
        }
        for err in exc.errors
    ]
    return api.create_response(
        request,
        {"code": "invalid_input", "message": "Dữ liệu gửi lên không hợp lệ.", "details": details},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "message": "Cần đăng nhập hoặc mã truy cập hợp lệ."}, status=401
    )


# Errors ninja raises itself (an unreadable body, a refused request): a stable code and a Vietnamese
# message by status; anything else keeps ninja's text.
_HTTP_ERRORS = {
    400: ("invalid_json", "Nội dung gửi lên không đọc được: phải là JSON hợp lệ (UTF-8)."),
    429: ("too_many_requests", "Quá nhiều yêu cầu; vui lòng thử lại sau."),
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = _HTTP_ERRORS.get(exc.status_code, ("http_error", str(exc)))
    return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)


def _register_routers() -> None:
    from motcua.catalogue.api import router as catalogue_router
    from motcua.core.api import router as core_router
    from motcua.documents.api import router as documents_router
    from motcua.dossiers.api import router as dossiers_router
    from motcua.dossiers.api_tracking import router as tracking_router
    from motcua.workdays.api import router as workdays_router

    api.add_router("/thu-tuc/", catalogue_router, tags=["Thủ tục hành chính"])
    api.add_router("/lich/", workdays_router, tags=["Lịch làm việc"])
    api.add_router("/to-chuc/", core_router, tags=["Tổ chức"])
    api.add_router("/ho-so/", dossiers_router, tags=["Hồ sơ"])
    api.add_router("/ho-so/", documents_router, tags=["Kết quả điện tử"])
    api.add_router("/tra-cuu-ho-so/", tracking_router, tags=["Tra cứu hồ sơ (công khai)"])


_register_routers()
