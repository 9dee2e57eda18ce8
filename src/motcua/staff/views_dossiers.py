"""Staff workspace for dossiers (/can-bo/ho-so/): inboxes, search, counter intake, the dossier page.

Reads go through ``dossiers.selectors``, scoped to the user's units: a dossier outside them is "not
found" (404), never "forbidden", so its existence is not revealed. Writes go through
``dossiers.services`` only — one use case per POST, carrying the ``lock_version`` the officer was
looking at (``expected_version``). A refusal of the domain is shown with its HTTP status (403, 404,
409 — with a reload link when someone else changed the dossier first — or 422); a successful action
redirects to the dossier page with a message (POST-redirect-GET).

Every box, its count and who is offered it are defined in ``dossiers.selectors`` (``Box``,
``BOX_ROLES``, ``inbox``, ``box_counts``); this module names them, orders them and renders them. The
user's scope is resolved once per request (``selectors.user_access``) and shared by the page and the
counts of the side navigation.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.catalogue.models import Procedure, ProcedureVersion, WorkflowStep
from motcua.catalogue.selectors import search_procedures
from motcua.core import people
from motcua.core.errors import DomainError
from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.core.models import Organisation, OrgUnit, Person, Role, RoleAssignment, User
from motcua.core.permissions import active_assignments
from motcua.core.rules import rule_value
from motcua.core.text import id_or_none
from motcua.dossiers import rules, selectors, services
from motcua.dossiers.models import Channel, Consultation, Dossier, DossierComponent, DossierEvent
from motcua.dossiers.rules import (
    STALE_MESSAGE,
    Action,
    DossierForbidden,
    DossierNotFound,
    InvalidDossierInput,
    StaleDossier,
    State,
    TransitionNotAllowed,
)
from motcua.dossiers.selectors import Box, Filters, Page
from motcua.dossiers.timeliness import Basis, Wait
from motcua.evaluation import ontime
from motcua.staff import applicant_lookup
from motcua.staff.forms import UNIT_CHOICE_LABELS
from motcua.staff.forms_dossiers import (
    ACTION_FORMS,
    ACTION_TEXT,
    CHANNEL_TEXT,
    DELIVERY_TEXT,
    FEE_KIND_TEXT,
    KIND_TEXT,
    NATIONAL_TEXT,
    ORGANISATION_FIELDS,
    PERSON_FIELDS,
    ROLE_TEXT,
    STATE_TEXT,
    ActionForm,
    AnswerConsultationForm,
    InboxFilterForm,
    IntakeForm,
)
from motcua.workdays.domain import Calendar, to_local, working_seconds_between
from motcua.workdays.services import calendar_for

# -- boxes ----------------------------------------------------------------------------------------

PAGE_SIZE = selectors.PAGE_SIZE


@dataclass(frozen=True)
class BoxDef:
    key: str  # a ``selectors.Box``
    slug: str  # the ?hop= value: Vietnamese, as in the URLs people type
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
    counts = selectors.box_counts(
        access.user, boxes=[b.key for b in shown if b.counted], now=now, access=access
    )
    boxes = [
        {
            "def": b,
            "count": counts.get(b.key),
            "count_text": selectors.count_label(counts[b.key]) if b.key in counts else "",
            "url": f"{reverse('staff:dossiers')}?{urlencode({'hop': b.slug})}",
            "active": b.slug == active,
        }
        for b in shown
    ]
    return Nav(boxes, _can_receive(access), _default_slug(access), active)


# -- the clock ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """What a dossier's deadline looks like now: a kind (for colour), a text and an icon (so that the
    colour is never the only signal)."""

    kind: str  # ok | soon | over | paused | done | late | none
    text: str
    icon: str


def duration(calendar: Calendar, seconds: int) -> str:
    """Office time in words: "2 ngày 3 giờ" (a day is one working day of the calendar)."""
    per_day = calendar.seconds_per_day or 1
    days, rest = divmod(max(0, int(seconds)), per_day)
    hours, rest = divmod(rest, 3600)
    parts = []
    if days:
        parts.append(ngettext("%(n)s ngày", "%(n)s ngày", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s giờ", "%(n)s giờ", hours) % {"n": hours})
    if not parts:
        minutes = rest // 60
        if minutes:
            parts.append(ngettext("%(n)s phút", "%(n)s phút", minutes) % {"n": minutes})
        else:
            return _("dưới 1 phút")
    return " ".join(parts)


def clock(
    dossier: Dossier,
    calendar: Calendar,
    now: datetime,
    soon: datetime,
    waits: tuple[Wait, ...] = (),
    basis: Basis | None = None,
) -> Clock:
    """The dossier's clock: the on-time verdict of ``dossiers.timeliness`` (the late-list reading), in
    words. ``waits``: its supplement requests (needed only for a dossier that has ended)."""
    state = State(dossier.state)
    if state is State.SUBMITTED:
        return Clock("none", _("Chưa tiếp nhận"), "bi-dash-circle")
    if dossier.due_at is None or state is State.REFUSED_AT_INTAKE:
        return Clock("none", "—", "bi-dash-circle")
    if state is State.AWAITING_SUPPLEMENT:
        return Clock("paused", _("Tạm dừng, chờ bổ sung"), "bi-pause-circle")
    t = ontime.judge_now(dossier, now, waits, basis)
    due = t.compared_due
    if due is None:
        return Clock("none", "—", "bi-dash-circle")
    if t.ended:
        if t.on_time:
            return Clock("done", _("Xong đúng hạn"), "bi-check-circle")
        late = duration(calendar, working_seconds_between(calendar, due, t.effective_end))
        return Clock("late", _("Xong, trễ hạn %(time)s") % {"time": late}, "bi-check-circle")
    if not t.on_time:
        late = duration(calendar, working_seconds_between(calendar, due, now))
        return Clock("over", _("Quá hạn %(time)s") % {"time": late}, "bi-exclamation-octagon-fill")
    left = duration(calendar, working_seconds_between(calendar, now, due))
    if due <= soon:
        return Clock("soon", _("Còn %(time)s") % {"time": left}, "bi-hourglass-split")
    return Clock("ok", _("Còn %(time)s") % {"time": left}, "bi-clock")


@dataclass
class Row:
    dossier: Dossier
    clock: Clock
    national: Any
    state: Any
    state_differs: bool


def _rows(dossiers: Sequence[Dossier], now: datetime, access: selectors.Access | None = None) -> list[Row]:
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
        row_clock = clock(d, calendar, now, soon, waits.get(d.pk, ()), basis)
        rows.append(Row(d, row_clock, national, state, str(state) != str(national)))
    return rows


# -- small shared pieces --------------------------------------------------------------------------


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    message = _("Không tìm thấy hồ sơ có mã %(code)s, hoặc hồ sơ không thuộc phạm vi của bạn.") % {
        "code": code
    }
    return render(request, "staff/dossiers/not_found.html", {"message": message}, status=404)


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "staff/forbidden.html", {"message": message}, status=403)


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def _query(request: HttpRequest, **changes: Any) -> str:
    """The current query string with some parameters changed (None removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


# -- inboxes and search ---------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    access = selectors.user_access(user)  # the user's scope, once for the page and the counts
    slug = request.GET.get("hop") or _default_slug(access)
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
            procedure_id=form.procedure.pk if form.procedure else None,
            state=data["trang_thai"] or None,
            channel=data["kenh"],
            received_from=data["tu_ngay"],
            received_to=data["den_ngay"],
        )
        try:
            page = selectors.inbox(
                user,
                box.key,
                filters=filters,
                sort=form.sort(),
                cursor=data["trang"] or None,
                limit=PAGE_SIZE,
                now=now,
                access=access,
            )
        except InvalidDossierInput as exc:
            form.add_error(None, exc.message)
    if page is None:
        status = 400
    rows = _rows(page.items if page else [], now, access)
    sort = page.sort if page else sorts[0]
    context: dict[str, Any] = {
        "box": box,
        "form": form,
        "rows": rows,
        "sort": sort,
        "next_url": f"?{_query(request, trang=page.next_cursor)}" if page and page.next_cursor else "",
        "first_url": f"?{_query(request, trang=None)}" if request.GET.get("trang") else "",
        "sort_links": _sort_links(request, sorts, sort),
        "date_basis": _date_basis(box),
        "table_url": request.get_full_path(),
    }
    if _is_partial(request):
        return render(request, "staff/dossiers/_table.html", context, status=status)
    context["dossier_nav"] = _nav(access, now, active=box.slug)
    context["procedures"] = (
        Procedure.objects.filter(is_placeholder=False).order_by("code").only("code", "name")
    )
    return render(request, "staff/dossiers/inbox.html", context, status=status)


def _sort_links(request: HttpRequest, sorts: Sequence[str], current: str) -> dict[str, dict[str, str]]:
    """Column heads that sort: the link flips the direction of the column already sorted on."""
    links: dict[str, dict[str, str]] = {}
    for key in ("due_at", "received_at", "submitted_at"):
        if key not in sorts:
            continue
        target = f"-{key}" if current == key else key
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        links[key] = {"url": f"?{_query(request, sap_xep=target, trang=None)}", "direction": direction}
    return links


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    query = (request.GET.get("q") or "").strip()[:100]
    found = selectors.search(user, query, limit=PAGE_SIZE) if query else []
    context: dict[str, Any] = {"query": query, "rows": _rows(found, now), "searched": bool(query)}
    if _is_partial(request):
        return render(request, "staff/dossiers/_table.html", context)
    return render(request, "staff/dossiers/search.html", context)


@login_required
@require_GET
def nav_partial(request: HttpRequest) -> HttpResponse:
    """The dossier boxes of the side navigation with their counts, loaded by every staff page."""
    user: User = request.user  # type: ignore[assignment]
    return render(
        request, "staff/dossiers/_nav.html", {"nav": _nav(selectors.user_access(user), timezone.now())}
    )


@login_required
@require_GET
def home_counts(request: HttpRequest) -> HttpResponse:
    """The counts panel of the staff home page."""
    user: User = request.user  # type: ignore[assignment]
    nav = _nav(selectors.user_access(user), timezone.now())
    return render(request, "staff/dossiers/_home_counts.html", {"nav": nav})


# -- counter intake -------------------------------------------------------------------------------


def _intake_units(user: User) -> QuerySet[OrgUnit]:
    day = timezone.localdate()
    ids = [a.unit_id for a in active_assignments(user, [Role.INTAKE_OFFICER]) if a.unit.is_one_stop]
    return OrgUnit.objects.active_on(day).filter(pk__in=ids).order_by("path")


def _competent_units(version: ProcedureVersion, day: date) -> QuerySet[OrgUnit]:
    """The units implementing the version and the units below them (a division of a department may
    process for it); every active unit when the version names none."""
    units = OrgUnit.objects.active_on(day)
    implementing = list(version.implementing_units.all())
    if implementing:
        condition = Q(pk__in=[u.pk for u in implementing])
        for unit in implementing:
            condition |= Q(path__startswith=unit.path)
        units = units.filter(condition)
    return units.order_by("path")


def _version_in_force(code: str, day: date) -> ProcedureVersion | None:
    return (
        ProcedureVersion.objects.in_force(day)
        .filter(procedure__code=code, procedure__is_placeholder=False)
        .select_related("procedure", "procedure__field")
        .first()
    )


@dataclass(frozen=True)
class DuePreview:
    at: datetime
    effective: datetime
    due: datetime
    next_day: bool  # received after the cut-off or outside a working day
    cutoff: time


def preview_due(version: ProcedureVersion, competent_unit: OrgUnit, now: datetime) -> DuePreview:
    """The due moment a counter dossier received now would get — the computation of
    ``services.receive_at_counter``: the competent unit's calendar on the receipt day, the paper
    receipt clock (15:00 cut-off) and the version's time limit."""
    calendar = calendar_for(competent_unit, to_local(now).date())
    effective_at, due = services.receipt_deadline(calendar, version, now, None)
    effective = to_local(effective_at)
    return DuePreview(
        at=to_local(now),
        effective=effective,
        due=to_local(due),
        next_day=effective.date() != to_local(now).date(),
        cutoff=calendar.cutoff,
    )


def _limit_text(version: ProcedureVersion) -> str:
    label = UNIT_CHOICE_LABELS.get(version.time_limit_unit, version.get_time_limit_unit_display())
    if version.time_limit_unit == "same_day":
        return str(label)
    value = Decimal(version.time_limit_value).normalize()
    return f"{value:f} {label}"


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    units = _intake_units(user)
    if not units.exists():
        return _forbidden(request, _("Chỉ cán bộ Bộ phận Một cửa mới tiếp nhận hồ sơ."))
    now = timezone.now()
    day = to_local(now).date()
    code = (request.POST.get("thu_tuc") or request.GET.get("thu_tuc") or "").strip()
    if not code:
        return _procedure_picker(request, status=400 if request.method == "POST" else 200)
    version = _version_in_force(code, day)
    if version is None:
        return _procedure_picker(
            request,
            status=404 if request.method == "GET" else 400,
            error=_("Thủ tục %(code)s không có phiên bản đang có hiệu lực hôm nay.") % {"code": code[:40]},
        )
    competent = _competent_units(version, day)
    receiving_list = list(units)
    competent_list = list(competent)
    default_competent = next((u for u in competent_list if u.pk == receiving_list[0].pk), None)
    if default_competent is None and len(competent_list) == 1:
        default_competent = competent_list[0]
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        version=version,
        receiving_units=units,
        competent_units=competent,
        initial={
            "receiving_unit": receiving_list[0].pk,
            "competent_unit": default_competent.pk if default_competent else None,
        },
    )
    status = 200
    domain_error: DomainError | None = None
    if request.method == "POST":
        if form.is_valid():
            try:
                dossier = _receive(user, version, form)
            except DomainError as exc:
                domain_error, status = exc, exc.status
                _attach_intake_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Đã tiếp nhận hồ sơ %(code)s. Hạn trả kết quả: %(due)s. "
                        "Giấy tiếp nhận và hẹn trả kết quả (Mẫu 01) sẽ in được từ trang hồ sơ "
                        "khi có chức năng biểu mẫu."
                    )
                    % {"code": dossier.code, "due": _moment(dossier.due_at)},
                )
                return redirect("staff:dossier", code=dossier.code)
        else:
            status = 400
    chosen = form["competent_unit"].value()
    preview_unit = next((u for u in competent_list if str(u.pk) == str(chosen)), default_competent)
    context = {
        "version": version,
        "procedure": version.procedure,
        "form": form,
        "rows": form.component_rows(),
        "limit_text": _limit_text(version),
        "preview": _safe_preview(version, preview_unit, now),
        "summary": form.summary() if form.is_bound else [],
        "domain_error": domain_error,
    }
    return render(request, "staff/dossiers/intake.html", context, status=status)


def _safe_preview(version: ProcedureVersion, unit: OrgUnit | None, now: datetime) -> DuePreview | str | None:
    if unit is None:
        return None
    try:
        return preview_due(version, unit, now)
    except InvalidDossierInput as exc:
        return exc.message


def _procedure_picker(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:200]
    found = list(search_procedures(query)[:20]) if query else []
    results = [
        {"p": p, "limit": _limit_text(p.current_versions[0]) if p.current_versions else ""} for p in found
    ]
    context = {"query": query, "results": results, "error": error}
    if _is_partial(request):
        return render(request, "staff/dossiers/_procedure_choices.html", context, status=status)
    return render(request, "staff/dossiers/intake_pick.html", context, status=status)


def _receive(user: User, version: ProcedureVersion, form: IntakeForm) -> Dossier:
    """Create the applicant if new and receive the dossier: all or nothing."""
    data = form.cleaned_data
    components = []
    for c in form.catalogue:
        if data.get(f"c{c.pk}_received"):
            components.append(
                services.ComponentInput(
                    component_id=c.pk,
                    kind=data.get(f"c{c.pk}_kind") or c.kind,
                    quantity=data.get(f"c{c.pk}_quantity") or 1,
                    file=data.get(f"c{c.pk}_file"),
                    digitised=bool(data.get(f"c{c.pk}_file")),
                )
            )
    if (data.get("other_name") or "").strip():
        components.append(
            services.ComponentInput(
                name=data["other_name"].strip(),
                kind=data.get("other_kind") or DossierComponent.Kind.COPY,
                quantity=data.get("other_quantity") or 1,
                file=data.get("other_file"),
                digitised=bool(data.get("other_file")),
            )
        )
    with transaction.atomic():
        # Found or registered by ``core.people``: a citizen another counter registers at the same
        # moment is taken as stored, not a second time.
        assert form.applicant is not None
        applicant: Person | Organisation = (
            people.person(form.applicant)[0]
            if isinstance(form.applicant, people.PersonIn)
            else people.organisation(form.applicant)[0]
        )
        return services.receive_at_counter(
            by=user,
            applicant=applicant,
            procedure=version.procedure,
            receiving_unit=data["receiving_unit"],
            competent_unit=data["competent_unit"],
            components=components,
            channel=data["channel"],
            result_delivery=data["result_delivery"],
        )


# A refusal of the intake service, put next to the field it is about.
INTAKE_ERROR_FIELDS = {
    "applicant_id_invalid": "citizen_id",
    "competent_unit_invalid": "competent_unit",
    "receiving_unit_invalid": "receiving_unit",
    "unit_inactive": "competent_unit",
    "result_delivery_invalid": "result_delivery",
    "channel_invalid": "channel",
    "step_unstaffed": "competent_unit",
}


def _attach_intake_error(form: IntakeForm, exc: DomainError) -> None:
    name = INTAKE_ERROR_FIELDS.get(exc.code)
    if isinstance(exc, people.ApplicantInvalid):
        fields = PERSON_FIELDS if isinstance(form.applicant, people.PersonIn) else ORGANISATION_FIELDS
        name = fields.get(exc.field, name)
    if name == "citizen_id" and form.cleaned_data.get("applicant_kind") == "organisation":
        name = "tax_code"
    if exc.code == "components_missing" and form.catalogue:
        missing = [c for c in form.catalogue if c.required and c.role == c.Role.SUBMIT]
        name = f"c{missing[0].pk}_received" if missing else None
    form.add_error(name, exc.message)


@login_required
@require_GET
def intake_due(request: HttpRequest) -> HttpResponse:
    """HTMX: the due moment for the procedure and the competent unit chosen, computed now."""
    user: User = request.user  # type: ignore[assignment]
    if not _intake_units(user).exists():
        return _forbidden(request, _("Chỉ cán bộ Bộ phận Một cửa mới tiếp nhận hồ sơ."))
    now = timezone.now()
    version = _version_in_force(request.GET.get("thu_tuc", "").strip(), to_local(now).date())
    unit = None
    if version is not None:
        wanted = id_or_none(request.GET.get("competent_unit"))
        unit = (
            _competent_units(version, to_local(now).date()).filter(pk=wanted).first()
            if wanted is not None
            else None
        )
    preview = _safe_preview(version, unit, now) if version else None
    return render(request, "staff/dossiers/_due_preview.html", {"preview": preview, "version": version})


@login_required
@require_GET
def intake_applicant(request: HttpRequest) -> HttpResponse:
    """HTMX: whether the applicant typed at the counter is already known (by CCCD or tax code)."""
    user: User = request.user  # type: ignore[assignment]
    if not _intake_units(user).exists():
        return _forbidden(request, _("Chỉ cán bộ Bộ phận Một cửa mới tiếp nhận hồ sơ."))
    # Only what intake needs, audited and limited per officer (NĐ 13/2023; staff/applicant_lookup.py).
    context: dict[str, Any] = {}
    status = 200
    try:
        if "tax_code" in request.GET:
            raw = request.GET["tax_code"].strip()
            context["kind"] = "organisation"
            if raw:
                context["organisation"] = applicant_lookup.organisation(user, normalise_tax_code(raw))
                context["checked"] = True
        else:
            raw = request.GET.get("citizen_id", "").strip()
            context["kind"] = "person"
            if raw:
                context["person"] = applicant_lookup.person(user, parse_citizen_id(raw).number)
                context["checked"] = True
    except IdentityError as exc:
        context["error"] = str(exc)
    except applicant_lookup.TooManyLookups as exc:
        context["error"], status = exc.message, exc.status
    return render(request, "staff/dossiers/_applicant.html", context, status=status)


# -- the dossier page ----------------------------------------------------------------------------


def _moment(value: datetime | None) -> str:
    return "" if value is None else f"{to_local(value):%H:%M %d/%m/%Y}"


def _parse_moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def eligible_users(step: WorkflowStep, dossier: Dossier) -> QuerySet[User]:
    """Active staff holding the step's role in the unit that performs it (or above it, covering it) —
    whom ``services.hand_over`` / ``assign`` accept as the assignee."""
    unit = services.step_unit(step, dossier)
    if unit is None:
        return User.objects.none()
    day = timezone.localdate()
    parts = [p for p in unit.path.strip("/").split("/") if p]
    covering = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    holders = (
        RoleAssignment.objects.filter(role=step.role, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .filter(Q(unit=unit) | Q(include_subunits=True, unit__path__in=covering))
        .values("user_id")
    )
    return User.objects.filter(pk__in=holders, is_active=True).order_by("full_name", "username")


DANGER_ACTIONS = frozenset(
    {Action.REFUSE_AT_INTAKE, Action.REFUSE_AFTER_APPRAISAL, Action.STOP, Action.WITHDRAW}
)
PANEL_ORDER = (
    Action.ACCEPT_ONLINE,
    Action.HAND_OVER,
    Action.ASSIGN,
    Action.MARK_RESULT_READY,
    Action.RETURN_RESULT,
    Action.ANSWER_CONSULTATION,
    Action.RECEIVE_SUPPLEMENT,
    Action.CONFIRM_PAYMENT,
    Action.SEND_BACK,  # never unfolded by itself: moving on is the step's usual outcome
    Action.REQUEST_SUPPLEMENT,
    Action.REQUEST_CONSULTATION,
    Action.REQUEST_PAYMENT,
    Action.RESET_DUE,
    Action.REFUSE_AT_INTAKE,
    Action.REFUSE_AFTER_APPRAISAL,
    Action.STOP,
    Action.WITHDRAW,
)


@dataclass
class Screen:
    """One dossier as the page shows it to one user now: everything computed once."""

    user: User
    detail: selectors.DossierDetail
    now: datetime
    calendar: Calendar
    steps: list[WorkflowStep]
    _assignments: list[RoleAssignment] | None = None
    _cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, user: User, code: str) -> Screen:
        detail = selectors.dossier_detail(user, code)
        now = timezone.now()
        dossier = detail.dossier
        return cls(
            user=user,
            detail=detail,
            now=now,
            calendar=calendar_for(dossier.competent_unit, to_local(now).date()),
            # The service's own reading of the workflow, so that the page offers what it accepts.
            steps=selectors.workflow_steps(dossier.procedure_version_id),
        )

    @property
    def dossier(self) -> Dossier:
        return self.detail.dossier

    @property
    def current_step(self) -> WorkflowStep | None:
        return next((s for s in self.steps if s.pk == self.dossier.current_step_id), None)

    @property
    def next_step(self) -> WorkflowStep | None:
        return selectors.next_step(self.steps, self.current_step)

    @property
    def assignments(self) -> list[RoleAssignment]:
        if self._assignments is None:
            self._assignments = active_assignments(self.user)
        return self._assignments

    def _covers(self, unit: OrgUnit, roles: frozenset[str]) -> bool:
        return any(
            a.role in roles
            and (a.unit_id == unit.pk or (a.include_subunits and unit.path.startswith(a.unit.path)))
            for a in self.assignments
        )

    def open_consultations(self) -> list[Consultation]:
        return [c for c in self.detail.consultations if c.answered_at is None]

    def answerable(self) -> list[Consultation]:
        """Open consultations of the user's units whose turn has come (sequential ones answer in order)."""
        found = []
        for c in self.open_consultations():
            if not self._covers(c.unit, selectors.ANSWERING_ROLES):
                continue
            if c.mode == Consultation.Mode.SEQUENTIAL and any(
                o.batch == c.batch and o.order < c.order and o.answered_at is None
                for o in self.detail.consultations
            ):
                continue
            found.append(c)
        return found

    def rule(self, key: str) -> Any:
        if key not in self._cache:
            self._cache[key] = rule_value(key, to_local(self.now).date())
        return self._cache[key]

    def supplement_window_end(self) -> datetime | None:
        d = self.dossier
        if d.received_at is None:
            return None
        receipt_day = to_local(d.received_at).date()
        online = None
        if d.channel == Channel.ONLINE:
            online = str(rule_value("workdays.online_received", receipt_day))
        window = int(rule_value("dossiers.supplement_window_working_days", receipt_day))
        return rules.supplement_window_end(
            calendar_for(d.competent_unit, receipt_day), d.received_at, window, online_mode=online
        )

    def action_context(self, action: Action) -> dict[str, Any]:
        """What the action's form needs: the people it may go to, the units that may be consulted…"""
        d = self.dossier
        if action is Action.HAND_OVER:
            target = self.next_step
            return {
                "candidates": eligible_users(target, d) if target else User.objects.none(),
                "step": target,
            }
        if action is Action.ASSIGN:
            step = self.current_step
            return {"candidates": eligible_users(step, d) if step else User.objects.none(), "step": step}
        if action is Action.SEND_BACK:
            return {"steps": services.earlier_steps(self.steps, self.current_step)}
        if action is Action.REQUEST_CONSULTATION:
            day = to_local(self.now).date()
            return {"units": OrgUnit.objects.active_on(day).exclude(pk=d.competent_unit_id).order_by("path")}
        if action is Action.RESET_DUE:
            return {"min_new_due": to_local(d.due_at).date() if d.due_at else None}
        return {}

    def panel(self, action: Action, bound: ActionForm | None = None) -> dict[str, Any] | None:
        """The form of one action, with what the officer must know before using it; ``None`` when the
        action cannot succeed now (nothing to hand over to, a consultation not yet the unit's turn)."""
        d = self.dossier
        ctx = self.action_context(action)
        info: list[str] = []
        blocked = ""
        forms: list[ActionForm] = []
        initial = {"expected_version": d.lock_version}
        form_class = ACTION_FORMS[action]
        url = reverse("staff:dossier_action", args=[d.code, action.value])
        if action is Action.HAND_OVER:
            target = ctx["step"]
            if target is None:
                return None
            unit = services.step_unit(target, d)
            info.append(
                _("Bước tiếp theo: “%(step)s” — %(role)s, %(unit)s (%(hours)s giờ làm việc).")
                % {
                    "step": target.name,
                    "role": ROLE_TEXT.get(target.role, target.role),
                    "unit": unit.name if unit else "—",
                    "hours": f"{Decimal(target.allotted_hours).normalize():f}",
                }
            )
            if not ctx["candidates"].exists():
                info.append(
                    _(
                        "Chưa có cán bộ nào giữ vai trò này tại đơn vị; hồ sơ sẽ chờ ở bước, "
                        "lãnh đạo đơn vị có thể chuyển tiếp."
                    )
                )
        elif action is Action.ASSIGN:
            if ctx["step"] is None:
                return None
            info.append(_("Bước hiện tại: “%(step)s”.") % {"step": ctx["step"].name})
        elif action is Action.SEND_BACK:
            if not ctx["steps"]:
                return None
            info.append(
                _(
                    "Hồ sơ trở về bước đã chọn, giao lại người đã xử lý bước đó (nếu người đó vẫn giữ "
                    "vai trò của bước); lý do được ghi vào lịch sử hồ sơ."
                )
            )
        elif action is Action.MARK_RESULT_READY:
            if self.next_step is not None:
                return None
            pending = self.open_consultations()
            if pending:
                blocked = _("Chưa chuyển trả được: đang chờ ý kiến của %(units)s.") % {
                    "units": ", ".join(c.unit.name for c in pending)
                }
        elif action is Action.ANSWER_CONSULTATION:
            answerable = self.answerable()
            if not answerable:
                return None
            for c in answerable:
                form = (
                    bound if bound is not None and str(bound["consultation"].value()) == str(c.pk) else None
                )
                form = form or AnswerConsultationForm(
                    prefix=action.value,
                    auto_id=f"id_c{c.pk}_%s",
                    initial={**initial, "consultation": c.pk},
                )
                form.consultation_obj = c  # type: ignore[attr-defined]
                forms.append(form)
        elif action is Action.REQUEST_SUPPLEMENT:
            end = self.supplement_window_end()
            if end is not None:
                info.append(
                    _("Chỉ yêu cầu bổ sung trong %(n)s ngày làm việc kể từ khi tiếp nhận: hạn cuối %(end)s.")
                    % {"n": self.rule("dossiers.supplement_window_working_days"), "end": _moment(end)}
                )
                if self.now > end:
                    blocked = _(
                        "Đã quá thời hạn yêu cầu bổ sung. Nếu hồ sơ không đủ điều kiện, "
                        "hãy từ chối giải quyết và nêu rõ lý do."
                    )
        elif action is Action.RECEIVE_SUPPLEMENT:
            waiting = [s for s in self.detail.supplements if s.received_at is None]
            if waiting:
                info.append(_("Giấy tờ đang chờ: %(items)s.") % {"items": "; ".join(waiting[-1].items)})
            mode = self.rule("workdays.supplement_mode")
            info.append(
                _("Khi nhận đủ, thời hạn giải quyết được tính lại từ đầu (quy tắc hiện hành).")
                if mode == "restart"
                else _("Khi nhận đủ, hạn trả lùi lại đúng bằng thời gian chờ bổ sung (quy tắc hiện hành).")
            )
        elif action is Action.REQUEST_CONSULTATION:
            sequential = d.channel != Channel.ONLINE
            info.append(
                _(
                    "Hồ sơ giấy: lấy ý kiến lần lượt theo thứ tự các đơn vị; hạn của đơn vị sau "
                    "tính tiếp từ hạn của đơn vị trước."
                )
                if sequential
                else _("Hồ sơ điện tử: gửi đồng thời cho mọi đơn vị; hạn của mỗi đơn vị tính từ khi gửi.")
            )
        elif action is Action.RESET_DUE:
            limit = int(self.rule("dossiers.max_due_resets"))
            min_days = int(self.rule("dossiers.apology_min_working_days"))
            done = len(self.detail.due_resets)
            info.append(
                _(
                    "Chỉ được hẹn lại %(limit)s lần (đã hẹn %(done)s lần); phải ghi nhận chậm nhất %(days)s "
                    "ngày làm việc trước hạn trả %(due)s; ngày mới phải là ngày làm việc, sau hạn hiện tại "
                    "(NĐ 61/2018/NĐ-CP Điều 19.9)."
                )
                % {"limit": limit, "done": done, "days": min_days, "due": _moment(d.due_at)}
            )
            if done >= limit:
                blocked = _("Hồ sơ đã dùng hết số lần hẹn lại ngày trả kết quả.")
            elif d.due_at is None or not rules.apology_in_time(self.calendar, self.now, d.due_at, min_days):
                blocked = _("Đã quá thời điểm được xin lỗi và hẹn lại ngày trả kết quả.")
        elif action is Action.REFUSE_AFTER_APPRAISAL and d.due_at is not None and self.now > d.due_at:
            blocked = _("Hồ sơ đã quá hạn: chỉ được từ chối giải quyết trong thời hạn giải quyết.")
        if not forms:
            form = (
                bound if bound is not None else form_class(prefix=action.value, initial=initial, context=ctx)
            )
            forms = [form]
        return {
            "action": action,
            "label": ACTION_TEXT[action],
            "url": url,
            "forms": forms,
            "info": info,
            "blocked": blocked,
            "danger": action in DANGER_ACTIONS,
            "multipart": form_class.multipart,
            "open": bound is not None,
        }

    def panels(self, bound: tuple[Action, ActionForm] | None = None) -> list[dict[str, Any]]:
        allowed = set(self.detail.actions)
        blocked = self.detail.blocked
        panels = []
        for action in PANEL_ORDER:
            if action not in allowed and action not in blocked:
                continue
            form = bound[1] if bound is not None and bound[0] is action else None
            panel = self.panel(action, form)
            if panel is None:
                continue
            if action in blocked and not panel["blocked"]:
                # The role may, the dossier's situation refuses it now: say why, offer no form.
                panel["blocked"] = blocked[action].message
            panels.append(panel)
        if (
            panels
            and not any(p["open"] for p in panels)
            and not panels[0]["danger"]
            and not panels[0]["blocked"]
            and panels[0]["action"] is not Action.SEND_BACK
        ):
            panels[0]["open"] = True
        return panels


def _users(ids: Iterable[Any]) -> dict[int, User]:
    wanted = {int(i) for i in ids if isinstance(i, int) or (isinstance(i, str) and i.isdigit())}
    if not wanted:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=wanted).only("id", "full_name", "username")}


def _name(users: dict[int, User], pk: Any) -> str:
    user = users.get(pk) if isinstance(pk, int) else None
    return str(user.full_name or user.username) if user else ""


def _action_of(event: DossierEvent) -> Action | None:
    """The event's action; ``None`` for an action this version of the screens does not know."""
    try:
        return Action(event.action)
    except ValueError:
        return None


def _event_view(
    event: DossierEvent,
    steps: dict[str, WorkflowStep],
    users: dict[int, User],
    consultations: dict[int, Consultation],
    calendar: Calendar,
) -> dict[str, Any]:
    """One line of the history: who, when, what, and the facts that matter to the reader."""
    data = event.data or {}
    facts: list[tuple[str, str]] = []

    def add(label: str, value: Any) -> None:
        if value not in (None, "", []):
            facts.append((label, str(value)))

    action = _action_of(event)
    if action in (Action.RECEIVE_AT_COUNTER, Action.ACCEPT_ONLINE):
        channel = data.get("channel")
        if channel:
            add(_("Kênh"), CHANNEL_TEXT.get(channel, channel))
        effective = _parse_moment(data.get("effective_received"))
        if effective and event.at and to_local(effective).date() != to_local(event.at).date():
            add(_("Tính hạn từ"), _moment(effective))
        add(_("Hạn trả kết quả"), _moment(event.due_at))
    if action in (Action.HAND_OVER, Action.SEND_BACK, Action.ASSIGN) and "assignee_id" in data:
        add(_("Người xử lý"), _name(users, data["assignee_id"]) or _("chưa chỉ định"))
    closed = data.get("closed_step")
    if isinstance(closed, dict) and closed.get("code"):
        step = steps.get(closed["code"])
        add(
            _("Bước đã xong"),
            _("%(step)s: %(spent)s / định mức %(allotted)s — %(result)s")
            % {
                "step": step.name if step else closed["code"],
                "spent": duration(calendar, int(closed.get("working_seconds", 0))),
                "allotted": duration(calendar, int(closed.get("allotted_seconds", 0))),
                "result": STEP_RESULT_TEXT.get(closed.get("result", ""), ""),
            },
        )
    add(_("Giấy tờ cần bổ sung"), "; ".join(data.get("items") or []))
    add(_("Lý do"), data.get("reasons") or data.get("reason"))
    add(_("Nội dung xin ý kiến"), data.get("question"))
    if action is Action.REQUEST_CONSULTATION:
        asked = [
            _("%(unit)s (hạn %(due)s)")
            % {
                "unit": consultations[c["id"]].unit.name
                if c.get("id") in consultations
                else c.get("unit", ""),
                "due": _moment(_parse_moment(c.get("due_at"))),
            }
            for c in data.get("consultations") or []
        ]
        add(_("Đơn vị được hỏi"), "; ".join(asked))
    if action is Action.ANSWER_CONSULTATION:
        consultation = consultations.get(data.get("consultation_id"))
        if consultation:
            add(_("Đơn vị"), consultation.unit.name)
            add(_("Ý kiến"), consultation.answer)
        if data.get("late"):
            add(_("Lưu ý"), _("Trả lời sau hạn"))
    if action is Action.RECEIVE_SUPPLEMENT:
        add(
            _("Hạn trả"),
            _("%(before)s → %(after)s")
            % {
                "before": _moment(_parse_moment(data.get("due_before"))),
                "after": _moment(_parse_moment(data.get("due_after"))),
            },
        )
    if action is Action.RESET_DUE:
        add(
            _("Hẹn lại"),
            _("%(before)s → %(after)s")
            % {
                "before": _moment(_parse_moment(data.get("old_due"))),
                "after": _moment(_parse_moment(data.get("new_due"))),
            },
        )
    fees = data.get("fees") or []
    if fees:
        add(
            _("Khoản phải nộp"),
            "; ".join(
                f"{f.get('name', '')}: {_vnd(f.get('amount_vnd'))}" for f in fees if isinstance(f, dict)
            ),
        )
    add(_("Số biên lai"), data.get("receipt_ref"))
    if action is Action.RETURN_RESULT:
        told = data.get("notified")
        add(
            _("Đã báo trước cho người nộp"),
            pgettext("yes/no answer", "Có") if told else pgettext("yes/no answer", "Không"),
        )
        if data.get("early"):
            add(_("Trả sớm"), _("Trước hạn"))
    add(_("Ghi chú"), data.get("note"))
    step = steps.get(event.step_code)
    return {
        "event": event,
        "label": ACTION_TEXT[action] if action is not None else event.action,
        "national": NATIONAL_TEXT.get(event.national_status, event.national_status),
        "step": step.name if step else "",
        "facts": facts,
    }


STEP_RESULT_TEXT = {
    "early": gettext_lazy("trước hạn"),
    "on_time": gettext_lazy("đúng hạn"),
    "late": gettext_lazy("trễ hạn"),
}


def _vnd(value: Any) -> str:
    if value is None or value == "":
        return _("chưa ghi số tiền")
    return f"{int(value):,}".replace(",", ".") + " đ"


def _step_times(screen: Screen) -> list[dict[str, Any]]:
    """Each workflow step the dossier went through, with its time against the allotted hours
    (Mẫu 05, Phiếu kiểm soát): from the events, the way the service measured it when it has."""
    by_code = {s.code: s for s in screen.steps}
    calendar = screen.calendar
    rows: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    paused_at: datetime | None = None
    for event in screen.detail.events:
        data = event.data or {}
        action = _action_of(event)
        if current is not None and event.step_code != current["code"]:
            closed = data.get("closed_step") if action in (Action.HAND_OVER, Action.SEND_BACK) else None
            if isinstance(closed, dict) and closed.get("code") == current["code"]:
                spent, allotted = int(closed["working_seconds"]), int(closed["allotted_seconds"])
                result = str(closed.get("result", ""))
            else:
                spent = working_seconds_between(calendar, current["clock_start"], paused_at or event.at)
                allotted = current["allotted"]
                result = rules.step_result(spent, allotted)
            current.update(ended=event.at, spent=spent, result=result, by=event.actor_label)
            rows.append(current)
            current = None
        if action is Action.REQUEST_SUPPLEMENT:
            paused_at = event.at
        if action is Action.RECEIVE_SUPPLEMENT:
            paused_at = None
        if event.step_code and current is None:
            step = by_code.get(event.step_code)
            started = _parse_moment(data.get("step_started_at")) or event.at
            current = {
                "code": event.step_code,
                "step": step,
                "started": started,
                "clock_start": started,
                "allotted": int(Decimal(step.allotted_hours) * 3600) if step else 0,
                "ended": None,
            }
        elif current is not None and action is Action.RECEIVE_SUPPLEMENT:
            current["clock_start"] = _parse_moment(data.get("step_started_at")) or event.at
    if current is not None:
        end = paused_at or screen.now
        spent = working_seconds_between(calendar, current["clock_start"], end)
        assignee = screen.dossier.assignee
        current.update(
            spent=spent,
            result="running" if spent <= current["allotted"] else "late",
            by=(assignee.full_name or assignee.username) if assignee else "",
        )
        rows.append(current)
    for row in rows:
        row["spent_text"] = duration(calendar, row["spent"])
        row["allotted_text"] = duration(calendar, row["allotted"])
        row["result_text"] = (
            _("đang xử lý") if row["result"] == "running" else STEP_RESULT_TEXT.get(row["result"], "")
        )
    return rows


def _overall(screen: Screen) -> dict[str, Any]:
    """The dossier's own clock: office time used since the receipt (not counting the waits for a
    supplement) and office time left."""
    d = screen.dossier
    calendar = screen.calendar
    start = None
    for event in screen.detail.events:
        if event.action in (Action.RECEIVE_AT_COUNTER, Action.ACCEPT_ONLINE):
            start = _parse_moment((event.data or {}).get("effective_received")) or event.at
    if start is None or d.due_at is None:
        return {}
    end = d.finished_at or screen.now
    used = working_seconds_between(calendar, start, end)
    for s in screen.detail.supplements:
        pause_end = min(s.received_at or end, end)
        used -= working_seconds_between(calendar, max(s.requested_at, start), pause_end)
    used = max(0, used)
    running = State(d.state) in rules.CLOCK_RUNNING
    left = working_seconds_between(calendar, screen.now, d.due_at) if running and screen.now < d.due_at else 0
    return {
        "start": start,
        "used": duration(calendar, used),
        "left": duration(calendar, left) if running and screen.now < d.due_at else "",
        "progress_max": used + left if running else 0,
        "progress_value": used,
    }


def _error_view(exc: DomainError) -> dict[str, Any]:
    stale = isinstance(exc, StaleDossier)
    if stale:
        headline = _(
            "Hồ sơ vừa được người khác cập nhật; hãy tải lại hồ sơ để xem thay đổi "
            "rồi thực hiện lại thao tác."
        )
    elif exc.status == 403:
        headline = _("Bạn không có quyền thực hiện thao tác này với hồ sơ.")
    elif exc.status == 404:
        headline = _("Không tìm thấy nội dung được yêu cầu của hồ sơ.")
    elif exc.status == 409:
        headline = _("Tình trạng hồ sơ không cho phép thao tác này.")
    else:
        headline = _("Thông tin chưa hợp lệ.")
    detail = "" if exc.message == STALE_MESSAGE else exc.message
    return {"status": exc.status, "code": exc.code, "headline": headline, "message": detail, "stale": stale}


def _render_detail(
    request: HttpRequest,
    screen: Screen,
    *,
    status: int = 200,
    bound: tuple[Action, ActionForm] | None = None,
    error: DomainError | None = None,
) -> HttpResponse:
    detail = screen.detail
    d = detail.dossier
    user_ids: list[Any] = [(e.data or {}).get("assignee_id") for e in detail.events]
    user_ids += [s.requested_by_id for s in detail.supplements] + [
        s.received_by_id for s in detail.supplements
    ]
    user_ids += [c.requested_by_id for c in detail.consultations] + [
        c.answered_by_id for c in detail.consultations
    ]
    user_ids += [r.by_id for r in detail.due_resets]
    users = _users(user_ids)
    by_code = {s.code: s for s in screen.steps}
    consultations = {c.pk: c for c in detail.consultations}
    timeline = [
        _event_view(e, by_code, users, consultations, screen.calendar) for e in reversed(detail.events)
    ]
    soon = selectors.soon_due_threshold(screen.now)
    summary = bound[1].summary() if bound is not None else []
    context = {
        "d": d,
        "detail": detail,
        "clock": clock(d, screen.calendar, screen.now, soon, ontime.waits_from(detail.supplements)),
        "overall": _overall(screen),
        "step_times": _step_times(screen),
        "current_step": screen.current_step,
        "timeline": timeline,
        "national": NATIONAL_TEXT[d.national_status],
        "state": STATE_TEXT[State(d.state)],
        "channel": CHANNEL_TEXT.get(d.channel, d.channel),
        "delivery": DELIVERY_TEXT.get(d.result_delivery, d.result_delivery),
        "limit_text": _limit_text(d.procedure_version),
        "kinds": KIND_TEXT,
        "fee_kinds": FEE_KIND_TEXT,
        "components": [(c, KIND_TEXT.get(c.kind, c.kind)) for c in detail.components],
        "fees": [(f, FEE_KIND_TEXT.get(f.kind, f.kind)) for f in detail.fees],
        "supplements": [
            {
                "s": s,
                "requested_by": _name(users, s.requested_by_id),
                "received_by": _name(users, s.received_by_id),
            }
            for s in detail.supplements
        ],
        "consultations": [
            {
                "c": c,
                "answered_by": _name(users, c.answered_by_id),
                "mode": _("Lần lượt") if c.mode == Consultation.Mode.SEQUENTIAL else _("Song song"),
                "late": c.answered_at is not None and c.answered_at > c.due_at,
                "overdue": c.answered_at is None and screen.now > c.due_at,
            }
            for c in detail.consultations
        ],
        "resets": [{"r": r, "by": _name(users, r.by_id)} for r in detail.due_resets],
        "panels": screen.panels(bound),
        "error": _error_view(error) if error is not None else None,
        "summary": summary,
    }
    return render(request, "staff/dossiers/detail.html", context, status=status)


@login_required
@require_GET
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        screen = Screen.load(request.user, code)  # type: ignore[arg-type]
    except DossierNotFound:
        return _not_found(request, code)
    return _render_detail(request, screen)


@login_required
@require_GET
def component_file(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A scan of a dossier's component, for the staff who may see the dossier (never a public URL)."""
    user: User = request.user  # type: ignore[assignment]
    if not selectors.visible(user).filter(code=code).exists():
        return _not_found(request, code)
    component = DossierComponent.objects.filter(dossier__code=code, pk=pk).exclude(file="").first()
    if component is None or not component.file:
        raise Http404
    name = component.file.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(component.file.open("rb"), content_type=content_type, filename=name)


# -- actions --------------------------------------------------------------------------------------


def _targets(data: dict[str, Any]) -> list[services.ConsultationTarget]:
    return [services.ConsultationTarget(unit=u, working_days=n) for u, n in data["targets"]]


def _supplement_docs(data: dict[str, Any]) -> list[services.ComponentInput]:
    name = (data.get("doc_name") or "").strip()
    if not name:
        return []
    return [
        services.ComponentInput(
            name=name,
            kind=data.get("doc_kind") or DossierComponent.Kind.ORIGINAL,
            quantity=data.get("doc_quantity") or 1,
            file=data.get("doc_file"),
            digitised=bool(data.get("doc_file")),
        )
    ]


Handler = Callable[[str, User, int, dict[str, Any]], Dossier]

HANDLERS: dict[Action, Handler] = {
    Action.ACCEPT_ONLINE: lambda code, by, v, data: services.accept_online(code, by=by, expected_version=v),
    Action.REFUSE_AT_INTAKE: lambda code, by, v, data: services.refuse_at_intake(
        code, by=by, expected_version=v, reasons=data["reasons"]
    ),
    Action.HAND_OVER: lambda code, by, v, data: services.hand_over(
        code, by=by, expected_version=v, assignee=data.get("assignee"), note=data.get("note", "")
    ),
    Action.SEND_BACK: lambda code, by, v, data: services.send_back(
        code, by=by, expected_version=v, reason=data["reason"], to_step=data.get("to_step") or None
    ),
    Action.ASSIGN: lambda code, by, v, data: services.assign(
        code, by=by, expected_version=v, assignee=data["assignee"], note=data.get("note", "")
    ),
    Action.REQUEST_SUPPLEMENT: lambda code, by, v, data: services.request_supplement(
        code, by=by, expected_version=v, items=data["items"], reasons=data["reasons"]
    ),
    Action.RECEIVE_SUPPLEMENT: lambda code, by, v, data: services.receive_supplement(
        code, by=by, expected_version=v, note=data.get("note", ""), components=_supplement_docs(data)
    ),
    Action.REQUEST_PAYMENT: lambda code, by, v, data: services.request_payment(
        code,
        by=by,
        expected_version=v,
        items=[services.FeeInput(name=n, amount_vnd=a, kind=k) for n, a, k in data["lines"]],
        note=data.get("note", ""),
    ),
    Action.CONFIRM_PAYMENT: lambda code, by, v, data: services.confirm_payment(
        code,
        by=by,
        expected_version=v,
        receipt_ref=data.get("receipt_ref", ""),
        online=data.get("online", False),
    ),
    Action.REQUEST_CONSULTATION: lambda code, by, v, data: services.request_consultation(
        code, by=by, expected_version=v, targets=_targets(data), question=data["question"]
    ),
    Action.ANSWER_CONSULTATION: lambda code, by, v, data: services.answer_consultation(
        code, data["consultation"], by=by, expected_version=v, answer=data["answer"]
    ),
    Action.REFUSE_AFTER_APPRAISAL: lambda code, by, v, data: services.refuse_after_appraisal(
        code, by=by, expected_version=v, reasons=data["reasons"]
    ),
    Action.STOP: lambda code, by, v, data: services.stop(
        code, by=by, expected_version=v, reasons=data["reasons"]
    ),
    Action.WITHDRAW: lambda code, by, v, data: services.withdraw(
        code, by=by, expected_version=v, reason=data["reason"]
    ),
    Action.RESET_DUE: lambda code, by, v, data: services.reset_due(
        code, by=by, expected_version=v, reason=data["reason"], new_due=data["new_due"]
    ),
    Action.MARK_RESULT_READY: lambda code, by, v, data: services.mark_result_ready(
        code, by=by, expected_version=v, note=data.get("note", "")
    ),
    Action.RETURN_RESULT: lambda code, by, v, data: services.return_result(
        code, by=by, expected_version=v, notified=data.get("notified", False), note=data.get("note", "")
    ),
}


def _success(action: Action, dossier: Dossier, data: dict[str, Any]) -> str:
    code = dossier.code
    if action is Action.HAND_OVER:
        step = dossier.current_step.name if dossier.current_step else ""
        assignee = data.get("assignee")
        if assignee is not None:
            return _("Đã chuyển hồ sơ %(code)s sang bước “%(step)s”, giao %(name)s.") % {
                "code": code,
                "step": step,
                "name": assignee.full_name or assignee.username,
            }
        return _("Đã chuyển hồ sơ %(code)s sang bước “%(step)s”.") % {"code": code, "step": step}
    if action is Action.SEND_BACK:
        step = dossier.current_step.name if dossier.current_step else ""
        return _("Đã trả hồ sơ %(code)s về bước “%(step)s”.") % {"code": code, "step": step}
    if action is Action.ASSIGN:
        assignee = data["assignee"]
        return _("Đã phân công %(name)s xử lý hồ sơ %(code)s.") % {
            "name": assignee.full_name or assignee.username,
            "code": code,
        }
    if action is Action.RESET_DUE:
        return _(
            "%(action)s: hồ sơ %(code)s. Ngày hẹn trả mới báo cho người dân: %(promised)s; hạn giải quyết "
            "theo quy định vẫn là %(due)s."
        ) % {
            "action": ACTION_TEXT[action],
            "code": code,
            "promised": _moment(dossier.promised_at),
            "due": _moment(dossier.due_at),
        }
    if action in (Action.RECEIVE_SUPPLEMENT, Action.ACCEPT_ONLINE):
        return _("%(action)s: hồ sơ %(code)s. Hạn trả kết quả mới: %(due)s.") % {
            "action": ACTION_TEXT[action],
            "code": code,
            "due": _moment(dossier.due_at),
        }
    return _("Đã ghi nhận “%(action)s” cho hồ sơ %(code)s.") % {"action": ACTION_TEXT[action], "code": code}


def _refusal(user: User, dossier: Dossier, action: Action, posted_version: Any) -> DomainError:
    """Why an action the page does not offer was refused — the same reasons the service gives."""
    if posted_version not in (None, "") and str(posted_version) != str(dossier.lock_version):
        return StaleDossier(STALE_MESSAGE)
    try:
        rules.next_state(dossier.state, action)
    except TransitionNotAllowed as exc:
        return exc
    return services.refusal(user, dossier, action) or DossierForbidden(
        f"Bạn không có quyền “{rules.ACTION_LABELS[action].lower()}” đối với hồ sơ {dossier.code}."
    )


@login_required
@require_POST
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        act = Action(action)
    except ValueError:
        raise Http404 from None
    if act not in ACTION_FORMS:
        raise Http404
    try:
        screen = Screen.load(user, code)
    except DossierNotFound:
        return _not_found(request, code)
    form = ACTION_FORMS[act](
        request.POST,
        request.FILES,
        prefix=act.value,
        context=screen.action_context(act),
        **(
            {"auto_id": f"id_c{request.POST.get('answer_consultation-consultation', '')}_%s"}
            if act is Action.ANSWER_CONSULTATION
            else {}
        ),
    )
    if act not in screen.detail.actions:
        error = _refusal(user, screen.dossier, act, request.POST.get(f"{act.value}-expected_version"))
        return _render_detail(request, screen, status=error.status, error=error)
    if not form.is_valid():
        return _render_detail(request, screen, status=400, bound=(act, form))
    data = form.cleaned_data
    try:
        dossier = HANDLERS[act](code, user, data["expected_version"], data)
    except DomainError as exc:
        try:
            screen = Screen.load(user, code)
        except DossierNotFound:
            return _not_found(request, code)
        return _render_detail(request, screen, status=exc.status, bound=(act, form), error=exc)
    messages.success(request, _success(act, dossier, data))
    return redirect("staff:dossier", code=dossier.code)
