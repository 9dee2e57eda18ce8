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
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django import forms
from django.utils.translation import gettext

from motcua.core.models import User
from motcua.core.validation import FIRST_DAY, LAST_DAY, day_in_range
from motcua.workdays.domain import TZ

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


# -- helpers for the tables' filter forms ------------------------------------------------------------

MAX_SPAN_DAYS = 366 * 5


def check_period(start: date | None, end: date | None, *, max_days: int | None = MAX_SPAN_DAYS) -> None:
    """The form error of a day out of range, of a reversed period, or of one longer than an export may
    cover (5 years)."""
    if any(day is not None and not day_in_range(day) for day in (start, end)):
        raise forms.ValidationError(
            gettext("Ngày phải trong khoảng %(first)s – %(last)s.")
            % {"first": FIRST_DAY.strftime("%d/%m/%Y"), "last": LAST_DAY.strftime("%d/%m/%Y")}
        )
    if start is None or end is None:
        return
    if start > end:
        raise forms.ValidationError(gettext("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
    if max_days is not None and (end - start).days > max_days:
        raise forms.ValidationError(gettext("Mỗi lần xuất tối đa 5 năm."))


def local_days(first: str, last: str) -> tuple[datetime, datetime]:
    """The moments [start of ``first``, start of the day after ``last``) of two ISO local dates."""
    start = datetime.combine(date.fromisoformat(first), time.min, tzinfo=TZ)
    end = datetime.combine(date.fromisoformat(last) + timedelta(days=1), time.min, tzinfo=TZ)
    return start, end
