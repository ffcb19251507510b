"""Which targets apply to a geography: the one rule every caller uses."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nlf_planner.plan.records import Plan

TARGET_FRAME_COLUMNS = ["measure_code", "geo_code", "horizon", "target"]


def targets_for_geography(
    plan: Plan | None,
    geo_code: str,
    measure_codes: Sequence[str] | None = None,
    fallbacks: Sequence[str] = (),
) -> pd.DataFrame:
    """The plan's targets that apply to one geography, one row per measure and horizon.

    The one rule every caller uses (Scenarios page, board deck, Regions): a geography's own
    target where the plan sets one, else each fallback in order (an ICB's region), else
    England's (:meth:`Plan.targets_for`). Rows carry ``geo_code`` = the geography asked for,
    so they join to its series.
    """
    if plan is None:
        return pd.DataFrame(columns=TARGET_FRAME_COLUMNS)
    codes = list(measure_codes) if measure_codes is not None else plan.measure_codes()
    rows = [
        {"measure_code": code, "geo_code": geo_code, "horizon": h, "target": float(t)}
        for code in codes
        for h, t in sorted(plan.targets_for(code, geo_code, fallbacks).items())
    ]
    return pd.DataFrame(rows, columns=TARGET_FRAME_COLUMNS)
