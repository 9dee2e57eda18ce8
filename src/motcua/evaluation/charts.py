"""Geometry of the dashboard's charts, drawn as inline SVG by the templates.

The content security policy allows no inline style and no inline script, so the charts are plain SVG
elements with presentation attributes (``width``, ``height``, ``fill`` via CSS classes) computed here;
every chart in a template has a title, a description and a table alternative next to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from motcua.evaluation.formulas import Period

Number = Decimal | int | float


def pct(value: Number | None, top: Number | None = 100) -> float:
    """``value`` as a share of ``top`` in 0–100 (for a bar's width), 0 when unknown."""
    if value is None or not top:
        return 0.0
    return round(max(0.0, min(100.0, float(value) * 100 / float(top))), 2)


def level(value: Number | None, top: Number | None = 100) -> str:
    """A CSS class for a share: good (≥ 80%), fair (≥ 50%), low, or none."""
    if value is None or not top:
        return "none"
    share = float(value) / float(top)
    return "good" if share >= 0.8 else "fair" if share >= 0.5 else "low"


@dataclass(frozen=True)
class Gauge:
    """A half-circle gauge: the background arc and the value arc (SVG path data, viewBox 0 0 200 115)."""

    track: str
    value: str
    share: float
    css: str


def gauge(value: Number, top: Number) -> Gauge:
    share = pct(value, top) / 100
    cx, cy, r = 100.0, 100.0, 80.0

    def point(fraction: float) -> str:
        angle = math.pi * (1 - fraction)
        return f"{cx + r * math.cos(angle):.2f} {cy - r * math.sin(angle):.2f}"

    track = f"M {point(0)} A {r:.0f} {r:.0f} 0 0 1 {point(1)}"
    arc = f"M {point(0)} A {r:.0f} {r:.0f} 0 0 1 {point(share)}" if share > 0 else ""
    return Gauge(track, arc, share, level(value, top))


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the column
    value: Decimal
    rate: Decimal | None
    css: str


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    columns: tuple[Column, ...]
    line: str  # polyline points of the on-time rate (0–100), "" when no month has one
    dots: tuple[tuple[float, float, Decimal], ...]
    grid: tuple[tuple[float, int], ...]  # (y, value) of the horizontal lines
    base: float


def month_label(period: Period) -> str:
    return f"{period.start.month:02d}/{period.start.year % 100:02d}"


def trend(months: Sequence[tuple[Period, Decimal, Decimal | None]], top: Number = 100) -> Trend:
    """Columns of the total points (0–``top``) and a line of the on-time rate (0–100%) by month."""
    step, left, top_pad, plot = 56, 34, 12, 180
    width = left + step * max(len(months), 1) + 8
    height = top_pad + plot + 26
    base = top_pad + plot
    columns, dots = [], []
    for i, (period, points, rate) in enumerate(months):
        h = plot * pct(points, top) / 100
        x = left + i * step + 10
        columns.append(
            Column(x, base - h, step - 20, h, month_label(period), points, rate, level(points, top))
        )
        if rate is not None:
            dots.append((x + (step - 20) / 2, base - plot * pct(rate) / 100, rate))
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in dots)
    grid = tuple((base - plot * v / 100, v) for v in (0, 25, 50, 75, 100))
    return Trend(width, height, tuple(columns), line, tuple(dots), grid, base)
