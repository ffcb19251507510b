"""The Overview's view: a tile per priority area (the headline measure's latest value, its
change over a year, a sparkline and the shared SPC and plan reading, three to a row), the
driver diagram and the recent changes.

Everything the page draws is built once per data version (and plan version, region) and
kept: a rerun with no new data only hands Streamlit what it already holds (issue 12).
People's text (area and measure names, plan notes, audit names and reasons) is escaped
before it reaches Markdown (issue 15).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from nlf_planner.charts.overview import driver_diagram
from nlf_planner.charts.sparkline import sparkline_svg
from nlf_planner.charts.theme import NHS_BLUE, NHS_MID_GREY, NHS_ORANGE
from nlf_planner.overview import AreaTile, area_tiles, change_lines, format_change, tile_reading
from nlf_planner.services import audit as audit_service
from nlf_planner.services import database as database_service
from nlf_planner.services import reference as reference_service
from nlf_planner.services import regions_view
from nlf_planner.services.database import Database
from nlf_planner.ui.frame import cached_series
from nlf_planner.ui.plan_state import current_plan
from nlf_planner.ui.regions_state import regions_model
from nlf_planner.ui.text import escape_markdown
from nlf_planner.units import format_value

# Improvement blue, concern orange (never colour alone: the delta says better/worse in words).
DIRECTION_COLOURS = {"better": "blue", "worse": "orange", "higher": "violet", "lower": "violet"}
SPARK_COLOURS = {"better": NHS_BLUE, "worse": NHS_ORANGE}
PER_ROW = 3


@dataclass(frozen=True)
class TileView:
    """One tile as the page draws it: every string ready (escaped where it is Markdown)."""

    heading: str
    measure: str
    metric_label: str
    value: str
    delta: str | None
    delta_color: str
    help: str
    sparkline_html: str | None
    reading: str
    trend: str


def _sparkline_html(tile: AreaTile, text: str) -> str | None:
    """The trend as an image with alt text (a screen reader reads what it shows) that
    scales to the tile's width, so a narrow tile at 1024 px never cuts it."""
    if len(tile.spark) < 2:
        return None
    svg = sparkline_svg(
        tile.spark, title=text, colour=SPARK_COLOURS.get(tile.direction, NHS_MID_GREY)
    )
    data = base64.b64encode(svg.encode()).decode("ascii")
    return (
        f'<img src="data:image/svg+xml;base64,{data}" alt="{escape(text, quote=True)}" '
        'style="width:100%;height:44px;display:block" />'
    )


def tile_view(
    tile: AreaTile, cells: pd.DataFrame, geo: str, names: dict[str, str] | None = None
) -> TileView:
    """What one tile shows, in words as well as colour (``names``: the areas' names, for
    those worse than England and getting worse)."""
    m = tile.measure
    trend = (
        f"Trend over the last {len(tile.spark)} periods: from "
        f"{format_value(tile.spark[0], m.unit) if tile.spark else '—'} to "
        f"{format_value(tile.latest_value, m.unit)}."
    )
    reading = tile_reading(cells, tile, geo, names)
    # The change's reading in words (beside the coloured delta), on its own line: a metric's
    # delta description is cut short in a narrow tile.
    change = f"On a year ago: {tile.direction}" if tile.change is not None else ""
    lines = [
        change,
        reading.spc,
        reading.assurance,
        reading.plan,
        reading.area_plan,
        reading.red_red,
    ]
    return TileView(
        heading=f"**{escape_markdown(tile.area.code)} · {escape_markdown(tile.area.name)}**",
        measure=f"{escape_markdown(m.name)} ({escape_markdown(tile.period_label)})",
        metric_label=f"{m.name} ({tile.period_label})",
        value=format_value(tile.latest_value, m.unit),
        delta=format_change(tile.change, m.unit) if tile.change is not None else None,
        delta_color=DIRECTION_COLOURS.get(tile.direction, "gray"),
        help=escape_markdown(m.definition),
        sparkline_html=_sparkline_html(tile, trend),
        reading="  \n".join(escape_markdown(line) for line in lines if line),
        trend=escape_markdown(trend),
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def _tile_views(_db: Database, key: tuple, geo: str) -> tuple[TileView, ...]:
    measures = reference_service.measures(_db)
    headline_codes = [m.code for m in measures if m.headline]
    series = cached_series(_db, headline_codes, levels=["england", "region"])
    tiles = area_tiles(reference_service.priority_areas(_db), measures, series, geo)
    model = regions_model(_db)
    return tuple(tile_view(t, model.cells, geo, model.names) for t in tiles)


def tile_views(db: Database, geo: str) -> tuple[TileView, ...]:
    """The tiles for ``geo``, built once per data, rebase and plan version."""
    return _tile_views(db, regions_view.model_key(db, current_plan(db)), geo)


def _draw_tile(view: TileView) -> None:
    st.markdown(view.heading)
    # The name wraps here (a metric's label is cut short in a narrow tile); the metric keeps
    # it as its accessible name.
    st.markdown(view.measure, help=view.help)
    st.metric(
        label=view.metric_label,
        label_visibility="collapsed",
        value=view.value,
        delta=view.delta,
        delta_color=view.delta_color,
    )
    if view.sparkline_html:
        st.markdown(view.sparkline_html, unsafe_allow_html=True)  # our SVG, its alt escaped
    st.markdown(view.reading)
    st.caption(view.trend)


def render_tiles(views: tuple[TileView, ...]) -> None:
    """The tiles in rows of three, each in its own bordered box."""
    for row_start in range(0, len(views), PER_ROW):
        cols = st.columns(PER_ROW)
        for col, view in zip(cols, views[row_start : row_start + PER_ROW], strict=False):
            with col, st.container(border=True):
                _draw_tile(view)


@st.cache_resource(show_spinner=False, max_entries=4)
def _driver_diagram(_db: Database, path: str, version: str, ambition: str) -> go.Figure:
    return driver_diagram(
        reference_service.conditions(_db), reference_service.priority_areas(_db), ambition
    )


def driver_diagram_figure(db: Database, ambition: str) -> go.Figure:
    """The framework's driver diagram, built once per data version (names are data).
    Shared between sessions: never changed after it is built."""
    return _driver_diagram(db, str(db.path), database_service.data_version(db), ambition)


@st.cache_data(show_spinner=False, max_entries=8)
def _recent_lines(_db: Database, path: str, version: str, limit: int) -> list[str]:
    return change_lines(audit_service.recent_changes(_db, limit=limit), escape_markdown)


def recent_change_lines(db: Database, limit: int) -> list[str]:
    """The latest changes as Markdown lines (people's text escaped), read once per data
    version: every audited change moves it."""
    return _recent_lines(db, str(db.path), database_service.data_version(db), limit)
