from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from motcua.citizens import access


def citizen(request: HttpRequest) -> dict[str, object]:
    """``citizen_account``: the portal account signed in (read only when a template asks)."""
    return {"citizen_account": SimpleLazyObject(lambda: access.current(request) or False)}
