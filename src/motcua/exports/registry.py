"""The tables that can be exported, declared by the apps that own them.

An app declares its tables in its own ``exports.py`` module (found by ``ExportsConfig.ready``)::

    register(ExportKind(code="dossiers.list", title=…, columns=…, form=…, count=…, rows=…))

The form turns the request's filters into clean parameters (with Vietnamese messages), ``count``
and ``rows`` read the data **through the app's own scoped selectors** with those parameters, so an
export never shows a row its owner could not see on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django import forms

from motcua.core.models import User

ColumnType = Literal["text", "int", "decimal", "date", "datetime", "percent", "bool"]


@dataclass(frozen=True)
class Column:
    header: str
    type: ColumnType = "text"
    width: int = 16


@dataclass(frozen=True)
class ExportKind:
    code: str
    title: str
    columns: tuple[Column, ...]
    form: type[forms.Form]
    count: Callable[[User, dict[str, Any]], int]
    rows: Callable[[User, dict[str, Any]], Iterable[Sequence[Any]]]
    allowed: Callable[[User], bool] = field(default=lambda user: True)
    describe: Callable[[dict[str, Any]], str] = field(default=lambda params: "")
    # Shown on the exports page with its form; kinds started only from their own page say False.
    listed: bool = True


KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    if kind.code in KINDS and KINDS[kind.code] is not kind:
        raise ValueError(f"export kind {kind.code!r} registered twice")
    KINDS[kind.code] = kind
    return kind


def get(code: str) -> ExportKind | None:
    return KINDS.get(code)
