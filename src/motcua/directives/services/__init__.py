"""The only write path of task tracking: one function per use case, each one transaction.

Every use case checks the person's right (``directives.access``) on the task before anything is
written, locks the occurrence it changes (``select_for_update``), writes, and appends one audit entry
(``core.audit.record``; the models are ``AUDIT_BY_SERVICE``). A refusal raises a ``DomainError``
subclass with a Vietnamese message and leaves nothing half-stored.

``now`` parameters exist for the demo history and tests; people's actions use the clock.

Which module holds what (every name is re-exported here):

- ``common``: the refusals (``InvalidInput``, ``PlanImportError``), the clock, the checks on the person
  and the task shared by the use cases;
- ``occurrences``: the periods of a task and the lead units' parts (``ensure_occurrences``,
  ``ensure_parts``, ``sync_occurrence``; ``ensure_all_occurrences`` for the periodic reminder job);
- ``plans``: ``import_plan`` and its ``ImportReport``;
- ``agency_names``: ``resolve_unit_name``, the office's review of agency names;
- ``progress``: ``report_progress`` and its attachments (``check_attachment``);
- ``completion``: ``request_completion``, ``decide_completion``, ``record_completion``;
- ``deadlines``: ``request_extension``, ``decide_extension``, ``set_deadline``.
"""

from __future__ import annotations

from motcua.directives.planparse import DeadlineKind
from motcua.directives.services.agency_names import resolve_unit_name
from motcua.directives.services.common import LEAD_ONLY, MAX_TEXT, InvalidInput, PlanImportError
from motcua.directives.services.completion import decide_completion, record_completion, request_completion
from motcua.directives.services.deadlines import decide_extension, request_extension, set_deadline
from motcua.directives.services.occurrences import (
    ensure_all_occurrences,
    ensure_occurrences,
    ensure_parts,
    lead_unit_ids,
    refresh_current,
    sync_occurrence,
)
from motcua.directives.services.plans import (
    KIND_BY_WORD,
    DocumentFields,
    ImportReport,
    default_assigning_unit,
    import_plan,
)
from motcua.directives.services.progress import (
    ATTACHMENT_SIGNATURES,
    MAX_ATTACHMENT_MB,
    MAX_ATTACHMENTS,
    check_attachment,
    report_progress,
)

__all__ = [
    "ATTACHMENT_SIGNATURES",
    "KIND_BY_WORD",
    "LEAD_ONLY",
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_MB",
    "MAX_TEXT",
    "DeadlineKind",
    "DocumentFields",
    "ImportReport",
    "InvalidInput",
    "PlanImportError",
    "check_attachment",
    "decide_completion",
    "decide_extension",
    "default_assigning_unit",
    "ensure_all_occurrences",
    "ensure_occurrences",
    "ensure_parts",
    "import_plan",
    "lead_unit_ids",
    "record_completion",
    "refresh_current",
    "report_progress",
    "request_completion",
    "request_extension",
    "resolve_unit_name",
    "set_deadline",
    "sync_occurrence",
]
