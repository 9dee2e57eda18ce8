"""The signed-in portal account of a request, kept in the session apart from any staff sign-in.

``current(request)``: the account or ``None``; ``sign_in`` rotates the session key (no fixation) and
remembers whether this sign-in went through the national identity provider (a dossier submitted in
such a session is recorded as authenticated by it, 766 indicator 4.5b); ``citizen_required`` sends an
anonymous visitor to the sign-in page and back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from motcua.citizens.models import Account

SESSION_KEY = "citizen_account"
SESSION_VIA_IDP = "citizen_via_idp"
_CACHE = "_citizen_account"


def current(request: HttpRequest) -> Account | None:
    if hasattr(request, _CACHE):
        return getattr(request, _CACHE)  # type: ignore[no-any-return]
    found = None
    account_id = request.session.get(SESSION_KEY)
    if isinstance(account_id, int):
        found = (
            Account.objects.select_related("person", "organisation")
            .filter(pk=account_id, is_active=True)
            .first()
        )
        if found is not None and not found.active:
            found = None
    setattr(request, _CACHE, found)
    return found


def via_identity_provider(request: HttpRequest) -> bool:
    return bool(request.session.get(SESSION_VIA_IDP)) and current(request) is not None


def sign_in(request: HttpRequest, account: Account, *, via_idp: bool) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = account.pk
    request.session[SESSION_VIA_IDP] = via_idp
    setattr(request, _CACHE, account)


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_VIA_IDP, None)
    request.session.cycle_key()
    setattr(request, _CACHE, None)


def safe_next(request: HttpRequest, value: str | None, default: str = "") -> str:
    """A local path to go back to (never another site)."""
    target = (value or "").strip()
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and "\x00" not in target:
        return target
    return default or reverse("online:mine")


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if current(request) is None:
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('citizens:sign_in')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped
