"""The Scenarios page's session state: which scenario and version, the run settings read
from and written to the URL, the parameters being edited, and the cache of model results.

Widget state cannot change once its widget has been drawn in a run, so switching scenario
after a save goes through a pending value applied at the start of the next run.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd
import streamlit as st

from nlf_planner.capacity.calibration import StartingPoint
from nlf_planner.capacity.model import ModelResult
from nlf_planner.capacity.params import CapacityParams
from nlf_planner.capacity.scenarios import Scenario
from nlf_planner.services import database as database_service
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.database import Database
from nlf_planner.services.errors import NotFound
from nlf_planner.ui.frame import query_param

DRAW_OPTIONS = [200, 1000, 5000, 10000]
LONG_RUN = 2000  # draws from which a run shows its progress
MAX_CACHED_DRAWS = 40_000  # 10,000 draws hold about 100 MB of arrays
MAX_CACHED_RUNS = 12

# --- results cache (by parameter hash) --------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _result_cache() -> tuple[OrderedDict, threading.Lock]:
    return OrderedDict(), threading.Lock()


def _remember(cache: OrderedDict, key: str, result: ModelResult) -> None:
    """Keep the newest runs, bounded by count and by the draws held."""
    cache[key] = result
    while len(cache) > 1 and (
        len(cache) > MAX_CACHED_RUNS or sum(r.draws for r in cache.values()) > MAX_CACHED_DRAWS
    ):
        cache.popitem(last=False)


def run_cached(params: CapacityParams, draws: int, seed: int, label: str) -> ModelResult:
    """Run (or reuse) a result keyed by the parameter hash; long runs show their progress."""
    key = scenario_service.result_key(params, draws, seed)
    cache, lock = _result_cache()
    with lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    if draws >= LONG_RUN:
        bar = st.progress(0.0, text=f"Running {draws:,} draws of {label}…")
        result = scenario_service.run(
            params,
            draws,
            seed,
            label,
            progress=lambda f: bar.progress(f, text=f"{label}: {f:.0%} of draws"),
        )
        bar.empty()
    else:
        result = scenario_service.run(params, draws, seed, label)
    with lock:
        _remember(cache, key, result)
    return result


# --- built charts (by data version and what they show) ---------------------------------------

T = TypeVar("T")


@st.cache_resource(show_spinner=False, max_entries=48)
def _built(
    kind: str, version: tuple[str, str], inputs: Hashable, _build: Callable[[], object]
) -> object:
    return _build()


def cached_view(db: Database, kind: str, inputs: Hashable, build: Callable[[], T]) -> T:
    """What ``build`` makes (a figure with its data and summary), made once per data version
    and ``inputs`` and shared by every session. Building plotly figures was most of a warm
    rerun; ``inputs`` must name everything the view depends on besides the stored data (the
    runs' result keys, the plan version, the geography, the pickers). Read-only once built."""
    version = (str(db.path), database_service.data_version(db))  # the file, then its state
    return _built(kind, version, inputs, build)  # type: ignore[return-value]


def plan_key(plan) -> int | None:
    """The plan version a view was drawn against (its targets come from it)."""
    return getattr(plan, "version_id", None)


# --- which scenario, which run settings -------------------------------------------------------


def init_state(listing: pd.DataFrame, base_id: str | None) -> None:
    """First run of a session: the scenario, version, draws and seed from the URL."""
    ids = list(listing["scenario_id"])
    if "scn_id" not in st.session_state or st.session_state["scn_id"] not in ids:
        st.session_state["scn_id"] = query_param(
            "scenario", base_id or (ids[0] if ids else None), ids
        )
        v = query_param("v")
        st.session_state["scn_version"] = int(v) if v and v.isdigit() else 0
    if "scn_draws" not in st.session_state:
        d = query_param("draws", "1000", [str(x) for x in DRAW_OPTIONS])
        st.session_state["scn_draws"] = int(d or 1000)
    if "scn_seed" not in st.session_state:
        s = query_param("seed")
        st.session_state["scn_seed"] = int(s) if s and s.isdigit() else None


def _forget_selection() -> None:
    st.session_state["scn_version"] = 0
    st.session_state.pop("scn_seed", None)
    st.session_state.pop("scn_working", None)


def on_scenario_change() -> None:
    """Another scenario was chosen: its latest version, its own seed, its own inputs."""
    _forget_selection()


def select(scenario_id: str | None) -> None:
    """Switch to another scenario on the next run (widget state cannot change mid-run)."""
    st.session_state["scn_pending"] = scenario_id
    st.rerun()


def apply_pending() -> None:
    if "scn_pending" in st.session_state:
        st.session_state["scn_id"] = st.session_state.pop("scn_pending")
        _forget_selection()


def flash(message: str) -> None:
    """A message for the next run (shown once, after the switch a write causes)."""
    st.session_state["scn_flash"] = message


def pop_flash() -> str | None:
    return st.session_state.pop("scn_flash", None)


def load_selected(db: Database) -> Scenario | None:
    """The chosen scenario at the chosen version (latest when 0 or no longer there)."""
    sid = st.session_state.get("scn_id")
    if not sid:
        return None
    try:
        return scenario_service.load(db, sid, st.session_state.get("scn_version") or None)
    except NotFound:
        return None


def working_params(scenario: Scenario) -> CapacityParams:
    """The parameters being edited: the saved version's until the form is submitted."""
    tag = f"{scenario.scenario_id}/{scenario.version}"
    if st.session_state.get("scn_working_tag") != tag or "scn_working" not in st.session_state:
        st.session_state["scn_working"] = scenario.params.model_dump_json()
        st.session_state["scn_working_tag"] = tag
        st.session_state["scn_form_n"] = st.session_state.get("scn_form_n", 0) + 1
    return CapacityParams.model_validate_json(st.session_state["scn_working"])


def keep_working(params: CapacityParams) -> None:
    """Hold submitted inputs for this session until saved or another scenario is chosen."""
    st.session_state["scn_working"] = params.model_dump_json()


def form_prefix() -> str:
    """A new prefix per loaded version, so the form's widgets start from its values."""
    return f"in{st.session_state.get('scn_form_n', 0)}"


# --- the runs the page shows ------------------------------------------------------------------


@dataclass(frozen=True)
class PageRuns:
    """What every tab works from: the inputs as edited (what Save keeps), the same inputs
    and the baseline's started from the data at the page's geography (what runs), the
    run's label and both results, run with the same draws and seed (paired)."""

    scenario: Scenario
    params: CapacityParams
    run_params: CapacityParams
    base_params: CapacityParams
    start: StartingPoint
    label: str
    base_res: ModelResult
    res: ModelResult
    base_key: str = ""
    res_key: str = ""


def page_runs(
    db: Database, scenario: Scenario, params: CapacityParams, geo: str, plan, draws: int, seed: int
) -> PageRuns:
    """Start the baseline and the edited inputs from the observed data at ``geo`` (saved
    scenarios are re-calibrated on every run) and run both (cached)."""
    start = scenario_service.starting_point(db, geo, plan)
    base_params = scenario_service.from_data(scenario_service.baseline(db).params, start)
    run_params = scenario_service.from_data(params, start)
    label = scenario_service.run_label(scenario, params)
    return PageRuns(
        base_key=scenario_service.result_key(base_params, draws, seed),
        res_key=scenario_service.result_key(run_params, draws, seed),
        scenario=scenario,
        params=params,
        run_params=run_params,
        base_params=base_params,
        start=start,
        label=label,
        base_res=run_cached(base_params, draws, seed, "Baseline"),
        res=run_cached(run_params, draws, seed, label),
    )
