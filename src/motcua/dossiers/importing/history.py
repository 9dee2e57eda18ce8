"""The history a line implies: ``plan`` turns its dates, supplements and apologies into the events a
dossier would have had (``Ev``), each checked against the transition table (``rules.TRANSITIONS``)
and in time order, with the due moment after each; ``Bad`` names the field of the first date that
does not fit.

Pure Python, no database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from motcua.dossiers import rules
from motcua.dossiers.importing.fields import ONLINE, read_date
from motcua.dossiers.importing.parsed import IMPORT_LABEL, Bad, Ev, Parsed
from motcua.dossiers.national import stamp
from motcua.dossiers.rules import Action, State, TransitionNotAllowed
from motcua.workdays.domain import to_local

NATIONAL_STATUS: dict[State, int] = {s: rules.national_status(s) for s in State}
_NEXT: dict[tuple[State | None, Action], State] = {}


def iso(moment: datetime | None) -> str | None:
    """``moment`` in Vietnamese time as ISO 8601 (the events' data), or ``None``."""
    return None if moment is None else to_local(moment).isoformat()


def _dues(
    p_due: datetime | None, changes: list[tuple[datetime | None, datetime | None]]
) -> list[datetime | None]:
    """The due moment at receipt and after each due-changing event (received supplement or apology),
    from their "before" / "after" values; the last one is the line's ``NgayHenTra``."""
    n = len(changes)
    dues: list[datetime | None] = [None] * (n + 1)
    known = [False] * (n + 1)
    dues[n], known[n] = p_due, True
    for k in range(n):
        before, after = changes[k]
        if before is not None and not known[k]:
            dues[k], known[k] = before, True
        if after is not None and k + 1 < n:
            dues[k + 1], known[k + 1] = after, True
    for k in range(1, n + 1):  # forward fill
        if not known[k] and known[k - 1]:
            dues[k], known[k] = dues[k - 1], True
    for k in range(n - 1, -1, -1):  # backward fill what is still unknown (the receipt's due)
        if not known[k]:
            dues[k], known[k] = dues[k + 1], True
    return dues


def _next_state(state: State | None, action: Action) -> State:
    """``rules.next_state``, remembered (the transitions are fixed; a refusal is not remembered)."""
    target = _NEXT[(state, action)] = rules.next_state(state, action)
    return target


def plan(p: Parsed, now: datetime) -> list[Ev]:
    """The events of ``p``'s history, checked against the transition table and in time order."""
    events: list[Ev] = []
    state: State | None = None
    last: tuple[datetime, str] | None = None
    latest = now + timedelta(minutes=10)

    def add(
        action: Action,
        at: datetime,
        source: str,
        step: str | None,
        due: datetime | None,
        data: dict[str, Any] | None = None,
        actor: str = IMPORT_LABEL,
        supplement: int | None = None,
    ) -> None:
        nonlocal state, last
        try:
            to_state = _NEXT.get((state, action)) or _next_state(state, action)
        except TransitionNotAllowed as exc:
            raise Bad(source, f"lịch sử không hợp lệ: {exc.message}") from None
        if last is not None and at < last[0]:
            raise Bad(source, f"{stamp(at)} trước {last[1]} ({stamp(last[0])}).")
        if at > latest:
            raise Bad(source, f"thời điểm {stamp(at)} ở tương lai.")
        events.append(Ev(action, at, to_state, step, due, {} if data is None else data, actor, supplement))
        state, last = to_state, (at, source)

    target = p.state
    finished = read_date(p.raw, "NgayKetThucXuLy", now=now)
    returned = read_date(p.raw, "NgayTra", now=now)
    received = p.received
    never_received = target in (State.SUBMITTED, State.REFUSED_AT_INTAKE)
    if never_received and received is not None and target is State.SUBMITTED:
        raise Bad(
            "NgayTiepNhan", "hồ sơ “Mới đăng ký” (TrangThaiHoSo 1) chưa được tiếp nhận nên không có ngày này."
        )
    if received is None and target not in (State.SUBMITTED, State.REFUSED_AT_INTAKE, State.WITHDRAWN):
        raise Bad("NgayTiepNhan", f"bắt buộc với TrangThaiHoSo {rules.national_status(target)}.")
    if never_received and p.due is not None:
        raise Bad("NgayHenTra", "hồ sơ chưa được tiếp nhận thì không có hạn trả.")
    if (never_received or received is None) and (p.supplements or p.resets):
        key = "DanhSachHoSoBoSung" if p.supplements else "DanhSachHenLai"
        raise Bad(key, "hồ sơ chưa được tiếp nhận thì không có bổ sung hay hẹn lại.")
    # Due-changing events in time order (a supplement's request comes before its receipt).
    middle: list[tuple[datetime, int, str, int]] = []
    for i, supplement in enumerate(p.supplements):
        # at equal moments: each request before its receipt, and in list order
        middle.append((supplement.values["requested_at"], 2 * i, "request", i))
        if supplement.values["received_at"] is not None:
            middle.append((supplement.values["received_at"], 2 * i + 1, "receive", i))
    for j, reset in enumerate(p.resets):
        middle.append((reset.values["recorded_at"], 1_000_000 + j, "reset", j))
    middle.sort(key=lambda m: (m[0], m[1]))
    changes = []
    restarts = []  # per change: a received supplement restarts the statutory clock, an apology does not
    for _, _, kind, i in middle:
        if kind == "receive":
            s = p.supplements[i].values
            changes.append((s["due_before"], s["due_after"]))
            restarts.append(True)
        elif kind == "reset":
            r = p.resets[i].values
            changes.append((r["old_due"], r["new_due"]))
            restarts.append(False)
    if changes and changes[-1][1] is not None and changes[-1][1] != p.due:
        raise Bad("NgayHenTra", "khác NgayHenTraMoi của lần bổ sung hoặc hẹn lại cuối cùng.")
    given = _dues(p.due, changes)  # NgayHenTra after each change, as the citizen was told
    # the statutory due after each change (every event's due_at): an apology's date is not one
    dues = [given[0]]
    for j, restart in enumerate(restarts):
        dues.append(given[j + 1] if restart else dues[j])

    online_path = never_received or received is None or p.channel == ONLINE
    if online_path:
        add(Action.SUBMIT_ONLINE, p.submitted, "NgayNopHoSo", None, None, data={"channel": p.channel})
        if received is not None and not never_received:
            add(
                Action.ACCEPT_ONLINE,
                received,
                "NgayTiepNhan",
                "first",
                dues[0],
                data={"received_at": iso(received), "assignee_id": None},
            )
    else:
        assert received is not None  # not on the online path
        if p.submitted > received:
            raise Bad("NgayNopHoSo", "sau NgayTiepNhan.")
        add(
            Action.RECEIVE_AT_COUNTER,
            received,
            "NgayTiepNhan",
            "first",
            dues[0],
            data={"channel": p.channel, "received_at": iso(received), "assignee_id": None},
        )
    k = 0
    for at, _, kind, i in middle:
        where = f"DanhSachHoSoBoSung[{i + 1}]" if kind != "reset" else f"DanhSachHenLai[{i + 1}]"
        if kind == "request":
            s = p.supplements[i].values
            add(
                Action.REQUEST_SUPPLEMENT,
                at,
                f"{where}.NgayBoSung",
                "keep",
                dues[k],
                data={"items": s["items"], "reasons": s["reasons"]},
                actor=s["requester"] or IMPORT_LABEL,
                supplement=i,
            )
        elif kind == "receive":
            k += 1
            add(
                Action.RECEIVE_SUPPLEMENT,
                at,
                f"{where}.NgayTiepNhanBoSung",
                "keep",
                dues[k],
                data={
                    "due_before": iso(given[k - 1]),
                    "due_after": iso(given[k]),
                    "paused_from": iso(p.supplements[i].values["requested_at"]),
                },
                supplement=i,
            )
        else:
            k += 1
            r = p.resets[i].values
            old = r["old_due"] or given[k - 1]
            if old is None or r["new_due"] <= old:
                raise Bad(f"{where}.NgayHenTraMoi", "phải sau hạn trả trước khi hẹn lại (NgayHenTraTruoc).")
            r["old_due"] = old
            add(
                Action.RESET_DUE,
                at,
                f"{where}.NgayXinLoi",
                "keep",
                dues[k],
                data={
                    "reason": r["reason"],
                    "old_due": iso(old),
                    "new_due": iso(r["new_due"]),
                    "ordinal": i + 1,
                },
            )
    assert last is not None
    end_at = last[0]
    reasons = p.reasons or f"Theo dữ liệu nhập (TrangThaiHoSo {rules.national_status(target)})."
    ending = {"assignee_id": None}
    if target is State.IN_PROGRESS and state is State.RECEIVED:
        add(Action.HAND_OVER, end_at, "TrangThaiHoSo", "next", dues[k], data={"assignee_id": None})
    elif target is State.AWAITING_PAYMENT:
        add(Action.REQUEST_PAYMENT, end_at, "TrangThaiHoSo", "keep", dues[k], data={})
    elif target is State.WITHDRAWN:
        if finished is None:
            raise Bad("NgayKetThucXuLy", "bắt buộc với hồ sơ rút (TrangThaiHoSo 7): là lúc công dân rút.")
        add(Action.WITHDRAW, finished, "NgayKetThucXuLy", None, dues[k], data={"reason": reasons, **ending})
    elif target in (State.STOPPED, State.REFUSED_AFTER_APPRAISAL):
        action = Action.STOP if target is State.STOPPED else Action.REFUSE_AFTER_APPRAISAL
        add(action, finished or end_at, "NgayKetThucXuLy", None, dues[k], data={"reasons": reasons, **ending})
    elif target is State.RESULT_READY:
        if finished is None:
            raise Bad("NgayKetThucXuLy", "bắt buộc với TrangThaiHoSo 9 (Đã xử lý xong).")
        add(Action.MARK_RESULT_READY, finished, "NgayKetThucXuLy", "closing", dues[k], data=dict(ending))
    elif target is State.RETURNED:
        if finished is None and returned is None:
            raise Bad("NgayTra", "với TrangThaiHoSo 10 cần NgayKetThucXuLy hoặc NgayTra.")
        add(
            Action.MARK_RESULT_READY,
            finished or returned,  # type: ignore[arg-type]
            "NgayKetThucXuLy",
            "closing",
            dues[k],
            data=dict(ending),
        )
        add(Action.RETURN_RESULT, returned or finished, "NgayTra", None, dues[k], data=dict(ending))  # type: ignore[arg-type]
    elif target is State.REFUSED_AT_INTAKE:
        add(
            Action.REFUSE_AT_INTAKE,
            finished or received or p.submitted,
            "NgayKetThucXuLy",
            None,
            None,
            data={"reasons": reasons, **ending},
        )
    if state is not target:
        raise Bad(
            "TrangThaiHoSo",
            f"{rules.national_status(target)} ({rules.STATE_LABELS[target]}) không khớp lịch sử của dòng: "
            f"theo các ngày và DanhSachHoSoBoSung, hồ sơ đang “{rules.STATE_LABELS[state]}”.",  # type: ignore[index]
        )
    return events
