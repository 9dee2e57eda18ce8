"""Tables of dossiers that staff can export to Excel or CSV (see ``motcua.exports``).

Rows come from ``selectors.visible``: an export never holds a dossier its owner could not open.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import Procedure
from motcua.core.models import User
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.rules import STATE_LABELS, State
from motcua.dossiers.selectors import visible
from motcua.exports.registry import Column, ExportKind, check_period, local_days, register


class DossierListForm(forms.Form):
    received_from = forms.DateField(label=_("Tiếp nhận từ ngày"))
    received_to = forms.DateField(label=_("đến ngày"))
    state = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả"))] + [(s.value, STATE_LABELS[s]) for s in State],
    )
    procedure = forms.CharField(label=_("Mã thủ tục"), required=False, max_length=60)

    def clean_procedure(self) -> str:
        code = (self.cleaned_data.get("procedure") or "").strip()
        if code and not Procedure.objects.filter(code=code).exists():
            raise forms.ValidationError(gettext("Không có thủ tục mã %(code)s.") % {"code": code})
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_period(data.get("received_from"), data.get("received_to"))
        return data


def received_in_period(user: User, params: dict[str, Any]) -> QuerySet[Dossier]:
    start, end = local_days(params["received_from"], params["received_to"])
    qs = visible(user).filter(received_at__gte=start, received_at__lt=end)
    if params.get("state"):
        qs = qs.filter(state=params["state"])
    if params.get("procedure"):
        qs = qs.filter(procedure__code=params["procedure"])
    return qs


COLUMNS = (
    Column("Mã hồ sơ", width=24),
    Column("Mã thủ tục", width=14),
    Column("Tên thủ tục", width=48),
    Column("Chủ hồ sơ", width=28),
    Column("Kênh nộp", width=14),
    Column("Nơi tiếp nhận", width=30),
    Column("Đơn vị giải quyết", width=30),
    Column("Trạng thái", width=26),
    Column("Tiếp nhận lúc", "datetime", 17),
    Column("Hạn trả", "datetime", 17),
    Column("Kết thúc xử lý", "datetime", 17),
    Column("Trả kết quả lúc", "datetime", 17),
    Column("Đúng hạn", width=12),
)
_CHANNEL = {c.value: str(c.label) for c in Channel}
_STATE = {s.value: label for s, label in STATE_LABELS.items()}


def _timeliness(due: datetime | None, finished: datetime | None) -> str:
    if due is None or finished is None:
        return ""
    return "Đúng hạn" if finished <= due else "Trễ hạn"


def _rows(user: User, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    qs = received_in_period(user, params).order_by("received_at", "id")
    values = qs.values_list(
        "code",
        "procedure__code",
        "procedure__name",
        "applicant_name",
        "channel",
        "receiving_unit__name",
        "competent_unit__name",
        "state",
        "received_at",
        "due_at",
        "finished_at",
        "returned_at",
    )
    for (
        code,
        pcode,
        pname,
        applicant,
        channel,
        receiving,
        competent,
        state,
        rec,
        due,
        fin,
        ret,
    ) in values.iterator(chunk_size=2000):
        yield (
            code,
            pcode,
            pname,
            applicant,
            _CHANNEL.get(channel, ""),
            receiving,
            competent,
            _STATE.get(state, state),
            rec,
            due,
            fin,
            ret,
            _timeliness(due, fin),
        )


def describe_period(params: dict[str, Any]) -> str:
    parts = [
        "tiếp nhận từ "
        + date.fromisoformat(params["received_from"]).strftime("%d/%m/%Y")
        + " đến "
        + date.fromisoformat(params["received_to"]).strftime("%d/%m/%Y")
    ]
    if params.get("state"):
        parts.append(_STATE.get(params["state"], params["state"]).lower())
    if params.get("procedure"):
        parts.append("thủ tục " + params["procedure"])
    return ", ".join(parts)


DOSSIER_LIST = register(
    ExportKind(
        code="dossiers.list",
        title="Danh sách hồ sơ",
        columns=COLUMNS,
        form=DossierListForm,
        count=lambda user, params: received_in_period(user, params).count(),
        rows=_rows,
        describe=describe_period,
    )
)
