"""The Regions profile view: one region's or ICS's spine chart and its SPC summary."""

from __future__ import annotations

import streamlit as st

from nlf_planner.services import regions_view
from nlf_planner.services.database import Database
from nlf_planner.services.regions_view import ProfileView, RegionsModel
from nlf_planner.ui.frame import chart_with_download
from nlf_planner.ui.regions_widgets import VIEW_CACHE_ENTRIES, chart_alt, url_select, view_key
from nlf_planner.ui.text import escape_markdown


@st.cache_resource(max_entries=VIEW_CACHE_ENTRIES, show_spinner=False)
def _profile_view(_model: RegionsModel, key: tuple, geo: str) -> ProfileView:
    """Built once per ``view_key`` and area; shared read-only between sessions."""
    return regions_view.profile_view(_model, geo)


def render_profile(db: Database, model: RegionsModel, region: str) -> None:
    options = regions_view.profile_choices(model, region)
    geo = url_select(st, "Region or ICS", options, "profile", region if region in options else None)
    view = _profile_view(model, view_key(db, model), geo)
    if view.chart is None:
        st.info("No data for this area.")
        return
    chart = view.chart
    chart_with_download(
        chart.figure,
        chart.data,
        key=f"profile-{geo}",
        summary=chart.summary,
        alt=chart_alt("Spine chart", chart.figure, chart.summary),
    )
    st.markdown(f"**SPC summary for {escape_markdown(view.geo_name)}**")
    st.dataframe(view.table, hide_index=True, column_order=list(regions_view.SUMMARY_ORDER))
