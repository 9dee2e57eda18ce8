"""The operators' screen of the outbox: each receiving system's state, the messages (filter by channel,
kind, state, dossier code), and replay — for administrators only. Every replay is audited
(``delivery.replay``)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from motcua.core.permissions import is_administrator
from motcua.integrations import delivery, registry, selectors

PAGE = 50
NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits: "²".isdigit() is True, int("²") fails
STATUS_FILTERS = {
    "pending": gettext_lazy("Chờ gửi"),
    "retrying": gettext_lazy("Đang gửi lại sau lỗi"),
    "delivered": gettext_lazy("Đã gửi, được xác nhận"),
    "dead": gettext_lazy("Gửi lỗi, chờ xử lý"),
}


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staff/forbidden.html",
        {"message": _("Trang này dành cho quản trị hệ thống.")},
        status=403,
    )


def _filters(data: dict[str, str]) -> dict[str, str]:
    channel = (data.get("channel") or "").strip()
    topic = (data.get("topic") or "").strip()
    status = (data.get("status") or "").strip()
    return {
        "channel": channel if channel in {c.name for c in registry.channels()} else "",
        "topic": topic if topic in registry.TOPIC_LABELS else "",
        "status": status if status in STATUS_FILTERS else "",
        "key": (data.get("key") or "").strip()[:80],
    }


@login_required
@require_GET
def messages_page(request: HttpRequest) -> HttpResponse:
    if not is_administrator(request.user):  # type: ignore[arg-type]
        return _forbidden(request)
    chosen = _filters(request.GET)  # type: ignore[arg-type]
    qs = selectors.messages(**chosen)
    before = request.GET.get("truoc", "")
    if NUMBER.fullmatch(before):
        qs = qs.filter(pk__lt=int(before))
    rows = list(qs[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    context = {
        "overview": selectors.overview(),
        "rows": [
            {
                "m": m,
                "kind": registry.TOPIC_LABELS.get(m.topic, m.topic),
                "state": delivery.message_state(m),
                "channel": (registry.channel_of(m.topic) or registry.CHANNELS[0]).name,
            }
            for m in rows
        ],
        "filters": chosen,
        "channels": registry.channels(),
        "topics": registry.TOPIC_LABELS,
        "statuses": STATUS_FILTERS,
        "next": urlencode({**chosen, "truoc": rows[-1].pk}) if more else "",
    }
    return render(request, "integrations/messages.html", context)


@login_required
@require_POST
def replay_view(request: HttpRequest) -> HttpResponse:
    if not is_administrator(request.user):  # type: ignore[arg-type]
        return _forbidden(request)
    channel = request.POST.get("channel", "")
    if channel not in {c.name for c in registry.channels()}:
        return render(
            request, "staff/forbidden.html", {"message": _("Không có kênh kết nối này.")}, status=400
        )
    what = request.POST.get("what", "")
    # The request's writes are attributed to the signed-in user (core.middleware.AuditActorMiddleware).
    if what == "dead":
        count = delivery.replay(channel, dead_only=True)
    elif what == "message" and NUMBER.fullmatch(request.POST.get("id", "")):
        count = delivery.replay(channel, ids=[int(request.POST["id"])])
    elif what == "now":
        count = delivery.retry_now([registry.channel(channel)])
    else:
        return render(request, "staff/forbidden.html", {"message": _("Yêu cầu không hợp lệ.")}, status=400)
    flash.success(request, _("Đã đưa %(count)s thông điệp về hàng đợi để gửi ngay.") % {"count": count})
    return redirect(reverse("integrations:messages") + "?" + urlencode({"channel": channel}))
