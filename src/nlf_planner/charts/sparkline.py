"""Inline SVG sparklines for the Overview tiles.

Nine small trends drawn as SVG images cost the browser far less than nine chart widgets,
which keeps the Overview within reach of a one-chart page (bench/bench_overview.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from nlf_planner.charts.theme import NHS_BLUE


def sparkline_svg(
    values: Sequence[float],
    *,
    title: str,
    width: int = 240,
    height: int = 44,
    colour: str = NHS_BLUE,
) -> str:
    """An SVG polyline with a <title> text alternative; the last point is marked."""
    clean = [float(v) for v in values if v is not None and v == v]
    label = escape(title, quote=True)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{label}">'
        f"<title>{label}</title>"
    )
    if len(clean) < 2:
        return head + "</svg>"
    lo, hi = min(clean), max(clean)
    span = (hi - lo) or 1.0
    pad = 4

    def xy(i: int, v: float) -> tuple[float, float]:
        x = pad + i * (width - 2 * pad) / (len(clean) - 1)
        y = height - pad - (v - lo) / span * (height - 2 * pad)
        return x, y

    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(clean)))
    last_x, last_y = xy(len(clean) - 1, clean[-1])
    return (
        head
        + f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        + f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="3.5" fill="{colour}"/></svg>'
    )
