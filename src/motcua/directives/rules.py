"""The task tracking's rules, registered in ``core.rules`` from ``DirectivesConfig.ready``."""

from __future__ import annotations

from motcua.core.rules import RuleDefinition, non_negative_int

DEFINITIONS = (
    RuleDefinition(
        "directives.soon_due_working_days",
        "Ngưỡng “sắp đến hạn” của nhiệm vụ (ngày làm việc)",
        5,
        "Quy ước của motcua (domain.md §0)",
        False,
        non_negative_int,
    ),
)
