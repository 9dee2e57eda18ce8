"""Request middleware: the acting user for the audit log, and the interface language.

``AuditActorMiddleware`` attributes every write made while serving a request to the signed-in user
and their address. ``LanguageMiddleware`` chooses the interface language from the language cookie.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from motcua.core.audit import acting_as


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded header is trusted only behind a proxy configured to set it.
    return request.META.get("REMOTE_ADDR") or None


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(getattr(request, "user", None), ip=client_ip(request)):
            return self.get_response(request)


def cookie_language(request: HttpRequest) -> str:
    """The language chosen with the switcher (Django's ``set_language`` cookie), else ``LANGUAGE_CODE``.

    Only languages in ``settings.LANGUAGES`` are accepted ("en-gb" counts as "en"); anything else in
    the cookie is ignored.
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    return str(settings.LANGUAGE_CODE)


class LanguageMiddleware:
    """Replaces Django's ``LocaleMiddleware``: the language comes from the language cookie only.

    The browser's Accept-Language header is never read, so a citizen whose phone is set to English
    still gets the Vietnamese site until they choose English with the switcher. The URLs carry no
    language prefix. The language is active while the view runs and its template renders, then the
    previous one is restored, so nothing leaks into whatever the thread serves next.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = cookie_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
            response = self.get_response(request)
        # Shared caches must keep one copy per language cookie.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
