"""The Plan page's roadmap: milestones on the plan's five years, engagement events on their
own row when asked for.

The figure is built once per data version, plan version, priority area, day and events
switch (issue 12). Each milestone is marked with its short ID (titles a few months apart
overlap at 1024 px, issue 18); the table under the chart gives each ID's title, due date,
status and owner, and the hover shows them too.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from nlf_planner import plan as P
from nlf_planner.charts.roadmap import roadmap_data, roadmap_figure, roadmap_summary
from nlf_planner.services import plan_editing
from nlf_planner.services.database import Database, data_version
from nlf_planner.services.errors import ServiceError
from nlf_planner.services.plan_editing import PlanReference
from nlf_planner.ui.frame import chart_with_download, format_date, get_db
from nlf_planner.ui.text import escape_markdown

KEY_COLUMNS = {
    "item_id": st.column_config.TextColumn("ID", width=60),
    "title": st.column_config.TextColumn("Milestone", width="large"),
    "due_date": st.column_config.DateColumn("Due", format="D MMM YYYY", width=95),
    "status": st.column_config.TextColumn("Status", width=90),
    "owner": st.column_config.TextColumn("Owner", width="medium"),
}


@st.cache_resource(show_spinner=False, max_entries=16)
def _roadmap(
    _plan: P.Plan,
    _ref: PlanReference,
    _events: pd.DataFrame | None,
    key: tuple,
) -> tuple[go.Figure, pd.DataFrame, str]:
    """The figure, its data and summary; ``key`` says what they depend on."""
    area, today = key[3], key[4]
    shown = [m for m in _plan.milestones if area is None or m.priority_area == area]
    shown_areas = {c: n for c, n in _ref.area_names.items() if area is None or c == area}
    data = roadmap_data(shown, shown_areas, today)
    fig = roadmap_figure(shown, shown_areas, _plan.base_year, today, events=_events, label_by="id")
    return fig, data, roadmap_summary(data, _plan.base_year, today)


@st.fragment
def roadmap(db: Database, plan: P.Plan, ref: PlanReference, area: str | None, today: date) -> None:
    """The roadmap and its events switch, rerun on their own (a fragment: the switch need
    not rerun the page, issue 12)."""
    db = get_db()  # a fragment rerun pins the data version again
    show_events = st.toggle(
        "Show engagement events",
        value=False,
        key="plan_show_events",
        help="Overlay workshops and events from the Engagement page on their own row.",
    )
    events = None
    if show_events:
        try:
            events = plan_editing.roadmap_events(db, plan)
        except ServiceError as exc:  # the roadmap still shows without them
            st.caption(f"Engagement events are not available ({escape_markdown(exc)}).")
        else:
            if events.empty:
                st.caption(
                    f"No engagement events between {format_date(P.base_date(plan.base_year))} "
                    f"and {format_date(P.horizon_end(plan.base_year, 5))}."
                )
    key = (str(db.path), data_version(db), plan.version_id, area, today, show_events)
    fig, data, summary = _roadmap(plan, ref, events, key)
    chart_with_download(
        fig,
        data.drop(columns=["label_position", "status_code"]),
        key="plan_roadmap",
        summary=escape_markdown(summary),
        file_name=f"plan-v{plan.version_id}-roadmap.csv",
        alt="Roadmap: the plan's milestones on a timeline, one row per priority area, each "
        "marked by its ID and shaped by its status, with the ends of years 1, 3 and 5 "
        "and today marked",
    )
    if not data.empty:
        st.caption("The milestones on the roadmap, by ID:")
        st.dataframe(data[list(KEY_COLUMNS)], hide_index=True, column_config=KEY_COLUMNS)
