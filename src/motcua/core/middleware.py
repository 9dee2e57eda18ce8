"""Request middleware: the client behind a trusted proxy, the acting user for the audit log, and the
interface language.

``AuditActorMiddleware`` attributes every write made while serving a request to the signed-in user
and their address. ``LanguageMiddleware`` chooses the interface language from the language cookie.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from motcua.core.audit import acting_as


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: ``TrustedProxyMiddleware`` has put there the client's address when the request
    # came through a trusted proxy, and left the peer's address otherwise.
    return request.META.get("REMOTE_ADDR") or None


FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_FORWARDED",
)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a header hop (``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:443``), else None."""
    value = text.strip().strip('"')
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        found = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: list[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str, networks: list[Network]) -> str:
    """The client's address: walk ``X-Forwarded-For`` from the right (the hop our peer added) while
    the address we stand at is a trusted proxy; the first address not trusted is the client. A hop a
    trusted proxy did not write (anything left of an untrusted address) is never believed."""
    current = _address(peer)
    if current is None:
        return peer
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        if not _trusted(current, networks):
            break
        found = _address(hop)
        if found is None:
            break
        current = found
    return str(current)


class TrustedProxyMiddleware:
    """Behind a reverse proxy (``TRUSTED_PROXIES``): the client's address from ``X-Forwarded-For`` and
    the scheme from ``X-Forwarded-Proto`` — only when the request comes from a trusted proxy.

    A TLS-terminating proxy then makes ``request.is_secure()`` true, so ``SECURE_SSL_REDIRECT`` does
    not redirect for ever; the address goes to ``REMOTE_ADDR``, so throttling and the audit log see
    the client, not the proxy. From any other peer the forwarded headers are removed: a client cannot
    choose its own address or scheme. First in ``MIDDLEWARE``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        networks: list[Network] = list(getattr(settings, "TRUSTED_PROXIES", []))
        meta = request.META
        peer = str(meta.get("REMOTE_ADDR") or "")
        if networks and _trusted(_address(peer), networks):
            meta["MOTCUA_PROXY_ADDR"] = peer
            meta["REMOTE_ADDR"] = forwarded_client(peer, str(meta.get("HTTP_X_FORWARDED_FOR", "")), networks)
            # The proxy sets the header (nginx: proxy_set_header X-Forwarded-Proto $scheme); the value
            # it wrote is the last one.
            proto = str(meta.get("HTTP_X_FORWARDED_PROTO", "")).split(",")[-1].strip().lower()
            if proto in {"http", "https"}:
                meta["wsgi.url_scheme"] = proto
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)


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
