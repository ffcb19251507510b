"""Inline SVG sparklines for tiles: many small trends without a chart library per tile."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from nlf_planner.charts.theme import NHS_BLUE


def sparkline_svg(values: Sequence[float], *, title: str, width: int = 160, height: int = 36,
                  colour: str = NHS_BLUE) -> str:
    """An accessible SVG polyline (with a <title> text alternative) of a short series."""
    clean = [float(v) for v in values if v is not None and v == v]
    label = escape(title)
    if len(clean) < 2:
        return (f'<svg role="img" width="{width}" height="{height}" aria-label="{label}">'
                f"<title>{label}</title></svg>")
    lo, hi = min(clean), max(clean)
    span = (hi - lo) or 1.0
    pad = 3
    step = (width - 2 * pad) / (len(clean) - 1)
    points = " ".join(
        f"{pad + i * step:.1f},{height - pad - (v - lo) / span * (height - 2 * pad):.1f}"
        for i, v in enumerate(clean)
    )
    last_x = pad + (len(clean) - 1) * step
    last_y = height - pad - (clean[-1] - lo) / span * (height - 2 * pad)
    return (
        f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{label}"><title>{label}</title>'
        f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="3" fill="{colour}"/></svg>'
    )
