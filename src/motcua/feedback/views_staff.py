"""Staff pages of ratings (/can-bo/danh-gia/): the ratings of one's units, the "not satisfied" ones a
head has to review, a paper form entered at the counter, and the counter's rating tablets (create,
pair, revoke, offer the dossier just returned).

Scope: a rating is seen by the staff of its competent or its receiving unit (any role, subtrees
included); a review is recorded by a head (unit or agency leader) of the competent unit; tablets are
run by the one-stop officers and heads of their counter. Bad input is a Vietnamese message and a 4xx.
"""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, User
from motcua.core.permissions import scope, unit_ids
from motcua.dossiers import selectors as dossier_selectors
from motcua.feedback import forms, selectors, services
from motcua.feedback.models import Channel, Kiosk, Rating
from motcua.workdays.domain import TZ

PAGE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def visible_ratings(user: User):  # type: ignore[no-untyped-def]
    """The ratings of the units the user works in (competent or receiving unit)."""
    mine = scope(user)
    return Rating.objects.filter(mine.q("unit") | mine.q("receiving_unit"))


def to_review(user: User):  # type: ignore[no-untyped-def]
    """ "Not satisfied" ratings of the units the user heads, not reviewed yet."""
    led = scope(user, services.HEADS)
    return Rating.objects.filter(led.q("unit"), satisfied=False, reviewed_at__isnull=True)


@login_required
def ratings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    shown = request.GET.get("loai", "")
    rows = visible_ratings(user)
    if shown == "khong-hai-long":
        rows = rows.filter(satisfied=False)
    elif shown == "cho-xem-xet":
        rows = to_review(user)
    rows = rows.select_related("dossier", "dossier__procedure_version", "unit", "officer", "reviewed_by")
    page = Paginator(rows.order_by("-rated_at", "-id"), PAGE).get_page(request.GET.get("trang"))
    labels = {item.code: item.label for item in services.items()}
    levels = {level.code: level.label for level in services.scale()}
    channels = dict(Channel.choices)
    context = {
        "page": page,
        "rows": [
            {
                "r": r,
                "channel": channels.get(r.channel, r.channel),
                "details": [(labels.get(c, c), levels.get(v, v)) for c, v in (r.answers or {}).items()],
            }
            for r in page.object_list
        ],
        "shown": shown,
        "waiting": to_review(user).count(),
        "month": _this_month(user),
        "may_review": set(
            to_review(user).filter(pk__in=[r.pk for r in page.object_list]).values_list("pk", flat=True)
        ),
    }
    return render(request, "feedback/staff_ratings.html", context)


def _this_month(user: User) -> dict[str, object]:
    """This month's ratings of the user's units (the same function as the public page)."""
    today = timezone.localdate()
    start = datetime.combine(today.replace(day=1), time.min, tzinfo=TZ)
    return {"label": f"{today:%m/%Y}", "total": selectors.summary(start, timezone.now(), unit_ids(user))[0]}


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    rating = visible_ratings(user).select_related("unit").filter(pk=pk).first()
    if rating is None:
        return render(request, "staff/not_found.html", {"message": "Không tìm thấy đánh giá."}, status=404)
    try:
        services.review(rating, by=user, note=request.POST.get("ket_qua", "")[:3000])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("feedback:ratings") + "?loai=cho-xem-xet")
    messages.success(request, f"Đã ghi nhận kết quả xem xét đánh giá hồ sơ {rating.dossier.code}.")
    return redirect(reverse("feedback:ratings") + "?loai=cho-xem-xet")


@login_required
@require_http_methods(["GET", "POST"])
def paper(request: HttpRequest) -> HttpResponse:
    """A paper rating form entered by the officer: the dossier's code, then the citizen's answers."""
    user = _user(request)
    code = (request.POST.get("ma") or request.GET.get("ma") or "").strip()[:60]
    posted = request.POST if request.method == "POST" else None
    context: dict[str, object] = {"code": code, **forms.context(posted)}
    if not code:
        return render(request, "feedback/staff_paper.html", context)
    dossier = (
        dossier_selectors.visible(user)
        .select_related("procedure_version", "competent_unit")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        context["error"] = f"Không tìm thấy hồ sơ {code} trong các đơn vị của bạn."
        return render(request, "feedback/staff_paper.html", context, status=404)
    context["dossier"] = dossier
    if not services.rateable(dossier):
        context["error"] = "Hồ sơ chưa trả kết quả hoặc đã được đánh giá."
        return render(request, "feedback/staff_paper.html", {**context, "dossier": None}, status=409)
    if request.method == "POST" and request.POST.get("hai_long") is not None:
        try:
            services.rate(dossier, channel=Channel.PAPER, entered_by=user, **forms.read(request.POST))
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "feedback/staff_paper.html", context, status=exc.status)
        messages.success(request, f"Đã nhập phiếu đánh giá của hồ sơ {dossier.code}.")
        return redirect("feedback:ratings")
    return render(request, "feedback/staff_paper.html", context)


# -- the counter's tablets ---------------------------------------------------------------------------


def _counters(user: User) -> list[OrgUnit]:
    mine = scope(user)
    units = OrgUnit.objects.filter(mine.q(""), valid_to__isnull=True).order_by("path")
    return [u for u in units if services.may_run_kiosks(user, u)]


@login_required
@require_http_methods(["GET", "POST"])
def kiosks(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    counters = _counters(user)
    context: dict[str, object] = {"kiosks": services.kiosks_for(user), "counters": counters}
    if request.method == "POST":
        unit = next((u for u in counters if str(u.pk) == request.POST.get("don_vi", "")), None)
        if unit is None:
            context["error"] = "Chọn bộ phận một cửa nơi đặt máy."
            return render(request, "feedback/staff_kiosks.html", context, status=400)
        try:
            kiosk, secret = services.create_kiosk(unit, request.POST.get("ten", ""), by=user)
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "feedback/staff_kiosks.html", context, status=exc.status)
        context["kiosks"] = services.kiosks_for(user)
        context["created"] = kiosk
        context["pair_url"] = request.build_absolute_uri(reverse("feedback:kiosk_pair", args=[secret]))
    return render(request, "feedback/staff_kiosks.html", context)


@login_required
@require_POST
def kiosk_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    kiosk = next((k for k in services.kiosks_for(user) if k.pk == pk), None)
    if kiosk is None:
        return render(
            request, "staff/not_found.html", {"message": "Không tìm thấy máy đánh giá."}, status=404
        )
    services.revoke_kiosk(kiosk, by=user)
    messages.success(request, f"Đã thu hồi máy đánh giá “{kiosk.name}”.")
    return redirect("feedback:kiosks")


@login_required
@require_POST
def invite(request: HttpRequest, code: str) -> HttpResponse:
    """ "Mời đánh giá tại quầy": the dossier just returned goes to the chosen tablet of the counter."""
    user = _user(request)
    back = reverse("dossiers:detail", args=[code])
    dossier = dossier_selectors.visible(user).filter(code=code).first()
    kiosk: Kiosk | None = next(
        (k for k in services.kiosks_for(user) if str(k.pk) == request.POST.get("may", "")), None
    )
    if dossier is None or kiosk is None:
        messages.error(request, "Chọn máy đánh giá của quầy bạn làm việc.")
        return redirect(back)
    try:
        services.bind(kiosk, dossier, by=user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, f"Máy “{kiosk.name}” đang mời người dân đánh giá hồ sơ {dossier.code}.")
    return redirect(back)
