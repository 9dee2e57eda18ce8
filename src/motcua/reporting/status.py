"""The status of one unit's report in one period, on a given day — pure Python, derived, never stored.

The stored ``Submission.state`` says what people did (draft, submitted, returned, accepted); the dates
add the rest. The first that applies:

| Status | When |
|---|---|
| *Đã tiếp nhận* (``accepted``) | the receiving office accepted the report |
| *Trả lại để chỉnh sửa* (``returned``) | the office returned it with a reason; the unit corrects it |
| *Đã gửi* (``submitted``) | sent, waiting for the office (``late`` flag when sent after the deadline) |
| *Quá hạn* (``late``) | not sent (nothing or a draft), the deadline day has passed |
| *Đến hạn gửi* (``due``) | not sent, the cut-off day has passed, the deadline day has not |
| *Chưa đến hạn* (``not_yet_due``) | not sent, the figures are still being collected (until the cut-off day) |
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class Status(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    DUE = "due"
    LATE = "late"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


ORDER = (Status.LATE, Status.DUE, Status.RETURNED, Status.SUBMITTED, Status.ACCEPTED, Status.NOT_YET_DUE)
SENT_STATES = frozenset({"submitted", "accepted"})


def status(state: str | None, end: date, deadline: date, today: date) -> Status:
    """``state``: the stored submission state, or None when the unit has no report row yet."""
    if state == "accepted":
        return Status.ACCEPTED
    if state == "returned":
        return Status.RETURNED
    if state == "submitted":
        return Status.SUBMITTED
    if today > deadline:
        return Status.LATE
    if today > end:
        return Status.DUE
    return Status.NOT_YET_DUE


def is_late_submission(submitted_on: date, deadline: date) -> bool:
    """Sent after the deadline day (the whole deadline day counts)."""
    return submitted_on > deadline
