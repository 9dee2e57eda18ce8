"""TT 01/2018 Mẫu 06, Sổ theo dõi hồ sơ: the register of the dossiers a one-stop unit received, as an
export (``motcua.exports``: Excel or CSV, large ones in the background).

One row per dossier received in the period, in order of receipt, with the columns of the register:
who, what, when received, the date promised, when handed to the competent unit, when the result came —
in the column "trước hạn", "đúng hạn" or "quá hạn" — and when it was returned; the last column is left
for the signature of the person receiving the result. "On time" is the late list's reading
(``dossiers.ontime.judge_now``: the end against the statutory due restarted by supplements); "trước
hạn" is on time and a day or more before the due day.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from motcua.core.models import User
from motcua.dossiers import ontime
from motcua.dossiers.exports import DossierListForm, describe_period, received_in_period
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.rules import Action
from motcua.exports.registry import Column, ExportKind, register
from motcua.workdays.domain.calendar import to_local

CHUNK = 1000

COLUMNS = (
    Column("STT", "int", 6),
    Column("Mã hồ sơ", width=26),
    Column("Tên thủ tục hành chính", width=44),
    Column("Số lượng hồ sơ (bộ)", "int", 10),
    Column("Tên cá nhân, tổ chức", width=28),
    Column("Địa chỉ, số điện thoại", width=36),
    Column("Cơ quan chủ trì giải quyết", width=30),
    Column("Nhận hồ sơ (giờ, ngày)", "datetime", 17),
    Column("Hẹn trả kết quả", "datetime", 17),
    Column("Chuyển hồ sơ đến cơ quan giải quyết", "datetime", 17),
    Column("Có kết quả: trước hạn", "datetime", 17),
    Column("Có kết quả: đúng hạn", "datetime", 17),
    Column("Có kết quả: quá hạn", "datetime", 17),
    Column("Trả kết quả cho cá nhân, tổ chức", "datetime", 17),
    Column("Ký nhận", width=14),
)


def _handed_over(ids: Sequence[int]) -> dict[int, datetime]:
    """The first hand-over of each dossier (one query a chunk)."""
    found: dict[int, datetime] = {}
    for pk, at in (
        DossierEvent.objects.filter(dossier_id__in=list(ids), action=Action.HAND_OVER)
        .order_by("dossier_id", "seq")
        .values_list("dossier_id", "at")
    ):
        found.setdefault(pk, at)
    return found


def _contact(d: Dossier) -> str:
    holder = d.applicant_person or d.applicant_organisation
    parts = [getattr(holder, "address", "") or "", getattr(holder, "phone", "") or ""]
    return "; ".join(p for p in parts if p)


def result_columns(d: Dossier, verdict: ontime.Timeliness | None) -> tuple[Any, Any, Any]:
    """The moment the result came, in the register's column: (trước hạn, đúng hạn, quá hạn)."""
    if verdict is None or not verdict.ended or d.finished_at is None:
        return (None, None, None)
    if not verdict.on_time:
        return (None, None, d.finished_at)
    due = verdict.compared_due
    if due is not None and to_local(verdict.end).date() < to_local(due).date():
        return (d.finished_at, None, None)
    return (None, d.finished_at, None)


def _rows(user: User, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    qs: QuerySet[Dossier] = (
        received_in_period(user, params)
        .select_related("procedure", "competent_unit", "applicant_person", "applicant_organisation")
        .order_by("received_at", "id")
    )
    now = timezone.now()
    number = 0
    chunk: list[Dossier] = []

    def flush() -> Iterator[Sequence[Any]]:
        nonlocal number
        ids = [d.pk for d in chunk]
        waits = ontime.waits_of(ids)
        handed = _handed_over(ids)
        for d in chunk:
            number += 1
            verdict = ontime.judge_now(d, now, waits.get(d.pk, ())) if d.due_at else None
            yield (
                number,
                d.code,
                d.procedure.name,
                1,
                d.applicant_name,
                _contact(d),
                d.competent_unit.name,
                d.received_at,
                d.promised_at or d.due_at,
                handed.get(d.pk),
                *result_columns(d, verdict),
                d.returned_at,
                "",
            )
        chunk.clear()

    for dossier in qs.iterator(chunk_size=CHUNK):
        chunk.append(dossier)
        if len(chunk) >= CHUNK:
            yield from flush()
    if chunk:
        yield from flush()


REGISTER = register(
    ExportKind(
        code="documents.register",
        title="Sổ theo dõi hồ sơ (Mẫu 06)",
        columns=COLUMNS,
        form=DossierListForm,
        count=lambda user, params: received_in_period(user, params).count(),
        rows=_rows,
        describe=describe_period,
    )
)
