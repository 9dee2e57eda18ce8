"""Template filters of the reporting screens."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.reporting.forms import PERIODICITY_TEXT, STATUS_TEXT

register = template.Library()


@register.filter
def report_status(value: str) -> Any:
    return STATUS_TEXT.get(value, value)  # type: ignore[call-overload]


@register.filter
def periodicity(value: str) -> Any:
    return PERIODICITY_TEXT.get(value, value)
