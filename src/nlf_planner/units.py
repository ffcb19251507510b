"""Units of measure: labels, the scale between a ratio and its stated value, formatting.

One home for these rules so the store, the importer, the pages and the board pack all write
58.3% or 7.21 the same way and derive a value from numerator/denominator the same way.
"""

from __future__ import annotations

import math

#: How each unit is written after a number, for axis titles and table headings.
UNIT_LABELS: dict[str, str] = {
    "percent": "%",
    "score_0_10": "score (0–10)",
    "rate_per_1000": "per 1,000",
    "years": "years",
    "count": "count",
}

#: value = scale × numerator / denominator; units not listed have scale 1.
UNIT_SCALE: dict[str, float] = {"percent": 100.0, "rate_per_1000": 1000.0}


def unit_scale(unit: str) -> float:
    """The factor from a ratio to the unit's value (100 for percent, 1 when not listed)."""
    return UNIT_SCALE.get(unit, 1.0)


def format_value(value: float | None, unit: str) -> str:
    """A value in the measure's unit, as a reader expects it (58.3%, 7.21, 3.4 years)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "score_0_10":
        return f"{value:.2f}"
    if unit == "years":
        return f"{value:.1f} years"
    if unit == "rate_per_1000":
        return f"{value:.1f} per 1,000"
    return f"{value:,.0f}"
