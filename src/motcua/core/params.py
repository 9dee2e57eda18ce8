"""One language for request parameters.

Paths are Vietnamese because people read and share them (``/can-bo/ho-so/``); every parameter a
request carries — query strings, form fields, the API's JSON keys — is English snake_case, the same
word the code uses for the thing (``procedure``, ``status``, ``period``). Protocols we do not own
(the national portal's ``MaHoSo``…) keep their own names at the adapter.

Some public addresses were published with Vietnamese parameter names (``?thu_tuc=…&ky=…``). A view
that had such names is wrapped with ``legacy_names(thu_tuc="procedure", ...)``: a GET request that
still uses an old name is redirected permanently to the same address with the current names, so
bookmarks and shared links keep working and every link the product writes uses one language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict


def renamed_query(query: QueryDict, renames: dict[str, str]) -> QueryDict | None:
    """The query with old names replaced by current ones, or None when no old name is used.

    A current name given alongside its old one wins; the old value is dropped."""
    if not any(old in query for old in renames):
        return None
    result = QueryDict(mutable=True)
    for key, values in query.lists():
        new = renames.get(key)
        if new is None:
            result.setlist(key, values)
        elif new not in query:
            result.setlist(new, values)
    return result


def legacy_names[V: Callable[..., HttpResponse]](**renames: str) -> Callable[[V], V]:
    """Redirect GET requests using an old parameter name to the current one (see the module doc)."""

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                current = renamed_query(request.GET, renames)
                if current is not None:
                    query = current.urlencode()
                    return HttpResponsePermanentRedirect(request.path + (f"?{query}" if query else ""))
            return view(request, *args, **kwargs)

        wrapper.legacy_names = dict(renames)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
