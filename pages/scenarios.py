"""Scenarios: the leadership-capacity model (docs/MODEL.md) — inputs as ranges with their
rationale, Monte-Carlo results against the baseline and the plan's targets, compare,
sensitivity, goal seek, waterfall, and saving scenarios as versions.

The page reads its state, asks the scenarios service, and lays out the widget groups in
``ui/scenarios_*``; only the open tab runs.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nlf_planner.capacity.scenarios import Scenario
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.ui import scenarios_state as state
from nlf_planner.ui.frame import get_db, page_header, read_only_banner, set_query_params, show_error
from nlf_planner.ui.plan_state import current_plan
from nlf_planner.ui.scenarios_analysis import goal_seek_tab, sensitivity_tab, waterfall_tab
from nlf_planner.ui.scenarios_inputs import inputs_form
from nlf_planner.ui.scenarios_manage import save_tab
from nlf_planner.ui.scenarios_results import compare_tab, model_tab
from nlf_planner.ui.sidebar import selected_region

TABS = ["Model", "Compare", "Sensitivity", "Goal seek", "Waterfall", "Save and share"]


def _scenario_picker(db: Database, listing: pd.DataFrame, column) -> Scenario:
    """The scenario chosen (the built-in baseline when none is saved yet)."""
    options = list(listing["scenario_id"])
    labels = {r.scenario_id: f"{r.name} (v{r.version})" for r in listing.itertuples()}
    if options:
        column.selectbox(
            "Scenario",
            options,
            format_func=lambda i: labels.get(i, i),
            key="scn_id",
            on_change=state.on_scenario_change,
        )
    scenario = state.load_selected(db) if options else None
    return scenario or scenario_service.builtin_baseline()


def _version_picker(db: Database, scenario: Scenario, column) -> Scenario:
    """The version chosen (0 = the latest)."""
    if not scenario.scenario_id:
        return scenario
    versions = list(scenario_service.list_versions(db, scenario.scenario_id)["version"])
    if not versions:
        return scenario
    if st.session_state.get("scn_version") not in [0, *versions]:
        st.session_state["scn_version"] = 0
    column.selectbox(
        "Version",
        [0, *versions],
        format_func=lambda v: "latest" if not v else f"v{v}",
        key="scn_version",
    )
    return state.load_selected(db) or scenario


def _run_settings(scenario: Scenario, draws_column, seed_column) -> tuple[int, int]:
    """Draws and seed (the scenario's own seed until another is typed)."""
    draws = draws_column.selectbox(
        "Draws",
        state.DRAW_OPTIONS,
        format_func=lambda d: f"{d:,}",
        key="scn_draws",
        help="Monte-Carlo draws; more draws give steadier ranges and take longer.",
    )
    if st.session_state.get("scn_seed") is None:
        st.session_state["scn_seed"] = int(scenario.seed)
    seed = seed_column.number_input(
        "Seed", min_value=0, step=1, key="scn_seed", help="The same seed gives the same results."
    )
    return int(draws), int(seed)


db = get_db()
page_header(
    "Leadership capacity scenarios",
    "How many developed leaders, vacant executive posts and staff trained in improvement each "
    "region could have in years 1, 3 and 5 — and how sure we can be. Illustrative assumptions; "
    "every one is editable and carries its reason.",
)
read_only_banner(db)
listing = scenario_service.list_scenarios(db)
if listing.empty:
    st.info("No scenarios saved yet. The baseline (carry on as now) is shown; save it to start.")
state.apply_pending()
state.init_state(listing, scenario_service.baseline_id(db))
if message := state.pop_flash():
    st.success(message)

# The scenario on a row of its own, so its name and the three settings fit at 1024 px.
picked = _scenario_picker(db, listing, st)
c2, c3, c4 = st.columns(3)
scenario = _version_picker(db, picked, c2)
draws, seed = _run_settings(scenario, c3, c4)
set_query_params(
    scenario=scenario.scenario_id,
    v=st.session_state.get("scn_version") or None,
    draws=draws,
    seed=seed,
)

region_names = scenario_service.region_names(db)
params = state.working_params(scenario)
submitted = inputs_form(params, state.form_prefix(), region_names)
if submitted is not None:
    state.keep_working(submitted)
    params = submitted

geo = selected_region()
plan = current_plan(db)
try:  # both from the data at this geography, with the same draws and seed: paired
    runs = state.page_runs(db, scenario, params, geo, plan, draws, seed)
except ServiceError as exc:
    show_error(exc)
    st.stop()
geo_name = runs.start.geo_name  # read with the starting point, once per data version

tabs = st.tabs(TABS, key="tab", on_change="rerun", bind="query-params")
try:
    with tabs[0]:
        if tabs[0].open is not False:
            model_tab(db, runs, plan, geo, geo_name, region_names)
    with tabs[1]:
        if tabs[1].open:
            compare_tab(db, listing, runs, plan, geo, geo_name, draws, seed)
    with tabs[2]:
        if tabs[2].open:
            sensitivity_tab(runs.run_params, geo)
    with tabs[3]:
        if tabs[3].open:
            targets = scenario_service.plan_targets(plan, geo, runs.start)
            goal_seek_tab(db, runs.run_params, geo, geo_name, draws, seed, targets)
    with tabs[4]:
        if tabs[4].open:
            waterfall_tab(runs.base_params, runs.run_params, geo)
    with tabs[5]:
        if tabs[5].open:
            save_tab(db, scenario, params, draws, seed)
except ServiceError as exc:
    show_error(exc)
