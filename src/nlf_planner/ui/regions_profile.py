"""The Regions profile view: one region's or ICS's spine chart and its SPC summary."""

from __future__ import annotations

import streamlit as st

from nlf_planner.services import peers as peer_service
from nlf_planner.services import regions_view
from nlf_planner.services.database import Database
from nlf_planner.services.regions_view import ProfileView, RegionsModel
from nlf_planner.ui.frame import chart_with_download
from nlf_planner.ui.regions_peers import profile_group
from nlf_planner.ui.regions_widgets import (
    VIEW_CACHE_ENTRIES,
    chart_alt,
    csv_download,
    url_select,
    view_key,
)
from nlf_planner.ui.text import escape_markdown


@st.cache_resource(max_entries=VIEW_CACHE_ENTRIES, show_spinner=False)
def _profile_view(
    _model: RegionsModel, key: tuple, geo: str, peer_key: tuple | None = None, _peers=None
) -> ProfileView:
    """Built once per ``view_key``, area and peer group version; shared read-only between
    sessions."""
    return regions_view.profile_view(_model, geo, _peers)


def render_profile(db: Database, model: RegionsModel, region: str) -> None:
    options = regions_view.profile_choices(model, region)
    c1, c2 = st.columns([1, 1])
    geo = url_select(c1, "Region or ICS", options, "profile", region if region in options else None)
    group = profile_group(db, model, c2, geo)
    peers = peer_service.peer_profile(db, model, group) if group is not None else None
    peer_key = (group.peer_group_id, group.version) if group is not None else None
    view = _profile_view(model, view_key(db, model), geo, peer_key, peers)
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
    if view.peers is not None:
        group_name = view.peers.peer_group.iloc[0]
        st.markdown(
            f"**{escape_markdown(view.geo_name)} against peers: ‘{escape_markdown(group_name)}’**"
        )
        st.dataframe(view.peer_table, hide_index=True)
        csv_download(view.peers, f"profile-peers-{geo}", escape_markdown(view.peer_summary))
    elif not peer_service.list_groups(db, home=geo):
        st.caption(
            f"No peer group is homed at {escape_markdown(view.geo_name)}: make one under "
            "“Peer groups” on the Benchmark view to see this area against its peers."
        )
    st.markdown(f"**SPC summary for {escape_markdown(view.geo_name)}**")
    st.dataframe(view.table, hide_index=True, column_order=list(regions_view.SUMMARY_ORDER))
