"""Column charts of the KPI screens as inline SVG geometry (no inline style: CSP style-src 'self')."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: Decimal | None
    css: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    base: float
    bars: tuple[Bar, ...]
    target_y: float | None
    top: Decimal


def month_label(month: date) -> str:
    return f"{month.month:02d}/{month.year % 100:02d}"


def columns(
    months: Sequence[tuple[date, Decimal | None, str]], target: Decimal | None, *, small: bool = False
) -> Chart:
    """One column per month scaled to the largest of the values and the target; a target line."""
    step, left, pad, plot, foot = (10, 0, 2, 36, 2) if small else (52, 36, 12, 160, 24)
    gap = 2 if small else 12
    known = [v for _, v, _ in months if v is not None]
    top = max([*known, target or Decimal(0), Decimal(1)])
    base = pad + plot
    bars = []
    for i, (month, value, css) in enumerate(months):
        h = 0.0 if value is None else plot * max(float(value), 0.0) / float(top)
        x = left + i * step + gap / 2
        bars.append(
            Bar(round(x, 1), round(base - h, 1), step - gap, round(h, 1), month_label(month), value, css)
        )
    target_y = None if target is None else round(base - plot * float(target) / float(top), 1)
    width = left + step * max(len(months), 1) + (0 if small else 8)
    return Chart(width, int(base + foot), base, tuple(bars), target_y, top)
