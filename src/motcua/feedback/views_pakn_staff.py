"""The officers' workspace of feedback and complaints (/can-bo/phan-anh-kien-nghi/): the items of the
units one handles, with the limit of the step they wait for; an item's page with the sender's contact
(staff only), its history and the actions — transfer, request information, reject, answer, publish.

Scope: an item is seen and handled by staff holding a handling role in its current unit (or above it);
after a transfer it leaves the first unit's list. Bad input is a Vietnamese message and a 4xx.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.core.errors import DomainError
from motcua.core.models import OrgUnit, User
from motcua.core.permissions import scope
from motcua.feedback import pakn
from motcua.feedback.models import Pakn, PaknEvent, Status

PAGE = 50
ACTIONS = {"chuyen", "bo-sung", "tu-choi", "tra-loi", "cong-khai"}
SHOWN = {"": pakn.OPEN, "da-tra-loi": (Status.ANSWERED,), "tat-ca": tuple(Status.values)}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def handled_by(user: User):  # type: ignore[no-untyped-def]
    return Pakn.objects.filter(scope(user, pakn.HANDLERS).q("unit"))


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    shown = request.GET.get("loai", "")
    states = SHOWN.get(shown, pakn.OPEN)
    rows = handled_by(user).filter(status__in=states).select_related("unit").order_by("clock_from", "id")
    page = Paginator(rows, PAGE).get_page(request.GET.get("trang"))
    now = timezone.now()
    items = []
    for item in page.object_list:
        due = pakn.due(item)
        if item.status in pakn.OPEN or item.status == Status.ANSWERED:  # the step it waits for
            limit = due.publish if item.status == Status.ANSWERED else due.handle
            items.append({"p": item, "due": limit, "late": limit is not None and limit < now})
        else:  # closed: whether it was handled in time (766 indicator 5.2)
            items.append({"p": item, "due": None, "late": not pakn.on_time(item, now)})
    return render(request, "feedback/pakn_queue.html", {"page": page, "items": items, "shown": shown})


@login_required
def item(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    found = handled_by(user).select_related("unit", "dossier", "answered_by").filter(code=code[:30]).first()
    if found is None:
        message = "Không tìm thấy phản ánh, kiến nghị này trong các đơn vị bạn xử lý."
        return render(request, "staff/not_found.html", {"message": message}, status=404)
    events = PaknEvent.objects.filter(pakn=found).select_related("actor", "from_unit", "to_unit")
    units = OrgUnit.objects.filter(valid_to__isnull=True).exclude(pk=found.unit_id).order_by("path")
    history = [(e, pakn.EVENT_LABELS.get(e.action, e.action)) for e in events]
    context = {"p": found, "due": pakn.due(found), "events": history, "units": units}
    return render(request, "feedback/pakn_item.html", context)


@login_required
@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user = _user(request)
    found = handled_by(user).filter(code=code[:30]).first()
    if found is None or action not in ACTIONS:
        message = "Không tìm thấy phản ánh, kiến nghị này trong các đơn vị bạn xử lý."
        return render(request, "staff/not_found.html", {"message": message}, status=404)
    text = request.POST.get("noi_dung", "")[:6000]
    try:
        if action == "chuyen":
            target = OrgUnit.objects.filter(pk=request.POST.get("don_vi") or 0, valid_to__isnull=True).first()
            if target is None:
                raise pakn.PaknRefused("Chọn đơn vị nhận.")
            pakn.transfer(found, target, by=user, note=text)
            messages.success(request, f"Đã chuyển {found.code} tới {target.name}.")
            return redirect("feedback:pakn_queue")
        if action == "bo-sung":
            pakn.request_info(found, by=user, note=text)
        elif action == "tu-choi":
            pakn.reject(found, by=user, reason=text)
        elif action == "tra-loi":
            pakn.answer(found, by=user, text=text)
        else:
            pakn.publish(found, by=user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("feedback:pakn_item", code=found.code)
    messages.success(request, f"Đã cập nhật {found.code}.")
    return redirect("feedback:pakn_item", code=found.code)
