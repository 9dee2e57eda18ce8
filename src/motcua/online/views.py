"""The citizen's pages: submit online (draft, e-forms, documents, review), "Hồ sơ của tôi" (list, one
dossier with its history, documents, requests to answer and fees to pay) and "Kho dữ liệu của tôi"."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.catalogue import eform_render
from motcua.catalogue.fees import describe
from motcua.catalogue.models import DocumentType
from motcua.citizens import access
from motcua.citizens.models import Account
from motcua.core import throttle
from motcua.core.errors import DomainError, NotFound
from motcua.core.files import document_max_mb
from motcua.core.middleware import client_ip
from motcua.documents import uploads, warehouse
from motcua.dossiers import services as dossier_services
from motcua.dossiers import tracking
from motcua.dossiers.models import ResultDelivery
from motcua.feedback import forms as rating_forms
from motcua.feedback import services as ratings
from motcua.feedback.models import Channel, Rating
from motcua.online import services
from motcua.online.models import Draft
from motcua.payments import services as payments

MAX_UPLOAD_READ = 64 * 1024 * 1024  # never read more than this from one upload


def _me(request: HttpRequest) -> Account:
    account = access.current(request)
    assert account is not None  # citizen_required
    return account


def _not_found(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "online/problem.html", {"message": exc.message}, status=404)


def _problem(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = exc.status if 400 <= exc.status < 500 else 409
    return render(request, "online/problem.html", {"message": exc.message}, status=status)


def _limit(account: Account, what: str, most: int, window: int) -> str:
    """The message when the account has done ``what`` too often (uploads, submissions); empty otherwise."""
    wait = throttle.attempt([throttle.Limit(throttle.key(what, account.pk), most)], window)
    if wait:
        return _("Bạn đã thao tác quá nhiều lần; vui lòng thử lại sau %(m)s phút.") % {
            "m": throttle.minutes(wait)
        }
    return ""


def _read(upload: Any) -> bytes:
    if upload is None:
        return b""
    if upload.size and upload.size > MAX_UPLOAD_READ:
        raise uploads.UploadRefused(_("Tệp quá lớn."), code="upload_too_large")
    upload.seek(0)
    return bytes(upload.read(MAX_UPLOAD_READ + 1))


# -- submitting ------------------------------------------------------------------------------------


@access.citizen_required
def start(request: HttpRequest, code: str) -> HttpResponse:
    try:
        draft = services.start(_me(request), code, via_idp=access.via_identity_provider(request))
    except NotFound as exc:
        return _not_found(request, exc)
    except DomainError as exc:
        return _problem(request, exc)
    return HttpResponseRedirect(reverse("online:draft", args=[draft.token]))


def _draft_context(request: HttpRequest, draft: Draft) -> dict[str, Any]:
    me = draft.account
    forms = []
    for component in services.eform_components(draft.version):
        data, errors = services.form_state(draft, component)
        forms.append({"component": component, "filled": bool(data), "complete": bool(data) and not errors})
    given = draft.documents or {}
    items = {i.pk: i for i in services.visible_items(me).filter(pk__in=[v["item"] for v in given.values()])}
    usable = services.visible_items(me, usable=True)
    groups: list[dict[str, Any]] = []
    shown: list[Any] = []
    for component in services.document_components(draft.version):
        if component.role != component.Role.SUBMIT:
            shown.append(component)  # shown when the result is handed over, never uploaded
            continue
        chosen = given.get(str(component.pk))
        wanted = services.doc_type_of(component)
        entry = {
            "component": component,
            "item": items.get(int(chosen["item"])) if chosen else None,
            "reused": bool(chosen and chosen.get("reused")),
            "candidates": list(usable.filter(doc_type=wanted)[:10]) if wanted else [],
        }
        group = component.alternative_group
        if group and groups and groups[-1]["group"] == group:
            groups[-1]["documents"].append(entry)
        else:
            groups.append({"group": group, "documents": [entry]})
    return {
        "draft": draft,
        "version": draft.version,
        "forms": forms,
        "groups": groups,
        "documents": [d for g in groups for d in g["documents"]],
        "to_show": shown,
        "places": services.places(draft.version, timezone.localdate()),
        "place": services.place_of(draft),
        "deliveries": [
            (ResultDelivery.ONLINE, _("Nhận kết quả điện tử trên Cổng (bản điện tử có chữ ký số)")),
            (ResultDelivery.COUNTER, _("Nhận tại Bộ phận Một cửa")),
            (ResultDelivery.POST, _("Nhận qua bưu chính công ích")),
        ],
        "fees": [(f.name, describe(f)) for f in draft.version.fees.all()],
        "accept": uploads.ACCEPT,
        "max_mb": document_max_mb(),
    }


def open_draft(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The signed-in citizen's draft named by ``token`` for ``view(request, draft)``: another's or a
    missing one is "not found"; a submitted one sends the citizen to its dossier."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        try:
            draft = services.draft_for(_me(request), token)
        except NotFound as exc:
            return _not_found(request, exc)
        if draft.dossier_id is not None:
            return HttpResponseRedirect(reverse("online:mine_detail", args=[draft.dossier.code]))
        return view(request, draft)

    return wrapped


@access.citizen_required
@require_http_methods(["GET", "POST"])
@open_draft
def draft_page(request: HttpRequest, draft: Draft) -> HttpResponse:
    me = _me(request)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "choices":
                services.save_choices(
                    draft,
                    place=request.POST.get("place", ""),
                    delivery=request.POST.get("delivery", ""),
                    address=request.POST.get("address", ""),
                )
                messages.success(request, _("Đã lưu nơi nộp và cách nhận kết quả."))
            elif action == "upload":
                problem = _limit(me, "citizen-upload", 60, 3600)
                if problem:
                    raise uploads.UploadRefused(problem, code="too_many_uploads", status=429)
                component = services.component_of(draft, request.POST.get("component"))
                services.attach_upload(draft, component, _read(request.FILES.get("file")))
                messages.success(
                    request,
                    _("Đã đính kèm và lưu vào kho dữ liệu của bạn: %(n)s.") % {"n": component.name[:80]},
                )
            elif action == "pick":
                component = services.component_of(draft, request.POST.get("component"))
                services.attach_item(draft, component, request.POST.get("item", ""))
                messages.success(
                    request, _("Đã dùng giấy tờ trong kho dữ liệu cho: %(n)s.") % {"n": component.name[:80]}
                )
            elif action == "detach":
                services.detach(draft, services.component_of(draft, request.POST.get("component")))
            return HttpResponseRedirect(reverse("online:draft", args=[draft.token]))
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status if 400 <= exc.status < 500 else 400
        draft = services.draft_for(me, str(draft.token))
    return render(request, "online/draft.html", _draft_context(request, draft), status=status)


@access.citizen_required
@require_http_methods(["GET", "POST"])
def eform_page(request: HttpRequest, token: str, component_id: str) -> HttpResponse:
    me = _me(request)
    try:
        draft = services.draft_for(me, token)
        component = services.component_of(draft, component_id)
    except NotFound as exc:
        return _not_found(request, exc)
    if draft.dossier_id is not None or not component.eform_schema:
        return HttpResponseRedirect(reverse("online:draft", args=[draft.token]))
    show_errors = False
    if request.method == "POST":
        posted = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "save")}
        draft = services.save_form(draft, component, posted)
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "online/_saved.html", {"at": timezone.localtime()})
        _data, errors = services.form_state(draft, component)
        if not errors:
            messages.success(request, _("Đã lưu tờ khai."))
            return HttpResponseRedirect(reverse("online:draft", args=[draft.token]))
        show_errors = True
    data, errors = services.form_state(draft, component)
    items = eform_render.fields(
        component.eform_schema,
        data,
        errors if show_errors else {},
        prefilled=set((draft.prefilled or {}).get(str(component.pk), [])),
    )
    return render(
        request,
        "online/eform.html",
        {
            "draft": draft,
            "component": component,
            "fields": items,
            "errors": [(f, f.error) for f in eform_render.iter_fields(items) if f.error],
        },
        status=400 if show_errors else 200,
    )


@access.citizen_required
@require_http_methods(["GET", "POST"])
@open_draft
def review(request: HttpRequest, draft: Draft) -> HttpResponse:
    me = _me(request)
    found = services.problems(draft)
    status = 200
    if request.method == "POST":
        problem = _limit(me, "citizen-submit", 30, 3600)
        if problem:
            messages.error(request, problem)
            status = 429
        else:
            try:
                dossier = services.submit(draft, via_idp=access.via_identity_provider(request))
            except DomainError as exc:
                messages.error(request, exc.message)
                status = exc.status if 400 <= exc.status < 500 else 409
            else:
                messages.success(
                    request, _("Đã nộp hồ sơ. Mã hồ sơ của bạn: %(code)s.") % {"code": dossier.code}
                )
                return HttpResponseRedirect(reverse("online:mine_detail", args=[dossier.code]))
    summary = []
    for component in services.eform_components(draft.version):
        data, _errors = services.form_state(draft, component)
        summary.append(
            {
                "component": component,
                "fields": list(
                    eform_render.iter_fields(eform_render.fields(component.eform_schema, data, {}))
                ),
            }
        )
    context = _draft_context(request, draft)
    context.update({"problems": found, "summary": summary})
    return render(request, "online/review.html", context, status=status)


# -- my dossiers ----------------------------------------------------------------------------------


@access.citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    dossiers = list(
        services.visible_dossiers(me)
        .select_related("procedure_version", "receiving_unit")
        .order_by("-submitted_at")[:100]
    )
    drafts = list(services.drafts_of(me).filter(dossier__isnull=True).order_by("-updated_at")[:20])
    return render(
        request,
        "online/mine.html",
        {"me": me, "dossiers": dossiers, "drafts": drafts, "status_text": tracking.NATIONAL_STATUS_LABELS},
    )


@access.citizen_required
def mine_detail(request: HttpRequest, code: str) -> HttpResponse:
    me = _me(request)
    try:
        dossier = services.dossier_for(me, code)
    except NotFound as exc:
        return _not_found(request, exc)
    found = tracking.history_of(dossier)
    request_now = dossier_services.open_request(dossier)
    offer = payments.offer(dossier.code)
    items = list(services.visible_items(me).filter(dossier=dossier))
    return render(
        request,
        "online/mine_detail.html",
        {
            "dossier": dossier,
            "tracked": found,
            "request_now": request_now,
            "offer": offer,
            "results": items,
            "components": list(dossier.components.order_by("id")),
            "candidates": list(services.visible_items(me, usable=True)[:30]),
            "accept": uploads.ACCEPT,
            "rateable": ratings.rateable(dossier),
            "rating": Rating.objects.filter(dossier_id=dossier.pk).first(),
        },
    )


@access.citizen_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant rates a returned dossier of theirs (NĐ 61/2018 Điều 31), once."""
    me = _me(request)
    try:
        dossier = services.dossier_for(me, code)
    except NotFound as exc:
        return _not_found(request, exc)
    back = reverse("online:mine_detail", args=[dossier.code])
    if not ratings.rateable(dossier):
        messages.info(request, _("Hồ sơ này chưa trả kết quả hoặc đã được đánh giá."))
        return HttpResponseRedirect(back)
    posted = request.POST if request.method == "POST" else None
    context = {"dossier": dossier, "back": back, **rating_forms.context(posted)}
    if request.method == "POST":
        problem = _limit(me, "citizen-rating", 30, 3600)
        if problem:
            context["error"] = problem
            return render(request, "feedback/rate.html", context, status=429)
        try:
            ratings.rate(dossier, channel=Channel.ONLINE, account_id=me.pk, **rating_forms.read(request.POST))
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "feedback/rate.html", context, status=exc.status)
        messages.success(request, _("Cảm ơn ông/bà đã đánh giá. Ý kiến đã được gửi tới cơ quan giải quyết."))
        return HttpResponseRedirect(back)
    return render(request, "feedback/rate.html", context)


@access.citizen_required
@require_POST
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    me = _me(request)
    try:
        dossier = services.dossier_for(me, code)
    except NotFound as exc:
        return _not_found(request, exc)
    problem = _limit(me, "citizen-upload", 60, 3600)
    if problem:
        messages.error(request, problem)
        return HttpResponseRedirect(reverse("online:mine_detail", args=[code]))
    try:
        services.supplement(
            me,
            dossier,
            files=[_read(f) for f in request.FILES.getlist("files")[:10]],
            picks=request.POST.getlist("items")[:10],
            note=request.POST.get("note", ""),
            expected_version=_int(request.POST.get("version")),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi hồ sơ bổ sung."))
    return HttpResponseRedirect(reverse("online:mine_detail", args=[code]))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


@access.citizen_required
@require_POST
def pay(request: HttpRequest, code: str) -> HttpResponse:
    me = _me(request)
    try:
        dossier = services.dossier_for(me, code)
        back = request.build_absolute_uri(reverse("payments:back"))
        _payment, url = payments.start_online(dossier.code, return_url=back, ip=client_ip(request))
    except NotFound as exc:
        return _not_found(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("online:mine_detail", args=[code]))
    # a page that moves on to the gateway by itself: a redirect answering this form would be blocked by
    # the Content-Security-Policy ``form-action 'self'`` (payments.views.start does the same)
    return render(request, "payments/redirect.html", {"url": url})


# -- my data warehouse -----------------------------------------------------------------------------


@access.citizen_required
@require_http_methods(["GET", "POST"])
def warehouse_page(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    status = 200
    types = list(DocumentType.objects.order_by("name"))
    if request.method == "POST":
        problem = _limit(me, "citizen-upload", 60, 3600)
        try:
            if problem:
                raise uploads.UploadRefused(problem, code="too_many_uploads", status=429)
            wanted = request.POST.get("doc_type", "")
            if wanted and not any(t.code == wanted for t in types):
                raise uploads.UploadRefused(_("Loại giấy tờ không hợp lệ."), code="doc_type")
            warehouse.keep_upload(
                services.party(me),
                _read(request.FILES.get("file")),
                title=request.POST.get("title", ""),
                doc_type=wanted,
                account_id=me.pk,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status if 400 <= exc.status < 500 else 400
        else:
            messages.success(request, _("Đã lưu giấy tờ vào kho dữ liệu của bạn."))
            return HttpResponseRedirect(reverse("online:warehouse"))
    items = list(services.visible_items(me).select_related("dossier")[:200])
    names = {t.code: t.name for t in types}
    return render(
        request,
        "online/warehouse.html",
        {"items": items, "types": types, "names": names, "accept": uploads.ACCEPT, "me": me},
        status=status,
    )


@access.citizen_required
def warehouse_file(request: HttpRequest, item_id: str) -> HttpResponse:
    me = _me(request)
    item = services.visible_items(me).filter(pk=_int(item_id)).first()
    if item is None:
        return _not_found(request, NotFound(_("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn.")))
    response = FileResponse(iter([warehouse.content(item)]), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="{warehouse.file_name(item)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@access.citizen_required
@require_POST
def warehouse_remove(request: HttpRequest, item_id: str) -> HttpResponse:
    me = _me(request)
    item = services.visible_items(me).filter(pk=_int(item_id)).first()
    if item is None:
        return _not_found(request, NotFound(_("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn.")))
    try:
        warehouse.remove(services.party(me), item.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gỡ giấy tờ khỏi kho dữ liệu."))
    return HttpResponseRedirect(reverse("online:warehouse"))
