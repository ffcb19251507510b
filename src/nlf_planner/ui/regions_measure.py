"""The Regions measure view: one SPC chart with its summary metrics, the reading, the
area's summary table, the notes and rebases panel, and the fixed-baseline panel.

The view is a fragment: changing its geography or measure (or saving a note) reruns only
this view, not the page around it. A fragment rerun asks for the database again (which pins
the data version for that rerun) and for the model, so a rebase saved here redraws limits.

A fragment rerun must cost a small part of the page's (issue 12): what drawing the view
needs (icons, the summary table as Arrow) is made once with the view and cached with it, and
the notes and fixed-baseline panels draw their contents only while open.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import pyarrow as pa
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

#: Pixels of a Making Data Count icon beside its words in the summary row.
ICON_PX = 36
#: Pixels of a summary figure: three fit whole on a line at 1024×768 with the sidebar open.
METRIC_PX = 170
#: Pixels of the words beside an icon: both icons and their words on one line at 1024.
WORDS_PX = 200
#: The summary table's columns in their order (the others stay in the table's data).
SUMMARY_COLUMNS = tuple(regions_view.SUMMARY_ORDER)


@dataclass(frozen=True)
class _Drawn:
    """A measure view and what drawing it takes, made once per view (not on every rerun)."""

    view: MeasureView
    #: The variation and assurance icons as ``<img>`` (empty without an icon).
    icons: tuple[str, str] = ("", "")
    #: The area's summary table as Arrow: ``st.dataframe`` would convert the pandas frame
    #: again on every rerun (about 1 ms of a fragment rerun).
    area_table: pa.Table | None = None
    #: The chart's accessible name.
    alt: str = ""


def _draw(db: Database, model: RegionsModel, code: str, geo: str) -> _Drawn:
    view = regions_view.measure_view(db, model, code, geo)
    if not view.has_data:
        return _Drawn(view)
    table = None
    if view.area_table is not None:
        table = pa.Table.from_pandas(view.area_table, preserve_index=False)
    alt = chart_alt("SPC chart", view.figure, view.reading)
    return _Drawn(view, _icon_html(view), table, alt)


#: Built views by (``view_key``, measure, geography), newest last; shared read-only between
#: sessions. A plain table, not ``st.cache_resource``: its lookup (hashing the arguments
#: through the function's signature) cost a fragment rerun about 0.2 ms.
_VIEWS: OrderedDict[tuple, _Drawn] = OrderedDict()
_VIEWS_LOCK = threading.Lock()


def _measure_view(db: Database, model: RegionsModel, key: tuple, code: str, geo: str) -> _Drawn:
    """Built once per ``view_key`` (notes and rebases bump the data version) and pickers."""
    entry = (key, code, geo)
    with _VIEWS_LOCK:
        drawn = _VIEWS.get(entry)
        if drawn is not None:
            _VIEWS.move_to_end(entry)
            return drawn
    drawn = _draw(db, model, code, geo)
    with _VIEWS_LOCK:
        _VIEWS[entry] = drawn
        while len(_VIEWS) > VIEW_CACHE_ENTRIES:
            _VIEWS.popitem(last=False)
    return drawn


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


def _summary_row(view: MeasureView, icons: tuple[str, str]) -> None:
    """The figures in a row that wraps (three to a line at 1024 pixels: wider cut them off,
    "16.…"), then the two icons each beside its words. Flex rows, not columns: a rerun of
    the view sends half the elements (a column is an element of its own)."""
    with st.container(horizontal=True, gap="small"):
        for metric in view.metrics:
            st.metric(metric.label, metric.value, help=metric.help, width=METRIC_PX)
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        for heading, icon, words in zip(
            ("Variation", "Assurance"), icons, (view.variation, view.assurance), strict=True
        ):
            if icon:  # the Making Data Count icon, beside the words (kept: colour never alone)
                st.html(icon, width="content")
            st.markdown(f"**{heading}**  \n{words}", width=WORDS_PX)
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
    drawn = _measure_view(db, model, view_key(db, model), code, geo)
    view = drawn.view
    if not view.has_data:
        st.info(
            f"No data for {escape_markdown(view.measure.name)} in {escape_markdown(geos[geo])}."
        )
        return
    _summary_row(view, drawn.icons)
    chart_with_download(
        view.figure,
        view.data,
        key=f"spc-{code}-{geo}",
        summary=view.reading,
        alt=drawn.alt,
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
    if drawn.area_table is not None:
        st.dataframe(drawn.area_table, hide_index=True, column_order=SUMMARY_COLUMNS)
    render_notes(db, view)
    render_chart_type(db, view)
    render_baselines(db, view)
