"""The Events tab's widgets: the timeline, the events table, and the add and edit forms
(which share their fields)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pandas as pd
import streamlit as st

from nlf_planner.charts import engagement as charts
from nlf_planner.engagement import EVENT_TYPES, EngagementEvent, Span
from nlf_planner.services import engagement as engagement_service
from nlf_planner.services.actor import Actor
from nlf_planner.services.database import Database
from nlf_planner.ui.engagement_forms import (
    DATE_FORMAT,
    Choices,
    cached_figure,
    chart_with_csv,
    form_panel,
    pick_for_edit,
    save,
    save_edit,
    seen_record,
)
from nlf_planner.ui.frame import format_date
from nlf_planner.ui.text import escape_markdown

COLUMNS = [
    "event_date", "end_date", "title", "event_type_label", "audience", "region_name",
    "stakeholders", "priority_areas", "outcome", "actions", "seeded",
]  # fmt: skip
EDIT_SEEN = "edit_event_seen"
TABLE_CONFIG = {
    "event_date": st.column_config.DateColumn("Date", format="D MMM YYYY"),
    "end_date": st.column_config.DateColumn("Until", format="D MMM YYYY"),
    "title": st.column_config.TextColumn("Title", width="medium", pinned=True),
    "event_type_label": "Type",
    "audience": "Audience",
    "region_name": "Region",
    "stakeholders": st.column_config.TextColumn("Stakeholders", width="large"),
    "priority_areas": "Priority areas",
    "outcome": st.column_config.TextColumn("Outcome", width="large"),
    "actions": "Actions",
    "seeded": st.column_config.CheckboxColumn("Seeded"),
}


def event_labels(all_events: pd.DataFrame) -> dict[int, str]:
    """Event id -> "date · title", for the pickers."""
    return {
        int(i): f"{format_date(d)} · {t}"
        for i, d, t in zip(
            all_events["event_id"], all_events["event_date"], all_events["title"], strict=True
        )
    }


def events_timeline(db: Database, events: pd.DataFrame, span: Span, inputs: Hashable) -> None:
    """The timeline of the events chosen by ``inputs`` (the filters), built once per data
    version and filters."""
    x_range = span if span[0] else None
    chart_with_csv(
        cached_figure(
            db, "timeline", inputs, lambda: charts.events_timeline(events, x_range=x_range)
        ),
        events[COLUMNS],
        key="events_timeline",
        summary=charts.timeline_summary(events),
        file_name="engagement_events.csv",
        alt="Timeline of engagement events and phases, by date and type",
    )


def events_table(events: pd.DataFrame):
    """The events in the window; a click picks the one to edit (the selection is returned)."""
    st.subheader("Events and activities")
    st.caption("Click a row to edit that event.")
    return st.dataframe(
        events[COLUMNS],
        hide_index=True,
        key="events_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config=TABLE_CONFIG,
    )


def _fields(prefix: str, choices: Choices, cur: EngagementEvent | None = None) -> dict[str, Any]:
    """The add and edit forms' fields; returns their values."""
    title = st.text_input("Title", cur.title if cur else "", key=f"{prefix}_title")
    d1, d2 = st.columns(2)
    start = d1.date_input(
        "Date (start)",
        value=cur.event_date if cur else choices.today,
        format=DATE_FORMAT,
        key=f"{prefix}_date",
    )
    end = d2.date_input(
        "End date (for a phase or a series; leave blank for one day)",
        value=cur.end_date if cur else None,
        format=DATE_FORMAT,
        key=f"{prefix}_end",
    )
    t1, t2 = st.columns(2)
    kind = t1.selectbox(
        "Type",
        list(EVENT_TYPES),
        format_func=EVENT_TYPES.get,
        index=list(EVENT_TYPES).index(cur.event_type) if cur else 0,
        key=f"{prefix}_type",
    )
    regions = choices.region_options
    region = t2.selectbox(
        "Region",
        regions,
        format_func=choices.region_label,
        index=regions.index(cur.region_code or "") if cur else 0,
        key=f"{prefix}_region",
    )
    audience = st.text_input(
        "Audience", (cur.audience or "") if cur else "", key=f"{prefix}_audience"
    )
    names = choices.people.names
    linked = [i for i in (cur.stakeholder_ids if cur else []) if i in names]
    who = st.multiselect(
        "Stakeholders involved",
        list({**choices.people.active, **{i: names[i] for i in linked}}),
        default=linked,
        format_func=names.get,
        key=f"{prefix}_who",
    )
    areas = st.multiselect(
        "Priority areas discussed",
        list(choices.area_labels),
        format_func=choices.area_labels.get,
        default=cur.priority_areas if cur else [],
        key=f"{prefix}_areas",
    )
    outcome = st.text_area(
        "Outcome", (cur.outcome or "") if cur else "", key=f"{prefix}_outcome", height=68
    )
    actions = st.text_area(
        "Actions", (cur.actions or "") if cur else "", key=f"{prefix}_actions", height=68
    )
    return {
        "event_date": start, "end_date": end, "title": title, "event_type": kind,
        "region_code": region, "audience": audience, "stakeholder_ids": who,
        "priority_areas": areas, "outcome": outcome, "actions": actions,
    }  # fmt: skip


#: The add and edit panels' state keys: each draws its form only while open.
ADD_PANEL = "add_event_open"
EDIT_PANEL = "edit_event_open"


def add_event_form(db: Database, choices: Choices) -> None:
    panel = form_panel("Add an event", ":material/event:", ADD_PANEL)
    with panel:
        if not panel.open:
            return
        with st.form("add_event"):
            values = _fields("ev_add", choices)
            submitted = st.form_submit_button("Add event", type="primary")
        if submitted:

            def _add(actor: Actor) -> str:
                saved = engagement_service.add_event(db, actor, values)
                return f"Added event {escape_markdown(saved.title)}."

            save(_add, "add an event")


def edit_event_panel(
    db: Database, choices: Choices, labels: dict[int, str], *, expanded: bool
) -> None:
    """Choose an event (or click one in the table: ``expanded`` opens the panel), then
    change any of its fields; drawn only while open."""
    panel = form_panel("Edit an event", ":material/edit_calendar:", EDIT_PANEL, opened=expanded)
    with panel:
        if not panel.open:
            return
        current = pick_for_edit(
            "Event",
            list(labels),
            labels.get,
            key="edit_event_choice",
            seen_slot=EDIT_SEEN,
            load=lambda event_id: engagement_service.event(db, event_id),
        )
        if current is None:
            return
        eid = current.event_id
        seen = seen_record(EDIT_SEEN, current)  # a save starts from what the person saw
        with st.form(f"edit_event_{eid}"):
            values = _fields(f"ev_edit_{eid}", choices, current)
            reason = st.text_input("Reason for the change (optional)", key=f"ev_why_{eid}")
            submitted = st.form_submit_button("Save event", type="primary")
        if submitted:

            def _edit(actor: Actor) -> str:
                saved = save_edit(
                    EDIT_SEEN,
                    lambda onto: engagement_service.edit_event(
                        db, actor, eid, values, seen=seen, onto=onto, reason=reason or None
                    ),
                )
                if saved == seen:
                    return "No changes to save."
                return f"Saved event {escape_markdown(saved.title)}."

            save(_edit, "edit an event")
