"""A line as pass 1 leaves it: ``Parsed`` (its values, checked), with the ``Item`` of each element of
its lists and the ``Ev`` of each event its history implies; ``Bad`` names the field of a line's first
problem while it is checked.

Pure Python, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from motcua.dossiers.rules import Action, State
from motcua.workdays.domain import to_local

IMPORT_LABEL = "Nhập từ tệp đồng bộ hồ sơ"  # shown as the actor of imported events


class Bad(Exception):
    """The first problem of a line: ``field`` names where (``(dòng)`` for the line itself)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Item:
    """One element of a list field, with the file's own object."""

    raw: dict[str, Any]
    values: dict[str, Any]


@dataclass
class Ev:
    """One event of the history a line implies, before ids and steps are known."""

    action: Action
    at: datetime
    to_state: State
    step: str | None  # "first", "next", "keep", "closing" or None (no step)
    due: datetime | None
    data: dict[str, Any]
    actor: str = IMPORT_LABEL
    supplement: int | None = None  # index into Parsed.supplements


@dataclass
class Parsed:
    line: int
    raw: dict[str, Any]
    code: str
    procedure_code: str
    state: State
    channel: int
    submitted: datetime
    received: datetime | None
    due: datetime | None
    applicant_type: int | None  # None: not given, for an applicant without an identity number
    applicant_id: str  # "": no identity number (kept by name only)
    applicant_name: str
    email: str
    phone: str
    competent_code: str
    receiving_code: str
    result_delivery: str
    scalars: dict[str, Any]
    components: list[Item]
    fees: list[Item]
    supplements: list[Item]
    resets: list[Item]
    events: list[Ev]
    reasons: str

    @property
    def day(self) -> date:
        return to_local(self.received or self.submitted).date()
