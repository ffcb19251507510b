"""Regions: compare the 7 regions and their ICSs the Making Data Count way (thin page).

Each view is drawn by its ``ui/regions_*`` module from the regions view service; this page
picks the view (kept in the URL) and frames it.
"""

from __future__ import annotations

import streamlit as st

from nlf_planner.services.regions_view import VIEWS
from nlf_planner.settings import get_settings
from nlf_planner.ui.frame import (
    footer,
    get_db,
    illustrative_notice,
    page_header,
    query_param,
    read_only_banner,
    set_query_params,
)
from nlf_planner.ui.regions_benchmark import render_benchmark
from nlf_planner.ui.regions_matrix import render_matrix
from nlf_planner.ui.regions_measure import render_measure
from nlf_planner.ui.regions_profile import render_profile
from nlf_planner.ui.regions_state import regions_model
from nlf_planner.ui.sidebar import selected_region

db = get_db()
page_header(
    "Regions and integrated care systems",
    "Compare the 7 NHS England regions and their 42 ICSs against England and the plan, the "
    "Making Data Count way (SPC) and the Fingertips way (intervals).",
)
read_only_banner(db)
illustrative_notice(db)

settings = get_settings()
model = regions_model(db)
region = selected_region()
if st.session_state.get("view") not in VIEWS:
    st.session_state["view"] = query_param("view", "Matrix", list(VIEWS))
view = st.segmented_control("View", list(VIEWS), key="view", required=True) or "Matrix"
set_query_params(view=None if view == "Matrix" else view)
st.caption(
    f"SPC rules: a point beyond the limits, a run of {settings.spc_run_length} on one side of "
    f"the mean, a trend of {settings.spc_run_length}, two of three near a limit. Limits come "
    "from each segment's points, or from its fixed baseline where one is set: XmR with outlier "
    "screening (NHSRplotthedots) unless a chart says p-chart or Laney p′-chart. Change the "
    "region in the sidebar."
)
# Only the open view is built and drawn; the measure view is a fragment (its pickers rerun
# only it).
if view == "Measure":
    render_measure(region)
elif view == "Benchmark":
    render_benchmark(db, model, region)
elif view == "Profile":
    render_profile(db, model, region)
else:
    render_matrix(db, model, region)
footer(db)
