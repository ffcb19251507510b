"""Overview: the ambition, the framework as a driver diagram, a tile per priority area."""

import pandas as pd
import streamlit as st

from nlf_planner.plan import DIRECTION_RULE
from nlf_planner.services import reference as reference_service
from nlf_planner.ui.frame import (
    chart_with_download,
    footer,
    get_db,
    illustrative_notice,
    page_header,
    read_only_banner,
)
from nlf_planner.ui.overview_tiles import (
    driver_diagram_figure,
    recent_change_lines,
    render_tiles,
    tile_views,
)
from nlf_planner.ui.sidebar import region_options, selected_region
from nlf_planner.ui.text import escape_markdown

AMBITION = (
    "An NHS committed to continual learning and improvement, with an engaged workforce and "
    "capable, compassionate leaders at all levels, delivered through a practical, adaptive "
    "plan over 1, 3 and 5 years with a focus on local leadership in each system."
)
RECENT = 6

db = get_db()
page_header(
    "Overview",
    "National framework for leadership development and improvement — Developing People, "
    "Improving Care (2016)",
)
read_only_banner(db)
illustrative_notice(db)

areas = reference_service.priority_areas(db)
geo = selected_region()
geo_name = region_options(db).get(geo, "England")

st.markdown(f"**Ambition.** {AMBITION}")

st.subheader(f"Priority areas — headline measure for {escape_markdown(geo_name)}")
st.caption(
    "Latest value, change over a year (better/worse takes each measure's direction into "
    "account), the SPC reading of the latest point (Making Data Count), progress against the "
    "plan in use, and the recent trend. " + DIRECTION_RULE
)
render_tiles(tile_views(db, geo))

st.subheader("The framework")
st.caption(
    "The June 2016 draft says nine priority areas emerged but does not list them; these nine "
    "follow the published framework's actions. Names are data and can be changed."
)
condition_names = {c.code: c.name for c in reference_service.conditions(db)}
chart_with_download(
    driver_diagram_figure(db, AMBITION),
    pd.DataFrame(
        [
            {
                "condition": f"{a.condition_code} {condition_names.get(a.condition_code, '')}",
                "priority_area": f"{a.code} {a.name}",
                "published_actions": a.actions,
            }
            for a in areas
        ]
    ),
    key="driver_diagram",
    summary=escape_markdown(
        "Driver diagram: the ambition leads to five conditions (C1–C5); each condition "
        "is delivered through one or more of the nine priority areas (P1–P9). "
        + "; ".join(f"{a.condition_code} → {a.code} {a.name}" for a in areas)
    ),
    alt="Driver diagram of the framework: the ambition on the left, joined to five "
    "conditions, each joined to the priority areas that deliver it",
)

st.subheader("Recent changes")
recent = recent_change_lines(db, RECENT)
if not recent:
    st.caption("No changes recorded yet.")
else:
    st.markdown("\n".join(recent))
    st.caption("The full audit log, with before and after values, is on the Data page.")
footer(db)
