"""Model results as the tables people read: scenarios side by side, regions side by side,
and the plan targets that apply to one output.

Pure functions of model results and target frames, so the Scenarios page, the board deck and
the tests format the same numbers the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from nlf_planner.capacity.model import ModelResult
from nlf_planner.capacity.outputs import MEASURE_OUTPUT, OUTPUTS, format_value
from nlf_planner.capacity.scenarios import fan_data, format_delta, median_range
from nlf_planner.geography import ENGLAND_CODE, ENGLAND_NAME
from nlf_planner.plan import Plan, targets_for_geography


def model_targets(
    plan: Plan | None, geo: str, baselines: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """The plan's targets for the model's measures (M06, M08, M10) at ``geo``, by the plan's
    one rule (own row, else England's) and, given the observed ``baselines`` the run starts
    from, its direction rule (an area already past an inherited target holds its own
    level), as the Regions page reads them: what the Scenarios page and the board deck
    compare the model with."""
    polarities = {code: spec.polarity for code, spec in MEASURE_OUTPUT.items()}
    return targets_for_geography(
        plan, geo, list(MEASURE_OUTPUT), baselines=baselines, polarities=polarities
    )


def output_targets(name: str, level: int, targets: pd.DataFrame) -> dict[int, float] | None:
    """Year → target for an output, when the plan sets one for the measure it reads (at the
    measure's own level); None otherwise."""
    spec = OUTPUTS[name]
    if not spec.measure or level != spec.level or targets is None or targets.empty:
        return None
    sub = targets[targets["measure_code"] == spec.measure]
    return {int(r.horizon): float(r.target) for r in sub.itertuples()} or None


def compare_view(head: pd.DataFrame) -> pd.DataFrame:
    """A headline table (:func:`~nlf_planner.capacity.scenarios.headline_table`) with one
    column per scenario: median (80% range), the change vs baseline and the chance of
    meeting the plan's target, one row per output and year."""
    rows = []
    for (label, year), part in head.groupby(["label", "year"], sort=False):
        row: dict[str, object] = {"Output": label, "Year": int(year)}
        for r in part.itertuples():
            fmt_name = r.output if r.output in OUTPUTS else "cost_total"
            text = median_range(fmt_name, r.p10, r.p50, r.p90)
            change = format_delta(fmt_name, r.delta)
            if change not in ("–", "no change"):
                text += f"; Δ {change}"
            if np.isfinite(r.probability):
                text += f"; {r.probability:.0%} chance of target"
            row[r.scenario] = text
        rows.append(row)
    return pd.DataFrame(rows)


def region_frame(
    result: ModelResult,
    baseline: ModelResult,
    name: str,
    level: int,
    year: int,
    region_names: Mapping[str, str],
) -> pd.DataFrame:
    """One output in one year for every region and England: P10/P50/P90 and the baseline's
    median (NaN where the baseline does not reach that year)."""
    names = dict(region_names) | {ENGLAND_CODE: ENGLAND_NAME}
    rows = []
    for geo in (*result.regions, ENGLAND_CODE):
        fan = fan_data({"s": result}, name, geo, level)
        base = fan_data({"b": baseline}, name, geo, level)
        f = fan[fan["year"] == year].iloc[0]
        b = base[base["year"] == year]
        rows.append(
            {
                "geo_code": geo,
                "geo_name": names.get(geo, geo),
                "p10": f.p10,
                "p50": f.p50,
                "p90": f.p90,
                "baseline_p50": b.p50.iloc[0] if not b.empty else np.nan,
            }
        )
    return pd.DataFrame(rows)


def regions_identical(data: pd.DataFrame) -> bool:
    """Whether every geography has the same median (regions then share England's rates)."""
    return bool(np.allclose(data["p50"], data["p50"].iloc[0], rtol=1e-6, equal_nan=True))


def region_view(data: pd.DataFrame, name: str) -> pd.DataFrame:
    """:func:`region_frame` in words: median, 80% range and the baseline's median."""
    return pd.DataFrame(
        {
            "Region": data["geo_name"],
            "Median": [format_value(name, v) for v in data["p50"]],
            "80% range": [
                f"{format_value(name, a)} to {format_value(name, b)}"
                for a, b in zip(data["p10"], data["p90"], strict=True)
            ],
            "Baseline median": [format_value(name, v) for v in data["baseline_p50"]],
        }
    )
