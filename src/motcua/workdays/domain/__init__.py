"""Working days and deadlines of administrative procedures — pure Python, no Django.

``Calendar`` knows which days are worked and the office windows; ``compute_due`` and friends turn a
receipt moment and a legal time limit into a due moment under the project's conventions.
"""

from .calendar import (
    DEFAULT_CUTOFF,
    DEFAULT_OFFICE_HOURS,
    TZ,
    Calendar,
    CalendarOverrides,
    FixedRules,
    StatutoryRules,
    YearRules,
    YearRulesSource,
    parse_stamp,
    stamp,
    to_local,
)
from .deadlines import (
    Deadline,
    LimitUnit,
    PauseMode,
    add_working_seconds,
    compute_due,
    counting_start,
    due_after_pauses,
    effective_receipt,
    parse_limit,
    parse_unit,
    working_seconds_between,
)
from .errors import CalendarError

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_OFFICE_HOURS",
    "TZ",
    "Calendar",
    "CalendarError",
    "CalendarOverrides",
    "Deadline",
    "FixedRules",
    "LimitUnit",
    "PauseMode",
    "StatutoryRules",
    "YearRules",
    "YearRulesSource",
    "add_working_seconds",
    "compute_due",
    "counting_start",
    "due_after_pauses",
    "effective_receipt",
    "parse_limit",
    "parse_stamp",
    "parse_unit",
    "stamp",
    "to_local",
    "working_seconds_between",
]
