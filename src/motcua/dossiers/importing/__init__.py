"""Import of dossiers from JSON Lines in the national sync shape (``DongBoHoSoMC``): all or nothing.

A line's path from the file to the database (``run``: ``validate`` is pass 1, ``import_file`` both):

1. parse — ``parse``: the file read as bytes, each line decoded (UTF-8) and parsed as JSON (``checks``);
2. check — ``checks`` (characters, nesting), ``fields`` (each field), ``history`` (the events the
   dates imply, against ``rules.TRANSITIONS``), giving a ``parsed.Parsed`` or a ``report.Problem``;
   one bad line rejects the file (``ImportRejected``) before anything is written;
3. resolve — ``resolve``: units, procedures, applicants looked up, placeholders for unknown codes;
4. write — ``build`` (a new dossier's rows), ``tables`` (``COPY`` / ``bulk_create``), ``write.Writer``
   (batches, ``import_update`` events, audit), all in one transaction (``run.import_file``).

Steps 1–2 are pure Python (no database, no ORM); the re-exports below load on first use, so importing
them does not load Django. Line format and mapping: docs/dossiers-import.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from motcua.dossiers.importing import checks
    from motcua.dossiers.importing.parsed import IMPORT_LABEL
    from motcua.dossiers.importing.report import ImportRejected, Summary
    from motcua.dossiers.importing.run import import_file, validate
    from motcua.dossiers.importing.tables import (
        COMPONENTS,
        DOSSIERS,
        EVENTS,
        FEES,
        ORGANISATIONS,
        PEOPLE,
        RESETS,
        SUPPLEMENTS,
        _copy,
    )
    from motcua.dossiers.importing.write import Writer

# name → the submodule that defines it ("" for a submodule itself)
_EXPORTS = {
    "checks": "",
    "IMPORT_LABEL": "parsed",
    "ImportRejected": "report",
    "Summary": "report",
    "import_file": "run",
    "validate": "run",
    "COMPONENTS": "tables",
    "DOSSIERS": "tables",
    "EVENTS": "tables",
    "FEES": "tables",
    "ORGANISATIONS": "tables",
    "PEOPLE": "tables",
    "RESETS": "tables",
    "SUPPLEMENTS": "tables",
    "_copy": "tables",
    "Writer": "write",
}
__all__ = [
    "COMPONENTS",
    "DOSSIERS",
    "EVENTS",
    "FEES",
    "IMPORT_LABEL",
    "ORGANISATIONS",
    "PEOPLE",
    "RESETS",
    "SUPPLEMENTS",
    "ImportRejected",
    "Summary",
    "Writer",
    "_copy",
    "checks",
    "import_file",
    "validate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not module:
        return importlib.import_module(f"{__name__}.{name}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
