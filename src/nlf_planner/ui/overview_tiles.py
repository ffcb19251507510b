"""The Overview's priority-area tiles: the headline measure's latest value, its change over
a year, a sparkline and the shared SPC and plan reading, three to a row."""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from nlf_planner.charts.sparkline import sparkline_svg
from nlf_planner.charts.theme import NHS_BLUE, NHS_MID_GREY, NHS_ORANGE
from nlf_planner.overview import AreaTile, format_change, tile_reading
from nlf_planner.units import format_value

# Improvement blue, concern orange (never colour alone: the delta says better/worse in words).
DIRECTION_COLOURS = {"better": "blue", "worse": "orange", "higher": "violet", "lower": "violet"}
SPARK_COLOURS = {"better": NHS_BLUE, "worse": NHS_ORANGE}
PER_ROW = 3


def _tile(tile: AreaTile, cells: pd.DataFrame, geo: str) -> None:
    m = tile.measure
    st.markdown(f"**{tile.area.code} · {escape(tile.area.name)}**")
    spark_text = (
        f"Trend over the last {len(tile.spark)} periods: from "
        f"{format_value(tile.spark[0], m.unit) if tile.spark else '—'} to "
        f"{format_value(tile.latest_value, m.unit)}."
    )
    st.metric(
        label=f"{m.name} ({tile.period_label})",
        value=format_value(tile.latest_value, m.unit),
        delta=format_change(tile.change, m.unit) if tile.change is not None else None,
        delta_description=f"on a year ago · {tile.direction}",
        delta_color=DIRECTION_COLOURS.get(tile.direction, "gray"),
        help=m.definition,
    )
    if len(tile.spark) > 1:
        st.image(
            sparkline_svg(
                tile.spark, title=spark_text, colour=SPARK_COLOURS.get(tile.direction, NHS_MID_GREY)
            )
        )
    reading = tile_reading(cells, tile, geo)
    lines = [reading.spc, reading.assurance, reading.plan, reading.area_plan]
    st.markdown("  \n".join(line for line in lines if line))
    st.caption(spark_text)


def render_tiles(tiles: list[AreaTile], cells: pd.DataFrame, geo: str) -> None:
    """The tiles in rows of three, each in its own bordered box."""
    for row_start in range(0, len(tiles), PER_ROW):
        cols = st.columns(PER_ROW)
        for col, tile in zip(cols, tiles[row_start : row_start + PER_ROW], strict=False):
            with col, st.container(border=True):
                _tile(tile, cells, geo)
