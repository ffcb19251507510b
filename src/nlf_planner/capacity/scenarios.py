"""Scenario operations of ``MODEL.md``: baseline, compare, sensitivity, goal seek, waterfall,
JSON export and import. Pure domain code (no Streamlit, no SQL); the store saves scenarios.

Choices where ``MODEL.md`` leaves room (also in ``docs/MODEL.md``):

- Sensitivity and waterfall use deterministic runs (central values), so each bar is an exact
  difference; fan charts and target odds use Monte Carlo.
- Sensitivity sets one uncertain parameter to its low and then its high bound (for every
  region: a regional override moves to its own low/high), in one vectorised run.
- Goal seek's ``places`` lever multiplies all programme places (leadership and improvement)
  in every year, between 0 and ``max_multiplier`` (default 10×), with the budget lifted (the
  question is how many places are needed; the cost of the answer is reported). Its
  ``budget`` lever is a flat £ a year for leadership places: the scenario's places (mix and
  phasing kept) are raised to ``max_multiplier``× and the model's own budget rule scales
  them down to the budget, so the budget never buys more than ``max_multiplier``× the
  planned places. Every trial reuses the scenario's seed (common random numbers), which
  keeps the probability monotone in the lever so bisection is sound.
- Waterfall groups are switched cumulatively in the fixed order places (including
  improvement places), budget, attrition (with retention gain), promotion (with promotion
  preference), external fill (with external hires already developed); regional overrides move
  with their parameter's group; whatever else differs (completion, growth, base state,
  allocation, …) is one final "Other assumptions" bar, so the bars always add up.
- Cost per additional developed leader compares cumulative leadership-programme cost and
  developed leaders (England, all levels) with the baseline, draw by draw when both runs have
  the same draws and seed (common random numbers), otherwise from the means.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nlf_planner.capacity import model as cm
from nlf_planner.capacity.outputs import (
    OUTPUTS,
    format_delta,
    format_value,
    geo_codes,
    meets,
    output_label,
    percentiles_at,
    select,
)
from nlf_planner.capacity.params import (
    ALLOCATION_LABELS,
    LEVEL_NAMES,
    SPEC_BY_KEY,
    TIER_NAMES,
    UNCERTAIN,
    WATERFALL_GROUPS,
    CapacityParams,
    baseline_params,
    validation_message,
)
from nlf_planner.geography import ENGLAND_CODE

EXPORT_FORMAT = "nlf-planner-scenario"
EXPORT_VERSION = 1
MAX_COMPARE = 4
MAX_DRAWS = 20_000
HEADLINE_YEARS = (1, 3, 5)
# Headline outputs shown in the results table and Compare: (output, level).
HEADLINES: tuple[tuple[str, int], ...] = (
    ("vacancy_rate", 4),
    ("developed_share", 1),
    ("developed_share", 2),
    ("developed_share", 3),
    ("developed_share", 4),
    ("succession_cover", 0),
    ("successor_ready", 0),
    ("improvement_coverage", 0),
    ("cost_total", 0),
    ("cumulative_cost", 0),
)


class ScenarioError(ValueError):
    """A scenario operation that cannot be done, with a message fit for the page."""


class Scenario(BaseModel):
    """A named, versioned parameter set with its Monte-Carlo settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    description: str = ""
    params: CapacityParams = Field(default_factory=CapacityParams)
    seed: int = Field(2016, ge=0, le=2**62)
    draws: int = Field(1000, ge=1, le=MAX_DRAWS)
    is_baseline: bool = False
    scenario_id: str | None = None
    version: int | None = None
    author: str | None = None
    created_at: datetime | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("give the scenario a name")
        return v

    @property
    def label(self) -> str:
        return f"{self.name} (v{self.version})" if self.version else self.name


BASELINE_NAME = "Baseline: carry on as now"
# An edited run is the person's own, not yet saved: never called by the name of what it
# was edited from (an edited baseline is no longer "carry on as now").
UNSAVED_LABEL = "Your scenario (unsaved)"


def baseline_scenario(horizon: int = 5, draws: int = 1000, seed: int = 2016) -> Scenario:
    return Scenario(
        name=BASELINE_NAME,
        description="Today's programme places and budget carried forward flat for every year.",
        params=baseline_params(horizon),
        seed=seed,
        draws=draws,
        is_baseline=True,
    )


def run_label(scenario: Scenario, params: CapacityParams) -> str:
    """The name a run goes by in legends and tables: the scenario's own name while its
    saved inputs are run, :data:`UNSAVED_LABEL` once they are edited."""
    return scenario.name if params == scenario.params else UNSAVED_LABEL


def params_hash(params: CapacityParams, draws: int, seed: int) -> str:
    """A stable key for caching results: same parameters and run settings, same hash."""
    text = json.dumps(
        {"params": params.model_dump(mode="json"), "draws": draws, "seed": seed},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_scenario(
    scenario: Scenario, *, progress: Callable[[float], None] | None = None, chunk: int = 1000
) -> cm.ModelResult:
    """Run a scenario (deterministic when ``draws == 1``).

    With ``progress``, the draws run in chunks and ``progress(fraction)`` is called after
    each; the result is identical to one run because every draw is independent and the
    uniforms are drawn up front from the seed.
    """
    if scenario.draws == 1:
        return cm.run_deterministic(scenario.params)
    if progress is None or scenario.draws <= chunk:
        return cm.run_monte_carlo(scenario.params, scenario.draws, scenario.seed)
    u = cm.uniforms(scenario.seed, scenario.draws)
    parts = []
    for start in range(0, scenario.draws, chunk):
        parts.append(cm.run(scenario.params, u[start : start + chunk], seed=scenario.seed))
        progress(min(1.0, (start + chunk) / scenario.draws))
    return cm.concat_results(parts)


# --- saving rules ------------------------------------------------------------------------


def copy_of(source: Scenario, name: str | None = None) -> Scenario:
    """A clone to save as a new scenario: the same parameters and run settings, a new name
    ("Copy of …" unless given), no id or version yet, and never the baseline."""
    return source.model_copy(
        update={
            "name": (name or f"Copy of {source.name}").strip()[:120],
            "is_baseline": False,
            "scenario_id": None,
            "version": None,
            "author": None,
            "created_at": None,
        }
    )


def ensure_deletable(scenario: Scenario) -> None:
    """Refuse to delete the baseline: every scenario is compared with it."""
    if scenario.is_baseline:
        raise ScenarioError("The baseline cannot be deleted: every scenario is compared with it.")


# --- JSON export / import ----------------------------------------------------------------


def export_json(scenario: Scenario) -> str:
    """The scenario as a self-describing JSON document (parameters, seed, draws, provenance)."""
    doc = {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "name": scenario.name,
        "description": scenario.description,
        "seed": scenario.seed,
        "draws": scenario.draws,
        "params": scenario.params.model_dump(mode="json"),
        "exported_from": {
            "scenario_id": scenario.scenario_id,
            "version": scenario.version,
            "author": scenario.author,
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def import_json(text: str | bytes) -> Scenario:
    """Parse and validate an exported scenario; nothing is used until all of it is valid."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"The file is not valid JSON ({exc}).") from exc
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise ScenarioError(
            f'The file is not an NLF Planner scenario (expected "format": "{EXPORT_FORMAT}").'
        )
    if doc.get("format_version") != EXPORT_VERSION:
        raise ScenarioError(
            f"Scenario format version {doc.get('format_version')!r} is not supported "
            f"(this app reads version {EXPORT_VERSION})."
        )
    try:
        return Scenario(
            name=doc.get("name", ""),
            description=doc.get("description") or "",
            params=CapacityParams.model_validate(doc.get("params") or {}),
            seed=doc.get("seed", 2016),
            draws=doc.get("draws", 1000),
        )
    except ValidationError as exc:
        raise ScenarioError("The scenario is not valid: " + validation_message(exc)) from exc


# --- what changed ------------------------------------------------------------------------


def changes_vs(base: CapacityParams, other: CapacityParams) -> list[str]:
    """Plain-English lines naming every parameter that differs from ``base``.

    Places and budgets are compared year by year over the longer horizon, so a list written
    out in full and the same list carried forward count as the same.
    """
    lines: list[str] = []
    for spec in UNCERTAIN:
        ra, rb = base.range_of(spec.key), other.range_of(spec.key)
        if (ra.low, ra.central, ra.high) != (rb.low, rb.central, rb.high):
            lines.append(f"{spec.label}: {_rng(spec.key, ra)} → {_rng(spec.key, rb)}")
    years = range(1, max(base.horizon, other.horizon) + 1)
    level_names = [LEVEL_NAMES[lv].lower() for lv in (1, 2, 3, 4)]
    tier_names = [TIER_NAMES[k].lower() for k in (1, 2, 3)]
    for getter, names, what in (
        ("places_for_year", level_names, "Places a year"),
        ("qi_places_for_year", tier_names, "Improvement training places a year"),
    ):
        pa = [getattr(base, getter)(t) for t in years]
        pb = [getattr(other, getter)(t) for t in years]
        for i, name in enumerate(names):
            sa, sb = [row[i] for row in pa], [row[i] for row in pb]
            if sa != sb:
                lines.append(f"{what}, {name}: {_phased(sa)} → {_phased(sb)}")
    ba = [base.budget_for_year(t) for t in years]
    bb = [other.budget_for_year(t) for t in years]
    if ba != bb:
        lines.append(f"Budget for leadership places: {_phased_budget(ba)} → {_phased_budget(bb)}")
    if base.horizon != other.horizon:
        lines.append(f"Years projected: {base.horizon} → {other.horizon}")
    if base.allocation != other.allocation:
        lines.append(
            f"Places shared between regions: {ALLOCATION_LABELS[base.allocation].lower()} → "
            f"{ALLOCATION_LABELS[other.allocation].lower()}"
        )
    for attr, names, what in (
        ("cost_per_place", level_names, "Cost per place"),
        ("qi_cost", tier_names, "Improvement training cost per place"),
    ):
        for name, x, y in zip(names, getattr(base, attr), getattr(other, attr), strict=True):
            if x != y:
                lines.append(f"{what}, {name}: £{x:,.0f} → £{y:,.0f}")
    if base.base != other.base:
        lines.append("Starting position (posts, leaders in post, developed shares) changed")
    if base.region_shares != other.region_shares:
        lines.append("Regional workforce shares changed")
    if base.overrides != other.overrides:
        n = len(other.overrides)
        lines.append(f"Regional overrides changed ({n} now set)")
    return lines


def consequences_vs(base: CapacityParams, other: CapacityParams) -> list[str]:
    """What the model did to ``other``'s inputs, in words: the years the budget cap scaled
    the leadership places down (step 5: every level by the same share), and the levels
    left with fewer funded places than ``base`` as a result — the reason their outputs
    fall when another level's places go up."""
    years = range(1, other.horizon + 1)
    lines = []
    capped = [t for t in years if other.funding_scale(t) < 1.0]
    for span, t in _runs(capped, lambda t: (other.funding_scale(t), other.planned_cost(t))):
        lines.append(
            f"Budget cap reached in {span}: the places asked for would cost "
            f"£{other.planned_cost(t) / 1e6:,.1f}m a year, above the "
            f"£{other.budget_for_year(t) / 1e6:,.1f}m budget, so places at every level were "
            f"scaled to {other.funding_scale(t):.0%} of those asked for."
        )
    if not capped:
        return lines
    fewer = []
    for i, lv in enumerate((1, 2, 3, 4)):
        mine = [other.places_for_year(t)[i] * other.funding_scale(t) for t in years]
        theirs = [base.places_for_year(t)[i] * base.funding_scale(t) for t in years]
        if any(a < b - 0.5 for a, b in zip(mine, theirs, strict=True)):
            fewer.append(
                f"{LEVEL_NAMES[lv].lower()} ({_phased([round(x) for x in mine])}, "
                f"baseline {_phased([round(x) for x in theirs])})"
            )
    if fewer:
        lines.append(
            "So fewer places are funded than in the baseline for "
            + "; ".join(fewer)
            + ": their outputs fall for that reason."
        )
    return lines


def _runs(years: list[int], key: Callable[[int], object]) -> list[tuple[str, int]]:
    """Consecutive years with the same ``key``, as ("year 2" / "years 1–5", first year)."""
    out: list[tuple[str, int]] = []
    start = 0
    for i in range(1, len(years) + 1):
        if i == len(years) or years[i] != years[i - 1] + 1 or key(years[i]) != key(years[start]):
            a, b = years[start], years[i - 1]
            out.append((f"year {a}" if a == b else f"years {a}–{b}", a))
            start = i
    return out


def _rng(key: str, r) -> str:
    if r.low == r.high:
        return input_text(key, r.central)
    return f"{input_text(key, r.central)} ({input_text(key, r.low)}–{input_text(key, r.high)})"


def _phased(series: list[float]) -> str:
    """3,000 a year, or 3,000 in year 1, 4,500 in year 2, … (runs of equal years merged)."""
    if len(set(series)) == 1:
        return f"{series[0]:,.0f} a year"
    parts, start = [], 0
    for i in range(1, len(series) + 1):
        if i == len(series) or series[i] != series[start]:
            span = f"year {start + 1}" if i - start == 1 else f"years {start + 1}–{i}"
            parts.append(f"{series[start]:,.0f} in {span}")
            start = i
    return ", ".join(parts)


def _phased_budget(series: list[float | None]) -> str:
    texts = ["no limit" if x is None else f"£{x / 1e6:,.1f}m" for x in series]
    if len(set(texts)) == 1:
        return texts[0] + (" a year" if series[0] is not None else "")
    parts, start = [], 0
    for i in range(1, len(texts) + 1):
        if i == len(texts) or texts[i] != texts[start]:
            span = f"year {start + 1}" if i - start == 1 else f"years {start + 1}–{i}"
            parts.append(f"{texts[start]} in {span}")
            start = i
    return ", ".join(parts)


# --- compare -----------------------------------------------------------------------------


def _values(result: cm.ModelResult, name: str, geo: str, level: int) -> np.ndarray:
    return select(result, name, geo, level)


def cost_per_additional_developed(
    result: cm.ModelResult, baseline: cm.ModelResult, geo: str = ENGLAND_CODE
) -> np.ndarray:
    """£ of extra cumulative leadership cost per extra developed leader vs the baseline.

    Returns ``(draws, years)`` (one row when the draws cannot be paired); NaN where the
    scenario develops no more leaders than the baseline.
    """
    h = min(result.horizon, baseline.horizon) + 1
    g_r, g_b = geo_codes(result).index(geo), geo_codes(baseline).index(geo)
    cost_r = np.cumsum(
        result.cost.sum(axis=2) if geo == ENGLAND_CODE else result.cost[:, :, g_r], 1
    )
    cost_b = np.cumsum(
        baseline.cost.sum(axis=2) if geo == ENGLAND_CODE else baseline.cost[:, :, g_b], 1
    )
    dev_r = _values(result, "developed_leaders", geo, 0)
    dev_b = _values(baseline, "developed_leaders", geo, 0)
    cost_r, cost_b, dev_r, dev_b = cost_r[:, :h], cost_b[:, :h], dev_r[:, :h], dev_b[:, :h]
    if result.draws != baseline.draws or result.seed != baseline.seed:
        cost_r, cost_b = cost_r.mean(0, keepdims=True), cost_b.mean(0, keepdims=True)
        dev_r, dev_b = dev_r.mean(0, keepdims=True), dev_b.mean(0, keepdims=True)
    extra = dev_r - dev_b
    out = np.full(extra.shape, np.nan)
    np.divide(cost_r - cost_b, extra, out=out, where=extra > 1e-6)
    return out


def headline_table(
    results: dict[str, cm.ModelResult],
    baseline: cm.ModelResult,
    targets: pd.DataFrame | None = None,
    geo: str = ENGLAND_CODE,
    years: tuple[int, ...] = HEADLINE_YEARS,
) -> pd.DataFrame:
    """Headline outputs at years 1/3/5 for each scenario: P10/P50/P90, the baseline's P50,
    the delta, the plan target (M06/M08/M10) and the probability of meeting it."""
    tmap = _target_map(targets, geo)
    rows = []
    for scen, res in results.items():
        for name, level in HEADLINES:
            pct = percentiles_at(res, name, geo, level)
            base_pct = percentiles_at(baseline, name, geo, level)
            spec = OUTPUTS[name]
            for y in years:
                if y > res.horizon:
                    continue
                p10, p50, p90 = (float(x) for x in pct[:, y])
                b50 = float(base_pct[1, y]) if y <= baseline.horizon else np.nan
                target = (
                    tmap.get((spec.measure, y)) if spec.measure and level == spec.level else None
                )
                prob = np.nan
                if target is not None:
                    v = _values(res, name, geo, level)[:, y]
                    prob = float(meets(name, v, target).mean())
                rows.append(
                    {
                        "scenario": scen,
                        "output": name,
                        "level": level,
                        "label": output_label(name, level),
                        "unit": spec.unit,
                        "year": y,
                        "p10": p10,
                        "p50": p50,
                        "p90": p90,
                        "baseline_p50": b50,
                        "delta": p50 - b50,
                        "target": np.nan if target is None else target,
                        "probability": prob,
                    }
                )
        cpa = cost_per_additional_developed(res, baseline, geo)
        for y in years:
            if y < cpa.shape[1]:
                col = cpa[:, y]
                ok = np.isfinite(col)
                rows.append(
                    {
                        "scenario": scen,
                        "output": "cost_per_additional_developed",
                        "level": 0,
                        "label": "Cost per additional developed leader vs baseline",
                        "unit": "gbp",
                        "year": y,
                        "p10": np.percentile(col[ok], 10) if ok.any() else np.nan,
                        "p50": np.percentile(col[ok], 50) if ok.any() else np.nan,
                        "p90": np.percentile(col[ok], 90) if ok.any() else np.nan,
                        "baseline_p50": np.nan,
                        "delta": np.nan,
                        "target": np.nan,
                        "probability": np.nan,
                    }
                )
    return pd.DataFrame(rows)


def _target_map(targets: pd.DataFrame | None, geo: str) -> dict[tuple[str, int], float]:
    if targets is None or targets.empty:
        return {}
    sub = targets[targets["geo_code"] == geo]
    return {(r.measure_code, int(r.horizon)): float(r.target) for r in sub.itertuples()}


def fan_data(
    results: dict[str, cm.ModelResult], name: str, geo: str = ENGLAND_CODE, level: int = 0
) -> pd.DataFrame:
    """P10/P50/P90 by year for each scenario: the data behind a fan chart."""
    frames = []
    for scen, res in results.items():
        p = percentiles_at(res, name, geo, level)
        frames.append(
            pd.DataFrame(
                {
                    "scenario": scen,
                    "year": np.arange(p.shape[1]),
                    "p10": p[0],
                    "p50": p[1],
                    "p90": p[2],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# --- sensitivity (tornado) ---------------------------------------------------------------


def input_text(key: str, value: float) -> str:
    """An input value in the units people use: rates as %, the preference as a multiple."""
    if SPEC_BY_KEY[key].kind == "weight":
        return f"{value:g}×"
    return f"{value * 100:.1f}%".replace(".0%", "%")


def sensitivity(
    params: CapacityParams, name: str, horizon: int, geo: str = ENGLAND_CODE, level: int = 0
) -> pd.DataFrame:
    """Each uncertain parameter at its low then its high value, the others central.

    Returns one row per parameter, sorted by swing (largest first): ``key, label, group,
    input_low, input_high, low, high, central, swing``.
    """
    if not 1 <= horizon <= params.horizon:
        raise ScenarioError(f"Choose a horizon between 1 and {params.horizon} years.")
    n = len(UNCERTAIN)
    u = np.full((1 + 2 * n, n), np.nan)
    for j in range(n):
        u[1 + 2 * j, j] = 0.0
        u[2 + 2 * j, j] = 1.0
    res = cm.run(params, u)
    vals = _values(res, name, geo, level)[:, horizon]
    central = float(vals[0])
    rows = []
    for j, spec in enumerate(UNCERTAIN):
        r = params.range_of(spec.key)
        lo, hi = float(vals[1 + 2 * j]), float(vals[2 + 2 * j])
        rows.append(
            {
                "key": spec.key,
                "label": spec.label,
                "group": spec.group,
                "input_low": r.low,
                "input_high": r.high,
                "input_low_text": input_text(spec.key, r.low),
                "input_high_text": input_text(spec.key, r.high),
                "low": lo,
                "high": hi,
                "central": central,
                "swing": abs(hi - lo),
            }
        )
    frame = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable")
    return frame.reset_index(drop=True)


# --- goal seek ---------------------------------------------------------------------------


@dataclass
class GoalSeekResult:
    reachable: bool
    already_met: bool
    lever: str
    value: float  # multiplier on places, or £ a year
    probability: float
    message: str
    trajectory: pd.DataFrame  # year, p10, p50, p90 at the answer (or the best value)
    evaluations: list[tuple[float, float]] = field(default_factory=list)
    params: CapacityParams | None = None


def _lever_params(params: CapacityParams, lever: str, x: float, max_mult: float) -> CapacityParams:
    if lever == "places":
        return params.model_copy(
            update={
                "places": tuple([p * x for p in s] for s in params.places),
                "qi_places": tuple([p * x for p in s] for s in params.qi_places),
                "budget": None,
            }
        )
    return params.model_copy(
        update={
            "places": tuple([p * max_mult for p in s] for s in params.places),
            "budget": [x],
        }
    )


def goal_seek(
    params: CapacityParams,
    name: str,
    target: float,
    horizon: int,
    *,
    confidence: float = 0.8,
    lever: Literal["places", "budget"] = "places",
    geo: str = ENGLAND_CODE,
    level: int = 0,
    draws: int = 1000,
    seed: int = 2016,
    max_multiplier: float = 10.0,
    tolerance: float = 1e-3,
    progress: Callable[[float], None] | None = None,
) -> GoalSeekResult:
    """Smallest places multiplier (or flat annual budget) meeting ``target`` at ``horizon``
    with probability ≥ ``confidence``; "not reachable" with the best value when even the
    maximum falls short. Bisection on the (monotone) probability."""
    if not 1 <= horizon <= params.horizon:
        raise ScenarioError(f"Choose a horizon between 1 and {params.horizon} years.")
    if not 0 < confidence <= 1:
        raise ScenarioError("Confidence must be between 0 and 100%.")
    if lever not in ("places", "budget"):
        raise ScenarioError("The lever must be places or budget.")
    u = cm.uniforms(seed, draws) if draws > 1 else np.full((1, len(UNCERTAIN)), np.nan)
    evaluations: list[tuple[float, float]] = []

    def prob(x: float) -> tuple[float, np.ndarray]:
        res = cm.run(_lever_params(params, lever, x, max_multiplier), u)
        vals = _values(res, name, geo, level)
        p = float(meets(name, vals[:, horizon], target).mean())
        evaluations.append((x, p))
        if progress is not None:
            progress(min(1.0, len(evaluations) / 14))
        return p, vals

    hi = (
        max_multiplier
        if lever == "places"
        else max_multiplier * max(params.planned_cost(t) for t in range(1, params.horizon + 1))
    )
    lo = 0.0
    p_lo, vals_lo = prob(lo)
    label = output_label(name, level)
    op = "at most" if OUTPUTS[name].polarity == "lower_is_better" else "at least"
    goal = f"{label} {op} {format_value(name, target)} in year {horizon}"
    asked = f"(you asked for {confidence:.0%})"
    if p_lo >= confidence:
        return _gs(
            True,
            True,
            lever,
            lo,
            p_lo,
            vals_lo,
            evaluations,
            params,
            max_multiplier,
            f"Already met without any {'places' if lever == 'places' else 'budget'}: "
            f"{p_lo:.0%} of draws have {goal} {asked}.",
        )
    p_hi, vals_hi = prob(hi)
    if p_hi < confidence:
        best = _describe(lever, hi)
        return _gs(
            False,
            False,
            lever,
            hi,
            p_hi,
            vals_hi,
            evaluations,
            params,
            max_multiplier,
            f"Not reachable: even {best} gives only {p_hi:.0%} of draws with {goal} {asked}.",
        )
    scale = max(1.0, hi)
    while hi - lo > tolerance * scale:
        mid = (lo + hi) / 2
        p_mid, vals_mid = prob(mid)
        if p_mid >= confidence:
            hi, p_hi, vals_hi = mid, p_mid, vals_mid
        else:
            lo = mid
    return _gs(
        True,
        False,
        lever,
        hi,
        p_hi,
        vals_hi,
        evaluations,
        params,
        max_multiplier,
        f"{_describe(lever, hi).capitalize()} is the smallest that meets the goal: "
        f"{p_hi:.0%} of draws have {goal} {asked}.",
    )


def _describe(lever: str, x: float) -> str:
    if lever == "places":
        return f"{x:.2f}× today's programme places"
    return f"a budget of £{x / 1e6:,.2f}m a year"


def _gs(reachable, met, lever, x, p, vals, evaluations, params, max_mult, msg) -> GoalSeekResult:
    pct = np.percentile(vals, [10, 50, 90], axis=0)
    traj = pd.DataFrame(
        {"year": np.arange(vals.shape[1]), "p10": pct[0], "p50": pct[1], "p90": pct[2]}
    )
    return GoalSeekResult(
        reachable=reachable,
        already_met=met,
        lever=lever,
        value=float(x),
        probability=float(p),
        message=msg,
        trajectory=traj,
        evaluations=evaluations,
        params=_lever_params(params, lever, x, max_mult),
    )


# --- waterfall ---------------------------------------------------------------------------


def waterfall(
    baseline: CapacityParams,
    scenario: CapacityParams,
    name: str,
    horizon: int,
    geo: str = ENGLAND_CODE,
    level: int = 0,
) -> pd.DataFrame:
    """Change in one output from baseline to scenario at ``horizon``, attributed by switching
    parameter groups one at a time (central values). Rows: ``step, kind, value, delta`` with
    kind ``start`` / ``step`` / ``total``; the steps add up to the total change."""
    if not 1 <= horizon <= min(baseline.horizon, scenario.horizon):
        raise ScenarioError("Choose a horizon within both the baseline's and the scenario's years.")
    cur = baseline.model_dump()
    target = scenario.model_dump()
    cur["horizon"] = target["horizon"] = horizon

    def value(data: dict) -> float:
        res = cm.run_deterministic(CapacityParams.model_validate(data))
        return float(_values(res, name, geo, level)[0, horizon])

    start = value(cur)
    rows = [{"step": "Baseline", "kind": "start", "value": start, "delta": start}]
    prev = start
    for label, fields in WATERFALL_GROUPS:
        for f in fields:
            cur[f] = target[f]
        cur["overrides"] = [
            o for o in cur["overrides"] if SPEC_BY_KEY[o["parameter"]].field not in fields
        ] + [o for o in target["overrides"] if SPEC_BY_KEY[o["parameter"]].field in fields]
        now = value(cur)
        rows.append({"step": label, "kind": "step", "value": now, "delta": now - prev})
        prev = now
    end = value(target)
    rows.append({"step": "Other assumptions", "kind": "step", "value": end, "delta": end - prev})
    rows.append({"step": "Scenario", "kind": "total", "value": end, "delta": end - start})
    return pd.DataFrame(rows)


# --- display -----------------------------------------------------------------------------


def median_range(name: str, p10: float, p50: float, p90: float) -> str:
    """ "7.8% (4.5% to 11.5%)"; just the median when the range is nil; "–" when unknown."""
    if p50 is None or not np.isfinite(p50):
        return "–"
    lo, mid, hi = (format_value(name, x) for x in (p10, p50, p90))
    return mid if lo == hi else f"{mid} ({lo} to {hi})"


def headline_view(head: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """One scenario's headline table in words: median (80% range), change vs baseline and
    the chance of meeting the plan target, one row per output and year."""
    part = head[head["scenario"] == scenario]
    rows = []
    for r in part.itertuples():
        fmt_name = r.output if r.output in OUTPUTS else "cost_total"
        f = lambda v, n=fmt_name: format_value(n, v)  # noqa: E731
        delta = format_delta(fmt_name, r.delta)
        rows.append(
            {
                "Output": r.label,
                "Year": int(r.year),
                "Median (80% range)": median_range(fmt_name, r.p10, r.p50, r.p90),
                "vs baseline": delta,
                "Plan target": f(r.target) if np.isfinite(r.target) else "–",
                "Chance of target": (f"{r.probability:.0%}" if np.isfinite(r.probability) else "–"),
            }
        )
    return pd.DataFrame(rows)
