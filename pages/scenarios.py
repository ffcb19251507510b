"""Scenarios: the leadership-capacity model (docs/MODEL.md) — inputs as ranges with their
rationale, Monte-Carlo results against the baseline and the plan's targets, compare,
sensitivity, goal seek, waterfall, and saving scenarios as versions."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import pandas as pd
import streamlit as st
from pydantic import ValidationError

from nlf_planner.capacity import scenarios as cs
from nlf_planner.capacity.model import ModelResult
from nlf_planner.capacity.outputs import (
    LEVEL_CODES,
    MEASURE_OUTPUT,
    OUTPUTS,
    format_value,
)
from nlf_planner.capacity.params import (
    ALLOCATION_LABELS,
    GROUPS,
    LEVEL_NAMES,
    MAX_HORIZON,
    SPEC_BY_KEY,
    TIER_NAMES,
    UNCERTAIN,
    CapacityParams,
    Range,
    validation_message,
)
from nlf_planner.charts import scenarios as charts
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.plan import targets_for_geography
from nlf_planner.store import StoreError
from nlf_planner.store import scenarios as store
from nlf_planner.store.reference import regions as reference_regions
from nlf_planner.ui.frame import (
    chart_with_download,
    get_db,
    page_header,
    query_param,
    read_only_banner,
    require_user,
    set_query_params,
)
from nlf_planner.ui.plan_state import current_plan
from nlf_planner.ui.sidebar import selected_region

DRAW_OPTIONS = [200, 1000, 5000, 10000]
LONG_RUN = 2000
MAX_CACHED_DRAWS = 40_000
TABS = ["Model", "Compare", "Sensitivity", "Goal seek", "Waterfall", "Save and share"]
# Slider bounds (in display units) per uncertain parameter field; widened to fit values.
SLIDER = {
    "attrition": (0.0, 50.0, 0.5),
    "retention_gain": (0.0, 60.0, 1.0),
    "promotion": (0.0, 15.0, 0.5),
    "promotion_preference": (0.0, 3.0, 0.1),
    "external_fill": (0.0, 100.0, 1.0),
    "external_developed": (0.0, 100.0, 1.0),
    "post_growth": (-5.0, 5.0, 0.5),
    "completion": (50.0, 100.0, 1.0),
    "workforce_growth": (-5.0, 5.0, 0.5),
    "workforce_attrition": (0.0, 25.0, 0.5),
    "qi_completion": (50.0, 100.0, 1.0),
}
CHART_OUTPUTS = [
    ("vacancy_rate", 4),
    ("developed_share", 0),
    ("succession_cover", 0),
    ("successor_ready", 0),
    ("improvement_coverage", 0),
    ("cost_total", 0),
]
PICKABLE = [
    "vacancy_rate",
    "developed_share",
    "developed_leaders",
    "leaders_in_post",
    "succession_cover",
    "successor_ready",
    "improvement_coverage",
    "practitioners_per_1000",
    "cumulative_cost",
]


# --- results cache (by parameter hash) ------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _result_cache() -> tuple[OrderedDict, threading.Lock]:
    return OrderedDict(), threading.Lock()


def run_cached(params: CapacityParams, draws: int, seed: int, label: str) -> ModelResult:
    """Run (or reuse) a result keyed by the parameter hash; long runs show progress."""
    key = cs.params_hash(params, draws, seed)
    cache, lock = _result_cache()
    with lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    scenario = cs.Scenario(name=label[:120] or "run", params=params, draws=draws, seed=seed)
    if draws >= LONG_RUN:
        bar = st.progress(0.0, text=f"Running {draws:,} draws of {label}…")
        result = cs.run_scenario(
            scenario, progress=lambda f: bar.progress(f, text=f"{label}: {f:.0%} of draws")
        )
        bar.empty()
    else:
        result = cs.run_scenario(scenario)
    with lock:
        cache[key] = result
        # Bounded by entries and by draws held (10,000 draws ≈ 100 MB of arrays).
        while len(cache) > 1 and (
            len(cache) > 12 or sum(r.draws for r in cache.values()) > MAX_CACHED_DRAWS
        ):
            cache.popitem(last=False)
    return result


# --- state: which scenario, which run settings ----------------------------------------------


def _listing(db) -> pd.DataFrame:
    return store.list_scenarios(db)


def _init_state(listing: pd.DataFrame, base_id: str | None) -> None:
    ids = list(listing["scenario_id"])
    if "scn_id" not in st.session_state or st.session_state["scn_id"] not in ids:
        st.session_state["scn_id"] = query_param(
            "scenario", base_id or (ids[0] if ids else None), ids
        )
        v = query_param("v")
        st.session_state["scn_version"] = int(v) if v and v.isdigit() else 0
    if "scn_draws" not in st.session_state:
        d = query_param("draws", "1000", [str(x) for x in DRAW_OPTIONS])
        st.session_state["scn_draws"] = int(d)
    if "scn_seed" not in st.session_state:
        s = query_param("seed")
        st.session_state["scn_seed"] = int(s) if s and s.isdigit() else None


def _on_scenario_change() -> None:
    st.session_state["scn_version"] = 0
    st.session_state.pop("scn_seed", None)
    st.session_state.pop("scn_working", None)


def _select(scenario_id: str | None) -> None:
    """Switch to another scenario on the next run (widget state cannot change mid-run)."""
    st.session_state["scn_pending"] = scenario_id
    st.rerun()


def _apply_pending() -> None:
    if "scn_pending" in st.session_state:
        st.session_state["scn_id"] = st.session_state.pop("scn_pending")
        st.session_state["scn_version"] = 0
        st.session_state.pop("scn_seed", None)
        st.session_state.pop("scn_working", None)


def _load_selected(db) -> cs.Scenario | None:
    sid = st.session_state.get("scn_id")
    if not sid:
        return None
    scenario = store.load_scenario(db, sid, st.session_state.get("scn_version") or None)
    return scenario or store.load_scenario(db, sid)


def _working(scenario: cs.Scenario) -> CapacityParams:
    """The parameters being edited: the saved version until the form is submitted."""
    tag = f"{scenario.scenario_id}/{scenario.version}"
    if st.session_state.get("scn_working_tag") != tag or "scn_working" not in st.session_state:
        st.session_state["scn_working"] = scenario.params.model_dump_json()
        st.session_state["scn_working_tag"] = tag
        st.session_state["scn_form_n"] = st.session_state.get("scn_form_n", 0) + 1
    return CapacityParams.model_validate_json(st.session_state["scn_working"])


# --- inputs form ----------------------------------------------------------------------------


def _to_display(field: str, x: float) -> float:
    """Rates as percentages on screen (rounded so an untouched input round-trips exactly)."""
    return round(x if field == "promotion_preference" else x * 100, 6)


def _from_display(field: str, x: float) -> float:
    return round(x if field == "promotion_preference" else x / 100, 8)


def _range_input(spec, r: Range, key: str) -> Range:
    lo, hi, step = SLIDER[spec.field]
    a, c, b = (_to_display(spec.field, v) for v in (r.low, r.central, r.high))
    lo, hi = min(lo, a), max(hi, b)
    unit = "×" if spec.field == "promotion_preference" else "%"
    left, right = st.columns([3, 2])
    with left:
        low, high = st.slider(
            spec.label,
            min_value=float(lo),
            max_value=float(hi),
            value=(float(a), float(b)),
            step=step,
            format="%.1f%%" if unit == "%" else "%.1f×",
            key=key,
        )
    with right:
        st.caption(f"Most likely {c:.1f}{unit}. {r.rationale}")
    central = c if low <= c <= high else (low + high) / 2
    return Range(
        low=_from_display(spec.field, low),
        central=_from_display(spec.field, central),
        high=_from_display(spec.field, high),
        rationale=r.rationale,
    )


def _places_table(params: CapacityParams, key: str, improvement: bool = False) -> pd.DataFrame:
    horizon = params.horizon
    names = TIER_NAMES if improvement else {k: v for k, v in LEVEL_NAMES.items() if k}
    series = params.qi_places if improvement else params.places
    costs = params.qi_cost if improvement else params.cost_per_place
    rows = []
    for i, (code, name) in enumerate(names.items()):
        row = {"Programme": name}
        for t in range(1, horizon + 1):
            row[f"Year {t}"] = float(series[i][min(t, len(series[i])) - 1])
        row["£ per place"] = float(costs[i])
        rows.append(row)
        del code
    frame = pd.DataFrame(rows)
    config = {
        "Programme": st.column_config.TextColumn(disabled=True),
        "£ per place": st.column_config.NumberColumn(min_value=0, format="£%d"),
    }
    for t in range(1, horizon + 1):
        config[f"Year {t}"] = st.column_config.NumberColumn(min_value=0, step=10, format="%d")
    return st.data_editor(
        frame, hide_index=True, column_config=config, key=key, width="stretch", num_rows="fixed"
    )


def _budget_table(params: CapacityParams, key: str) -> pd.DataFrame:
    row = {}
    for t in range(1, params.horizon + 1):
        b = params.budget_for_year(t)
        row[f"Year {t}"] = None if b is None else b / 1e6
    config = {
        f"Year {t}": st.column_config.NumberColumn(min_value=0, format="£%.1fm")
        for t in range(1, params.horizon + 1)
    }
    return st.data_editor(
        pd.DataFrame([row]), hide_index=True, column_config=config, key=key, width="stretch"
    )


def _overrides_table(params: CapacityParams, names: dict[str, str], key: str) -> pd.DataFrame:
    """Regional overrides as editable rows, in display units (% or ×)."""
    by_label = {s.key: s.label for s in UNCERTAIN}
    rows = [
        {
            "Region": names.get(o.region_code, o.region_code),
            "Assumption": by_label[o.parameter],
            "Low": _to_display(SPEC_BY_KEY[o.parameter].field, o.range.low),
            "Most likely": _to_display(SPEC_BY_KEY[o.parameter].field, o.range.central),
            "High": _to_display(SPEC_BY_KEY[o.parameter].field, o.range.high),
            "Why": o.range.rationale,
        }
        for o in params.overrides
    ]
    frame = pd.DataFrame(
        rows, columns=["Region", "Assumption", "Low", "Most likely", "High", "Why"]
    )
    config = {
        "Region": st.column_config.SelectboxColumn(options=list(names.values()), required=True),
        "Assumption": st.column_config.SelectboxColumn(
            options=list(by_label.values()), required=True, width="large"
        ),
        "Low": st.column_config.NumberColumn(required=True, format="%.1f"),
        "Most likely": st.column_config.NumberColumn(required=True, format="%.1f"),
        "High": st.column_config.NumberColumn(required=True, format="%.1f"),
        "Why": st.column_config.TextColumn(width="large"),
    }
    return st.data_editor(
        frame, hide_index=True, column_config=config, key=key, num_rows="dynamic", width="stretch"
    )


def _overrides_from(table: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    code_of = {v: k for k, v in names.items()}
    key_of = {s.label: s.key for s in UNCERTAIN}
    out = []
    for i, r in enumerate(table.to_dict("records"), start=1):
        if all(pd.isna(r.get(c)) for c in ("Region", "Assumption", "Low", "Most likely", "High")):
            continue
        if r.get("Region") not in code_of or r.get("Assumption") not in key_of:
            raise ValueError(f"Regional differences, row {i}: choose a region and an assumption.")
        if any(pd.isna(r.get(c)) for c in ("Low", "Most likely", "High")):
            raise ValueError(f"Regional differences, row {i}: give low, most likely and high.")
        key = key_of[r["Assumption"]]
        field = SPEC_BY_KEY[key].field
        out.append(
            {
                "region_code": code_of[r["Region"]],
                "parameter": key,
                "range": {
                    "low": _from_display(field, float(r["Low"])),
                    "central": _from_display(field, float(r["Most likely"])),
                    "high": _from_display(field, float(r["High"])),
                    "rationale": "" if pd.isna(r.get("Why")) else str(r.get("Why")),
                },
            }
        )
    return out


def inputs_form(
    params: CapacityParams, prefix: str, names: dict[str, str]
) -> CapacityParams | None:
    """The grouped inputs; returns new parameters when the form is submitted and valid."""
    new: dict[str, Range] = {}
    with (
        st.expander("Inputs: places, funding and assumptions", icon=":material/tune:"),
        st.form(f"{prefix}_form", border=False),
    ):
        st.markdown(
            "Each uncertain assumption is a range (the slider) around a most likely value, "
            "with the reason beside it. The model runs when you press **Run scenario**."
        )
        horizon = st.slider("Years to project", 1, MAX_HORIZON, params.horizon, key=f"{prefix}_h")
        *groups, regional = st.tabs([*(GROUPS[g] for g in GROUPS), "Regional differences"])
        tables: dict[str, pd.DataFrame] = {}
        allocation = params.allocation
        for tab, group in zip(groups, GROUPS, strict=True):
            with tab:
                if group == "places":
                    st.markdown("Programme places a year, national (phasing by year) and price")
                    tables["places"] = _places_table(params, f"{prefix}_places")
                    st.markdown("Budget for leadership places (£m a year; empty = no limit)")
                    tables["budget"] = _budget_table(params, f"{prefix}_budget")
                    allocation = st.selectbox(
                        "How places are shared between regions",
                        list(ALLOCATION_LABELS),
                        index=list(ALLOCATION_LABELS).index(params.allocation),
                        format_func=ALLOCATION_LABELS.get,
                        key=f"{prefix}_alloc",
                    )
                if group == "improvement":
                    st.markdown("Improvement training places a year, national, and price")
                    tables["qi"] = _places_table(params, f"{prefix}_qi", improvement=True)
                for spec in UNCERTAIN:
                    if spec.group == group:
                        new[spec.key] = _range_input(
                            spec, params.range_of(spec.key), f"{prefix}_{spec.key}"
                        )
        with regional:
            st.markdown(
                "Where a region's assumption differs from the national range (for example "
                "higher executive turnover), add a row: values in % (promotion preference as "
                "a multiple). Regions otherwise share the national draw, so their rates match "
                "England's unless an override or the allocation rule separates them."
            )
            tables["overrides"] = _overrides_table(params, names, f"{prefix}_overrides")
        submitted = st.form_submit_button(
            "Run scenario", type="primary", icon=":material/play_arrow:"
        )
    if not submitted:
        return None
    return _compose(params, horizon, new, tables, allocation, names)


def _series_from(table: pd.DataFrame, horizon: int) -> list[list[float]]:
    cols = [c for c in table.columns if c.startswith("Year ")][:horizon]
    return [[float(x) if pd.notna(x) else 0.0 for x in row] for row in table[cols].to_numpy()]


def _compose(params, horizon, new, tables, allocation, names) -> CapacityParams | None:
    data = params.model_dump(mode="json")
    data["horizon"] = horizon
    for key, r in new.items():
        spec = next(s for s in UNCERTAIN if s.key == key)
        if spec.index is None:
            data[spec.field] = r.model_dump()
        else:
            data[spec.field][spec.index] = r.model_dump()
    data["places"] = _series_from(tables["places"], horizon)
    data["cost_per_place"] = [float(x) for x in tables["places"]["£ per place"]]
    data["qi_places"] = _series_from(tables["qi"], horizon)
    data["qi_cost"] = [float(x) for x in tables["qi"]["£ per place"]]
    budget_row = tables["budget"].iloc[0]
    budget = [None if pd.isna(x) else float(x) * 1e6 for x in budget_row.to_numpy()]
    data["budget"] = None if all(b is None for b in budget) else budget
    data["allocation"] = allocation
    try:
        data["overrides"] = _overrides_from(tables["overrides"], names)
        return CapacityParams.model_validate(data)
    except ValidationError as exc:  # before ValueError: it is a subclass
        st.error("The inputs are not valid, so the model did not run: " + validation_message(exc))
    except ValueError as exc:
        st.error(f"The inputs are not valid, so the model did not run: {exc}")
    return None


# --- results --------------------------------------------------------------------------------


def _targets(db, geo: str) -> dict[str, dict[int, float]]:
    """Plan targets for the model's measures (M06/M08/M10) at this geography, by horizon,
    from the plan version chosen in the sidebar, by the plan's one rule (the geography's own
    target, else England's)."""
    frame = targets_for_geography(current_plan(db), geo, list(MEASURE_OUTPUT))
    out: dict[str, dict[int, float]] = {}
    for t in frame.itertuples():
        out.setdefault(t.measure_code, {})[int(t.horizon)] = float(t.target)
    return out


def _targets_frame(targets: dict[str, dict[int, float]], geo: str) -> pd.DataFrame:
    rows = [
        {"measure_code": m, "geo_code": geo, "horizon": h, "target": v}
        for m, by in targets.items()
        for h, v in by.items()
    ]
    return pd.DataFrame(rows, columns=["measure_code", "geo_code", "horizon", "target"])


def _output_targets(name: str, level: int, targets) -> dict[int, float] | None:
    spec = OUTPUTS[name]
    if spec.measure and level == spec.level:
        return targets.get(spec.measure) or None
    return None


def _fan(results, name, level, geo, geo_name, targets, base_res, key, title=None):
    fan = cs.fan_data(results, name, geo, level)
    baseline = cs.fan_data({"Baseline": base_res}, name, geo, level)[["year", "p50"]]
    tg = _output_targets(name, level, targets)
    fig = charts.fan_chart(
        fan, name=name, level=level, baseline=baseline, targets=tg, geo_name=geo_name, title=title
    )
    summary = charts.fan_summary(fan, name, level, baseline, tg)
    data = fan.assign(output=name, level=level, geo_code=geo)
    chart_with_download(fig, data, key=key, summary=summary)


def _pick_output(prefix: str, default: str = "vacancy_rate") -> tuple[str, int]:
    c1, c2 = st.columns(2)
    name = c1.selectbox(
        "Output",
        PICKABLE,
        index=PICKABLE.index(default),
        format_func=lambda n: OUTPUTS[n].label,
        key=f"{prefix}_out",
    )
    if OUTPUTS[name].by_level:
        default_level = 4 if name == "vacancy_rate" else 0
        level = c2.selectbox(
            "Leadership level",
            list(LEVEL_CODES),
            index=list(LEVEL_CODES).index(default_level),
            format_func=LEVEL_NAMES.get,
            key=f"{prefix}_lvl",
        )
    else:
        level = 0
        c2.caption("This output covers all staff or all levels.")
    return name, int(level)


def model_tab(db, scenario, params, base, base_res, res, geo, geo_name, targets):
    changes = cs.changes_vs(base.params, params)
    with st.container(border=True):
        st.markdown("**What changed vs baseline**")
        if changes:
            st.markdown("\n".join(f"- {c}" for c in changes))
        else:
            st.markdown("Nothing: this is the baseline's set of assumptions.")
        if params != scenario.params:
            st.caption(
                "These inputs are not saved yet: use **Save and share** to keep them as a new "
                "version."
            )
    st.subheader(f"Headline results, {geo_name}")
    head = cs.headline_table({"Scenario": res}, base_res, _targets_frame(targets, geo), geo)
    view = cs.headline_view(head, "Scenario")
    years = [y for y in cs.HEADLINE_YEARS if y <= params.horizon]
    pick = st.segmented_control(
        "Show",
        ["All", *years],
        default="All",
        format_func=lambda y: "Years " + ", ".join(map(str, years)) if y == "All" else f"Year {y}",
        key="scn_head_year",
    )
    if pick not in (None, "All"):
        view = view[view["Year"] == pick]
    st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        height=min(36 * (len(view) + 1) + 4, 1300),
        column_config={
            "Output": st.column_config.TextColumn(width=330),
            "Year": st.column_config.NumberColumn(width=50),
            "Median (80% range)": st.column_config.TextColumn(width=175),
            "vs baseline": st.column_config.TextColumn(
                width=95, help="Change in the median from the baseline"
            ),
            "Plan target": st.column_config.TextColumn(width=90),
            "Chance of target": st.column_config.TextColumn(
                width=115, help="Share of Monte-Carlo draws that meet the plan's target"
            ),
        },
    )
    st.caption(
        f"Medians and 80% ranges over {res.draws:,} Monte-Carlo draws (seed "
        f"{res.seed if res.seed is not None else '–'}). The chance of meeting a target is the "
        "share of draws that meet the plan's target for that year (measures M06, M08, M10)."
    )
    st.download_button(
        "Download headline table (CSV)",
        data=head.to_csv(index=False).encode(),
        file_name="scenario_headlines.csv",
        mime="text/csv",
        key="dl_head",
        on_click="ignore",
        icon=":material/download:",
    )
    st.subheader("How the outputs move over time")
    level = st.segmented_control(
        "Level for the developed-share chart",
        list(LEVEL_CODES),
        default=0,
        format_func=LEVEL_NAMES.get,
        key="scn_dev_level",
    )
    level = 0 if level is None else int(level)
    cols = st.columns(2)
    for i, (name, lvl) in enumerate(CHART_OUTPUTS):
        if name == "developed_share":
            lvl = level
        with cols[i % 2]:
            _fan({scenario.name: res}, name, lvl, geo, geo_name, targets, base_res, f"fan_{name}")
    st.subheader("By region")
    name, lvl = _pick_output("scn_region")
    year = st.slider("Year", 1, params.horizon, params.horizon, key="scn_region_year")
    st.dataframe(_region_table(res, base_res, name, lvl, year, db), hide_index=True)


def _region_table(res, base_res, name, lvl, year, db) -> pd.DataFrame:
    names = {r.code: r.name for r in reference_regions(db)} | {ENGLAND_CODE: "England"}
    rows = []
    for geo in (*res.regions, ENGLAND_CODE):
        fan = cs.fan_data({"s": res}, name, geo, lvl)
        base = cs.fan_data({"b": base_res}, name, geo, lvl)
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
    data = pd.DataFrame(rows)
    if np.allclose(data["p50"], data["p50"].iloc[0], rtol=1e-6, equal_nan=True):
        st.caption(
            "Every region shows the same value: regions share the national assumptions and "
            "places are split in proportion, so rates match England. Add a regional "
            "difference in the inputs, or allocate places by need or vacancies, to separate "
            "them."
        )
    fig = charts.region_chart(data, name=name, level=lvl, year=year)
    chart_with_download(
        fig,
        data,
        key="region",
        summary=charts.region_summary(data, name, lvl, year),
    )
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


def compare_tab(db, listing, scenario, geo, geo_name, targets, draws, seed):
    labels = {r.scenario_id: f"{r.name} (v{r.version})" for r in listing.itertuples()}
    ids = list(labels)
    wanted = [i for i in (query_param("compare") or "").split(",") if i in ids]
    if not wanted:  # the current scenario, the baseline, then the newest others
        base_id = store.baseline_id(db)
        wanted = [i for i in dict.fromkeys([scenario.scenario_id, base_id, *ids]) if i]
    chosen = st.multiselect(
        "Saved scenarios to compare (up to four)",
        ids,
        default=wanted[: cs.MAX_COMPARE],
        format_func=labels.get,
        max_selections=cs.MAX_COMPARE,
        key="scn_compare",
    )
    set_query_params(compare=",".join(chosen) if chosen else None)
    if not chosen:
        st.info("Choose at least one saved scenario.")
        return
    loaded = [store.load_scenario(db, i) for i in chosen]
    loaded = [s for s in loaded if s is not None]
    base_sc = store.load_scenario(db, store.baseline_id(db)) if store.baseline_id(db) else None
    base_sc = base_sc or cs.baseline_scenario()
    # One seed for every scenario: common random numbers make the differences paired.
    base_res = run_cached(base_sc.params, draws, seed, "Baseline")
    results = {s.label: run_cached(s.params, draws, seed, s.label) for s in loaded}
    head = cs.headline_table(results, base_res, _targets_frame(targets, geo), geo)
    wide = _compare_wide(head)
    st.dataframe(wide, hide_index=True, width="stretch")
    st.caption(
        f"Median (80% range) over {draws:,} draws each with the same seed ({seed}), "
        f"{geo_name}; Δ = change in the median "
        "vs the baseline; the chance of meeting the plan's target where it sets one."
    )
    st.download_button(
        "Download comparison (CSV)",
        data=head.to_csv(index=False).encode(),
        file_name="scenario_comparison.csv",
        mime="text/csv",
        key="dl_compare",
        on_click="ignore",
        icon=":material/download:",
    )
    name, lvl = _pick_output("scn_cmp")
    _fan(results, name, lvl, geo, geo_name, targets, base_res, "fan_compare")


def _compare_wide(head: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (label, year), part in head.groupby(["label", "year"], sort=False):
        row = {"Output": label, "Year": int(year)}
        for r in part.itertuples():
            fmt_name = r.output if r.output in OUTPUTS else "cost_total"
            text = cs.median_range(fmt_name, r.p10, r.p50, r.p90)
            change = cs.format_delta(fmt_name, r.delta)
            if change not in ("–", "no change"):
                text += f"; Δ {change}"
            if np.isfinite(r.probability):
                text += f"; {r.probability:.0%} chance of target"
            row[r.scenario] = text
        rows.append(row)
    return pd.DataFrame(rows)


def sensitivity_tab(params, geo, geo_name):
    st.markdown(
        "Each uncertain assumption is set to its low and then its high value, the others at "
        "their most likely values; the longest bars matter most."
    )
    name, lvl = _pick_output("scn_sens")
    horizon = st.slider("Year", 1, params.horizon, params.horizon, key="scn_sens_year")
    sens = cs.sensitivity(params, name, horizon, geo, lvl)
    fig = charts.tornado_chart(sens, name=name, level=lvl, horizon=horizon)
    chart_with_download(
        fig, sens, key="tornado", summary=charts.tornado_summary(sens, name, lvl, horizon)
    )


def goal_seek_tab(params, geo, geo_name, draws, seed, targets):
    st.markdown(
        "Find the smallest increase in programme places (or the smallest annual budget) that "
        "meets a target with the confidence you choose."
    )
    with st.form("scn_goal_form"):
        name, lvl = _pick_output("scn_goal", default="improvement_coverage")
        c1, c2, c3 = st.columns(3)
        horizon = c1.slider("By year", 1, params.horizon, params.horizon, key="scn_goal_year")
        tg = (_output_targets(name, lvl, targets) or {}).get(horizon)
        target = c2.number_input(
            "Target value" + (" (%)" if OUTPUTS[name].unit == "percent" else ""),
            value=float(tg) if tg is not None else 20.0,
            key="scn_goal_target",
        )
        confidence = c3.slider("Confidence (%)", 50, 99, 80, key="scn_goal_conf")
        lever = st.radio(
            "Lever",
            ["places", "budget"],
            format_func={
                "places": "Multiply all programme places",
                "budget": "Annual budget for leadership places",
            }.get,
            horizontal=True,
            key="scn_goal_lever",
            help="Places: leadership and improvement places scaled together (up to 10×), with "
            "no budget limit. Budget: a flat £ a year for leadership places only, so it cannot "
            "move improvement-training outputs.",
        )
        go_seek = st.form_submit_button("Find the answer", type="primary")
    if not go_seek:
        return
    bar = st.progress(0.0, text="Searching…")
    try:
        res = cs.goal_seek(
            params,
            name,
            float(target),
            int(horizon),
            confidence=confidence / 100,
            lever=lever,
            geo=geo,
            level=lvl,
            draws=draws,
            seed=seed,
            progress=lambda f: bar.progress(f, text="Searching…"),
        )
    except cs.ScenarioError as exc:
        bar.empty()
        st.error(str(exc))
        return
    bar.empty()
    (st.success if res.reachable else st.warning)(res.message)
    if res.params is not None and res.reachable and not res.already_met:
        p = res.params
        lead = p.planned_cost(1) if res.lever == "places" else res.value
        qi = sum(x * c for x, c in zip(p.qi_places_for_year(1), p.qi_cost, strict=True))
        st.caption(
            f"At the answer, year 1 costs about £{lead / 1e6:,.1f}m for leadership places"
            + (
                f" and £{qi / 1e6:,.1f}m for improvement training."
                if res.lever == "places"
                else "."
            )
        )
    fan = res.trajectory.assign(scenario="Goal-seek answer")
    fig = charts.fan_chart(
        fan,
        name=name,
        level=lvl,
        targets={int(horizon): float(target)},
        geo_name=geo_name,
    )
    chart_with_download(
        fig, fan, key="goal", summary=charts.fan_summary(fan, name, lvl, None, {horizon: target})
    )


def waterfall_tab(base, params, geo, geo_name):
    st.markdown(
        "The change from the baseline to this scenario, switching one group of assumptions at "
        "a time in this order: places, budget, attrition, promotion, external fill, then "
        "everything else (central values)."
    )
    if params == base.params:
        st.info(
            "This scenario has the baseline's assumptions, so there is nothing to attribute. "
            "Choose another scenario or change the inputs."
        )
        return
    name, lvl = _pick_output("scn_wf", default="developed_share")
    horizon = st.slider(
        "Year", 1, min(base.params.horizon, params.horizon), min(5, params.horizon), key="scn_wf_y"
    )
    w = cs.waterfall(base.params, params, name, horizon, geo, lvl)
    fig = charts.waterfall_chart(w, name=name, level=lvl, horizon=horizon)
    chart_with_download(
        fig, w, key="waterfall", summary=charts.waterfall_summary(w, name, lvl, horizon)
    )


def save_tab(db, scenario, params, draws, seed):
    st.markdown(f"**Current scenario:** {scenario.label}, saved by {scenario.author}.")
    if db.read_only:
        st.info("The database is read-only: scenarios cannot be saved just now.")
    with st.form("scn_save_form"):
        name = st.text_input("Name", value=scenario.name, key="scn_save_name")
        desc = st.text_area("Description", value=scenario.description, key="scn_save_desc")
        reason = st.text_input("Why (recorded in the audit log)", key="scn_save_reason")
        c1, c2 = st.columns(2)
        as_version = c1.form_submit_button("Save as a new version of this scenario")
        as_new = c2.form_submit_button("Save as a new scenario", type="primary")
    if as_version or as_new:
        user = require_user("save a scenario")
        if user:
            try:
                saved = store.save_scenario(
                    db,
                    cs.Scenario(
                        name=name,
                        description=desc,
                        params=params,
                        draws=draws,
                        seed=seed,
                        is_baseline=scenario.is_baseline and as_version,
                    ),
                    actor=user,
                    scenario_id=scenario.scenario_id if as_version else None,
                    reason=reason or None,
                )
            except (StoreError, ValueError) as exc:
                st.error(f"Not saved: {exc}")
            else:
                st.session_state["scn_flash"] = f"Saved {saved.label}."
                _select(saved.scenario_id)
    st.divider()
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Export / import**")
        st.download_button(
            "Export this scenario (JSON)",
            data=cs.export_json(scenario.model_copy(update={"params": params})).encode(),
            file_name=f"scenario-{scenario.scenario_id}-v{scenario.version}.json",
            mime="application/json",
            key="dl_json",
            on_click="ignore",
            icon=":material/download:",
        )
        upload = st.file_uploader("Import a scenario (JSON)", type=["json"], key="scn_upload")
        if upload is not None:
            try:
                imported = cs.import_json(upload.getvalue())
            except cs.ScenarioError as exc:
                st.error(str(exc))
            else:
                st.success(f"“{imported.name}” is valid ({imported.draws:,} draws).")
                if st.button("Save the imported scenario", key="scn_import_save"):
                    user = require_user("import a scenario")
                    if user:
                        saved = store.save_scenario(db, imported, actor=user, reason="Imported")
                        st.session_state["scn_flash"] = f"Imported and saved {saved.label}."
                        _select(saved.scenario_id)
    with c2:
        st.markdown("**Clone or delete**")
        if st.button("Clone this scenario", key="scn_clone"):
            user = require_user("clone a scenario")
            if user:
                copy = store.clone_scenario(db, scenario.scenario_id, actor=user)
                st.session_state["scn_flash"] = f"Cloned as {copy.label}."
                _select(copy.scenario_id)
        if not scenario.is_baseline:
            confirm = st.checkbox("Yes, delete this scenario", key="scn_del_confirm")
            if st.button("Delete", key="scn_delete", disabled=not confirm):
                user = require_user("delete a scenario")
                if user:
                    try:
                        store.delete_scenario(db, scenario.scenario_id, actor=user)
                    except StoreError as exc:
                        st.error(str(exc))
                    else:
                        st.session_state["scn_flash"] = f"Deleted {scenario.label}."
                        _select(store.baseline_id(db))
        else:
            st.caption("The baseline cannot be deleted: every scenario is compared with it.")
    st.markdown("**Versions of this scenario**")
    st.dataframe(store.list_versions(db, scenario.scenario_id), hide_index=True)


# --- the page -------------------------------------------------------------------------------

db = get_db()
page_header(
    "Leadership capacity scenarios",
    "How many developed leaders, vacant executive posts and staff trained in improvement each "
    "region could have in years 1, 3 and 5 — and how sure we can be. Illustrative assumptions; "
    "every one is editable and carries its reason.",
)
read_only_banner(db)
listing = _listing(db)
base_id = store.baseline_id(db)
if listing.empty:
    st.info("No scenarios saved yet. The baseline (carry on as now) is shown; save it to start.")
_apply_pending()
_init_state(listing, base_id)
if flash := st.session_state.pop("scn_flash", None):
    st.success(flash)

options = list(listing["scenario_id"])
labels = {r.scenario_id: f"{r.name} (v{r.version})" for r in listing.itertuples()}
c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
if options:
    c1.selectbox(
        "Scenario",
        options,
        format_func=lambda i: labels.get(i, i),
        key="scn_id",
        on_change=_on_scenario_change,
    )
scenario = _load_selected(db) if options else None
if scenario is None:
    scenario = cs.baseline_scenario()
versions = (
    list(store.list_versions(db, scenario.scenario_id)["version"]) if scenario.scenario_id else []
)
if versions:
    if st.session_state.get("scn_version") not in [0, *versions]:
        st.session_state["scn_version"] = 0
    c2.selectbox(
        "Version",
        [0, *versions],
        format_func=lambda v: "latest" if not v else f"v{v}",
        key="scn_version",
    )
    scenario = _load_selected(db) or scenario
draws = c3.selectbox(
    "Draws",
    DRAW_OPTIONS,
    format_func=lambda d: f"{d:,}",
    key="scn_draws",
    help="Monte-Carlo draws; more draws give steadier ranges and take longer.",
)
if st.session_state.get("scn_seed") is None:
    st.session_state["scn_seed"] = int(scenario.seed)
seed = int(
    c4.number_input(
        "Seed", min_value=0, step=1, key="scn_seed", help="The same seed gives the same results."
    )
)
set_query_params(
    scenario=scenario.scenario_id,
    v=st.session_state.get("scn_version") or None,
    draws=draws,
    seed=seed,
)

params = _working(scenario)
region_names = {r.code: r.name for r in reference_regions(db)}
submitted = inputs_form(params, f"in{st.session_state.get('scn_form_n', 0)}", region_names)
if submitted is not None:
    st.session_state["scn_working"] = submitted.model_dump_json()
    params = submitted

geo = selected_region()
geo_name = (
    "England" if geo == ENGLAND_CODE else {r.code: r.name for r in reference_regions(db)}[geo]
)
targets = _targets(db, geo)
base = store.load_scenario(db, base_id) if base_id else None
base = base or cs.baseline_scenario()
base_res = run_cached(base.params, draws, seed, "Baseline")  # same draws: paired deltas
res = run_cached(params, draws, seed, scenario.name)

tabs = st.tabs(TABS, key="tab", on_change="rerun", bind="query-params")
try:
    with tabs[0]:
        if tabs[0].open is not False:
            model_tab(db, scenario, params, base, base_res, res, geo, geo_name, targets)
    with tabs[1]:
        if tabs[1].open:
            compare_tab(db, listing, scenario, geo, geo_name, targets, draws, seed)
    with tabs[2]:
        if tabs[2].open:
            sensitivity_tab(params, geo, geo_name)
    with tabs[3]:
        if tabs[3].open:
            goal_seek_tab(params, geo, geo_name, draws, seed, targets)
    with tabs[4]:
        if tabs[4].open:
            waterfall_tab(base, params, geo, geo_name)
    with tabs[5]:
        if tabs[5].open:
            save_tab(db, scenario, params, draws, seed)
except (cs.ScenarioError, ValidationError, ValueError, StoreError) as exc:
    st.error(f"That could not be done: {exc}")
