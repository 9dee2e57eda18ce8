"""What the dossier screens share: times in words, the clock's look, the pages that say no."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from motcua.catalogue.models import ProcedureVersion
from motcua.dossiers.clock import RUNNING, ClockReading, ClockState
from motcua.workdays.domain import Calendar, to_local
from motcua.workdays.forms import UNIT_CHOICE_LABELS

STEP_RESULT_TEXT = {
    "early": gettext_lazy("trước hạn"),
    "on_time": gettext_lazy("đúng hạn"),
    "late": gettext_lazy("trễ hạn"),
}


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


def moment(value: datetime | None) -> str:
    return "" if value is None else f"{to_local(value):%H:%M %d/%m/%Y}"


def step_result_text(result: str) -> str:
    return _("đang xử lý") if result == RUNNING else str(STEP_RESULT_TEXT.get(result, ""))


def limit_text(version: ProcedureVersion) -> str:
    """The version's time limit in words: "3 ngày làm việc"."""
    label = UNIT_CHOICE_LABELS.get(version.time_limit_unit, version.get_time_limit_unit_display())
    if version.time_limit_unit == "same_day":
        return str(label)
    value = Decimal(version.time_limit_value).normalize()
    return f"{value:f} {label}"


@dataclass(frozen=True)
class Clock:
    """What a dossier's deadline looks like now: a kind (for colour), a text and an icon (so that the
    colour is never the only signal)."""

    kind: str  # ok | soon | over | paused | done | late | none
    text: str
    icon: str


def clock_view(reading: ClockReading, calendar: Calendar) -> Clock:
    """The clock of ``dossiers.clock.read_clock`` in words."""
    state = reading.state
    if state is ClockState.NOT_RECEIVED:
        return Clock("none", _("Chưa tiếp nhận"), "bi-dash-circle")
    if state is ClockState.NO_DUE:
        return Clock("none", "—", "bi-dash-circle")
    if state is ClockState.PAUSED:
        return Clock("paused", _("Tạm dừng, chờ bổ sung"), "bi-pause-circle")
    if state is ClockState.DONE:
        return Clock("done", _("Xong đúng hạn"), "bi-check-circle")
    time = duration(calendar, reading.seconds)
    if state is ClockState.LATE:
        return Clock("late", _("Xong, trễ hạn %(time)s") % {"time": time}, "bi-check-circle")
    if state is ClockState.OVER:
        return Clock("over", _("Quá hạn %(time)s") % {"time": time}, "bi-exclamation-octagon-fill")
    if state is ClockState.SOON:
        return Clock("soon", _("Còn %(time)s") % {"time": time}, "bi-hourglass-split")
    return Clock("ok", _("Còn %(time)s") % {"time": time}, "bi-clock")


def not_found(request: HttpRequest, code: str) -> HttpResponse:
    message = _("Không tìm thấy hồ sơ có mã %(code)s, hoặc hồ sơ không thuộc phạm vi của bạn.") % {
        "code": code
    }
    return render(request, "dossiers/not_found.html", {"message": message}, status=404)


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "staff/forbidden.html", {"message": message}, status=403)


def is_partial(request: HttpRequest) -> bool:
    """An HTMX request for a part of the page (not a boosted link, not a restore of the history)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def query(request: HttpRequest, **changes: Any) -> str:
    """The current query string with some parameters changed (None removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
