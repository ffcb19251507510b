"""The Scenarios page's analysis tabs: sensitivity (tornado), goal seek and waterfall.

Each tab asks the scenarios service for its numbers and draws them with the scenario
charts; refusals (a horizon out of range, say) arrive as service errors the page shows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nlf_planner.capacity.outputs import OUTPUTS
from nlf_planner.capacity.params import CapacityParams
from nlf_planner.capacity.scenarios import GoalSeekResult
from nlf_planner.charts import scenarios as charts
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.ui.frame import chart_with_download, require_actor, show_error
from nlf_planner.ui.scenarios_results import pick_output
from nlf_planner.ui.scenarios_state import flash, select
from nlf_planner.ui.text import escape_markdown

LEVERS = {
    "places": "Multiply all programme places",
    "budget": "Annual budget for leadership places",
}


def sensitivity_tab(params: CapacityParams, geo: str) -> None:
    """Which assumptions move the chosen output most (a tornado chart)."""
    st.markdown(
        "Each uncertain assumption is set to its low and then its high value, the others at "
        "their most likely values; the longest bars matter most."
    )
    name, lvl = pick_output("scn_sens")
    horizon = st.slider("Year", 1, params.horizon, params.horizon, key="scn_sens_year")
    sens = scenario_service.sensitivity(params, name, horizon, geo, lvl)
    fig = charts.tornado_chart(sens, name=name, level=lvl, horizon=horizon)
    summary = charts.tornado_summary(sens, name, lvl, horizon)
    chart_with_download(
        fig,
        sens,
        key="tornado",
        summary=summary,
        alt=f"Tornado chart: which assumptions move {OUTPUTS[name].label.lower()} most",
    )


def _goal_form(params: CapacityParams, targets: pd.DataFrame) -> dict | None:
    """The question: output, year, target, confidence and lever; None until asked."""
    with st.form("scn_goal_form"):
        name, lvl = pick_output("scn_goal", default="improvement_coverage")
        c1, c2, c3 = st.columns(3)
        horizon = c1.slider("By year", 1, params.horizon, params.horizon, key="scn_goal_year")
        tg = (scenario_service.output_targets(name, lvl, targets) or {}).get(horizon)
        target = c2.number_input(
            "Target value" + (" (%)" if OUTPUTS[name].unit == "percent" else ""),
            value=float(tg) if tg is not None else 20.0,
            key="scn_goal_target",
        )
        confidence = c3.slider("Confidence (%)", 50, 99, 80, key="scn_goal_conf")
        lever = st.radio(
            "Lever",
            list(LEVERS),
            format_func=LEVERS.get,
            horizontal=True,
            key="scn_goal_lever",
            help="Places: leadership and improvement places scaled together (up to 10×), with "
            "no budget limit. Budget: a flat £ a year for leadership places only, so it cannot "
            "move improvement-training outputs.",
        )
        asked = st.form_submit_button("Find the answer", type="primary")
    if not asked:
        return None
    return {
        "name": name,
        "level": lvl,
        "horizon": int(horizon),
        "target": float(target),
        "confidence": confidence / 100,
        "lever": lever,
    }


def _answer_cost(res: GoalSeekResult) -> None:
    """What the answer costs in year 1, for places and (with that lever) improvement."""
    if res.params is None or not res.reachable or res.already_met:
        return
    p = res.params
    lead = p.planned_cost(1) if res.lever == "places" else res.value
    qi = sum(x * c for x, c in zip(p.qi_places_for_year(1), p.qi_cost, strict=True))
    tail = f" and £{qi / 1e6:,.1f}m for improvement training." if res.lever == "places" else "."
    st.caption(f"At the answer, year 1 costs about £{lead / 1e6:,.1f}m for leadership places{tail}")


GOAL_ANSWER = "scn_goal_answer"


def _question(ask: dict, geo_name: str) -> str:
    """The question in words: it names the scenario its answer is saved as."""
    unit = "%" if OUTPUTS[ask["name"]].unit == "percent" else ""
    level = f" (level {ask['level']})" if OUTPUTS[ask["name"]].by_level else ""
    return (
        f"{OUTPUTS[ask['name']].label}{level} {ask['target']:g}{unit} by year "
        f"{ask['horizon']}, {round(ask['confidence'] * 100)}% sure, {geo_name}"
    )


def _save_answer(db: Database, res: GoalSeekResult, question: str, draws: int, seed: int) -> None:
    """One click saves the answer as a new scenario (for editors; the service checks)."""
    if not res.reachable or res.already_met or res.params is None:
        return
    if not st.button(
        "Save this answer as a new scenario",
        key="scn_goal_save",
        icon=":material/save:",
        help=f"Saved as “Goal seek: {question}”, with the answer as its description.",
    ):
        return
    actor = require_actor("save a scenario")
    if actor is None:
        return
    try:
        saved = scenario_service.save_goal_seek_answer(
            db, actor, res, question=question, draws=draws, seed=seed
        )
    except ServiceError as exc:
        show_error(exc)
        return
    st.session_state.pop(GOAL_ANSWER, None)
    flash(f"Saved the goal-seek answer as {escape_markdown(saved.label)}.")
    select(saved.scenario_id)


def goal_seek_tab(
    db: Database,
    params: CapacityParams,
    geo: str,
    geo_name: str,
    draws: int,
    seed: int,
    targets: pd.DataFrame,
) -> None:
    """The smallest lever that meets a target with the confidence asked; the answer is kept
    (for these inputs, place, draws and seed) so it can be saved as a scenario in one click."""
    st.markdown(
        "Find the smallest increase in programme places (or the smallest annual budget) that "
        "meets a target with the confidence you choose."
    )
    ask = _goal_form(params, targets)
    context = (scenario_service.result_key(params, draws, seed), geo)
    if ask is None:
        kept = st.session_state.get(GOAL_ANSWER)
        if kept is not None and kept[0] == context:
            _show_answer(db, kept[1], kept[2], geo_name, draws, seed)
        return
    bar = st.progress(0.0, text="Searching…")
    try:
        res = scenario_service.goal_seek(
            params,
            ask["name"],
            ask["target"],
            ask["horizon"],
            confidence=ask["confidence"],
            lever=ask["lever"],
            geo=geo,
            level=ask["level"],
            draws=draws,
            seed=seed,
            progress=lambda f: bar.progress(f, text="Searching…"),
        )
    except ServiceError as exc:
        show_error(exc)
        return
    finally:
        bar.empty()
    st.session_state[GOAL_ANSWER] = (context, res, ask)
    _show_answer(db, res, ask, geo_name, draws, seed)


def _show_answer(
    db: Database, res: GoalSeekResult, ask: dict, geo_name: str, draws: int, seed: int
) -> None:
    (st.success if res.reachable else st.warning)(res.message)
    _answer_cost(res)
    _save_answer(db, res, _question(ask, geo_name), draws, seed)
    name, lvl, horizon, target = ask["name"], ask["level"], ask["horizon"], ask["target"]
    trajectory = res.trajectory.assign(scenario="Goal-seek answer")
    goal = {horizon: target}
    fig = charts.fan_chart(trajectory, name=name, level=lvl, targets=goal, geo_name=geo_name)
    summary = charts.fan_summary(trajectory, name, lvl, None, goal)
    chart_with_download(fig, trajectory, key="goal", summary=summary, alt=charts.fan_alt(name, lvl))


def waterfall_tab(base: CapacityParams, params: CapacityParams, geo: str) -> None:
    """The change from the baseline, attributed to one group of assumptions at a time."""
    st.markdown(
        "The change from the baseline to this scenario, switching one group of assumptions at "
        "a time in this order: places, budget, attrition, promotion, external fill, then "
        "everything else (central values)."
    )
    if params == base:
        st.info(
            "This scenario has the baseline's assumptions, so there is nothing to attribute. "
            "Choose another scenario or change the inputs."
        )
        return
    name, lvl = pick_output("scn_wf", default="developed_share")
    last = min(base.horizon, params.horizon)
    horizon = st.slider("Year", 1, last, min(5, params.horizon, last), key="scn_wf_y")
    w = scenario_service.waterfall(base, params, name, horizon, geo, lvl)
    fig = charts.waterfall_chart(w, name=name, level=lvl, horizon=horizon)
    summary = charts.waterfall_summary(w, name, lvl, horizon)
    chart_with_download(
        fig,
        w,
        key="waterfall",
        summary=summary,
        alt=f"Waterfall chart: the change in {OUTPUTS[name].label.lower()} from the baseline",
    )
