"""Single sign-on through the national identity provider: OpenID Connect, authorisation code flow with
PKCE (S256), state and nonce, the ID token verified against the provider's published keys (Authlib),
then the user information read with the access token. Configured by ``MOTCUA_OIDC_ISSUER``,
``MOTCUA_OIDC_CLIENT_ID`` and ``MOTCUA_OIDC_CLIENT_SECRET``; off while the issuer is empty. The demo and
the tests run a local provider (``motcua integrations simulator vneid``). The provider's claim names
beyond the standard ones are not published (docs/integrations.md ❓).
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from motcua.core.errors import DomainError

SCOPE = "openid profile email phone address"


class SignInFailed(DomainError):
    status = 400
    code = "idp_failed"


class ProviderUnavailable(DomainError):
    status = 503
    code = "idp_unavailable"


def enabled() -> bool:
    return bool(settings.MOTCUA_OIDC_ISSUER and settings.MOTCUA_OIDC_CLIENT_ID)


def _client() -> Any:
    oauth = OAuth()
    issuer = settings.MOTCUA_OIDC_ISSUER.rstrip("/")
    return oauth.register(
        name="vneid",
        client_id=settings.MOTCUA_OIDC_CLIENT_ID,
        client_secret=settings.MOTCUA_OIDC_CLIENT_SECRET,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": 10},
    )


def start(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """The redirect to the provider's sign-in page (state, nonce and PKCE verifier kept in the session)."""
    try:
        return _client().authorize_redirect(request, redirect_uri)  # type: ignore[no-any-return]
    except (requests.RequestException, OAuthError, ValueError, KeyError) as exc:
        raise ProviderUnavailable(
            "Hệ thống định danh điện tử đang không trả lời; vui lòng thử lại sau "
            "hoặc đăng nhập bằng mật khẩu."
        ) from exc


def finish(request: HttpRequest) -> dict[str, Any]:
    """The person's claims after the provider sent them back: the ID token checked (signature, issuer,
    audience, expiry, nonce) and the user information read; ``SignInFailed`` for a refusal, a replayed
    or forged answer."""
    if request.GET.get("error"):
        raise SignInFailed("Bạn đã hủy đăng nhập bằng tài khoản định danh điện tử.", code="idp_cancelled")
    try:
        client = _client()
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        more = dict(client.userinfo(token=token))
        if more.get("sub") != claims.get("sub"):
            raise SignInFailed("Thông tin người dùng không khớp với thẻ định danh; vui lòng đăng nhập lại.")
        claims.update(more)
    except requests.RequestException as exc:
        raise ProviderUnavailable(
            "Hệ thống định danh điện tử đang không trả lời; vui lòng thử lại sau."
        ) from exc
    except (OAuthError, ValueError, KeyError, TypeError) as exc:
        raise SignInFailed(
            "Không xác thực được phản hồi của hệ thống định danh điện tử; vui lòng đăng nhập lại."
        ) from exc
    return claims
