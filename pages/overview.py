"""Overview: the ambition, the framework as a driver diagram, a tile per priority area."""

from html import escape

import pandas as pd
import streamlit as st

from nlf_planner.charts.overview import driver_diagram
from nlf_planner.charts.sparkline import sparkline_svg
from nlf_planner.charts.theme import NHS_BLUE, NHS_MID_GREY, NHS_ORANGE
from nlf_planner.overview import area_tiles, format_change, tile_reading
from nlf_planner.store import audit as audit_store
from nlf_planner.store import reference as reference_store
from nlf_planner.ui.frame import (
    cached_series,
    chart_with_download,
    footer,
    get_db,
    illustrative_notice,
    page_header,
    read_only_banner,
)
from nlf_planner.ui.regions_state import regions_model
from nlf_planner.ui.sidebar import region_options, selected_region
from nlf_planner.units import format_value

# Improvement blue, concern orange (never colour alone: the delta says better/worse in words).
DIRECTION_COLOURS = {"better": "blue", "worse": "orange", "higher": "violet", "lower": "violet"}
SPARK_COLOURS = {"better": NHS_BLUE, "worse": NHS_ORANGE}

AMBITION = (
    "An NHS committed to continual learning and improvement, with an engaged workforce and "
    "capable, compassionate leaders at all levels, delivered through a practical, adaptive "
    "plan over 1, 3 and 5 years with a focus on local leadership in each system."
)

db = get_db()
page_header(
    "Overview",
    "National framework for leadership development and improvement — Developing People, "
    "Improving Care (2016)",
)
read_only_banner(db)
illustrative_notice(db)

conditions = reference_store.conditions(db)
areas = reference_store.priority_areas(db)
measures = reference_store.measures(db)
geo = selected_region()
geo_name = region_options(db).get(geo, "England")

st.markdown(f"**Ambition.** {AMBITION}")

headline_codes = [m.code for m in measures if m.headline]
series = cached_series(db, headline_codes, levels=["england", "region"])
tiles = area_tiles(areas, measures, series, geo)
cells = regions_model(db).cells

st.subheader(f"Priority areas — headline measure for {geo_name}")
st.caption(
    "Latest value, change over a year (better/worse takes each measure's direction into "
    "account), the SPC reading of the latest point (Making Data Count), progress against the "
    "plan in use, and the recent trend."
)
for row_start in range(0, len(tiles), 3):
    cols = st.columns(3)
    for col, tile in zip(cols, tiles[row_start : row_start + 3], strict=False):
        with col, st.container(border=True):
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
                        tile.spark,
                        title=spark_text,
                        colour=SPARK_COLOURS.get(tile.direction, NHS_MID_GREY),
                    )
                )
            reading = tile_reading(cells, tile, geo)
            st.markdown(f"{reading.spc}  \n{reading.plan}  \n{reading.area_plan}")
            st.caption(spark_text)

condition_names = {c.code: c.name for c in conditions}
table = [
    {
        "condition": f"{a.condition_code} {condition_names.get(a.condition_code, '')}",
        "priority_area": f"{a.code} {a.name}",
        "published_actions": a.actions,
    }
    for a in areas
]
st.subheader("The framework")
st.caption(
    "The June 2016 draft says nine priority areas emerged but does not list them; these nine "
    "follow the published framework's actions. Names are data and can be changed."
)
chart_with_download(
    driver_diagram(conditions, areas, AMBITION),
    pd.DataFrame(table),
    key="driver_diagram",
    summary="Driver diagram: the ambition leads to five conditions (C1–C5); each condition "
    "is delivered through one or more of the nine priority areas (P1–P9). "
    + "; ".join(f"{a.condition_code} → {a.code} {a.name}" for a in areas),
)

st.subheader("Recent changes")
recent = audit_store.audit_log(db, limit=6)
if recent.empty:
    st.caption("No changes recorded yet.")
else:
    st.markdown(
        "\n".join(
            f"- {r.changed_at:%d %b %Y %H:%M} · **{escape(str(r.actor))}** · {r.action} "
            f"{r.entity.replace('_', ' ')}"
            + (f" {escape(str(r.entity_id))}" if r.entity_id else "")
            + (f" — {escape(str(r.reason))}" if r.reason else "")
            for r in recent.itertuples()
        )
    )
    st.caption("The full audit log, with before and after values, is on the Data page.")
footer(db)
