"""What an import reports: the problems of a rejected file (``Problem``, ``ImportRejected``), or the
summary of a written one (``Summary``).

Pure Python, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from motcua.core.errors import DomainError


class ImportRejected(DomainError):
    """The file has problems; nothing was written. ``details``: every problem, by line."""

    code = "import_invalid"


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str
    code: str = ""  # MaHoSo of the line, when it has one

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message, "MaHoSo": self.code}

    def __str__(self) -> str:
        where = f"dòng {self.line}" + (f" ({self.code})" if self.code else "")
        return f"{where}, {self.field}: {self.message}"


@dataclass
class Summary:
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    applicants_created: int = 0
    placeholder_procedures: list[str] = field(default_factory=list)
    placeholder_units: list[str] = field(default_factory=list)
    batches: int = 0
    seconds: float = 0.0

    @property
    def placeholders(self) -> int:
        return len(self.placeholder_procedures) + len(self.placeholder_units)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "lines": self.lines,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "events": self.events,
            "applicants_created": self.applicants_created,
            "placeholders": {"procedures": self.placeholder_procedures, "units": self.placeholder_units},
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.lines / self.seconds, 1) if self.seconds else None,
        }
