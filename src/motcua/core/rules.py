"""Versioned legal rules: the registry of what can be configured, with defaults and sources.

A rule's value on a given day is the ``RuleVersion`` row with the latest ``effective_from`` on or
before that day, or the default below when there is none. Each default names its legal source and
whether that source is verified; ``docs/rules.md`` lists them for people.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any


class RuleValueError(ValueError):
    pass


def time_of_day(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise RuleValueError("Giờ phải có dạng HH:MM, ví dụ 15:00.")
    return value


def choice(*options: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise RuleValueError("Giá trị phải là một trong: " + ", ".join(options) + ".")
        return str(value)

    return check


def non_negative_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleValueError("Giá trị phải là số nguyên không âm.")
    return value


def office_hours_value(value: Any) -> list[list[str]]:
    if not isinstance(value, list) or not value:
        raise RuleValueError('Giờ làm việc là danh sách khung giờ [["07:30","11:30"], …].')
    windows: list[list[str]] = []
    for window in value:
        if not isinstance(window, list | tuple) or len(window) != 2:
            raise RuleValueError("Mỗi khung giờ gồm giờ mở và giờ đóng.")
        start, end = time_of_day(window[0]), time_of_day(window[1])
        if start >= end:
            raise RuleValueError(f"Khung giờ {start}–{end}: giờ mở phải trước giờ đóng.")
        if windows and start < windows[-1][1]:
            raise RuleValueError("Các khung giờ phải theo thứ tự và không chồng nhau.")
        windows.append([start, end])
    return windows


@dataclass(frozen=True)
class RuleDefinition:
    key: str
    label: str
    default: Any
    legal_basis: str
    verified: bool
    validate: Callable[[Any], Any]


# Filled by each app from its ``AppConfig.ready`` (``register``): the working days' rules by
# ``workdays/rules.py``, the dossiers' by ``dossiers/rules.py`` and ``dossiers/ontime.py``, and so on.
RULES: dict[str, RuleDefinition] = {}


def register(*definitions: RuleDefinition) -> None:
    """Add an app's rules to the registry (from its ``AppConfig.ready``), so the foundation imports no
    feature app. Registering the same definition again is harmless; another definition under a
    registered key is a programming error."""
    for definition in definitions:
        known = RULES.get(definition.key)
        if known is not None and known != definition:
            raise ValueError(f"Quy tắc {definition.key} đã được đăng ký với định nghĩa khác.")
        RULES[definition.key] = definition


def rule_value(key: str, on: date) -> Any:
    """The value of rule ``key`` in force on ``on`` (database row, else the registered default).

    The rows are read once per generation of the reference data (``core.refcache``): saving or
    deleting a ``RuleVersion`` anywhere takes effect for the next use case of every process."""
    from motcua.core import refcache

    definition = RULES[key]
    for effective_from, value in refcache.lookup(("rules",), _rule_versions).get(key, ()):
        if effective_from <= on:
            # A copy: the cached value is shared by the whole process.
            return copy.deepcopy(value) if isinstance(value, list | dict) else value
    return definition.default


def _rule_versions() -> dict[str, tuple[tuple[date, Any], ...]]:
    """Every rule version, by key, the latest first.

    The model is looked up through the app registry: the model validates its values against the
    definitions here (``RuleVersion.clean``), so importing it would make the two modules a circle."""
    from django.apps import apps

    versions: dict[str, list[tuple[date, Any]]] = {}
    for key, effective_from, value in (
        apps.get_model("core", "RuleVersion")
        ._default_manager.order_by("key", "-effective_from")
        .values_list("key", "effective_from", "value")
    ):
        versions.setdefault(key, []).append((effective_from, value))
    return {key: tuple(rows) for key, rows in versions.items()}
