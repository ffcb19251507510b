"""The Scenarios page's input form: places, funding and each uncertain assumption as a range
with its reason, plus regional differences. Building the parameters from what was typed is
the scenarios service's job (the capacity domain's editor-tables rules)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nlf_planner.capacity.editor_tables import (
    OVERRIDE_COLUMNS,
    PRICE,
    PROGRAMME,
    EditorInputs,
    assumption_labels,
    is_percent,
    to_display,
    year_column,
)
from nlf_planner.capacity.params import (
    ALLOCATION_LABELS,
    GROUPS,
    MAX_HORIZON,
    UNCERTAIN,
    CapacityParams,
    ParamSpec,
    Range,
)
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.errors import ServiceError
from nlf_planner.ui.frame import show_error
from nlf_planner.ui.text import escape_markdown

# Slider bounds (in display units) per uncertain parameter field; widened to fit values.
SLIDER: dict[str, tuple[float, float, float]] = {
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


def _range_input(spec: ParamSpec, r: Range, key: str) -> Range:
    lo, hi, step = SLIDER[spec.field]
    a, c, b = (to_display(spec.field, v) for v in (r.low, r.central, r.high))
    lo, hi = min(lo, a), max(hi, b)
    unit = "%" if is_percent(spec.field) else "×"
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
        st.caption(f"Most likely {c:.1f}{unit}. {escape_markdown(r.rationale)}")
    return scenario_service.slider_range(spec.field, r, low, high)


def _places_editor(frame: pd.DataFrame, horizon: int, key: str) -> pd.DataFrame:
    config = {
        PROGRAMME: st.column_config.TextColumn(disabled=True),
        PRICE: st.column_config.NumberColumn(min_value=0, format="£%d"),
    }
    for t in range(1, horizon + 1):
        config[year_column(t)] = st.column_config.NumberColumn(min_value=0, step=10, format="%d")
    return st.data_editor(
        frame, hide_index=True, column_config=config, key=key, width="stretch", num_rows="fixed"
    )


def _budget_editor(frame: pd.DataFrame, horizon: int, key: str) -> pd.DataFrame:
    config = {
        year_column(t): st.column_config.NumberColumn(min_value=0, format="£%.1fm")
        for t in range(1, horizon + 1)
    }
    return st.data_editor(frame, hide_index=True, column_config=config, key=key, width="stretch")


def _overrides_editor(frame: pd.DataFrame, names: dict[str, str], key: str) -> pd.DataFrame:
    """Regional overrides as editable rows, in display units (% or ×)."""
    region, assumption, low, central, high, why = OVERRIDE_COLUMNS
    config = {
        region: st.column_config.SelectboxColumn(options=list(names.values()), required=True),
        assumption: st.column_config.SelectboxColumn(
            options=assumption_labels(), required=True, width="large"
        ),
        low: st.column_config.NumberColumn(required=True, format="%.1f"),
        central: st.column_config.NumberColumn(required=True, format="%.1f"),
        high: st.column_config.NumberColumn(required=True, format="%.1f"),
        why: st.column_config.TextColumn(width="large"),
    }
    return st.data_editor(
        frame, hide_index=True, column_config=config, key=key, num_rows="dynamic", width="stretch"
    )


def _group_tab(
    group: str, params: CapacityParams, frames: dict, prefix: str, edited: dict
) -> dict[str, Range]:
    """One tab of the form: its tables (places and funding, improvement) and its ranges."""
    if group == "places":
        st.markdown("Programme places a year, national (phasing by year) and price")
        edited["places"] = _places_editor(frames["places"], params.horizon, f"{prefix}_places")
        st.markdown("Budget for leadership places (£m a year; empty = no limit)")
        edited["budget"] = _budget_editor(frames["budget"], params.horizon, f"{prefix}_budget")
        edited["allocation"] = st.selectbox(
            "How places are shared between regions",
            list(ALLOCATION_LABELS),
            index=list(ALLOCATION_LABELS).index(params.allocation),
            format_func=ALLOCATION_LABELS.get,
            key=f"{prefix}_alloc",
        )
    if group == "improvement":
        st.markdown("Improvement training places a year, national, and price")
        edited["qi_places"] = _places_editor(frames["qi_places"], params.horizon, f"{prefix}_qi")
    return {
        spec.key: _range_input(spec, params.range_of(spec.key), f"{prefix}_{spec.key}")
        for spec in UNCERTAIN
        if spec.group == group
    }


#: The inputs expander's state key (open: the form is drawn).
INPUTS_OPEN = "scn_inputs_open"


def inputs_form(
    params: CapacityParams, prefix: str, names: dict[str, str]
) -> CapacityParams | None:
    """The grouped inputs; new parameters when the form is submitted and valid (else a
    message naming the table, row and column to fix, and None).

    The form (about 140 widgets and four tables) is drawn only while its expander is open:
    a closed expander costs nothing on every rerun of the page."""
    box = st.expander(
        "Inputs: places, funding and assumptions",
        icon=":material/tune:",
        key=INPUTS_OPEN,
        on_change="rerun",
    )
    if not box.open:
        return None
    frames = scenario_service.editor_frames(params, names)
    ranges: dict[str, Range] = {}
    edited: dict = {"allocation": params.allocation}
    with box, st.form(f"{prefix}_form", border=False):
        st.markdown(
            "Each uncertain assumption is a range (the slider) around a most likely value, "
            "with the reason beside it. The model runs when you press **Run scenario**."
        )
        horizon = st.slider("Years to project", 1, MAX_HORIZON, params.horizon, key=f"{prefix}_h")
        *groups, regional = st.tabs([*(GROUPS[g] for g in GROUPS), "Regional differences"])
        for tab, group in zip(groups, GROUPS, strict=True):
            with tab:
                ranges |= _group_tab(group, params, frames, prefix, edited)
        with regional:
            st.markdown(
                "Where a region's assumption differs from the national range (for example "
                "higher executive turnover), add a row: values in % (promotion preference as "
                "a multiple). Regions otherwise share the national draw, so their rates match "
                "England's unless an override or the allocation rule separates them."
            )
            edited["overrides"] = _overrides_editor(
                frames["overrides"], names, f"{prefix}_overrides"
            )
        submitted = st.form_submit_button(
            "Run scenario", type="primary", icon=":material/play_arrow:"
        )
    if not submitted:
        return None
    inputs = EditorInputs(
        horizon=horizon,
        ranges=ranges,
        allocation=edited["allocation"],
        places=edited["places"],
        qi_places=edited["qi_places"],
        budget=edited["budget"],
        overrides=edited["overrides"],
    )
    try:
        return scenario_service.params_from_editor(params, inputs, names)
    except ServiceError as exc:
        show_error(exc)
    return None
