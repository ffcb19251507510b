"""The Regions measure view: one SPC chart with its summary metrics, the reading, the
area's summary table, the notes and rebases panel, and the fixed-baseline panel.

The view is a fragment: changing its geography or measure (or saving a note) reruns only
this view, not the page around it. A fragment rerun asks for the database again (which pins
the data version for that rerun) and for the model, so a rebase saved here redraws limits.
"""

from __future__ import annotations

import streamlit as st

from nlf_planner.charts.mdc_icons import assurance_svg, icon_img, variation_svg
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.plan import DIRECTION_RULE
from nlf_planner.services import regions_view
from nlf_planner.services.database import Database
from nlf_planner.services.regions_view import MeasureView, RegionsModel
from nlf_planner.spc import ASSURANCE_LABEL, VARIATION_LABEL, AssuranceIcon, VariationIcon
from nlf_planner.ui.frame import chart_with_download, get_db
from nlf_planner.ui.regions_baselines import render_baselines, render_trial_warnings
from nlf_planner.ui.regions_chart_type import render_chart_type
from nlf_planner.ui.regions_notes import render_notes
from nlf_planner.ui.regions_state import regions_model
from nlf_planner.ui.regions_widgets import VIEW_CACHE_ENTRIES, chart_alt, url_select, view_key
from nlf_planner.ui.text import escape_markdown


@st.cache_resource(max_entries=VIEW_CACHE_ENTRIES, show_spinner=False)
def _measure_view(
    _db: Database, _model: RegionsModel, key: tuple, code: str, geo: str
) -> MeasureView:
    """Built once per ``view_key`` (notes and rebases bump the data version) and pickers;
    shared read-only between sessions."""
    return regions_view.measure_view(_db, _model, code, geo)


#: Pixels of a Making Data Count icon beside its words in the summary row.
ICON_PX = 36
#: Summary figures per row: three fit whole at 1024×768 with the sidebar open.
METRICS_PER_ROW = 3


def _icon_html(view: MeasureView) -> tuple[str, str]:
    """The variation and assurance icons as ``<img>`` of their SVG, named by their words
    (fixed specs, no user text; ``st.html`` keeps images but not inline SVG)."""
    v, a = view.result.variation_icon, view.result.assurance_icon
    variation = (
        icon_img(variation_svg(v, ICON_PX), VARIATION_LABEL[VariationIcon(v)], ICON_PX) if v else ""
    )
    assurance = (
        icon_img(assurance_svg(a, ICON_PX), ASSURANCE_LABEL[AssuranceIcon(a)], ICON_PX) if a else ""
    )
    return variation, assurance


def _summary_row(view: MeasureView) -> None:
    """The figures three to a row, then the two icons with their words (more to a row cut
    the figures off at 1024 pixels: "16.…")."""
    for start in range(0, len(view.metrics), METRICS_PER_ROW):
        row = view.metrics[start : start + METRICS_PER_ROW]
        for col, metric in zip(st.columns(METRICS_PER_ROW), row, strict=False):
            col.metric(metric.label, metric.value, help=metric.help)
    icons = _icon_html(view)
    for col, heading, icon, words in zip(
        st.columns(2),
        ("Variation", "Assurance"),
        icons,
        (view.variation, view.assurance),
        strict=True,
    ):
        col.markdown(f"**{heading}**")
        if icon:  # the Making Data Count icon, beside the words (kept: colour never alone)
            col.html(icon)
        col.markdown(words)
    if view.context:
        st.markdown(view.context)


@st.fragment
def render_measure(region: str) -> None:
    """The pickers and everything they drive, rerun on their own."""
    db = get_db()
    model = regions_model(db)
    geos = regions_view.geography_choices(model, region)
    measures = regions_view.measure_choices(model)
    c1, c2 = st.columns([2, 3])  # measure names are the longer ones
    geo = url_select(c1, "Geography", geos, "geo", region if region in geos else ENGLAND_CODE)
    code = url_select(c2, "Measure", measures, "measure", next(iter(measures)))
    view = _measure_view(db, model, view_key(db, model), code, geo)
    if not view.has_data:
        st.info(
            f"No data for {escape_markdown(view.measure.name)} in {escape_markdown(geos[geo])}."
        )
        return
    _summary_row(view)
    chart_with_download(
        view.figure,
        view.data,
        key=f"spc-{code}-{geo}",
        summary=view.reading,
        alt=chart_alt("SPC chart", view.figure, view.reading),
    )
    render_trial_warnings(view)
    if not view.has_plan_line:
        st.caption("No plan target applies to this measure here, so no target lines are drawn.")
    elif geo != ENGLAND_CODE:
        st.caption(f"Plan line: {DIRECTION_RULE}")
    st.markdown(
        f"**All measures in {escape_markdown(view.measure.area_code)} for "
        f"{escape_markdown(view.geo_name)}**"
    )
    st.dataframe(view.area_table, hide_index=True, column_order=list(regions_view.SUMMARY_ORDER))
    render_notes(db, view)
    render_chart_type(db, view)
    render_baselines(db, view)
