"""The QĐ 766 index for any period and scope — the API the CLI and the dashboard call.

    compute(date(2026, 3, 1), date(2026, 3, 31), unit="pab") -> Index766Result
    drill_down("2.1", date(2026, 3, 1), date(2026, 3, 31), cursor=None, limit=50) -> DrillDownPage

``unit`` and ``procedure`` take a model instance or a code (a unit's internal code or electronic
identification code; a procedure's national code). The weight and target table is the rule
``evaluation.index766`` in force on the period's last day. Formulas: ``formulas.py``; reads:
``selectors.py``; docs/evaluation.md and docs/rules.md §8.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from motcua.catalogue.models import Procedure
from motcua.core.models import OrgUnit
from motcua.core.rules import rule_value
from motcua.evaluation import formulas, ontime, selectors
from motcua.evaluation.formulas import (
    INFO,
    DossierFacts,
    Index766Result,
    IndicatorResult,
    Period,
    Scope,
    VersionFacts,
)
from motcua.evaluation.selectors import EvaluationInputError
from motcua.evaluation.weights import Weights, parse

RULE_KEY = "evaluation.index766"
MAX_LIMIT = 500

__all__ = [
    "DrillDownPage",
    "DrillItem",
    "EvaluationInputError",
    "Index766Result",
    "IndicatorResult",
    "Period",
    "compute",
    "drill_down",
    "weights_on",
]


def weights_on(day: date) -> Weights:
    """The weight and target table in force on ``day``."""
    return parse(rule_value(RULE_KEY, day))


def period_of(period_from: date, period_to: date) -> Period:
    try:
        return Period(period_from, period_to)
    except ValueError as exc:
        raise EvaluationInputError(str(exc), code="period_invalid") from None


@dataclass(frozen=True)
class _Context:
    period: Period
    unit: OrgUnit | None
    procedure: Procedure | None
    scope: selectors.ScopeFilter

    @property
    def label(self) -> Scope:
        return Scope(
            unit_code=self.unit.code if self.unit else "",
            unit_name=self.unit.name if self.unit else "",
            procedure_code=self.procedure.code if self.procedure else "",
            procedure_name=self.procedure.name if self.procedure else "",
        )


def _context(
    period_from: date, period_to: date, unit: OrgUnit | str | None, procedure: Procedure | str | None
) -> _Context:
    period = period_of(period_from, period_to)
    if isinstance(unit, str):
        unit = selectors.find_unit(unit)
    if isinstance(procedure, str):
        procedure = selectors.find_procedure(procedure)
    return _Context(period, unit, procedure, selectors.scope_filter(unit, procedure))


def compute(
    period_from: date,
    period_to: date,
    unit: OrgUnit | str | None = None,
    procedure: Procedure | str | None = None,
) -> Index766Result:
    """Every group and indicator of the index for the period (local dates, both included) and scope."""
    ctx = _context(period_from, period_to, unit, procedure)
    period = ctx.period
    procedure_id = ctx.scope.procedure_id
    weights = weights_on(period.end)
    # One transaction: the reads stream through server-side cursors (selectors._stream).
    with transaction.atomic():
        all_versions = selectors.versions(procedure_id, period.end)
        return formulas.evaluate(
            weights,
            period,
            selectors.index_dossiers(ctx.scope, period),
            selectors.in_force(all_versions, period.end, procedure_id),
            all_versions,
            selectors.Calendars(period.end),
            assigned=selectors.assigned_procedures(ctx.scope, period.end),
            scope=ctx.label,
            single_procedure=procedure_id is not None,
            basis=ontime.basis_766(period.end),
        )


# -- drill-down ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillItem:
    """One dossier (or procedure) of an indicator's population, with why it counts for or against it."""

    kind: str  # "dossier" or "procedure"
    id: int
    code: str  # dossier code, or procedure code
    label: str  # the procedure's code and name
    counts: bool  # in the numerator
    reason_code: str
    reason: str  # Vietnamese, with the dossier's own figures
    received_at: datetime | None = None
    due_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "code": self.code,
            "label": self.label,
            "counts": self.counts,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "received_at": self.received_at.isoformat() if self.received_at else None,
            "due_at": self.due_at.isoformat() if self.due_at else None,
        }


@dataclass(frozen=True)
class DrillDownPage:
    indicator: str
    subject: str  # "dossier", "procedure", or "" for an indicator with missing inputs
    items: tuple[DrillItem, ...]
    next_cursor: str | None
    missing_reason: str = ""


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or not values:
            raise ValueError(cursor)
        return values
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise EvaluationInputError(
            "Con trỏ trang không hợp lệ; hãy tải lại danh sách.", code="cursor_invalid"
        ) from None


def _dossier_cursor(cursor: str) -> tuple[datetime, int]:
    values = _decode(cursor)
    try:
        moment, pk = datetime.fromisoformat(values[0]), values[1]
    except (ValueError, TypeError, IndexError):
        moment, pk = None, None
    if moment is None or moment.tzinfo is None or not isinstance(pk, int):
        raise EvaluationInputError(
            "Con trỏ trang không hợp lệ; hãy tải lại danh sách.", code="cursor_invalid"
        )
    return moment, pk


def drill_down(
    indicator_code: str,
    period_from: date,
    period_to: date,
    unit: OrgUnit | str | None = None,
    procedure: Procedure | str | None = None,
    *,
    cursor: str | None = None,
    limit: int = 50,
    include: str = "against",
) -> DrillDownPage:
    """The dossiers (or procedures) of one indicator with the reason of each, one page at a time.

    ``include``: "against" (default: those that count against the indicator) or "all" (its whole
    population). Dossiers come in (received_at, id) order, procedures in code order; pass the page's
    ``next_cursor`` back for the next page (keyset pagination, stable while data is added).
    """
    if include not in ("against", "all"):
        raise EvaluationInputError("include phải là “against” hoặc “all”.", code="include_invalid")
    if not 1 <= limit <= MAX_LIMIT:
        raise EvaluationInputError(f"limit phải từ 1 đến {MAX_LIMIT}.", code="limit_invalid")
    info = INFO.get(indicator_code)
    if info is None:
        raise EvaluationInputError(f"Không có chỉ số mã “{indicator_code}”.", code="indicator_unknown")
    ctx = _context(period_from, period_to, unit, procedure)
    if info.missing or indicator_code == "2.2":
        return DrillDownPage(indicator_code, "", (), None, info.missing or "Chỉ số không tính theo hồ sơ.")
    if info.subject == "procedure":
        return _procedure_page(indicator_code, ctx, cursor, limit, include)
    return _dossier_page(indicator_code, ctx, cursor, limit, include)


def _dossier_page(code: str, ctx: _Context, cursor: str | None, limit: int, include: str) -> DrillDownPage:
    period = ctx.period
    all_versions = selectors.versions(ctx.scope.procedure_id, period.end)
    calendars = selectors.Calendars(period.end)
    basis = ontime.basis_766(period.end)
    population = selectors.on_time_population(period) if code == "2.1" else selectors.received_in(period)
    after = _dossier_cursor(cursor) if cursor else None
    chunk = max(4 * limit, 200)
    items: list[DrillItem] = []
    while True:
        batch = selectors.dossier_page(ctx.scope, period, population, after, chunk)
        for d in batch:
            assert d.received_at is not None
            after = (d.received_at, d.id)
            version = all_versions.get(d.version_id)
            verdict = formulas.judge_dossier(code, d, period, version, calendars, basis)
            if verdict is None or (include == "against" and verdict.counts):
                continue
            items.append(_dossier_item(code, verdict, d, period, version, calendars, basis))
            if len(items) == limit:
                return DrillDownPage(code, "dossier", tuple(items), _encode([after[0].isoformat(), after[1]]))
        if len(batch) < chunk:
            return DrillDownPage(code, "dossier", tuple(items), None)


def _dossier_item(
    code: str,
    verdict: formulas.Verdict,
    d: DossierFacts,
    period: Period,
    version: VersionFacts | None,
    calendars: formulas.CalendarFor,
    basis: ontime.Basis,
) -> DrillItem:
    return DrillItem(
        kind="dossier",
        id=d.id,
        code=d.code,
        label=f"{version.procedure_code} — {version.name}" if version else "",
        counts=verdict.counts,
        reason_code=verdict.reason,
        reason=formulas.explain(code, verdict, d, period, version, calendars, basis),
        received_at=d.received_at,
        due_at=d.due_at,
    )


def _procedure_page(code: str, ctx: _Context, cursor: str | None, limit: int, include: str) -> DrillDownPage:
    period = ctx.period
    procedure_id = ctx.scope.procedure_id
    all_versions = selectors.versions(procedure_id, period.end)
    activity = formulas.Activity()
    with transaction.atomic():
        for d in selectors.index_dossiers(ctx.scope, period):
            if period.received_in(d.received_at):
                activity.add(d)
    scope = formulas.procedures_in_scope(
        selectors.in_force(all_versions, period.end, procedure_id),
        selectors.assigned_procedures(ctx.scope, period.end),
        activity,
    )
    after = str(_decode(cursor)[0]) if cursor else None
    items: list[DrillItem] = []
    for p in scope:  # ordered by procedure code
        if after is not None and p.procedure_code <= after:
            continue
        verdict = formulas.judge_procedure(code, p, activity)
        if verdict is None or (include == "against" and verdict.counts):
            continue
        items.append(
            DrillItem(
                kind="procedure",
                id=p.procedure_id,
                code=p.procedure_code,
                label=f"{p.procedure_code} — {p.name}",
                counts=verdict.counts,
                reason_code=verdict.reason,
                reason=formulas.explain_procedure(verdict, p),
            )
        )
        if len(items) == limit:
            return DrillDownPage(code, "procedure", tuple(items), _encode([p.procedure_code]))
    return DrillDownPage(code, "procedure", tuple(items), None)
