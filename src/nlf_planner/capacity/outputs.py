"""Outputs of a model run as arrays and tidy DataFrames, with percentiles and target odds.

Every output array has the shape ``(draws, years, geographies, levels)``: geographies are the
seven regions followed by England (their sum, ``E92000001``), levels are 1–4 followed by
"all levels" (coded 0); outputs that have no level carry a single level 0. Ratios are taken
of sums (England's vacancy rate is England's vacant posts over England's posts), never
averages of ratios. Percent outputs are 0–100.

Choices where ``MODEL.md`` leaves room (also in ``docs/MODEL.md``):

- A vacancy rate is ``(E − S) / E`` as specified; it is negative when a level is over its
  establishment.
- Improvement coverage (M10) is ``Q[foundation] / W`` as specified: the foundation stock
  counts staff trained at foundation level or above.
- M06 (executive posts with a ready-now successor, a percentage) is not a model stock, so
  ``successor_ready`` moves it in proportion to succession cover, anchored in year 0 at the
  base state's ``successor_ready`` (the observed M06 when the run starts from the data,
  ``capacity.calibration``; else the measure's 25% baseline) and capped at 100%.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlf_planner.capacity.model import ModelResult
from nlf_planner.capacity.params import LEVEL_NAMES, BaseState
from nlf_planner.geography import ENGLAND_CODE

M06_BASELINE = 100.0 * BaseState().successor_ready  # M06's published baseline (%), the default
LEVEL_CODES: tuple[int, ...] = (1, 2, 3, 4, 0)
PERCENTILES: tuple[int, ...] = (10, 50, 90)


@dataclass(frozen=True)
class OutputSpec:
    name: str
    label: str
    unit: str  # percent | count | ratio | gbp | per_1000
    by_level: bool
    polarity: str  # higher_is_better | lower_is_better | neutral
    measure: str | None = None
    level: int = 0  # the level the measure reads (M08: executives)
    help: str = ""


OUTPUTS: dict[str, OutputSpec] = {
    s.name: s
    for s in (
        OutputSpec("leaders_in_post", "Leaders in post", "count", True, "higher_is_better"),
        OutputSpec("developed_leaders", "Developed leaders", "count", True, "higher_is_better"),
        OutputSpec(
            "developed_share",
            "Developed share of leaders",
            "percent",
            True,
            "higher_is_better",
            help="Leaders who completed a programme for their level, as % of leaders in post.",
        ),
        OutputSpec("posts", "Established posts", "count", True, "neutral"),
        OutputSpec(
            "vacancy_rate",
            "Vacancy rate",
            "percent",
            True,
            "lower_is_better",
            measure="M08",
            level=4,
            help="Vacant posts as % of established posts; level 4 is the executive rate (M08).",
        ),
        OutputSpec(
            "succession_cover",
            "Succession cover",
            "ratio",
            False,
            "higher_is_better",
            help="Developed senior leaders per executive post.",
        ),
        OutputSpec(
            "successor_ready",
            "Executive posts with a ready-now successor (estimate)",
            "percent",
            False,
            "higher_is_better",
            measure="M06",
            help="M06 moved in proportion to succession cover from its starting value.",
        ),
        OutputSpec(
            "improvement_coverage",
            "Staff trained in improvement",
            "percent",
            False,
            "higher_is_better",
            measure="M10",
            help="Staff with foundation improvement training or above, as % of staff (M10).",
        ),
        OutputSpec(
            "practitioners_per_1000",
            "Improvement practitioners per 1,000 staff",
            "per_1000",
            False,
            "higher_is_better",
        ),
        OutputSpec(
            "experts_per_1000",
            "Improvement experts per 1,000 staff",
            "per_1000",
            False,
            "higher_is_better",
        ),
        OutputSpec("workforce", "Workforce headcount", "count", False, "neutral"),
        OutputSpec("places_funded", "Programme places funded", "count", True, "neutral"),
        OutputSpec("completions", "Programme completions", "count", True, "higher_is_better"),
        OutputSpec("cost_leadership", "Leadership programme cost", "gbp", False, "neutral"),
        OutputSpec("cost_improvement", "Improvement training cost", "gbp", False, "neutral"),
        OutputSpec("cost_total", "Programme cost in the year", "gbp", False, "neutral"),
        OutputSpec("cumulative_cost", "Cumulative programme cost", "gbp", False, "neutral"),
    )
}
# Outputs that are flows during a year (nothing happens in year 0, the starting position).
FLOW_OUTPUTS = frozenset(
    {"places_funded", "completions", "cost_leadership", "cost_improvement", "cost_total"}
)
MEASURE_OUTPUT: dict[str, OutputSpec] = {s.measure: s for s in OUTPUTS.values() if s.measure}
UNIT_SUFFIX = {"percent": "%", "count": "", "ratio": "", "gbp": "", "per_1000": " per 1,000"}


def output_label(name: str, level: int = 0) -> str:
    spec = OUTPUTS[name]
    if spec.by_level:
        return f"{spec.label}: {LEVEL_NAMES[level].lower()}"
    return spec.label


def format_value(name: str, value: float) -> str:
    """A value in plain English with its unit (for tables and text summaries)."""
    if value is None or not np.isfinite(value):
        return "–"
    unit = OUTPUTS[name].unit
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "gbp":
        return f"£{value / 1e6:,.1f}m" if abs(value) >= 1e5 else f"£{value:,.0f}"
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "per_1000":
        return f"{value:.1f} per 1,000"
    return f"{value:,.0f}"


def format_delta(name: str, delta: float) -> str:
    """A signed change in the output's units ("pts" = percentage points for percentages);
    "no change" when it rounds to zero."""
    if delta is None or not np.isfinite(delta):
        return "–"
    text = format_value(name, abs(delta))
    if text == format_value(name, 0.0):
        return "no change"
    if OUTPUTS[name].unit == "percent":
        text = text.removesuffix("%") + " pts"
    return ("+" if delta > 0 else "−") + text


def geo_codes(result: ModelResult) -> tuple[str, ...]:
    return (*result.regions, ENGLAND_CODE)


def _geo(x: np.ndarray) -> np.ndarray:
    """Append England (sum of regions) on axis 2."""
    return np.concatenate([x, x.sum(axis=2, keepdims=True)], axis=2)


def _lev(x: np.ndarray) -> np.ndarray:
    """Append all levels (sum) on axis 3."""
    return np.concatenate([x, x.sum(axis=3, keepdims=True)], axis=3)


def _ratio(num: np.ndarray, den: np.ndarray, factor: float = 1.0) -> np.ndarray:
    out = np.full(np.broadcast_shapes(num.shape, den.shape), np.nan)
    np.divide(num * factor, den, out=out, where=den != 0)
    return out


def output_arrays(result: ModelResult, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Each requested output as ``(draws, years, geographies, levels)`` (see module doc)."""
    wanted = list(names) if names is not None else list(OUTPUTS)
    S, D, E = _lev(_geo(result.S)), _lev(_geo(result.D)), _lev(_geo(result.E))
    W = _geo(result.W)[..., None]
    q = [_geo(result.Q[..., k])[..., None] for k in range(result.Q.shape[-1])]
    cost_l = _geo(result.cost)[..., None]
    cost_i = _geo(result.qi_cost)[..., None]
    cover = _ratio(D[..., 2:3], E[..., 3:4])
    compute = {
        "leaders_in_post": lambda: S,
        "developed_leaders": lambda: D,
        "developed_share": lambda: _ratio(D, S, 100.0),
        "posts": lambda: E,
        "vacancy_rate": lambda: _ratio(E - S, E, 100.0),
        "succession_cover": lambda: cover,
        "successor_ready": lambda: np.minimum(
            100.0, _ratio(cover, cover[:, :1], 100.0 * result.params.base.successor_ready)
        ),
        "improvement_coverage": lambda: _ratio(q[0], W, 100.0),
        "practitioners_per_1000": lambda: _ratio(q[1], W, 1000.0),
        "experts_per_1000": lambda: _ratio(q[2], W, 1000.0),
        "workforce": lambda: W,
        "places_funded": lambda: _lev(_geo(result.places)),
        "completions": lambda: _lev(_geo(result.completions)),
        "cost_leadership": lambda: cost_l,
        "cost_improvement": lambda: cost_i,
        "cost_total": lambda: cost_l + cost_i,
        "cumulative_cost": lambda: np.cumsum(cost_l + cost_i, axis=1),
    }
    unknown = [n for n in wanted if n not in compute]
    if unknown:
        raise KeyError(f"unknown outputs: {unknown}")
    return {n: compute[n]() for n in wanted}


def select(result: ModelResult, name: str, geo: str = ENGLAND_CODE, level: int = 0) -> np.ndarray:
    """One output for one geography and level: ``(draws, years)`` (memoised on the result)."""
    key = ("select", name, geo, level)
    if key not in result.cache:
        arr = output_arrays(result, [name])[name]
        g = geo_codes(result).index(geo)
        lv = LEVEL_CODES.index(level) if OUTPUTS[name].by_level else 0
        result.cache[key] = arr[:, :, g, lv].copy()
    return result.cache[key]


def percentile_arrays(result: ModelResult, name: str) -> np.ndarray:
    """P10/P50/P90 of one output over the draws: ``(3, years, geographies, levels)``,
    memoised on the result (small, unlike the draws themselves)."""
    key = ("pct", name)
    if key not in result.cache:
        arr = output_arrays(result, [name])[name]
        result.cache[key] = np.percentile(arr, list(PERCENTILES), axis=0)
    return result.cache[key]


def percentiles_at(
    result: ModelResult, name: str, geo: str = ENGLAND_CODE, level: int = 0
) -> np.ndarray:
    """P10/P50/P90 by year for one geography and level: ``(3, years)``."""
    g = geo_codes(result).index(geo)
    lv = LEVEL_CODES.index(level) if OUTPUTS[name].by_level else 0
    return percentile_arrays(result, name)[:, :, g, lv]


def _frame(arr: np.ndarray, stat_labels, name: str, codes, scenario: str) -> pd.DataFrame:
    n_stat, n_year, n_geo, n_lev = arr.shape
    levels = LEVEL_CODES if n_lev == len(LEVEL_CODES) else (0,)
    idx = pd.MultiIndex.from_product(
        [list(stat_labels), range(n_year), list(codes), list(levels)],
        names=["stat", "year", "geo_code", "level"],
    )
    frame = pd.DataFrame({"value": arr.reshape(-1)}, index=idx).reset_index()
    frame.insert(0, "scenario", scenario)
    frame.insert(5, "output", name)
    return frame


def summarise(
    result: ModelResult,
    scenario: str = "Scenario",
    names: Iterable[str] | None = None,
    percentiles: Iterable[int] = PERCENTILES,
) -> pd.DataFrame:
    """Tidy frame ``scenario, stat, year, geo_code, level, output, value``.

    ``stat`` is ``P10``/``P50``/``P90`` and ``mean`` for a Monte-Carlo run, ``central`` for a
    deterministic run.
    """
    arrays = output_arrays(result, names)
    codes = geo_codes(result)
    pcts = list(percentiles)
    frames = []
    for name, arr in arrays.items():
        if result.seed is None and result.draws == 1:
            frames.append(_frame(arr, ["central"], name, codes, scenario))
            continue
        stats = np.concatenate([np.percentile(arr, pcts, axis=0), arr.mean(axis=0)[None]])
        frames.append(_frame(stats, [f"P{p}" for p in pcts] + ["mean"], name, codes, scenario))
    return pd.concat(frames, ignore_index=True)


def tidy_draws(
    result: ModelResult,
    scenario: str = "Scenario",
    names: Iterable[str] | None = None,
    max_draws: int | None = None,
) -> pd.DataFrame:
    """Every draw as tidy rows ``scenario, draw, year, geo_code, level, output, value``."""
    arrays = output_arrays(result, names)
    codes = geo_codes(result)
    frames = []
    for name, arr in arrays.items():
        if max_draws is not None:
            arr = arr[:max_draws]
        frame = _frame(arr, range(1, arr.shape[0] + 1), name, codes, scenario)
        frames.append(frame.rename(columns={"stat": "draw"}))
    return pd.concat(frames, ignore_index=True)


def meets(name: str, values: np.ndarray, target: float) -> np.ndarray:
    """Whether each value meets a target, by the output's polarity (NaN never meets)."""
    polarity = OUTPUTS[name].polarity
    with np.errstate(invalid="ignore"):
        if polarity == "lower_is_better":
            return values <= target
        return values >= target


def probability_meeting(result: ModelResult, targets: pd.DataFrame) -> pd.DataFrame:
    """Share of draws meeting each plan target for its horizon.

    ``targets`` has ``measure_code, geo_code, horizon, target`` (the plan's rows); measures
    the model does not produce (anything but M06, M08, M10) and horizons beyond the run are
    skipped. Adds ``output, level, p10, p50, p90, probability``.
    """
    cols = ["measure_code", "geo_code", "horizon", "target", "output", "level"]
    rows = []
    codes = geo_codes(result)
    cache: dict[str, np.ndarray] = {}
    for t in targets.itertuples(index=False):
        spec = MEASURE_OUTPUT.get(t.measure_code)
        if spec is None or t.geo_code not in codes or int(t.horizon) > result.horizon:
            continue
        if spec.name not in cache:
            cache[spec.name] = output_arrays(result, [spec.name])[spec.name]
        arr = cache[spec.name]
        lv = LEVEL_CODES.index(spec.level) if spec.by_level else 0
        values = arr[:, int(t.horizon), codes.index(t.geo_code), lv]
        p10, p50, p90 = np.percentile(values, [10, 50, 90])
        rows.append(
            {
                "measure_code": t.measure_code,
                "geo_code": t.geo_code,
                "horizon": int(t.horizon),
                "target": float(t.target),
                "output": spec.name,
                "level": spec.level,
                "p10": p10,
                "p50": p50,
                "p90": p90,
                "probability": float(meets(spec.name, values, float(t.target)).mean()),
            }
        )
    extra = ["p10", "p50", "p90", "probability"]
    return pd.DataFrame(rows, columns=cols + extra)
