"""The rating form as posted, read the same way on every channel (portal, link, tablet, paper)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from motcua.feedback import services


def read(data: QueryDict) -> dict[str, Any]:
    """The keyword arguments of ``services.rate`` from a posted rating form: ``hai_long`` (``1``/``0``),
    ``muc_<item>`` for each item answered, ``ly_do`` and ``gop_y``."""
    chosen = data.get("hai_long")
    satisfied = {"1": True, "0": False}.get(chosen or "")
    answers = {item.code: (data.get(f"muc_{item.code}") or "").strip() for item in services.items()}
    return {
        "satisfied": satisfied,
        "answers": {code: level for code, level in answers.items() if level},
        "reason": (data.get("ly_do") or "")[: services.TEXT_MAX + 1],
        "comment": (data.get("gop_y") or "")[: services.TEXT_MAX + 1],
    }


def context(data: QueryDict | None = None) -> dict[str, Any]:
    """What the form template needs: the items and the scale in force, and what was posted (kept when
    the form comes back with a message)."""
    posted = data or QueryDict()
    return {
        "rating_items": services.items(),
        "rating_scale": services.scale(),
        "posted": {key: posted.get(key, "") for key in posted},
    }
