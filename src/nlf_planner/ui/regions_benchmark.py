"""The Regions benchmark view: bars with intervals against England and the ICS funnel."""

from __future__ import annotations

import streamlit as st

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.peers import PeerComparison
from nlf_planner.services import peers as peer_service
from nlf_planner.services import regions_view
from nlf_planner.services.database import Database
from nlf_planner.services.regions_view import BenchmarkView, RegionsModel
from nlf_planner.ui.frame import chart_with_download
from nlf_planner.ui.regions_peers import compare_with, render_peer_groups
from nlf_planner.ui.regions_widgets import VIEW_CACHE_ENTRIES, chart_alt, url_select, view_key
from nlf_planner.ui.text import escape_markdown


@st.cache_resource(max_entries=VIEW_CACHE_ENTRIES, show_spinner=False)
def _benchmark_view(
    _model: RegionsModel,
    key: tuple,
    code: str,
    region: str,
    level: str,
    adjustment: str,
    peer_key: tuple | None = None,
    _peer: PeerComparison | None = None,
) -> BenchmarkView:
    """Built once per ``view_key``, pickers and peer group version; shared read-only
    between sessions."""
    return regions_view.benchmark_view(_model, code, region, level, adjustment, _peer)


def render_benchmark(db: Database, model: RegionsModel, region: str) -> None:
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
    peer_level = "region" if region == ENGLAND_CODE else "icb"
    group = compare_with(db, model, st, peer_level)
    peer = peer_service.peer_comparison(db, model, group, code) if group is not None else None
    # The bars come first on the page, but the funnel's choice must be read before the view
    # is built, so the bars are drawn into a slot reserved above it.
    bars_slot = st.container()
    adjustment = next(iter(regions_view.FUNNEL_ADJUSTMENTS))
    if model.measure(code).is_proportion:
        adjustment = _funnel_choice()
    peer_key = (group.peer_group_id, group.version) if group is not None else None
    view = _benchmark_view(
        model, view_key(db, model), code, region, level, adjustment, peer_key, peer
    )
    if view.bars is None:
        bars_slot.info("No data for this measure.")
        render_peer_groups(db, model, region, peer_level)
        return
    bars = view.bars
    with bars_slot:
        if view.peer_note:
            st.markdown(f"**Against peers:** {escape_markdown(view.peer_note)}")
        chart_with_download(
            bars.figure,
            bars.data,
            key=f"benchmark-{code}-{region}",
            summary=bars.summary,
            alt=chart_alt("Bar chart with intervals", bars.figure, bars.summary),
        )
    if view.funnel is not None:
        f = view.funnel
        chart_with_download(
            f.figure,
            f.data,
            key=f"funnel-{code}",
            summary=f.summary,
            alt=chart_alt("Funnel plot", f.figure, f.summary),
        )
    else:
        st.caption(view.funnel_note)
    render_peer_groups(db, model, region, peer_level)


def _funnel_choice() -> str:
    """How the funnel's limits allow for overdispersion (random effects unless changed)."""
    return st.radio(
        "Funnel limits allow for ICSs varying more than chance by",
        list(regions_view.FUNNEL_ADJUSTMENTS),
        key="funnel",
        bind="query-params",
        horizontal=True,
        help="Random effects (the NHS-R FunnelPlotR default) adds the spread between ICSs "
        "to each ICS's own sampling error; multiplicative scales the limits by √φ; chance "
        "alone shows the unadjusted limits. Limits are widened only when the χ² test finds "
        "overdispersion.",
    )
