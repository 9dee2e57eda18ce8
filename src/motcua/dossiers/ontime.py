"""On-time verdicts of stored dossiers: the reading in force and the facts, for one dossier or a few.

``dossiers.timeliness.judge`` is the one on-time rule (pure). This module gives it what it needs from
the store and the rules:

- the two configurable readings of the supplement wait, ``timeliness.basis_766`` and
  ``timeliness.basis_late_list`` — defined here (``RULE_DEFINITIONS``, registered with ``core.rules``
  when the dossiers app is ready) and read with ``basis_766(day)`` / ``basis_late_list(day)``;
- ``waits_of`` / ``waits_from``: the supplement requests; ``history_of``: one dossier's history;
- ``judge_now``: the verdict on one dossier now by the late-list reading (the dossier page, the lists).

``evaluation.ontime`` re-exports these and adds the batch readings the measures count with.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from motcua.core.rules import RuleDefinition, choice, rule_value
from motcua.dossiers.models import Dossier, Supplement
from motcua.dossiers.rules import State
from motcua.dossiers.timeliness import Basis, History, Timeliness, Wait, judge
from motcua.workdays.domain import to_local

# States in which processing has ended (the projection's ``finished_at`` is the end moment).
ENDED = frozenset(
    {State.RESULT_READY, State.RETURNED, State.STOPPED, State.REFUSED_AFTER_APPRAISAL, State.WITHDRAWN}
)
# National statuses of a dossier that ended with a result: Đã xử lý xong; Đã trả kết quả.
COMPLETED = frozenset({9, 10})

RULE_766 = "timeliness.basis_766"
RULE_LATE_LIST = "timeliness.basis_late_list"

RULE_DEFINITIONS: tuple[RuleDefinition, ...] = (
    RuleDefinition(
        RULE_766,
        "Cách trừ thời gian chờ bổ sung khi xét đúng hạn cho Bộ chỉ số 766 (và tỷ lệ đúng hạn "
        "trên bảng chỉ số điều hành, báo cáo định kỳ, chấm điểm TT 01)",
        "national",
        "Mô tả công thức chỉ số 2.1 của Cổng DVCQG (F766): thời điểm kết thúc trừ thời gian chờ bổ sung, "
        "so với hạn trả trước lần yêu cầu bổ sung đầu tiên (national); biến thể “statutory”: so với "
        "hạn đã tính lại, không trừ. Việc áp dụng cho TT 01 và báo cáo định kỳ chưa có văn bản xác nhận",
        False,
        choice("national", "statutory"),
    ),
    RuleDefinition(
        RULE_LATE_LIST,
        "Cách xét quá hạn cho danh sách hồ sơ trễ hạn, hộp “quá hạn” và trang hồ sơ",
        "statutory",
        "NĐ 61/2018/NĐ-CP Điều 19.4: thời hạn tính lại từ khi nhận đủ hồ sơ bổ sung, nên so với hạn "
        "đã tính lại và không trừ thêm (statutory); biến thể “national” theo F766",
        True,
        choice("national", "statutory"),
    ),
)


def basis_766(day: date) -> Basis:
    """The reading of the supplement wait for 766 2.1 and the rates published beside it, on ``day``."""
    return Basis(rule_value(RULE_766, day))


def basis_late_list(day: date) -> Basis:
    """The reading for the late list, the dossier page and the staff boxes, on ``day``."""
    return Basis(rule_value(RULE_LATE_LIST, day))


def waits_of(ids: Iterable[int]) -> dict[int, tuple[Wait, ...]]:
    """The supplement requests of some dossiers, by dossier id, in request order (one query)."""
    found: dict[int, list[Wait]] = {}
    for pk, requested, received, before in (
        Supplement.objects.filter(dossier_id__in=list(ids))
        .order_by("dossier_id", "requested_at", "id")
        .values_list("dossier_id", "requested_at", "received_at", "due_before")
    ):
        found.setdefault(pk, []).append(Wait(requested, received, before))
    return {k: tuple(v) for k, v in found.items()}


def waits_from(supplements: Iterable[Supplement]) -> tuple[Wait, ...]:
    """The ``Wait``s of supplement rows already loaded, in request order."""
    rows = sorted(supplements, key=lambda x: (x.requested_at, x.pk))
    return tuple(Wait(x.requested_at, x.received_at, x.due_before) for x in rows)


def history_of(dossier: Dossier, waits: tuple[Wait, ...] = ()) -> History:
    """The ``History`` of one dossier row (its projection columns) and its supplement requests."""
    running = State(dossier.state) not in ENDED
    return History(
        due_at=dossier.due_at,
        end_at=None if running else dossier.finished_at or dossier.returned_at,
        completed=dossier.national_status in COMPLETED,
        waits=waits,
        promised_at=dossier.promised_at,
    )


def judge_now(
    dossier: Dossier, as_of: datetime, waits: tuple[Wait, ...] = (), basis: Basis | None = None
) -> Timeliness:
    """The verdict on one dossier as of ``as_of`` by the late-list reading (the dossier page, lists)."""
    chosen = basis if basis is not None else basis_late_list(to_local(as_of).date())
    return judge(history_of(dossier, waits), chosen, as_of)


__all__ = [
    "COMPLETED",
    "ENDED",
    "RULE_766",
    "RULE_DEFINITIONS",
    "RULE_LATE_LIST",
    "basis_766",
    "basis_late_list",
    "history_of",
    "judge_now",
    "waits_from",
    "waits_of",
]
