"""The Scenarios page's results: the Model tab (what changed, headline table, fan charts,
regions) and the Compare tab (saved scenarios side by side). The numbers come from the
scenarios service; this module only lays them out."""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from nlf_planner.capacity.model import ModelResult
from nlf_planner.capacity.outputs import LEVEL_CODES, OUTPUTS
from nlf_planner.capacity.params import LEVEL_NAMES
from nlf_planner.capacity.scenarios import Scenario
from nlf_planner.charts import scenarios as charts
from nlf_planner.exports_tables import to_csv_bytes
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.database import Database
from nlf_planner.ui.frame import PLOTLY_CONFIG, chart_with_download, query_param, set_query_params
from nlf_planner.ui.scenarios_state import PageRuns, cached_view, plan_key, run_cached
from nlf_planner.ui.text import escape_markdown

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


def wrapping_table(frame: pd.DataFrame, *, alt: str) -> None:
    """A results table whose cells wrap, so every column fits the page at 1024 px wide
    (a scrolling grid hid the last columns there). ``st.table`` reads Markdown in cells:
    only generated text (labels and numbers) goes in; people's text is kept out (scenario
    names become letters in the comparison) or escaped by the caller."""
    st.table(frame, hide_index=True, alt=alt)


def pick_output(prefix: str, default: str = "vacancy_rate") -> tuple[str, int]:
    """An output and (for outputs by level) a leadership level, side by side."""
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


def fan(
    db: Database,
    results: dict[str, ModelResult],
    base_res: ModelResult,
    name: str,
    level: int,
    geo: str,
    geo_name: str,
    targets: pd.DataFrame,
    key: str,
    runs_key: Hashable,
) -> None:
    """A fan chart of one output with the baseline's median and the plan's targets, built
    once per ``runs_key`` (the results' keys, the plan version) and output."""

    def build() -> tuple[go.Figure, str, bytes]:
        frame, baseline, tg = scenario_service.fan(results, base_res, name, level, geo, targets)
        fig = charts.fan_chart(
            frame, name=name, level=level, baseline=baseline, targets=tg, geo_name=geo_name
        )
        # The summary names the scenarios (people's text, also from imported files) and
        # is shown as Markdown: escaped.
        summary = escape_markdown(charts.fan_summary(frame, name, level, baseline, tg))
        return fig, summary, to_csv_bytes(frame.assign(output=name, level=level, geo_code=geo))

    fig, summary, csv = cached_view(db, "fan", (runs_key, name, level, geo, geo_name), build)
    _chart(fig, csv, key=key, summary=summary, alt=charts.fan_alt(name, level))


def _chart(fig: go.Figure, csv: bytes, *, key: str, summary: str, alt: str) -> None:
    """``frame.chart_with_download`` with the CSV made once with the figure (the
    formula-safe writer was a tenth of a warm rerun): the chart, its accessible name, its
    text alternative and its data, under the same keys."""
    st.plotly_chart(fig, config=PLOTLY_CONFIG, key=f"chart_{key}", alt=alt)
    st.caption(summary)
    _csv_button("Download data (CSV)", csv, f"{key}.csv", f"download_{key}")


def _csv_button(label: str, data: pd.DataFrame | bytes, file_name: str, key: str) -> None:
    """A table's CSV through the formula-safe writer: scenario names are people's text."""
    st.download_button(
        label,
        data=data if isinstance(data, bytes) else to_csv_bytes(data),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def _what_changed(runs: PageRuns) -> None:
    """The inputs that differ from the baseline's and what the model did as a result."""
    changes = scenario_service.changes(runs.base_params, runs.run_params)
    applied = scenario_service.consequences(runs.base_params, runs.run_params)
    with st.container(border=True):
        st.markdown("**What changed vs baseline**")
        if changes:  # generated lines (labels and numbers), no one's typed text
            st.markdown("\n".join(f"- {c}" for c in changes))
        else:
            st.markdown("Nothing: this is the baseline's set of assumptions.")
        if applied:
            st.markdown("**What the model applied as a result**")
            st.markdown("\n".join(f"- {c}" for c in applied))
        if runs.params != runs.scenario.params:
            st.caption(
                f"These inputs are not saved yet (shown as “{escape_markdown(runs.label)}”): "
                "use **Save and "
                "share** to keep them as a new version."
            )


def _starting_point(db: Database, runs: PageRuns) -> None:
    """Where year 0 comes from: each quantity's measure, period and value, gaps named."""
    start = runs.start
    st.subheader("Where the starting point comes from")
    when = (
        f"the plan's base period (1 April {start.base_year}) or the latest value before it"
        if start.base_year is not None
        else "the latest value held (no plan is saved)"
    )
    st.caption(
        f"Year 0 starts from the values observed for {escape_markdown(start.geo_name)}, at "
        f"{when}; every region starts from them. Saved scenarios are started from the data "
        "again each time they run; the rest of the starting position (posts, headcounts, the "
        "other levels' developed shares) is the scenario's own illustrative figure."
    )
    table, gaps = cached_view(
        db,
        "starting_point",
        (runs.res_key, start.geo_code, start.base_year),
        lambda: (
            scenario_service.starting_point_table(start, runs.run_params),
            scenario_service.starting_point_gaps(start, runs.run_params),
        ),
    )
    wrapping_table(table, alt="Where the starting point comes from, by model quantity")
    for gap in gaps:
        st.warning(escape_markdown(gap), icon=":material/info:")


def _headlines(db: Database, runs: PageRuns, plan, geo, geo_name) -> None:
    st.subheader(f"Headline results, {geo_name}")
    res, base_res, params = runs.res, runs.base_res, runs.run_params

    def build() -> tuple[bytes, pd.DataFrame]:
        head = scenario_service.headline({"Scenario": res}, base_res, plan, geo, runs.start)
        return to_csv_bytes(head), scenario_service.headline_view(head, "Scenario")

    inputs = (runs.res_key, runs.base_key, plan_key(plan), geo)
    head, view = cached_view(db, "headline", inputs, build)
    years = [y for y in scenario_service.HEADLINE_YEARS if y <= params.horizon]
    pick = st.segmented_control(
        "Show",
        ["All", *years],
        default="All",
        format_func=lambda y: "Years " + ", ".join(map(str, years)) if y == "All" else f"Year {y}",
        key="scn_head_year",
    )
    if pick not in (None, "All"):
        view = view[view["Year"] == pick]
    wrapping_table(view, alt=f"Headline results for {geo_name}, by output and year")
    st.caption(
        f"Medians and 80% ranges over {res.draws:,} Monte-Carlo draws (seed "
        f"{res.seed if res.seed is not None else '–'}). The chance of meeting a target is the "
        "share of draws that meet the plan's target for that year (measures M06, M08, M10)."
    )
    _csv_button("Download headline table (CSV)", head, "scenario_headlines.csv", "dl_head")


def _regions(db: Database, runs: PageRuns, names: dict[str, str]) -> None:
    st.subheader("By region")
    res, base_res, params = runs.res, runs.base_res, runs.run_params
    name, lvl = pick_output("scn_region")
    year = st.slider("Year", 1, params.horizon, params.horizon, key="scn_region_year")

    def build():
        data, view, identical = scenario_service.region_table(res, base_res, name, lvl, year, names)
        fig = charts.region_chart(data, name=name, level=lvl, year=year)
        return data, view, identical, fig, charts.region_summary(data, name, lvl, year)

    inputs = (runs.res_key, runs.base_key, name, lvl, year)
    data, view, identical, fig, summary = cached_view(db, "regions", inputs, build)
    if identical:
        st.caption(
            "Every region shows the same value: regions share the national assumptions and "
            "places are split in proportion, so rates match England. Add a regional "
            "difference in the inputs, or allocate places by need or vacancies, to separate "
            "them."
        )
    chart_with_download(
        fig,
        data,
        key="region",
        summary=summary,
        alt=f"Bar chart of {OUTPUTS[name].label.lower()} in year {year}, by region",
    )
    st.dataframe(view, hide_index=True)


def model_tab(
    db: Database, runs: PageRuns, plan, geo: str, geo_name: str, names: dict[str, str]
) -> None:
    """What changed, the starting point, the headline table, the fan charts and the regions
    for one run."""
    _what_changed(runs)
    _starting_point(db, runs)
    _headlines(db, runs, plan, geo, geo_name)
    targets = scenario_service.plan_targets(plan, geo, runs.start)
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
        with cols[i % 2]:
            chart_level = level if name == "developed_share" else lvl
            fan(
                db,
                {runs.label: runs.res},
                runs.base_res,
                name,
                chart_level,
                geo,
                geo_name,
                targets,
                f"fan_{name}",
                (runs.label, runs.res_key, runs.base_key, plan_key(plan)),
            )
    _regions(db, runs, names)


def _compare_choice(db: Database, listing: pd.DataFrame, scenario: Scenario) -> list[str]:
    """The scenarios to compare: from the URL, else this one, the baseline and the newest."""
    labels = {r.scenario_id: f"{r.name} (v{r.version})" for r in listing.itertuples()}
    ids = list(labels)
    wanted = [i for i in (query_param("compare") or "").split(",") if i in ids]
    if not wanted:
        base_id = scenario_service.baseline_id(db)
        wanted = [i for i in dict.fromkeys([scenario.scenario_id, base_id, *ids]) if i]
    chosen = st.multiselect(
        "Saved scenarios to compare (up to four)",
        ids,
        default=wanted[: scenario_service.MAX_COMPARE],
        format_func=labels.get,
        max_selections=scenario_service.MAX_COMPARE,
        key="scn_compare",
    )
    set_query_params(compare=",".join(chosen) if chosen else None)
    return chosen


def compare_tab(
    db: Database,
    listing: pd.DataFrame,
    runs: PageRuns,
    plan,
    geo: str,
    geo_name: str,
    draws: int,
    seed: int,
) -> None:
    """Saved scenarios side by side, every run from the same observed starting point with
    the same draws and seed (paired)."""
    chosen = _compare_choice(db, listing, runs.scenario)
    if not chosen:
        st.info("Choose at least one saved scenario.")
        return
    loaded = scenario_service.load_many(db, chosen)
    # One seed for every scenario: common random numbers make the differences paired.
    base_res = runs.base_res
    run_params = {s.label: scenario_service.from_data(s.params, runs.start) for s in loaded}
    results = {label: run_cached(p, draws, seed, label) for label, p in run_params.items()}
    keys = tuple(
        (label, scenario_service.result_key(p, draws, seed)) for label, p in run_params.items()
    )
    head = scenario_service.headline(results, base_res, plan, geo, runs.start)
    view = scenario_service.compare_view(head)
    names = [c for c in view.columns if c not in ("Output", "Year")]
    letters = dict(zip(names, charts.SCENARIO_LETTERS, strict=False))
    st.markdown(  # the letters the fan chart draws at each line's end
        "  \n".join(f"**{letters[n]}**: {escape_markdown(n)}" for n in names)
    )
    wrapping_table(
        view.rename(columns=letters),
        alt="The chosen scenarios side by side, by output and year",
    )
    st.caption(
        f"Median (80% range) over {draws:,} draws each with the same seed ({seed}), "
        f"{escape_markdown(geo_name)}; Δ = change in the median vs the baseline; the chance of "
        "meeting the plan's target where it sets one."
    )
    _csv_button("Download comparison (CSV)", head, "scenario_comparison.csv", "dl_compare")
    name, lvl = pick_output("scn_cmp")
    targets = scenario_service.plan_targets(plan, geo, runs.start)
    fan(
        db,
        results,
        base_res,
        name,
        lvl,
        geo,
        geo_name,
        targets,
        "fan_compare",
        (keys, runs.base_key, plan_key(plan)),
    )
