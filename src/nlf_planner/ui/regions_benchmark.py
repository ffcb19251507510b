"""The Regions benchmark view: bars with intervals against England and the ICS funnel."""

from __future__ import annotations

import streamlit as st

from nlf_planner.services import regions_view
from nlf_planner.services.regions_view import RegionsModel
from nlf_planner.ui.frame import chart_with_download
from nlf_planner.ui.regions_widgets import url_select


def render_benchmark(model: RegionsModel, region: str) -> None:
    measures = regions_view.measure_choices(model)
    c1, c2 = st.columns([3, 1])
    code = url_select(c1, "Measure", measures, "measure", next(iter(measures)))
    level = c2.radio(
        "Judge against England at",
        list(regions_view.LEVELS),
        key="level",
        bind="query-params",
        horizontal=True,
    )
    view = regions_view.benchmark_view(model, code, region, level)
    if view.bars is None:
        st.info("No data for this measure.")
        return
    bars = view.bars
    chart_with_download(
        bars.figure, bars.data, key=f"benchmark-{code}-{region}", summary=bars.summary
    )
    if view.funnel is not None:
        f = view.funnel
        chart_with_download(f.figure, f.data, key=f"funnel-{code}", summary=f.summary)
    else:
        st.caption(view.funnel_note)
