"""Regions domain: the tartan-rug matrix, progress against plan, region profiles, readings.

Everything the Regions page shows comes from one :class:`RegionsModel`, built once per data
version: SPC for every series (``spc.spc_many``), the comparison of each area's latest value
with England (``compare``) and progress against the plan. Matrix cells, charts, summary
tables and text all read the same rows, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from nlf_planner import baselines as baseline_rules
from nlf_planner import plan as plan_rules
from nlf_planner import spc_reading
from nlf_planner import worsening as worsening_rules
from nlf_planner.compare import (
    COMPARISON_LABEL,
    Adjustment,
    Comparison,
    benchmark_table,
    classify,
    funnel_curve,
    funnel_table,
    sides,
    wilson_interval,
)
from nlf_planner.geography import ENGLAND_CODE, ENGLAND_NAME
from nlf_planner.models import ICB, Measure, PriorityArea, Region
from nlf_planner.periods import label as period_label
from nlf_planner.spc import (
    ASSURANCE_LABEL,
    ASSURANCE_LETTER,
    VARIATION_LABEL,
    VARIATION_LETTER,
    AssuranceIcon,
    FixedBaseline,
    SPCOptions,
    SPCResult,
    VariationIcon,
    spc_many,
)
from nlf_planner.units import format_value, unit_scale

KEYS = ("measure_code", "geo_code")
ON_PLAN = {"ahead": "on trajectory", "on_plan": "on trajectory", "behind": "off trajectory"}
COMPARISON_EMOJI = {
    Comparison.BETTER: "▲",
    Comparison.WORSE: "▼",
    Comparison.SIMILAR: "●",
    Comparison.HIGHER: "▲",
    Comparison.LOWER: "▼",
    Comparison.NOT_COMPARED: "○",
}
VARIATION_WORD = {
    "improvement": "improvement",
    "concern": "concern",
    "neutral": "special cause",
    "common": "common cause",
}


# --------------------------------------------------------------------------- formatting


def variation_badge(icon: str | None) -> str:
    """Icon as text: a coloured circle, the MDC letter and words (never colour alone)."""
    if not icon:
        return "—"
    v = VariationIcon(icon)
    return f"[{VARIATION_LETTER[v]}] {VARIATION_LABEL[v]}"


def variation_short(icon: str | None) -> str:
    """Compact SPC reading for a matrix cell: the MDC letter and one word."""
    if not icon:
        return "SPC —"
    kind = icon.split("_")[0]
    return f"SPC [{VARIATION_LETTER[VariationIcon(icon)]}] {VARIATION_WORD.get(kind, kind)}"


def variation_counts(icons) -> str:
    """'SPC: 2 improvement, 1 concern' for an area cell (common cause counted too)."""
    kinds = [str(i).split("_")[0] for i in icons if isinstance(i, str)]
    if not kinds:
        return "SPC —"
    order = ["improvement", "concern", "neutral", "common"]
    bits = [f"{kinds.count(k)} {VARIATION_WORD[k]}" for k in order if kinds.count(k)]
    return "SPC: " + ", ".join(bits)


def assurance_badge(icon: str | None, reason: str | None = None) -> str:
    """Icon as text: the MDC letter and words; a not-assessable icon carries its ``reason``
    (``spc_reading.assurance_reason``, the cells' ``assurance_reason``)."""
    if not icon:
        return "No target"
    a = AssuranceIcon(icon)
    words = reason if isinstance(reason, str) and reason else ASSURANCE_LABEL[a]
    return f"[{ASSURANCE_LETTER[a]}] {words}"


def comparison_text(comparison: str | None) -> str:
    if not comparison:
        return "—"
    c = Comparison(comparison)
    return f"{COMPARISON_EMOJI[c]} {COMPARISON_LABEL[c]}"


# --------------------------------------------------------------------------- the model


@dataclass
class RegionsModel:
    """Every series' SPC result and one summary row per (measure, geography)."""

    measures: dict[str, Measure]
    areas: list[PriorityArea]
    regions: list[Region]
    icbs: list[ICB]
    names: dict[str, str]
    series: pd.DataFrame
    results: dict[tuple[str, str], SPCResult]
    cells: pd.DataFrame
    options: SPCOptions
    plan: object | None = None
    baselines: dict[tuple[str, str], float] = field(default_factory=dict)
    plan_targets: dict[tuple[str, str], dict[int, float]] = field(default_factory=dict)

    def measure(self, code: str) -> Measure:
        return self.measures[code]

    def measures_in(self, area_code: str) -> list[Measure]:
        return [m for m in self.measures.values() if m.area_code == area_code]

    def region_of(self, geo_code: str) -> str | None:
        return next((i.region_code for i in self.icbs if i.code == geo_code), None)

    def icbs_in(self, region_code: str) -> list[ICB]:
        return [i for i in self.icbs if i.region_code == region_code]

    def level_of(self, geo_code: str) -> str:
        if geo_code == ENGLAND_CODE:
            return "england"
        return "region" if any(r.code == geo_code for r in self.regions) else "icb"

    def cell(self, measure_code: str, geo_code: str) -> pd.Series | None:
        rows = self.cells[
            (self.cells.measure_code == measure_code) & (self.cells.geo_code == geo_code)
        ]
        return None if rows.empty else rows.iloc[0]

    def result(self, measure_code: str, geo_code: str) -> SPCResult | None:
        return self.results.get((measure_code, geo_code))


def _plan_baselines(
    series: pd.DataFrame, measures: Mapping[str, Measure], base_year: int
) -> dict[tuple[str, str], float]:
    """Each series' value at the plan's base date (the plan module's rule, vectorised):
    the latest value on or before 1 April of the base year, else the first in that year,
    else the measure's national baseline."""
    start, end = date(base_year, 4, 1), date(base_year + 1, 3, 31)
    ordered = series.sort_values("period")
    before = ordered[ordered.period <= start].groupby(list(KEYS))["value"].last().to_dict()
    inside = ordered[(ordered.period > start) & (ordered.period <= end)]
    within = inside.groupby(list(KEYS))["value"].first().to_dict()
    out: dict[tuple[str, str], float] = {}
    for key in series.groupby(list(KEYS)).size().index:
        if key in before:
            out[key] = float(before[key])
        elif key in within:
            out[key] = float(within[key])
        elif key[0] in measures:
            out[key] = float(measures[key[0]].baseline)
    return out


def _next_horizon(plan, targets: Mapping[int, float], when: date) -> tuple[int, float] | None:
    """The first horizon whose end is on or after ``when`` (else the last one) and its target."""
    if not targets:
        return None
    for h in sorted(targets):
        if plan_rules.horizon_end(plan.base_year, h) >= when:
            return h, float(targets[h])
    h = max(targets)
    return h, float(targets[h])


def _series_baselines(
    fixes: Mapping[tuple[str, str | None], Sequence[FixedBaseline]] | None, keys
) -> dict[tuple[str, str], list[FixedBaseline]]:
    """Each series' fixed baselines (its own, else its measure's), for the series present."""
    if not fixes:
        return {}
    measures = {m for m, _ in fixes}
    out = {}
    for m, g in keys:
        if m in measures:
            chosen = baseline_rules.for_series(fixes, m, g)
            if chosen:
                out[(m, g)] = chosen
    return out


def build_model(
    series: pd.DataFrame,
    measures: Sequence[Measure],
    areas: Sequence[PriorityArea],
    regions: Sequence[Region],
    icbs: Sequence[ICB],
    *,
    rebases: Mapping[tuple[str, str], Sequence[date]] | None = None,
    plan: object | None = None,
    options: SPCOptions | None = None,
    fixed_baselines: Mapping[tuple[str, str | None], Sequence[FixedBaseline]] | None = None,
    chart_types: Mapping[str, str] | None = None,
) -> RegionsModel:
    """Compute SPC, comparisons and plan progress for every series, once.

    ``fixed_baselines`` are keyed by (measure, geography), geography None for a fix on every
    chart of the measure (``baselines.for_series`` resolves them per series);
    ``chart_types`` by measure (XmR when absent)."""
    options = options or SPCOptions.default()
    mdict = {m.code: m for m in sorted(measures, key=lambda m: (m.area_code, m.code))}
    names = {ENGLAND_CODE: ENGLAND_NAME}
    names.update({r.code: r.name for r in regions})
    names.update({i.code: i.name for i in icbs})
    region_of = {i.code: i.region_code for i in icbs}
    series = series[series.measure_code.isin(mdict)].copy()

    plan_targets: dict[tuple[str, str], dict[int, float]] = {}
    applied: dict[tuple[str, str], dict[int, plan_rules.AppliedTarget]] = {}
    baselines: dict[tuple[str, str], float] = {}
    assurance_targets: dict[tuple[str, str], float] = {}
    next_targets: dict[tuple[str, str], tuple[int, float]] = {}
    latest_by_key = series.groupby(list(KEYS))["period"].max()
    if plan is not None and plan.targets:
        baselines = _plan_baselines(series, mdict, plan.base_year)
        for (m, g), when in latest_by_key.items():
            # The plan module's one rule: ICS, then region, then England, and never a
            # target that asks the area to get worse than its own baseline.
            found = plan_rules.applied_targets(
                plan,
                m,
                g,
                [region_of[g]] if g in region_of else [],
                baseline=baselines.get((m, g)),
                polarity=mdict[m].polarity,
            )
            if not found:
                continue
            tg = {h: a.target for h, a in found.items()}
            plan_targets[(m, g)] = tg
            applied[(m, g)] = found
            nxt = _next_horizon(plan, tg, when)
            if nxt:
                next_targets[(m, g)] = nxt
                assurance_targets[(m, g)] = nxt[1]

    results = spc_many(
        series,
        polarity={c: m.polarity for c, m in mdict.items()},
        options=options,
        rebases=rebases or {},
        targets=assurance_targets,
        baselines=_series_baselines(fixed_baselines, latest_by_key.index),
        chart_types={c: t for c, t in (chart_types or {}).items() if c in mdict},
        scales={c: unit_scale(m.unit) for c, m in mdict.items()},
    )
    cells = _cells(series, mdict, results, region_of)
    cells = _add_progress(cells, plan, mdict, baselines, plan_targets, next_targets, applied)
    return RegionsModel(
        measures=mdict,
        areas=sorted(areas, key=lambda a: a.sort_order),
        regions=list(regions),
        icbs=list(icbs),
        names=names,
        series=series,
        results=results,
        cells=cells,
        options=options,
        plan=plan,
        baselines=baselines,
        plan_targets=plan_targets,
    )


def _cells(
    series: pd.DataFrame,
    measures: Mapping[str, Measure],
    results: Mapping[tuple[str, str], SPCResult],
    region_of: Mapping[str, str],
) -> pd.DataFrame:
    """Latest value, comparison with England (same period) and SPC icons per series."""
    if series.empty:
        return pd.DataFrame(
            columns=[
                *KEYS,
                "geo_level",
                "period",
                "value",
                "comparison",
                "red_red",
                "getting_worse",
                "red_red_reason",
                "getting_worse_reason",
            ]
        )
    idx = series.groupby(list(KEYS))["period"].idxmax()
    latest = series.loc[idx].reset_index(drop=True)
    england = series[series.geo_code == ENGLAND_CODE][["measure_code", "period", "value"]]
    latest = latest.merge(
        england.rename(columns={"value": "england_value"}),
        on=["measure_code", "period"],
        how="left",
    )
    latest["area_code"] = latest.measure_code.map(lambda c: measures[c].area_code)
    latest["region_code"] = latest.geo_code.map(lambda g: region_of.get(g, g))
    latest["ci95_low"] = np.nan
    latest["ci95_high"] = np.nan
    latest["comparison"] = Comparison.NOT_COMPARED.value
    for code, m in measures.items():
        rows = latest.measure_code == code
        if not rows.any():
            continue
        part = latest[rows]
        if m.is_proportion:
            lo, hi = wilson_interval(part.numerator, part.denominator, 0.95)
            lo, hi = lo * 100, hi * 100
            small = ~(part.denominator.to_numpy(dtype=float) >= 30)
            lo[small], hi[small] = np.nan, np.nan
        else:
            lo = part.ci_low.to_numpy(dtype=float)
            hi = part.ci_high.to_numpy(dtype=float)
        latest.loc[rows, "ci95_low"] = lo
        latest.loc[rows, "ci95_high"] = hi
        eng = part.england_value.to_numpy(dtype=float)
        latest.loc[rows, "comparison"] = classify(lo, hi, eng, m.polarity)
    latest.loc[latest.geo_code == ENGLAND_CODE, "comparison"] = None
    spc_cols = {
        "variation_icon": [],
        "assurance_icon": [],
        "assurance_reason": [],
        "signal_rule": [],
        "signal_since": [],
        "mean": [],
        "lower_limit": [],
        "upper_limit": [],
        "trial_limits": [],
    }
    for m, g in zip(latest.measure_code, latest.geo_code, strict=True):
        res = results.get((m, g))
        sig = res.signal if res else None
        spc_cols["variation_icon"].append(str(res.variation_icon) if res else None)
        spc_cols["assurance_icon"].append(
            str(res.assurance_icon) if res and res.assurance_icon else None
        )
        spc_cols["assurance_reason"].append(
            spc_reading.assurance_reason(res, measures[m]) if res else None
        )
        spc_cols["signal_rule"].append(str(sig.rule) if sig else None)
        spc_cols["signal_since"].append(sig.start if sig else None)
        spc_cols["mean"].append(res.latest("mean") if res else None)
        spc_cols["lower_limit"].append(res.latest("lpl") if res else None)
        spc_cols["upper_limit"].append(res.latest("upl") if res else None)
        spc_cols["trial_limits"].append(res.trial_limits if res else None)
    for col, values in spc_cols.items():
        latest[col] = values
    return _add_worsening(latest, series, measures)


def _last_trends(
    series: pd.DataFrame, measures: Mapping[str, Measure]
) -> dict[tuple[str, str], worsening_rules.TrendTest]:
    """The chi-squared test for linear trend over each proportion's last
    ``worsening.TREND_PERIODS`` periods, every series in one array pass (keys and periods
    as integer codes, one lexsort); a series with fewer periods, or one the test cannot
    read, is left out."""
    k = worsening_rules.TREND_PERIODS
    codes = [c for c, m in measures.items() if m.is_proportion]
    part = series[series.measure_code.isin(codes)]
    if part.empty:
        return {}
    m_code, m_names = pd.factorize(part.measure_code)
    g_code, g_names = pd.factorize(part.geo_code)
    p_code, _ = pd.factorize(part.period, sort=True)
    key = m_code.astype(np.int64) * len(g_names) + g_code
    order = np.lexsort((p_code, key))
    key = key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    count = np.diff(np.r_[first, key.size])
    full = count >= k
    if not full.any():
        return {}
    rows = order[(first[full] + count[full] - k)[:, None] + np.arange(k)]  # oldest first
    num = part.numerator.to_numpy(dtype=float)[rows]
    den = part.denominator.to_numpy(dtype=float)[rows]
    chi2, p, direction = worsening_rules.trend_tests(num, den)
    group = key[first[full]]
    ms, gs = m_names[group // len(g_names)], g_names[group % len(g_names)]
    return {
        (m, g): worsening_rules.TrendTest(float(c), float(q), int(d), k)
        for m, g, c, q, d in zip(ms, gs, chi2, p, direction, strict=True)
        if c == c
    }


def _add_worsening(
    cells: pd.DataFrame, series: pd.DataFrame, measures: Mapping[str, Measure]
) -> pd.DataFrame:
    """Worse and getting worse per cell (``worsening.read``): ``red_red``, ``getting_worse``
    ``red_red_reason`` (the reading in words for red-red cells, "" for the others) and
    ``getting_worse_reason`` (what says it is getting worse, "" when nothing does).
    England is the comparator, so it is never red-red."""
    trends = _last_trends(series, measures)
    n = len(cells)
    red, getting = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    reason, signals = np.full(n, "", dtype=object), np.full(n, "", dtype=object)
    cols = ["measure_code", "geo_code", "comparison", "value", "england_value"]
    cols += ["variation_icon", "signal_rule", "signal_since"]
    rows = zip(*(cells[c].tolist() for c in cols), strict=True)
    for i, (m, g, comp, value, eng, icon, rule, since) in enumerate(rows):
        if g == ENGLAND_CODE:
            continue
        r = worsening_rules.read(
            measures[m],
            comparison=comp,
            value=value,
            england=eng,
            variation_icon=icon,
            signal_rule=rule,
            signal_since=since,
            trend=trends.get((m, g)),
        )
        red[i], getting[i], signals[i] = r.is_red_red, r.getting_worse, r.signals
        if r.is_red_red:
            reason[i] = r.why
    cells["red_red"] = red
    cells["getting_worse"] = getting
    cells["red_red_reason"] = reason
    cells["getting_worse_reason"] = signals
    return cells


def _add_progress(
    cells: pd.DataFrame,
    plan,
    measures: Mapping[str, Measure],
    baselines: Mapping[tuple[str, str], float],
    plan_targets: Mapping[tuple[str, str], dict[int, float]],
    next_targets: Mapping[tuple[str, str], tuple[int, float]],
    applied: Mapping[tuple[str, str], Mapping[int, plan_rules.AppliedTarget]],
) -> pd.DataFrame:
    """Share of the way from the plan baseline to the next-horizon target, and trajectory.

    ``plan_target`` is the plan's own number at that horizon and ``target_held`` says the
    area holds its baseline level instead (the direction rule); ``plan_note`` says why there
    is no trajectory status when the latest value comes from before the plan's base year."""
    cells = cells.copy()
    n = len(cells)
    target, horizon = np.full(n, np.nan), np.full(n, np.nan)
    baseline, share, plan_value = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    plan_target, held = np.full(n, np.nan), np.full(n, False)
    status, note = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    for i, (m, g, when, value) in enumerate(
        zip(cells.measure_code, cells.geo_code, cells.period, cells.value, strict=True)
    ):
        key = (m, g)
        if key not in next_targets or plan is None:
            continue
        h, t = next_targets[key]
        b = baselines.get(key, float(measures[m].baseline))
        target[i], horizon[i], baseline[i] = t, h, b
        plan_target[i], held[i] = applied[key][h].plan_target, applied[key][h].held
        sign = -1.0 if measures[m].polarity == "lower_is_better" else 1.0
        # Only a target that asks for improvement from the baseline has a "way" to cover.
        if sign * (t - b) > 1e-12 or (measures[m].polarity == "neutral" and abs(t - b) > 1e-12):
            share[i] = (value - b) / (t - b)
        prog = plan_rules.progress_against_plan(
            float(value),
            when,
            b,
            plan_targets[key],
            plan.base_year,
            measures[m].polarity,
            plan.trajectory,
        )
        plan_value[i] = np.nan if prog.plan_value is None else prog.plan_value
        status[i] = ON_PLAN.get(prog.status)
        if prog.status == "no_plan" and when < plan_rules.base_date(plan.base_year):
            note[i] = pending_note(period_label(when, measures[m].frequency), plan.base_year)
    cells["target"] = target
    cells["plan_target"] = plan_target
    cells["target_held"] = held
    cells["plan_note"] = note
    cells["target_horizon"] = horizon
    cells["plan_baseline"] = baseline
    cells["progress_share"] = share
    cells["plan_value"] = plan_value
    cells["plan_status"] = status
    return cells


def pending_note(period_text: str, base_year: int) -> str:
    """Why a series with a target has no trajectory status yet: its latest value (an annual
    survey, say) comes from before the plan's base year, so it is the plan's baseline and
    there is no point on the plan line to compare it with."""
    return (
        f"the latest value ({period_text}) is the plan's baseline, from before its base year "
        f"{plan_rules.fy_label(base_year)}: no point on the trajectory to compare with yet"
    )


def trajectory_text(cell: pd.Series) -> str:
    """The plan status in a table cell ("on trajectory"), the same words in the Regions
    summary table and the deck's summary matrix."""
    if isinstance(cell.get("plan_status"), str):
        return cell.plan_status
    if isinstance(cell.get("plan_note"), str):
        return "no point yet (latest is the baseline)"
    return "—"


def plan_progress_text(cell: pd.Series, unit: str) -> str:
    """'Plan: off trajectory (plan 7.1% now); 45% of the way from 5.0% to the year-3 target
    of 7.9%' — or why no share is given (already met, held at the baseline, or no point on
    the trajectory yet)."""
    status = cell.get("plan_status")
    fmt = lambda v: format_value(v, unit)  # noqa: E731
    horizon = cell.get("target_horizon")
    target = f"year-{int(horizon)} target of {fmt(cell.target)}" if pd.notna(horizon) else ""
    if not isinstance(status, str):
        note = cell.get("plan_note")
        if not (target and isinstance(note, str)):
            return ""
        if bool(cell.get("target_held", False)):
            target += f" (its baseline level: it already beat the plan's {fmt(cell.plan_target)})"
        return f"Plan: the {target}; {note}"
    text = f"Plan: **{status}** (plan line {fmt(cell.get('plan_value'))} now)"
    if pd.notna(cell.get("progress_share")):
        text += (
            f"; {cell.progress_share * 100:.0f}% of the way from {fmt(cell.plan_baseline)} "
            f"at the plan's baseline to the {target}"
        )
    elif target and bool(cell.get("target_held", False)):
        text += (
            f"; holds its baseline level of {fmt(cell.plan_baseline)} for year "
            f"{int(horizon)}: it already beat the plan's year-{int(horizon)} target of "
            f"{fmt(cell.plan_target)} at the baseline"
        )
    elif target:
        text += f"; the {target} was already met at the plan's baseline ({fmt(cell.plan_baseline)})"
    return text


# --------------------------------------------------------------------------- matrix


COMPARISON_SHORT = {
    Comparison.BETTER: "▲ better",
    Comparison.WORSE: "▼ worse",
    Comparison.SIMILAR: "● similar",
    Comparison.HIGHER: "▲ higher",
    Comparison.LOWER: "▼ lower",
    Comparison.NOT_COMPARED: "○ not compared",
}


def _measure_cell(row: Mapping, unit: str, compact: bool = False) -> tuple[str, str]:
    """Full text and tile text (lines joined by <br>) for one measure cell (a row of the
    model's cells as a mapping); ``compact`` tiles (many columns) keep the value, the
    comparison arrow and the SPC letter."""
    value, comparison, icon = row["value"], row["comparison"], row["variation_icon"]
    share, status = row.get("progress_share"), row.get("plan_status")
    parts = [format_value(value, unit)]
    tile = [format_value(value, unit)]
    if row["geo_code"] != ENGLAND_CODE and isinstance(comparison, str):
        parts.append(comparison_text(comparison))
        tile.append(COMPARISON_SHORT[Comparison(comparison)])
    parts.append(variation_short(icon))
    if isinstance(row.get("assurance_icon"), str):
        parts.append(
            "assurance " + assurance_badge(row["assurance_icon"], row.get("assurance_reason"))
        )
    if isinstance(icon, str):
        v = VariationIcon(icon)
        tile.append(f"SPC {VARIATION_LETTER[v]} {VARIATION_WORD[icon.split('_')[0]]}")
    if pd.notna(share):
        parts.append(f"{share * 100:.0f}% of the way to target")
    if isinstance(status, str):
        parts.append(status)
        word = "on plan" if status == "on trajectory" else "off plan"
        if pd.notna(share):
            word = f"{share * 100:.0f}% of way · {word}"
        tile.append(word)
    elif isinstance(row.get("plan_note"), str):  # latest value predates the plan's base year
        parts.append("no trajectory point yet (the latest value is the plan's baseline)")
        tile.append("plan baseline")
    if compact:
        arrow = COMPARISON_EMOJI[Comparison(comparison)] if isinstance(comparison, str) else ""
        letter = VARIATION_LETTER[VariationIcon(icon)] if isinstance(icon, str) else ""
        tile = [format_value(value, unit).replace(" years", "y"), f"{arrow} {letter}".strip()]
    if bool(row.get("red_red", False)):  # the marker on the tile, the words on hover
        if compact:  # narrow tiles: beside the arrow and letter, which are shorter
            tile[1] = f"{tile[1]} {RED_RED_MARK}".strip()
        else:
            tile[0] = f"{RED_RED_MARK} {tile[0]}"
        # The comparison with England is already in the text: name what says it worsens.
        signals = row.get("getting_worse_reason") or row.get("red_red_reason")
        parts.append(f"{RED_RED_MARK} worse than England and getting worse: {signals}")
    return " · ".join(parts), "<br>".join(tile)


#: A cell with no rows behind it: full text, tile text, tone.
NO_DATA = ("No data", "No data", "none")
#: The mark of a result that is worse than England and getting worse (``worsening``): a
#: symbol on the tile, never colour alone, with the words beside it in the full text.
RED_RED_MARK = "!!"
#: The SPC kinds an area cell counts, in the order its text names them.
_KINDS = ("improvement", "concern", "neutral", "common")
#: The counts behind an area cell, one column each, summed per (area, geography).
_AREA_COUNTS = (
    "better", "worse", "similar", "not_compared", "on", "off", "icons", *_KINDS, "red_red",
)  # fmt: skip


def _area_counts(cells: pd.DataFrame) -> pd.DataFrame:
    """Per (area, geography): how many measures are better, worse, similar or not compared
    with England, on or off trajectory, and of each SPC kind, in one grouped sum over the
    cells (no per-cell frame)."""
    comp = cells["comparison"].fillna("").astype(str).to_numpy()
    icons = cells["variation_icon"]
    is_icon = icons.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    kind = icons.where(is_icon).str.split("_").str[0].to_numpy(dtype=object)
    status = (
        cells["plan_status"].to_numpy(dtype=object)
        if "plan_status" in cells
        else np.full(len(cells), None, dtype=object)
    )
    flags = {
        "area_code": cells["area_code"].to_numpy(),
        "geo_code": cells["geo_code"].to_numpy(),
        "better": np.isin(comp, [Comparison.BETTER.value, Comparison.HIGHER.value]),
        "worse": np.isin(comp, [Comparison.WORSE.value, Comparison.LOWER.value]),
        "similar": comp == Comparison.SIMILAR.value,
        "not_compared": comp == Comparison.NOT_COMPARED.value,
        "on": status == "on trajectory",
        "off": status == "off trajectory",
        "icons": is_icon,
        **{k: kind == k for k in _KINDS},
        "red_red": (
            cells["red_red"].to_numpy(dtype=bool)
            if "red_red" in cells
            else np.zeros(len(cells), dtype=bool)
        ),
    }
    return pd.DataFrame(flags).groupby(["area_code", "geo_code"], sort=False).sum()


def _area_text(is_england: bool, counts: Sequence[int]) -> tuple[str, str, str]:
    """Full text, tile text and tone for a priority-area cell from its counts."""
    better, worse, similar, not_compared, on, off, icons, *kinds, red_red = (int(c) for c in counts)
    parts, tile = [], []
    if not is_england:
        bits = [f"{better} better", f"{similar} similar", f"{worse} worse"]
        if not_compared:
            bits.append(f"{not_compared} not compared")
        parts.append(", ".join(bits))
        tile.append(
            f"▲{better} ●{similar} ▼{worse}" + (f" ○{not_compared}" if not_compared else "")
        )
    if on or off:
        parts.append(f"{on} on, {off} off trajectory")
        tile.append(f"{on} of {on + off} on plan")
    if not icons:
        parts.append("SPC —")
    else:
        named = [f"{n} {VARIATION_WORD[k]}" for k, n in zip(_KINDS, kinds, strict=True) if n]
        parts.append("SPC: " + ", ".join(named))
    if red_red:
        parts.append(f"{RED_RED_MARK} {red_red} worse than England and getting worse")
        tile.append(f"{RED_RED_MARK}{red_red} worse")
    if is_england:
        tone = "england"
    elif worse and not better:
        tone = "worse"
    elif better and not worse:
        tone = "better"
    elif better and worse:
        tone = "mixed"
    else:
        tone = "similar"
    return " · ".join(parts), "<br>".join(tile) or "England", tone


@dataclass(frozen=True)
class Matrix:
    """A tartan rug: full text, tile text, a tone per cell, and codes for drilling."""

    text: pd.DataFrame  # index: geography names; columns: area or measure labels
    tile: pd.DataFrame  # the same cells, short, lines joined by <br>
    tone: pd.DataFrame
    geo_codes: list[str]
    column_codes: list[str]  # area codes or measure codes
    kind: str  # "area" or "measure"

    def to_csv_frame(self) -> pd.DataFrame:
        out = self.text.copy()
        out.insert(0, "geo_code", self.geo_codes)
        return out.reset_index(names="geography")


def geographies(model: RegionsModel, region_code: str | None) -> list[str]:
    """Rows of the matrix: England and the 7 regions, or England, the region and its ICSs."""
    if region_code and region_code != ENGLAND_CODE:
        return [ENGLAND_CODE, region_code, *[i.code for i in model.icbs_in(region_code)]]
    return [ENGLAND_CODE, *[r.code for r in model.regions]]


def _matrix(
    model: RegionsModel,
    geo_codes: Sequence[str],
    columns: Sequence[tuple[str, str]],
    found: Mapping[tuple[str, str], tuple[str, str, str]],
    kind: str,
) -> Matrix:
    """The three frames from each cell's (full text, tile, tone), looked up by (column
    code, geography); a cell with nothing behind it says "No data"."""
    text, tile, tone = {}, {}, {}
    for code, label in columns:
        cols = [found.get((code, g), NO_DATA) for g in geo_codes]
        text[label] = [c[0] for c in cols]
        tile[label] = [c[1] for c in cols]
        tone[label] = [c[2] for c in cols]
    index = [model.names.get(g, g) for g in geo_codes]
    return Matrix(
        text=pd.DataFrame(text, index=index),
        tile=pd.DataFrame(tile, index=index),
        tone=pd.DataFrame(tone, index=index),
        geo_codes=list(geo_codes),
        column_codes=[c for c, _ in columns],
        kind=kind,
    )


def area_matrix(
    model: RegionsModel, geo_codes: Sequence[str], *, area_codes: Sequence[str] | None = None
) -> Matrix:
    """Geographies × the nine priority areas (or only ``area_codes`` of them), each cell
    summarising that area's measures: the counts come from one grouped sum over the scope's
    cells, then each cell's words."""
    cells = model.cells
    found: dict[tuple[str, str], tuple[str, str, str]] = {}
    if len(cells):
        counts = _area_counts(cells[cells.geo_code.isin(list(geo_codes))])
        values = counts[list(_AREA_COUNTS)].to_numpy()
        for (area, geo), row in zip(counts.index, values, strict=True):
            found[(area, geo)] = _area_text(geo == ENGLAND_CODE, row)
    areas = [a for a in model.areas if area_codes is None or a.code in set(area_codes)]
    return _matrix(model, geo_codes, [(a.code, f"{a.code} {a.name}") for a in areas], found, "area")


def red_red_cells(
    model: RegionsModel, geo_codes: Sequence[str], measure_codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """The cells of ``geo_codes`` (and ``measure_codes``, default every measure) that are
    worse than England and getting worse, in the model's order."""
    cells = model.cells
    if cells.empty or "red_red" not in cells:
        return cells.iloc[0:0]
    keep = cells.geo_code.isin(list(geo_codes)) & cells.red_red.astype(bool)
    if measure_codes is not None:
        keep &= cells.measure_code.isin(list(measure_codes))
    return cells[keep]


def red_red_list(model: RegionsModel, cells: pd.DataFrame, limit: int = 4) -> str:
    """'London on M10; Kent and Medway ICB on M03 and 2 more' for the red-red ``cells``."""
    named = [
        f"{model.names.get(g, g)} on {m}"
        for m, g in zip(cells.measure_code, cells.geo_code, strict=True)
    ]
    more = f" and {len(named) - limit} more" if len(named) > limit else ""
    return "; ".join(named[:limit]) + more


def measure_tone(comparison: str | None, variation: str | None, geo: str) -> str:
    if geo == ENGLAND_CODE:
        return "england"
    if comparison in (Comparison.BETTER, Comparison.HIGHER):
        return "better"
    if comparison in (Comparison.WORSE, Comparison.LOWER):
        return "worse"
    if comparison == Comparison.SIMILAR:
        return "similar"
    return "none"


def measure_matrix(
    model: RegionsModel,
    geo_codes: Sequence[str],
    area_code: str | None = None,
    *,
    measure_codes: Sequence[str] | None = None,
) -> Matrix:
    """Geographies × measures (all, or those of one priority area, or only
    ``measure_codes`` of them): the scope's cells are read once as records, not looked up in
    the frame cell by cell."""
    ms = model.measures_in(area_code) if area_code else list(model.measures.values())
    if measure_codes is not None:
        ms = [m for m in ms if m.code in set(measure_codes)]
    cells = model.cells
    compact = len(ms) > 9
    found: dict[tuple[str, str], tuple[str, str, str]] = {}
    if len(cells):
        scope = cells[
            cells.geo_code.isin(list(geo_codes)) & cells.measure_code.isin([m.code for m in ms])
        ]
        for row in scope.to_dict("records"):
            code, g = row["measure_code"], row["geo_code"]
            full, tile = _measure_cell(row, model.measures[code].unit, compact=compact)
            found[(code, g)] = (
                full,
                tile,
                measure_tone(row["comparison"], row["variation_icon"], g),
            )
    return _matrix(model, geo_codes, [(m.code, f"{m.code} {m.name}") for m in ms], found, "measure")


def matrix_summary(model: RegionsModel, matrix: Matrix) -> str:
    """A text alternative for the rug: who stands out, in one or two sentences."""
    geos = [g for g in matrix.geo_codes if g != ENGLAND_CODE]
    cells = model.cells[model.cells.geo_code.isin(geos)]
    if matrix.kind == "measure":
        cells = cells[cells.measure_code.isin(matrix.column_codes)]
    if cells.empty:
        return "No data to compare."
    comp = cells.comparison.fillna("")
    worse = cells[comp.isin([Comparison.WORSE])]
    better = cells[comp.isin([Comparison.BETTER])]
    parts = [
        f"Across {len(geos)} geographies and {cells.measure_code.nunique()} measures, "
        f"{len(better)} results are better than England, {len(worse)} worse and "
        f"{int((comp == Comparison.SIMILAR).sum())} similar (95% intervals)."
    ]
    standouts = on_balance(cells, model.names)
    if standouts:
        parts.append(standouts)
    off = int((cells.get("plan_status") == "off trajectory").sum())
    on = int((cells.get("plan_status") == "on trajectory").sum())
    if on or off:
        parts.append(f"{on} results are on the plan's trajectory and {off} are off it.")
    concern = int(cells.variation_icon.fillna("").str.startswith("concern").sum())
    if concern:
        parts.append(f"{concern} show special-cause concern in their latest point.")
    reds = red_red_cells(model, geos, cells.measure_code.unique())
    if len(reds):
        one = len(reds) == 1
        parts.append(
            f"{len(reds)} result{'' if one else 's'} {'is' if one else 'are'} worse than "
            f"England and getting worse ({RED_RED_MARK}): {red_red_list(model, reds)}."
        )
    return " ".join(parts)


def on_balance(cells: pd.DataFrame, names: Mapping[str, str]) -> str:
    """Who stands out against England, net of the other way: the geography with the most
    better-than-England results beyond its worse ones, and the one with the most worse
    beyond its better ones. Counting each way on its own can name one region as both
    "most often better" and "most often worse"; on balance it never can, and when nobody
    leans either way the text says so. Ties are named together, each with its counts."""
    comp = cells["comparison"].fillna("").astype(str)
    counts = (
        pd.DataFrame(
            {
                "geo_code": cells["geo_code"],
                "better": comp.eq(Comparison.BETTER.value),
                "worse": comp.eq(Comparison.WORSE.value),
            }
        )
        .groupby("geo_code", sort=False)[["better", "worse"]]
        .sum()
    )
    if counts.empty or not (counts.better.any() or counts.worse.any()):
        return ""
    net = counts.better - counts.worse

    def say(label: str, codes) -> str:
        named = [
            f"{names.get(g, g)} ({int(counts.better[g])} better, {int(counts.worse[g])} worse)"
            for g in codes
        ]
        return (
            f"{label}: "
            + (named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1])
            + "."
        )

    parts = []
    if (net > 0).any():
        parts.append(say("On balance most often better than England", net.index[net == net.max()]))
    if (net < 0).any():
        parts.append(say("On balance most often worse", net.index[net == net.min()]))
    return " ".join(parts) or "No area leans either way: each has as many better results as worse."


# --------------------------------------------------------------------------- measure view


def plan_line(model: RegionsModel, measure_code: str, geo_code: str) -> pd.DataFrame | None:
    """The plan's trajectory for a chart (None when no plan or no targets apply)."""
    key = (measure_code, geo_code)
    res = model.results.get(key)
    if model.plan is None or key not in model.plan_targets or res is None:
        return None
    plan = model.plan
    baseline = model.baselines.get(key, model.measures[measure_code].baseline)
    start = plan_rules.base_date(plan.base_year)
    ends = [plan_rules.horizon_end(plan.base_year, h) for h in sorted(model.plan_targets[key])]
    dates = sorted({start, *ends, *[d for d in res.to_frame().period.dt.date if d >= start]})
    values = plan_rules.trajectory(
        baseline, model.plan_targets[key], plan.base_year, dates, plan.trajectory
    )
    frame = pd.DataFrame({"period": dates, "plan": values}).dropna()
    return frame if not frame.empty else None


def horizon_targets(model: RegionsModel, measure_code: str, geo_code: str) -> pd.DataFrame:
    """The plan's target at each horizon end, for markers on the chart."""
    key = (measure_code, geo_code)
    if model.plan is None or key not in model.plan_targets:
        return pd.DataFrame(columns=["horizon", "period", "target"])
    plan = model.plan
    rows = [
        {
            "horizon": h,
            "period": plan_rules.horizon_end(plan.base_year, h),
            "target": t,
        }
        for h, t in sorted(model.plan_targets[key].items())
    ]
    return pd.DataFrame(rows)


def reading(model: RegionsModel, measure_code: str, geo_code: str) -> str:
    """The plain-English reading of one chart: the same words the board deck uses, from the
    one reading engine (:mod:`nlf_planner.spc_reading`)."""
    m = model.measures[measure_code]
    name = model.names.get(geo_code, geo_code)
    res = model.results.get((measure_code, geo_code))
    if res is None:
        return spc_reading.no_data(m, name).text
    return spc_reading.reading(res, m, name).text


def chart_type_label(result: SPCResult | None) -> str:
    """The chart the limits came from ("XmR chart", "Laney p′-chart"), "—" without a result."""
    return "—" if result is None else result.chart_label


def summary_table(
    model: RegionsModel, geo_codes: Sequence[str], measure_codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """The MDC summary table: latest, target, mean, limits, icons, comparison, reading."""
    codes = list(measure_codes) if measure_codes else list(model.measures)
    cells = model.cells[model.cells.geo_code.isin(geo_codes) & model.cells.measure_code.isin(codes)]
    rows = []
    for _, r in cells.iterrows():
        m = model.measures[r.measure_code]
        rows.append(
            {
                "measure_code": r.measure_code,
                "measure": m.name,
                "geography": model.names.get(r.geo_code, r.geo_code),
                "geo_code": r.geo_code,
                "period": period_label(r.period, m.frequency),
                "latest": format_value(r.value, m.unit),
                "target": format_value(r.get("target"), m.unit),
                "mean": format_value(r["mean"], m.unit),
                "lower_limit": format_value(r.lower_limit, m.unit),
                "upper_limit": format_value(r.upper_limit, m.unit),
                "variation": variation_badge(r.variation_icon),
                "assurance": assurance_badge(r.assurance_icon, r.get("assurance_reason")),
                "vs_england": (comparison_text(r.comparison) if r.geo_code != ENGLAND_CODE else "—")
                + (f" · {RED_RED_MARK} and getting worse" if bool(r.get("red_red")) else ""),
                "worse_and_getting_worse": r.get("red_red_reason") or "",
                "chart_type": chart_type_label(model.results.get((r.measure_code, r.geo_code))),
                "progress": (
                    f"{r.progress_share * 100:.0f}% of the way"
                    if pd.notna(r.get("progress_share"))
                    else "—"
                ),
                "trajectory": trajectory_text(r),
                "reading": reading(model, r.measure_code, r.geo_code),
            }
        )
    out = pd.DataFrame(rows)
    if not out.empty:
        order = {c: i for i, c in enumerate(codes)}
        geo_order = {g: i for i, g in enumerate(geo_codes)}
        out = out.sort_values(
            ["measure_code", "geo_code"],
            key=lambda s: s.map(order) if s.name == "measure_code" else s.map(geo_order),
        ).reset_index(drop=True)
    return out


# --------------------------------------------------------------------------- benchmark, funnel


def benchmark(
    model: RegionsModel, measure_code: str, geo_codes: Sequence[str], level: float = 0.95
) -> tuple[pd.DataFrame, float | None, date | None]:
    """The latest period's values for the areas, with intervals, against England."""
    m = model.measures[measure_code]
    data = model.series[model.series.measure_code == measure_code]
    if data.empty:
        return pd.DataFrame(), None, None
    period = data.period.max()
    now = data[data.period == period]
    eng = now[now.geo_code == ENGLAND_CODE].value
    england = float(eng.iloc[0]) if len(eng) else None
    rows = now[now.geo_code.isin([g for g in geo_codes if g != ENGLAND_CODE])].copy()
    rows["name"] = rows.geo_code.map(model.names)
    table = benchmark_table(
        rows,
        england=england if england is not None else float("nan"),
        polarity=m.polarity,
        is_proportion=m.is_proportion,
        level=level,
    )
    return table, england, period


def benchmark_summary(
    model: RegionsModel, measure_code: str, table: pd.DataFrame, england: float | None
) -> str:
    m = model.measures[measure_code]
    if table.empty or england is None:
        return f"No comparable data for {m.name.lower()}."
    counts = table.comparison.value_counts()
    top, bottom = table.iloc[0], table.iloc[-1]
    fmt = lambda v: format_value(v, m.unit)  # noqa: E731
    bits = ", ".join(f"{n} {c}" for c, n in counts.items())
    return (
        f"{m.name}: England {fmt(england)}. Of {len(table)} areas: {bits} (95% intervals). "
        f"Highest {top['name']} {fmt(top.value)}, lowest {bottom['name']} {fmt(bottom.value)}; "
        "bars show each value with its 95% (thick) and 99.8% (thin) interval, so overlapping "
        "areas should not be ranked against each other."
    )


def funnel(
    model: RegionsModel, measure_code: str, method: Adjustment = Adjustment.RANDOM_EFFECTS
) -> dict | None:
    """Funnel-plot data for a proportion across the 42 ICSs (None for other units).

    The limits allow for overdispersion by ``method`` when the ICSs vary more than chance
    (``compare.funnel_table``); ``chance`` holds the unadjusted limits for reference.
    """
    m = model.measures[measure_code]
    if not m.is_proportion:
        return None
    data = model.series[model.series.measure_code == measure_code]
    period = data.period.max()
    now = data[data.period == period]
    eng = now[now.geo_code == ENGLAND_CODE]
    icb_codes = {i.code for i in model.icbs}
    pts = now[now.geo_code.isin(icb_codes)].copy()
    if eng.empty or pts.empty:
        return None
    p0 = float(eng.numerator.iloc[0] / eng.denominator.iloc[0])
    pts["name"] = pts.geo_code.map(model.names)
    pts["region"] = pts.geo_code.map(lambda g: model.names.get(model.region_of(g) or "", ""))
    pts, od = funnel_table(pts, benchmark=p0, polarity=m.polarity, method=method)
    n_min, n_max = pts.denominator.min(), pts.denominator.max()
    return {
        "points": pts,
        "curve": funnel_curve(p0, n_min, n_max, od=od),
        "chance": funnel_curve(p0, n_min, n_max),
        "overdispersion": od,
        "england": p0 * 100,
        "period": period,
    }


def funnel_summary(model: RegionsModel, measure_code: str, f: dict | None) -> str:
    """The funnel in words: the adjustment with φ and τ, then how many ICSs are better,
    worse and similar than expected, naming those outside the 99.8% limits."""
    m = model.measures[measure_code]
    if f is None:
        return f"{m.name} is not a proportion, so it has no funnel plot; use the benchmark bars."
    pts, od = f["points"], f["overdispersion"]
    counts = pts.comparison.value_counts()
    good, bad = sorted(sides(m.polarity), key=lambda c: c != Comparison.BETTER)
    word = {c: COMPARISON_LABEL[c].split(" than")[0] for c in (good, bad)}
    bits = [f"{counts.get(c.value, 0)} {word[c].lower()} than expected" for c in (good, bad)]
    bits.append(f"{counts.get(Comparison.SIMILAR.value, 0)} similar")
    if counts.get(Comparison.NOT_COMPARED.value, 0):
        bits.append(f"{counts[Comparison.NOT_COMPARED.value]} not compared")
    between = int((pts.position == "outside 95% limits").sum())
    text = (
        f"{len(pts)} ICSs against England's {format_value(f['england'], m.unit)}. "
        f"{od.describe(f['england'] / 100, 'ICSs')} Against the 99.8% limits: "
        f"{', '.join(bits)}; {between} lie between the 95% and 99.8% limits."
    )
    for c in (good, bad):
        names = pts[pts.comparison == c.value].name
        if len(names):
            more = " and others" if len(names) > 5 else ""
            text += f" {word[c]} than expected: {', '.join(names.head(5))}{more}."
    return text


# --------------------------------------------------------------------------- region profile


def region_profile(model: RegionsModel, geo_code: str) -> pd.DataFrame:
    """One row per measure: the area's value against the range of its peers and England.

    Peers are the other regions for a region, the 42 ICSs for an ICS (Fingertips compares
    an area with areas of the same type). ``position`` places the value on a spine where
    England sits at 0.5 and better is to the right.
    """
    level = model.level_of(geo_code)
    peers = [r.code for r in model.regions] if level != "icb" else [i.code for i in model.icbs]
    cells = model.cells
    rows = []
    for m in model.measures.values():
        mine = cells[(cells.measure_code == m.code) & (cells.geo_code == geo_code)]
        if mine.empty:
            continue
        r = mine.iloc[0]
        peer_vals = cells[(cells.measure_code == m.code) & cells.geo_code.isin(peers)]
        peer_vals = peer_vals[peer_vals.period == r.period].value.to_numpy(dtype=float)
        if peer_vals.size == 0:
            continue
        sign = -1.0 if m.polarity == "lower_is_better" else 1.0
        eng = r.england_value
        lo, q1, q3, hi = np.percentile(peer_vals, [0, 25, 75, 100])
        worst, best = (lo, hi) if sign > 0 else (hi, lo)
        scale = max(abs(worst - eng), abs(best - eng), 1e-9) if pd.notna(eng) else np.nan

        def pos(v: float, eng=eng, scale=scale, sign=sign) -> float:
            return 0.5 + 0.5 * sign * (v - eng) / scale

        rows.append(
            {
                "measure_code": m.code,
                "measure": m.name,
                "area_code": m.area_code,
                "unit": m.unit,
                "polarity": m.polarity,
                "period": r.period,
                "value": r.value,
                "england": eng,
                "worst": worst,
                "q25": q1 if sign > 0 else q3,
                "q75": q3 if sign > 0 else q1,
                "best": best,
                "comparison": r.comparison,
                "variation_icon": r.variation_icon,
                "assurance_icon": r.assurance_icon,
                "red_red": bool(r.get("red_red", False)),
                "red_red_reason": r.get("red_red_reason") or "",
                "pos_value": pos(r.value),
                "pos_worst": pos(worst),
                "pos_q25": pos(q1 if sign > 0 else q3),
                "pos_q75": pos(q3 if sign > 0 else q1),
                "pos_best": pos(best),
                "peers": len(peer_vals),
            }
        )
    return pd.DataFrame(rows)


def profile_summary(model: RegionsModel, geo_code: str, profile: pd.DataFrame) -> str:
    name = model.names.get(geo_code, geo_code)
    if profile.empty:
        return f"No data for {name}."
    comp = profile.comparison.fillna("")
    better = profile[comp == Comparison.BETTER].measure.tolist()
    worse = profile[comp == Comparison.WORSE].measure.tolist()
    text = (
        f"{name} across {len(profile)} measures: {len(better)} better than England, "
        f"{len(worse)} worse, {int((comp == Comparison.SIMILAR).sum())} similar."
    )
    if worse:
        text += f" Worse: {'; '.join(worse[:4])}{'…' if len(worse) > 4 else ''}."
    concern = profile[profile.variation_icon.fillna("").str.startswith("concern")]
    if not concern.empty:
        text += f" Special-cause concern: {'; '.join(concern.measure[:4])}."
    reds = profile[profile.red_red] if "red_red" in profile else profile.iloc[0:0]
    if not reds.empty:
        one = len(reds) == 1
        named = zip(reds.measure[:4], reds.red_red_reason[:4], strict=True)
        text += (
            f" {len(reds)} measure{'' if one else 's'} {'is' if one else 'are'} worse than "
            f"England and getting worse ({RED_RED_MARK}): "
            + "; ".join(f"{m} ({why})" for m, why in named)
            + ("…" if len(reds) > 4 else "")
            + "."
        )
    return text


UNIT_TITLE = {
    "percent": "percent",
    "score_0_10": "score out of 10",
    "years": "years",
    "rate_per_1000": "rate per 1,000",
    "count": "count",
}
