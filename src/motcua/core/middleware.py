"""Attribute every write made while serving a request to the signed-in user and their address."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
