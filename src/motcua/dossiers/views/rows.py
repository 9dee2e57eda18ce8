"""The rows of a dossier list (the boxes and the search), written as HTML here rather than by the template.

A page of 50 rows through ``{% for %}`` with three ``{% include %}`` a row, ``{% url %}``, ``|date`` and
``{% blocktranslate %}`` took about two thirds of the inbox page's time (bench/profile_pages.py, the
1,000,000-dossier database): some 200 template renders and 2,000 variable look-ups a page. Django's
``format_html`` was not much cheaper (70 calls and 190 ``conditional_escape`` a row). Here every value is
escaped by ``html.escape`` (what Django's ``escape`` calls) as it is put in, the markup around it is
written out. The table around the rows, its heads, the pager and the empty row stay in
``dossiers/_table.html``; ``test_dossier_views`` reads the rows as a user sees them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from motcua.workdays.domain import to_local

PROCEDURE_NAME_CHARS = 90


def e(value: Any) -> str:
    """``value`` as text in HTML (``&``, ``<``, ``>``, quotes escaped)."""
    return escape(str(value))


def _when(value: datetime) -> str:
    return f"{to_local(value):%d/%m/%Y %H:%M}"


def status_html(code: int, label: Any) -> str:
    return f'<span class="status status-{int(code)}">{int(code)} · {e(label)}</span>'


def clock_html(clock: Any, title: str | None = None) -> str:
    title = title or e(_("Tính theo ngày, giờ làm việc"))
    return (
        f'<span class="clock clock-{e(clock.kind)}" title="{title}">'
        f'<i class="bi {e(clock.icon)}" aria-hidden="true"></i> {e(clock.text)}</span>'
    )


class _Page:
    """What every row of one list shares: the words in the current language and the address pattern of
    a dossier page, looked up once a list instead of once a row."""

    def __init__(self) -> None:
        marker = "0CODE0"
        self.detail_url = e(reverse("dossiers:detail", args=[marker])).split(marker)
        self.clock_title = e(_("Tính theo ngày, giờ làm việc"))
        self.unidentified = (
            ' <span class="badge text-bg-warning" data-applicant-unidentified>'
            f"{e(_('không có số định danh'))}</span>"
        )
        self.not_assigned = f'<div class="small text-muted">{e(_("chưa giao"))}</div>'

    def url(self, code: str) -> str:
        return e(quote(code, safe="")).join(self.detail_url)


def _applicant(d: Any, page: _Page) -> str:
    badge = page.unidentified if d.applicant_unidentified else ""
    return (
        f'<td><a class="code text-nowrap" href="{page.url(d.code)}" data-row-link>{e(d.code)}</a>'
        f"<div>{e(d.applicant_name)}{badge}</div></td>"
    )


def _received(d: Any) -> str:
    if d.received_at:
        text = _when(d.received_at)
    else:
        submitted = e(_("nộp %(time)s") % {"time": _when(d.submitted_at)})
        text = f'<span class="text-muted">{submitted}</span>'
    return f'<td class="text-nowrap d-none d-xl-table-cell">{text}</td>'


def _due(r: Any, page: _Page) -> str:
    d = r.dossier
    parts: list[str] = []
    if d.due_at:
        parts.append(f"{_when(d.due_at)}<br>")
    if d.promised_at:
        day = f"{to_local(d.promised_at):%d/%m/%Y}"
        parts.append(f'<span class="small text-muted">{e(_("Hẹn lại: %(day)s") % {"day": day})}</span><br>')
    parts.append(clock_html(r.clock, page.clock_title))
    parts.append(f'<div class="d-xl-none mt-1">{status_html(d.national_status, r.national)}</div>')
    return f'<td class="text-nowrap">{"".join(parts)}</td>'


def _status(r: Any) -> str:
    state = f'<div class="small text-muted">{e(r.state)}</div>' if r.state_differs else ""
    status = status_html(r.dossier.national_status, r.national)
    return f'<td class="d-none d-xl-table-cell">{status}{state}</td>'


def _step(d: Any, page: _Page) -> str:
    step = d.current_step
    who = ""
    if step is not None:
        if d.assignee is not None:
            who = f'<div class="small ">{e(d.assignee.full_name or d.assignee.username)}</div>'
        else:
            who = page.not_assigned
    name = e(step.name) if step is not None else "—"
    return f'<td class="d-none d-lg-table-cell step">{name}{who}</td>'


def row_html(r: Any, page: _Page | None = None) -> str:
    """One ``<tr>`` of a dossier list: ``r`` is a ``boxes.Row``."""
    page = page or _Page()
    d = r.dossier
    name = Truncator(d.procedure.name).chars(PROCEDURE_NAME_CHARS)
    procedure = f'<td class="proc"><span class="code">{e(d.procedure.code)}</span> {e(name)}</td>'
    cells = _applicant(d, page) + procedure + _received(d) + _due(r, page) + _status(r) + _step(d, page)
    return f'<tr class="row-{e(r.clock.kind)}">{cells}</tr>'


def rows_html(rows: Iterable[Any]) -> SafeString:
    # Every value above went through ``e``; the rest is this module's own markup.
    page = _Page()
    return mark_safe("\n".join(row_html(r, page) for r in rows))  # noqa: S308
