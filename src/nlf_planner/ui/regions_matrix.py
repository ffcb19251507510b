"""The Regions matrix view: the tartan rug, its table and CSV, and two ways into a cell
(click a tile, or pick the row and column with the keyboard: always on the page, right
under the rug, so the matrix is operable without a mouse)."""

from __future__ import annotations

import streamlit as st

from nlf_planner.services import regions_view
from nlf_planner.services.database import Database
from nlf_planner.services.regions_view import Matrix, MatrixView, RegionsModel
from nlf_planner.ui.frame import drawn
from nlf_planner.ui.regions_widgets import (
    VIEW_CACHE_ENTRIES,
    chart_alt,
    csv_download,
    open_measure_view,
    url_select,
    view_key,
)
from nlf_planner.ui.text import escape_markdown
from nlf_planner.worsening import RULE as WORSENING_RULE

LEGEND = (
    "Each tile: the latest value against England (▲ better, ● similar, ▼ worse, "
    "○ not compared; 95% intervals), and, where the plan sets a target, how many measures "
    "are on its trajectory. Measure tiles add the SPC variation letter of the latest point "
    "(H high, L low, C common cause); their full text adds the assurance (P pass, F fail, "
    "? hit or miss, N not assessable, with the reason). Tint: blue better, orange worse, "
    "yellow mixed, grey England. !! marks a result worse than England and getting worse "
    "(special-cause concern, or a significant worsening trend over the last 5 periods); an "
    "area tile's !!2 counts its measures that are. Hover for the full reading; click a tile "
    "to open its SPC chart."
)
#: The filter's label (its value is kept in the URL as ``red_red=true``).
RED_RED_FILTER = "Show only areas that are worse and getting worse"


def _open(model: RegionsModel, geo: str, column_code: str, kind: str) -> None:
    open_measure_view(geo, regions_view.drill_target(model, column_code, kind))


def _drill(model: RegionsModel, matrix: Matrix) -> None:
    """Tile click: open the measure view for that geography (and measure, or area)."""
    state = st.session_state.get("rug")
    points = [p for p in (state.selection.points if state else []) if p.get("curve_number") == 1]
    if not points:
        return
    cell = regions_view.cell_at(
        matrix, int(points[0].get("point_index", points[0].get("point_number", -1)))
    )
    if cell is not None:
        _open(model, *cell, matrix.kind)


def _open_selected(model: RegionsModel, kind: str) -> None:
    """The keyboard route into a cell: read the two choices at click time."""
    _open(model, st.session_state["open_geo"], st.session_state["open_col"], kind)


@st.cache_resource(max_entries=VIEW_CACHE_ENTRIES, show_spinner=False)
def _matrix_view(
    _model: RegionsModel, key: tuple, region: str, by_measure: bool, area: str, red_red: bool
) -> MatrixView:
    """Built once per ``view_key``, scope and filter; shared read-only between sessions."""
    return regions_view.matrix_view(
        _model, region, by_measure=by_measure, area=area, red_red_only=red_red
    )


def _cell_picker(model: RegionsModel, view: MatrixView) -> None:
    """The keyboard route into a cell, always on the page (not behind an expander): pick the
    row and the column, then open its SPC chart; tab order follows the reading order."""
    st.markdown("**Open a cell's SPC chart** (with the keyboard, or click a tile above)")
    a, b, c = st.columns([2, 3, 1], vertical_alignment="bottom")
    a.selectbox(
        "Geography", list(view.geo_options), format_func=view.geo_options.get, key="open_geo"
    )
    b.selectbox(
        "Column",
        list(view.column_options),
        format_func=view.column_options.get,
        key="open_col",
    )
    c.button("Open chart", key="open_cell", on_click=_open_selected, args=(model, view.matrix.kind))


def render_matrix(db: Database, model: RegionsModel, region: str) -> None:
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    by_measure = c1.toggle("Show each measure", key="by_measure", bind="query-params")
    areas = regions_view.area_choices(model)
    area = url_select(c2, "Priority area (when showing measures)", areas, "area", "")
    red_red = st.checkbox(
        RED_RED_FILTER,
        key="red_red",
        bind="query-params",
        help=WORSENING_RULE,
    )
    view = _matrix_view(
        model, view_key(db, model), region, bool(by_measure), area or "", bool(red_red)
    )
    st.subheader(escape_markdown(view.heading))
    st.caption(LEGEND)
    if view.notice:
        st.info(escape_markdown(view.notice))
    if view.figure is None:
        return
    st.plotly_chart(
        drawn(view.figure),  # its dict made once: the figure is cached
        key="rug",
        on_select=lambda: _drill(model, view.matrix),
        selection_mode="points",
        config={"displaylogo": False, "displayModeBar": False},
        alt=chart_alt("Matrix of coloured tiles", view.figure, view.summary),
    )
    csv_download(view.csv, "regions-matrix", view.summary)
    _cell_picker(model, view)
    if st.toggle("Show the matrix as a table (full text)", key="rug_table"):
        st.dataframe(view.matrix.text, row_height=48)
