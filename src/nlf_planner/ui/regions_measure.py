"""The Regions measure view: one SPC chart with its summary metrics, the reading, the
area's summary table, and the notes and rebases panel."""

from __future__ import annotations

import streamlit as st

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.plan import DIRECTION_RULE
from nlf_planner.services import regions_view
from nlf_planner.services.database import Database
from nlf_planner.services.regions_view import MeasureView, RegionsModel
from nlf_planner.ui.frame import chart_with_download
from nlf_planner.ui.regions_notes import render_notes
from nlf_planner.ui.regions_widgets import url_select


def _summary_row(view: MeasureView) -> None:
    cols = st.columns([1, 1, 1, 1, 1, 1.6, 1.6])
    for col, metric in zip(cols, view.metrics, strict=False):
        col.metric(metric.label, metric.value, help=metric.help)
    cols[5].markdown(f"**Variation**  \n{view.variation}")
    cols[6].markdown(f"**Assurance**  \n{view.assurance}")
    if view.context:
        st.markdown(view.context)


def render_measure(db: Database, model: RegionsModel, region: str) -> None:
    geos = regions_view.geography_choices(model, region)
    measures = regions_view.measure_choices(model)
    c1, c2 = st.columns(2)
    geo = url_select(c1, "Geography", geos, "geo", region if region in geos else ENGLAND_CODE)
    code = url_select(c2, "Measure", measures, "measure", next(iter(measures)))
    view = regions_view.measure_view(db, model, code, geo)
    if not view.has_data:
        st.info(f"No data for {view.measure.name} in {geos[geo]}.")
        return
    _summary_row(view)
    chart_with_download(view.figure, view.data, key=f"spc-{code}-{geo}", summary=view.reading)
    if not view.has_plan_line:
        st.caption("No plan target applies to this measure here, so no target lines are drawn.")
    elif geo != ENGLAND_CODE:
        st.caption(f"Plan line: {DIRECTION_RULE}")
    st.markdown(f"**All measures in {view.measure.area_code} for {view.geo_name}**")
    st.dataframe(view.area_table, hide_index=True, column_order=list(regions_view.SUMMARY_ORDER))
    render_notes(db, view)
