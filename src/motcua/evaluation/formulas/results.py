"""The scores and result records: the saturation rule, indicator, group and index results."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from motcua.evaluation.formulas.facts import Period, Scope
from motcua.evaluation.weights import IndicatorWeight

# -- results -----------------------------------------------------------------------------------------

ONE = Decimal("0.01")


def round2(value: Fraction) -> Decimal:
    """Half-up to 2 decimals, exactly (no binary floating point on the way)."""
    cents = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(cents).scaleb(-2).quantize(ONE)


def score(numerator: int, denominator: int, weight: IndicatorWeight) -> tuple[Decimal | None, Decimal]:
    """(rate %, points) by the saturation rule; (None, 0) for an empty denominator."""
    if denominator <= 0:
        return None, Decimal("0.00")
    exact = Fraction(numerator * 100, denominator)
    top = Fraction(weight.max)
    if weight.target is not None:
        target = Fraction(weight.target)
        points = top if exact >= target else top * exact / target
    else:
        points = top * exact / 100
    return round2(exact), round2(points)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class ReasonCount:
    code: str
    label: str
    counts: bool
    count: int


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    name: str
    group: str
    max: Decimal
    target: Decimal | None
    points: Decimal
    rate: Decimal | None
    numerator: int | None
    denominator: int | None
    missing: bool
    assumed: bool
    subject: str  # "dossier" / "procedure" / "": what the drill-down lists
    formula: str
    source: str
    assumptions: tuple[str, ...] = ()
    missing_reason: str = ""
    notes: tuple[str, ...] = ()
    reasons: tuple[ReasonCount, ...] = ()  # the breakdown of the denominator, counting first
    value: Decimal | None = None  # 2.2: the average
    value_unit: str = ""

    @property
    def scored(self) -> bool:
        return self.max > 0

    @property
    def against(self) -> int | None:
        """How many dossiers or procedures count against the indicator."""
        if self.numerator is None or self.denominator is None:
            return None
        return self.denominator - self.numerator

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "rate": _number(self.rate),
            "points": _number(self.points),
            "max": _number(self.max),
            "target": _number(self.target),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "missing": self.missing,
            "assumed": self.assumed,
        }
        if self.value is not None or self.code == "2.2":
            data["value"] = _number(self.value)
            data["value_unit"] = self.value_unit
        if self.missing:
            data["missing_reason"] = self.missing_reason
        if self.assumptions:
            data["assumptions"] = list(self.assumptions)
        if self.notes:
            data["notes"] = list(self.notes)
        if self.reasons:
            data["reasons"] = [
                {"code": r.code, "label": r.label, "counts": r.counts, "count": r.count} for r in self.reasons
            ]
        return data


@dataclass(frozen=True)
class GroupResult:
    code: str
    name: str
    points: Decimal
    max: Decimal
    indicators: tuple[IndicatorResult, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "points": _number(self.points),
            "max": _number(self.max),
            "indicators": [i.as_dict() for i in self.indicators],
        }


@dataclass(frozen=True)
class Index766Result:
    period: Period
    scope: Scope
    points: Decimal
    max: Decimal
    groups: tuple[GroupResult, ...]

    def indicator(self, code: str) -> IndicatorResult:
        for group in self.groups:
            for indicator in group.indicators:
                if indicator.code == code:
                    return indicator
        raise KeyError(code)

    def group(self, code: str) -> GroupResult:
        for group in self.groups:
            if group.code == code:
                return group
        raise KeyError(code)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
                "label": self.period.label,
            },
            "scope": {
                "unit": self.scope.unit_code or None,
                "unit_name": self.scope.unit_name or None,
                "procedure": self.scope.procedure_code or None,
                "label": self.scope.label,
            },
            "total": {"points": _number(self.points), "max": _number(self.max)},
            "groups": [g.as_dict() for g in self.groups],
        }
