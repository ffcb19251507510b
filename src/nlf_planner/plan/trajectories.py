"""Trajectories: the plan line from the baseline through each horizon target, and where an
observed value stands against it.

The derived "plan line" runs from (1 April base year, baseline) through each horizon target
and stays flat after year 5; linear interpolates between those knots, stepwise holds the
previous level until a horizon ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Literal

import pandas as pd
from pydantic import BaseModel

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import Measure
from nlf_planner.plan._cells import isnan
from nlf_planner.plan.horizons import base_date, horizon_end
from nlf_planner.plan.records import HORIZONS, Plan
from nlf_planner.plan.targets import geography_targets


def trajectory_points(
    baseline: float, targets: Mapping[int, float], base_year: int
) -> list[tuple[date, float]]:
    """Knots of the plan line: the baseline then each horizon target present, in order."""
    pts = [(base_date(base_year), float(baseline))]
    for h in HORIZONS:
        if h in targets and not isnan(targets[h]):
            pts.append((horizon_end(base_year, h), float(targets[h])))
    return pts


def trajectory_value(
    baseline: float,
    targets: Mapping[int, float],
    base_year: int,
    when: date,
    method: str = "linear",
) -> float | None:
    """The plan value at a date. Linear interpolates between knots; stepwise holds the
    previous level until a horizon ends, then jumps to its target. Before the base date
    there is no plan (None); after the last horizon the last target holds."""
    if isnan(baseline):
        return None
    pts = trajectory_points(baseline, targets, base_year)
    if when < pts[0][0]:
        return None
    if method == "stepwise":
        value = pts[0][1]
        for d, v in pts[1:]:
            if when >= d:
                value = v
        return value
    for (d0, v0), (d1, v1) in zip(pts, pts[1:], strict=False):
        if d0 <= when <= d1:
            span = (d1 - d0).days
            return v0 + (v1 - v0) * ((when - d0).days / span if span else 1.0)
    return pts[-1][1]


def trajectory(
    baseline: float,
    targets: Mapping[int, float],
    base_year: int,
    dates: Iterable[date],
    method: str = "linear",
) -> list[float | None]:
    """The plan line at each date (None before the base date); what charts draw."""
    return [trajectory_value(baseline, targets, base_year, d, method) for d in dates]


def plan_line(
    plan: Plan,
    measure_code: str,
    baseline: float,
    dates: Iterable[date],
    geo_code: str = ENGLAND_CODE,
    fallbacks: Sequence[str] = (),
    polarity: str | None = None,
) -> pd.DataFrame:
    """A frame of ``period, plan`` for one measure and geography, ready to plot. The targets
    are :func:`~nlf_planner.plan.targets.geography_targets` (with ``polarity``, an inherited
    target never asks the geography to get worse than ``baseline``)."""
    dates = list(dates)
    tg = geography_targets(
        plan, measure_code, geo_code, fallbacks, baseline=baseline, polarity=polarity
    )
    values = trajectory(baseline, tg, plan.base_year, dates, plan.trajectory)
    return pd.DataFrame({"period": dates, "plan": values})


def plan_line_for_series(
    plan: Plan,
    measure: Measure,
    series: pd.DataFrame,
    geo_code: str = ENGLAND_CODE,
    fallbacks: Sequence[str] = (),
    extend_to_horizons: bool = True,
) -> pd.DataFrame:
    """The plan line to draw over one geography's series (``period, value`` columns).

    The baseline is that series' own value at the base period (see
    :func:`baseline_from_history`), so a region's line starts where the region started; the
    targets are the geography's overrides, then its ``fallbacks`` (e.g. an ICB's region),
    then England's, never asking it to get worse than that baseline (the direction rule of
    :mod:`nlf_planner.plan.targets`). With ``extend_to_horizons`` the horizon ends are
    added as extra points so the line reaches the targets beyond the last data period. Rows
    before the base date are dropped. Columns: ``period, plan, baseline``.
    """
    hist = series.assign(measure_code=measure.code) if "measure_code" not in series else series
    baseline = baseline_from_history(hist, measure, plan.base_year)
    dates = sorted({pd.Timestamp(d).date() for d in series.get("period", [])})
    if extend_to_horizons:
        dates = sorted({*dates, *(horizon_end(plan.base_year, h) for h in HORIZONS)})
    df = plan_line(plan, measure.code, baseline, dates, geo_code, fallbacks, measure.polarity)
    df = df[df["plan"].notna()].reset_index(drop=True)
    df["baseline"] = baseline
    return df


def better(a: float, b: float, polarity: str) -> bool:
    """Whether ``a`` is at least as good as ``b`` for the measure's polarity."""
    if polarity == "lower_is_better":
        return a <= b
    return a >= b


class PlanProgress(BaseModel):
    """Where a value stands against the plan line at the same date."""

    value: float
    plan_value: float | None
    gap: float | None  # positive = better than plan (polarity-aware)
    share_of_planned_change: float | None  # achieved change / planned change since baseline
    status: Literal["ahead", "on_plan", "behind", "no_plan", "not_judged"]
    label: str


def progress_against_plan(
    value: float,
    when: date,
    baseline: float,
    targets: Mapping[int, float],
    base_year: int,
    polarity: str,
    method: str = "linear",
    tolerance: float = 0.0,
) -> PlanProgress:
    """Compare an observed value with the plan line; ``tolerance`` is in the measure's units
    and counts as "on plan" on either side."""
    pv = trajectory_value(baseline, targets, base_year, when, method)
    if pv is None or not targets:
        return PlanProgress(
            value=value,
            plan_value=pv,
            gap=None,
            share_of_planned_change=None,
            status="no_plan",
            label="No plan for this date",
        )
    sign = -1.0 if polarity == "lower_is_better" else 1.0
    gap = sign * (value - pv)
    planned = pv - baseline
    share = (value - baseline) / planned if abs(planned) > 1e-12 else None
    if polarity == "neutral":
        return PlanProgress(
            value=value,
            plan_value=pv,
            gap=value - pv,
            share_of_planned_change=share,
            status="not_judged",
            label="Neutral measure: not judged against plan",
        )
    if abs(gap) <= tolerance + 1e-9:
        status, label = "on_plan", "On plan"
    elif gap > 0:
        status, label = "ahead", "Ahead of plan"
    else:
        status, label = "behind", "Behind plan"
    return PlanProgress(
        value=value,
        plan_value=pv,
        gap=gap,
        share_of_planned_change=share,
        status=status,
        label=label,
    )


def baseline_observation(
    history: pd.DataFrame, measure_code: str, base_year: int
) -> tuple[date, float] | None:
    """The observation a plan starts from: the value at the base period, else the latest
    before it, else the first one inside the base year; None when there is none.

    One home for the rule, so the plan's baseline and the capacity model's starting point
    read the same period. ``history`` has ``measure_code, period, value`` (one geography).
    """
    if history is None or history.empty:
        return None
    h = history[history["measure_code"] == measure_code]
    if h.empty:
        return None
    periods = pd.to_datetime(h["period"])
    start, end = pd.Timestamp(base_date(base_year)), pd.Timestamp(horizon_end(base_year, 1))
    at_or_before = periods[periods <= start]
    if not at_or_before.empty:
        idx = at_or_before.idxmax()
    else:
        within = periods[(periods > start) & (periods <= end)]
        if within.empty:
            return None
        idx = within.idxmin()
    return periods[idx].date(), float(h.loc[idx, "value"])


def baseline_from_history(history: pd.DataFrame, measure: Measure, base_year: int) -> float:
    """The value of :func:`baseline_observation`, else the measure's ``baseline`` column."""
    found = baseline_observation(history, measure.code, base_year)
    return float(measure.baseline) if found is None else found[1]


def baselines_from_history(
    history: pd.DataFrame, measures: Iterable[Measure], base_year: int
) -> dict[str, float]:
    return {m.code: baseline_from_history(history, m, base_year) for m in measures}
