"""The dossier boxes (/can-bo/ho-so/): the inboxes, the search, and the counts of the navigation.

Every box, its count and who is offered it are defined in ``dossiers.selectors`` (``Box``,
``BOX_ROLES``, ``inbox``, ``box_counts``); this module names them, orders them and renders them. The
user's scope is resolved once per request (``selectors.user_access``) and shared by the page and the
counts of the side navigation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motcua.catalogue.models import Procedure
from motcua.core import refcache
from motcua.core.models import Role, User
from motcua.core.params import legacy_names
from motcua.core.permissions import active_assignments
from motcua.dossiers import boxcache, ontime, selectors
from motcua.dossiers.clock import read_clock
from motcua.dossiers.forms import NATIONAL_TEXT, STATE_TEXT, InboxFilterForm
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import InvalidDossierInput, State
from motcua.dossiers.selectors import Box, Filters, Page
from motcua.dossiers.views.common import Clock, clock_view, is_partial, query
from motcua.dossiers.views.rows import rows_html
from motcua.workdays.domain import to_local
from motcua.workdays.services import calendar_for

PAGE_SIZE = selectors.PAGE_SIZE


@dataclass(frozen=True)
class BoxDef:
    key: str  # a ``selectors.Box``
    slug: str  # the ?box= value: Vietnamese, as in the URLs people type
    label: Any
    icon: str
    counted: bool = True
    alert: bool = False  # a non-zero count is a warning


# Screen order. Who is offered which box is ``selectors.BOX_ROLES``.
BOXES: tuple[BoxDef, ...] = (
    BoxDef(Box.TO_PROCESS, "can-xu-ly", gettext_lazy("Cần xử lý"), "bi-inbox"),
    BoxDef(Box.TO_RECEIVE, "cho-tiep-nhan", gettext_lazy("Chờ tiếp nhận"), "bi-cloud-arrow-down"),
    BoxDef(Box.TO_APPROVE, "cho-duyet", gettext_lazy("Chờ duyệt"), "bi-clipboard-check"),
    BoxDef(Box.TO_SIGN, "cho-ky", gettext_lazy("Chờ ký"), "bi-pen"),
    BoxDef(Box.TO_ANSWER, "xin-y-kien", gettext_lazy("Chờ cho ý kiến"), "bi-chat-left-text"),
    BoxDef(Box.TO_RETURN, "cho-tra", gettext_lazy("Chờ trả kết quả"), "bi-box-arrow-up-right"),
    BoxDef(
        Box.UNHANDLED,
        "chua-co-nguoi-xu-ly",
        gettext_lazy("Hồ sơ chưa có người xử lý"),
        "bi-person-exclamation",
        alert=True,
    ),
    BoxDef(Box.SOON_DUE, "sap-den-han", gettext_lazy("Sắp đến hạn"), "bi-hourglass-split", alert=True),
    BoxDef(Box.OVERDUE, "qua-han", gettext_lazy("Quá hạn"), "bi-exclamation-octagon", alert=True),
    BoxDef(Box.IN_SCOPE, "tat-ca", gettext_lazy("Tất cả trong phạm vi"), "bi-collection", counted=False),
)
BOX_BY_SLUG = {b.slug: b for b in BOXES}
BOX_BY_KEY = {b.key: b for b in BOXES}

# The Vietnamese parameter names of the inbox before ``core.params`` (bookmarks keep working).
INBOX_LEGACY_NAMES = {
    "hop": "box",
    "thu_tuc": "procedure",
    "trang_thai": "status",
    "kenh": "channel",
    "tu_ngay": "date_from",
    "den_ngay": "date_to",
    "sap_xep": "sort",
    "trang": "page",
}


def _date_basis(box: BoxDef) -> Any:
    if box.key in selectors.SUBMISSION_DATED:
        return gettext_lazy("theo ngày nộp")
    return gettext_lazy("theo ngày tiếp nhận")


def _default_slug(access: selectors.Access) -> str:
    return "can-xu-ly" if access.roles & selectors.PROCESSING_ROLES else "tat-ca"


@dataclass
class Nav:
    """The dossier part of the side navigation: boxes offered to this user, with their counts."""

    boxes: list[dict[str, Any]]
    can_receive: bool
    default_slug: str
    active: str = ""


def _can_receive(access: selectors.Access) -> bool:
    """An intake officer of a unit with a one-stop desk (the intake page's own condition)."""
    if Role.INTAKE_OFFICER not in access.roles:
        return False
    return any(a.unit.is_one_stop for a in active_assignments(access.user, [Role.INTAKE_OFFICER]))


def _nav(access: selectors.Access, now: datetime, *, active: str = "") -> Nav:
    offered = set(selectors.offered_boxes(access))
    shown = [b for b in BOXES if b.key in offered]
    counted = [b.key for b in shown if b.counted]
    counts = boxcache.counts(
        access,
        counted,
        now,
        lambda: selectors.box_counts(access.user, boxes=counted, now=now, access=access),
    )
    boxes = [
        {
            "def": b,
            "count": counts.get(b.key),
            "count_text": selectors.count_label(counts[b.key]) if b.key in counts else "",
            "url": f"{reverse('dossiers:inbox')}?{urlencode({'box': b.slug})}",
            "active": b.slug == active,
        }
        for b in shown
    ]
    return Nav(boxes, _can_receive(access), _default_slug(access), active)


@dataclass
class Row:
    dossier: Dossier
    clock: Clock
    national: Any
    state: Any
    state_differs: bool


def rows_of(dossiers: Sequence[Dossier], now: datetime, access: selectors.Access | None = None) -> list[Row]:
    if not dossiers:
        return []
    # One calendar for a list: the province's, like the soon-due box (docs/dossiers.md §10).
    calendar = calendar_for(None, to_local(now).date())
    soon = access.soon_due_threshold(now) if access else selectors.soon_due_threshold(now)
    # an ended dossier's verdict credits a supplement still open when it ended: one query, only when the
    # page has ended dossiers other than with a result (the working inboxes have none)
    stopped = [d.pk for d in dossiers if State(d.state) in ontime.ENDED and d.national_status not in (9, 10)]
    waits = ontime.waits_of(stopped) if stopped else {}
    basis = ontime.basis_late_list(to_local(now).date())
    rows = []
    for d in dossiers:
        national = NATIONAL_TEXT[d.national_status]
        state = STATE_TEXT[State(d.state)]
        reading = read_clock(d, calendar, now, soon, waits.get(d.pk, ()), basis)
        rows.append(Row(d, clock_view(reading, calendar), national, state, str(state) != str(national)))
    return rows


@legacy_names(**INBOX_LEGACY_NAMES)
@login_required
@require_GET
@refcache.pinned_view
def inbox(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    access = selectors.user_access(user)  # the user's scope, once for the page and the counts
    slug = request.GET.get("box") or _default_slug(access)
    box = BOX_BY_SLUG.get(slug)
    status = 200
    if box is None:
        box, status = BOX_BY_SLUG["tat-ca"], 400
        messages.error(request, _("Không có hộp hồ sơ “%(box)s”.") % {"box": slug[:40]})
    sorts = selectors.sorts_for(box.key)
    form = InboxFilterForm(request.GET, sorts=sorts)
    page: Page | None = None
    if form.is_valid():
        data = form.cleaned_data
        filters = Filters(
            procedure_id=form.found_procedure.pk if form.found_procedure else None,
            state=data["status"] or None,
            channel=data["channel"],
            received_from=data["date_from"],
            received_to=data["date_to"],
        )
        try:
            page = selectors.inbox(
                user,
                box.key,
                filters=filters,
                sort=form.chosen_sort(),
                cursor=data["page"] or None,
                limit=PAGE_SIZE,
                now=now,
                access=access,
            )
        except InvalidDossierInput as exc:
            form.add_error(None, exc.message)
    if page is None:
        status = 400
    rows = rows_of(page.items if page else [], now, access)
    sort = page.sort if page else sorts[0]
    context: dict[str, Any] = {
        "box": box,
        "form": form,
        "rows": rows,
        "rows_html": rows_html(rows),
        "sort": sort,
        "next_url": f"?{query(request, page=page.next_cursor)}" if page and page.next_cursor else "",
        "first_url": f"?{query(request, page=None)}" if request.GET.get("page") else "",
        "sort_links": _sort_links(request, sorts, sort),
        "date_basis": _date_basis(box),
        "table_url": request.get_full_path(),
    }
    if is_partial(request):
        return render(request, "dossiers/_table.html", context, status=status)
    context["dossier_nav"] = _nav(access, now, active=box.slug)
    context["procedures"] = (
        Procedure.objects.filter(is_placeholder=False).order_by("code").only("code", "name")
    )
    return render(request, "dossiers/inbox.html", context, status=status)


def _sort_links(request: HttpRequest, sorts: Sequence[str], current: str) -> dict[str, dict[str, str]]:
    """Column heads that sort: the link flips the direction of the column already sorted on."""
    links: dict[str, dict[str, str]] = {}
    for key in ("due_at", "received_at", "submitted_at"):
        if key not in sorts:
            continue
        target = f"-{key}" if current == key else key
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        links[key] = {"url": f"?{query(request, sort=target, page=None)}", "direction": direction}
    return links


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    q = (request.GET.get("q") or "").strip()[:100]
    found = selectors.search(user, q, limit=PAGE_SIZE) if q else []
    rows = rows_of(found, now)
    context: dict[str, Any] = {"query": q, "rows": rows, "rows_html": rows_html(rows), "searched": bool(q)}
    if is_partial(request):
        return render(request, "dossiers/_table.html", context)
    return render(request, "dossiers/search.html", context)


@login_required
@require_GET
def nav_partial(request: HttpRequest) -> HttpResponse:
    """The dossier boxes of the side navigation with their counts, loaded by every staff page."""
    user: User = request.user  # type: ignore[assignment]
    return render(request, "dossiers/_nav.html", {"nav": _nav(selectors.user_access(user), timezone.now())})


@login_required
@require_GET
def home_counts(request: HttpRequest) -> HttpResponse:
    """The counts panel of the staff home page."""
    user: User = request.user  # type: ignore[assignment]
    nav = _nav(selectors.user_access(user), timezone.now())
    return render(request, "dossiers/_home_counts.html", {"nav": nav})
