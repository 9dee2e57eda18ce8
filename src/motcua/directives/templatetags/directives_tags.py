"""Template filters of the task-tracking screens."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from motcua.directives import recurrence
from motcua.directives.forms import (
    COLLECTIVE_SHORT_TEXT,
    COLLECTIVE_TEXT,
    DECISION_TEXT,
    DOCUMENT_KIND_TEXT,
    REMINDER_TEXT,
    ROLE_TEXT,
    STATUS_TEXT,
)

register = template.Library()


@register.filter
def status_label(value: str) -> Any:
    return STATUS_TEXT.get(value, value)


@register.filter
def collective_label(value: str) -> Any:
    return COLLECTIVE_TEXT.get(value, value)


@register.filter
def role_label(value: str) -> Any:
    return ROLE_TEXT.get(value, value)


@register.filter
def unit_label(row: Any) -> str:
    """What a task row shows for an agency: the unit, else the collective, else the name as written."""
    if getattr(row, "unit", None) is not None:
        return str(row.unit.short_name or row.unit.name)
    if getattr(row, "collective", ""):
        return str(COLLECTIVE_TEXT.get(row.collective, row.collective))
    return str(row.name)


@register.filter
def unit_full(row: Any) -> str:
    """The unit's full name (a task's page), else the collective, else the name as written."""
    if getattr(row, "unit", None) is not None:
        return str(row.unit.name)
    return unit_label(row)


@register.filter
def unit_short(row: Any) -> str:
    """The same, with the short form of a collective (lists)."""
    if getattr(row, "unit", None) is None and getattr(row, "collective", ""):
        return str(COLLECTIVE_SHORT_TEXT.get(row.collective, row.collective))
    return unit_label(row)


@register.filter
def recurrence_text(rule: str) -> str:
    if not rule:
        return ""
    try:
        return _("Định kỳ: %(text)s") % {"text": recurrence.describe(rule)}
    except recurrence.RecurrenceError:
        return ""  # never the rule's code on a screen


@register.filter
def decision_label(value: str) -> Any:
    return DECISION_TEXT.get(value, value)


@register.filter
def document_kind(value: str) -> Any:
    return DOCUMENT_KIND_TEXT.get(value, value)


@register.filter
def reminder_label(value: str) -> Any:
    return REMINDER_TEXT.get(value, value)
