"""The Plan page's roadmap: milestones on the plan's five years, engagement events on their
own row when asked for."""

from __future__ import annotations

from datetime import date

import streamlit as st

from nlf_planner import plan as P
from nlf_planner.charts.roadmap import roadmap_data, roadmap_figure, roadmap_summary
from nlf_planner.services import plan_editing
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.services.plan_editing import PlanReference
from nlf_planner.ui.frame import chart_with_download, format_date


def roadmap(db: Database, plan: P.Plan, ref: PlanReference, area: str | None, today: date) -> None:
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
            st.caption(f"Engagement events are not available ({exc}).")
        else:
            if events.empty:
                st.caption(
                    f"No engagement events between {format_date(P.base_date(plan.base_year))} "
                    f"and {format_date(P.horizon_end(plan.base_year, 5))}."
                )
    shown = [m for m in plan.milestones if area is None or m.priority_area == area]
    shown_areas = {c: n for c, n in ref.area_names.items() if area is None or c == area}
    data = roadmap_data(shown, shown_areas, today)
    chart_with_download(
        roadmap_figure(shown, shown_areas, plan.base_year, today, events=events),
        data.drop(columns=["label_position", "status_code"]),
        key="plan_roadmap",
        summary=roadmap_summary(data, plan.base_year, today),
        file_name=f"plan-v{plan.version_id}-roadmap.csv",
    )
