"""Counter intake (/can-bo/ho-so/tiep-nhan/): pick the procedure, record the applicant and the papers,
see the due moment before confirming; with its two HTMX helpers, the due preview and the lookup of a
known applicant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.catalogue.models import ProcedureVersion
from motcua.catalogue.selectors import search_procedures
from motcua.core import people
from motcua.core.errors import DomainError
from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.core.models import Organisation, OrgUnit, Person, Role, User
from motcua.core.params import legacy_names
from motcua.core.permissions import active_assignments
from motcua.core.text import id_or_none
from motcua.dossiers import applicant_lookup, services
from motcua.dossiers.forms import ORGANISATION_FIELDS, PERSON_FIELDS, IntakeForm
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.rules import InvalidDossierInput
from motcua.dossiers.views.common import forbidden, is_partial, limit_text, moment
from motcua.workdays.domain import to_local
from motcua.workdays.services import calendar_for


def _not_one_stop(request: HttpRequest) -> HttpResponse:
    return forbidden(request, _("Chỉ cán bộ Bộ phận Một cửa mới tiếp nhận hồ sơ."))


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


@legacy_names(thu_tuc="procedure")
@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    units = _intake_units(user)
    if not units.exists():
        return _not_one_stop(request)
    now = timezone.now()
    day = to_local(now).date()
    code = (request.POST.get("procedure") or request.GET.get("procedure") or "").strip()
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
                        "In giấy tiếp nhận và hẹn trả kết quả (Mẫu 01) ở mục “Giấy tờ, biểu mẫu” "
                        "để giao cho người nộp."
                    )
                    % {"code": dossier.code, "due": moment(dossier.due_at)},
                )
                return redirect("dossiers:detail", code=dossier.code)
        else:
            status = 400
    chosen = form["competent_unit"].value()
    preview_unit = next((u for u in competent_list if str(u.pk) == str(chosen)), default_competent)
    context = {
        "version": version,
        "procedure": version.procedure,
        "form": form,
        "rows": form.component_rows(),
        "limit_text": limit_text(version),
        "preview": _safe_preview(version, preview_unit, now),
        "summary": form.summary() if form.is_bound else [],
        "domain_error": domain_error,
    }
    return render(request, "dossiers/intake.html", context, status=status)


def _safe_preview(version: ProcedureVersion, unit: OrgUnit | None, now: datetime) -> DuePreview | str | None:
    if unit is None:
        return None
    try:
        return preview_due(version, unit, now)
    except InvalidDossierInput as exc:
        return exc.message


def _procedure_picker(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:200]
    found = list(search_procedures(q)[:20]) if q else []
    results = [
        {"p": p, "limit": limit_text(p.current_versions[0]) if p.current_versions else ""} for p in found
    ]
    context = {"query": q, "results": results, "error": error}
    if is_partial(request):
        return render(request, "dossiers/_procedure_choices.html", context, status=status)
    return render(request, "dossiers/intake_pick.html", context, status=status)


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
            exemptions=form.exemptions(),
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


@legacy_names(thu_tuc="procedure")
@login_required
@require_GET
def intake_due(request: HttpRequest) -> HttpResponse:
    """HTMX: the due moment for the procedure and the competent unit chosen, computed now."""
    user: User = request.user  # type: ignore[assignment]
    if not _intake_units(user).exists():
        return _not_one_stop(request)
    now = timezone.now()
    version = _version_in_force(request.GET.get("procedure", "").strip(), to_local(now).date())
    unit = None
    if version is not None:
        wanted = id_or_none(request.GET.get("competent_unit"))
        unit = (
            _competent_units(version, to_local(now).date()).filter(pk=wanted).first()
            if wanted is not None
            else None
        )
    preview = _safe_preview(version, unit, now) if version else None
    return render(request, "dossiers/_due_preview.html", {"preview": preview, "version": version})


@login_required
@require_GET
def intake_applicant(request: HttpRequest) -> HttpResponse:
    """HTMX: whether the applicant typed at the counter is already known (by CCCD or tax code)."""
    user: User = request.user  # type: ignore[assignment]
    if not _intake_units(user).exists():
        return _not_one_stop(request)
    # Only what intake needs, audited and limited per officer (NĐ 13/2023; dossiers/applicant_lookup.py).
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
    return render(request, "dossiers/_applicant.html", context, status=status)
