"""The only write path of the catalogue: import, export, publication and placeholders.

``import_catalogue`` validates the whole document before it writes anything: the shape (pydantic,
``schema.py``), then the rules that need the database or look across versions. Any problem raises
``DomainError(code="import_invalid")`` listing every problem with the procedure code, the version
and the field path; nothing is stored. A valid document is applied in one transaction; versions
that are identical to the stored ones are left alone, so re-importing the same file changes
nothing. Every row written is audited by the signal handlers of ``core.audit``; the import itself
is recorded once with its summary.

Which module holds what (every name is re-exported here):

- ``problems``: where a problem is (``document_locator``, ``describe_problem``), ``InvalidCatalogue``;
- ``version_rules``: the rules of one version (``check_version_rules``, ``hours_per_day_on``);
- ``validation``: ``validate_document``, every problem of a whole document;
- ``export``: the interchange form of stored rows (``version_dict``, ``procedure_dict``) and
  ``export_catalogue``;
- ``importing``: ``import_catalogue`` and its ``ImportReport``;
- ``workflow``: the staffing of the workflow steps (``staffing_warnings``);
- ``publishing``: ``publish_version``, the version in force (``current_version_of``,
  ``refresh_procedure``) and ``create_placeholder_procedure``.
"""

from __future__ import annotations

from motcua.catalogue.services.export import export_catalogue, procedure_dict, version_dict
from motcua.catalogue.services.importing import ImportItem, ImportReport, import_catalogue
from motcua.catalogue.services.problems import (
    MAX_DETAILS,
    InvalidCatalogue,
    Loc,
    Locate,
    Problem,
    describe_problem,
    document_locator,
    invalid_import,
    loc_path,
)
from motcua.catalogue.services.publishing import (
    PLACEHOLDER_FIELD_CODE,
    PLACEHOLDER_FIELD_NAME,
    create_placeholder_procedure,
    current_version_of,
    publish_version,
    refresh_procedure,
)
from motcua.catalogue.services.validation import ValidatedDocument, validate_document
from motcua.catalogue.services.version_rules import check_version_rules, hours_per_day_on
from motcua.catalogue.services.workflow import staffing_warnings, version_staffing_warnings

__all__ = [
    "MAX_DETAILS",
    "PLACEHOLDER_FIELD_CODE",
    "PLACEHOLDER_FIELD_NAME",
    "ImportItem",
    "ImportReport",
    "InvalidCatalogue",
    "Loc",
    "Locate",
    "Problem",
    "ValidatedDocument",
    "check_version_rules",
    "create_placeholder_procedure",
    "current_version_of",
    "describe_problem",
    "document_locator",
    "export_catalogue",
    "hours_per_day_on",
    "import_catalogue",
    "invalid_import",
    "loc_path",
    "procedure_dict",
    "publish_version",
    "refresh_procedure",
    "staffing_warnings",
    "validate_document",
    "version_dict",
    "version_staffing_warnings",
]
