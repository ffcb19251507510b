"""Which targets apply to a geography: the one rule every caller uses.

Two steps, both here so no caller can apply one without the other:

1. **Fallback.** A geography's own target where the plan sets one, else each fallback in
   order (an ICS's region), else England's (:meth:`Plan.target_sources`).
2. **Direction.** A target the geography *inherits* (from its region or England) never asks
   it to get worse than its own value at the plan's baseline, in the measure's direction.
   An area already past England's target holds its own level instead: Humber and North
   Yorkshire, already above England's year-1 target for staff trained in improvement, is
   asked to keep its level, not to fall back to England's. A target the plan sets for the
   geography itself is used as written (that is the plan author's own choice), and a measure
   with no direction (neutral) or a geography with no baseline is never held.

The rule in words for people is :data:`DIRECTION_RULE`; docs/PLAN-RULES.md states it too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from nlf_planner.plan.records import Plan

TARGET_FRAME_COLUMNS = ["measure_code", "geo_code", "horizon", "target"]

#: The direction rule, in the words every page and the deck show beside plan lines.
DIRECTION_RULE = (
    "Where a region or ICS already beats the target it inherits from England (or from its "
    "region) at the plan's baseline, its target is to hold its own baseline level: a plan "
    "line never asks an area to get worse. Targets set for a region itself are used as "
    "written."
)


@dataclass(frozen=True)
class AppliedTarget:
    """What one geography is asked to reach at one horizon, and why.

    ``plan_target`` is the plan's number from ``source`` (the geography itself, its region or
    England); ``target`` is what applies: the same number, or the baseline when the inherited
    number would ask the geography to get worse (``held``)."""

    horizon: int
    target: float
    plan_target: float
    source: str
    held: bool


def _worse(target: float, baseline: float, polarity: str) -> bool:
    """Whether reaching ``target`` from ``baseline`` would be a step backwards."""
    if polarity == "lower_is_better":
        return target > baseline + 1e-12
    if polarity == "higher_is_better":
        return target < baseline - 1e-12
    return False  # neutral: no direction to respect


def applied_targets(
    plan: Plan,
    measure_code: str,
    geo_code: str,
    fallbacks: Sequence[str] = (),
    *,
    baseline: float | None = None,
    polarity: str | None = None,
) -> dict[int, AppliedTarget]:
    """Horizon → :class:`AppliedTarget` for one measure and geography (fallback, then the
    direction rule). Without a baseline or a polarity only the fallback applies."""
    known = baseline is not None and not math.isnan(baseline) and polarity is not None
    out: dict[int, AppliedTarget] = {}
    for h, (source, value) in plan.target_sources(measure_code, geo_code, fallbacks).items():
        inherited = source != geo_code
        held = bool(known and inherited and _worse(value, float(baseline), str(polarity)))
        out[h] = AppliedTarget(
            horizon=h,
            target=float(baseline) if held else float(value),
            plan_target=float(value),
            source=source,
            held=held,
        )
    return out


def geography_targets(
    plan: Plan,
    measure_code: str,
    geo_code: str,
    fallbacks: Sequence[str] = (),
    *,
    baseline: float | None = None,
    polarity: str | None = None,
) -> dict[int, float]:
    """Horizon → the target that applies to the geography (see :func:`applied_targets`):
    what plan lines, progress and assurance are measured against."""
    return {
        h: a.target
        for h, a in applied_targets(
            plan, measure_code, geo_code, fallbacks, baseline=baseline, polarity=polarity
        ).items()
    }


def targets_for_geography(
    plan: Plan | None,
    geo_code: str,
    measure_codes: Sequence[str] | None = None,
    fallbacks: Sequence[str] = (),
    *,
    baselines: Mapping[str, float] | None = None,
    polarities: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The plan's targets that apply to one geography, one row per measure and horizon.

    The one rule every caller uses (Scenarios page, board deck, Regions): the fallback and,
    where ``baselines`` and ``polarities`` (by measure code) are given, the direction rule of
    :func:`applied_targets`. Rows carry ``geo_code`` = the geography asked for, so they join
    to its series.
    """
    if plan is None:
        return pd.DataFrame(columns=TARGET_FRAME_COLUMNS)
    codes = list(measure_codes) if measure_codes is not None else plan.measure_codes()
    baselines, polarities = baselines or {}, polarities or {}
    rows = [
        {"measure_code": code, "geo_code": geo_code, "horizon": h, "target": t}
        for code in codes
        for h, t in sorted(
            geography_targets(
                plan,
                code,
                geo_code,
                fallbacks,
                baseline=baselines.get(code),
                polarity=polarities.get(code),
            ).items()
        )
    ]
    return pd.DataFrame(rows, columns=TARGET_FRAME_COLUMNS)
