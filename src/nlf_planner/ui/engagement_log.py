"""The Engagement log tab's widgets: who took part in which event, and the form that adds
people to an event's log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nlf_planner.services import engagement as engagement_service
from nlf_planner.services.actor import Actor
from nlf_planner.services.database import Database
from nlf_planner.ui.engagement_forms import Choices, download, save
from nlf_planner.ui.text import escape_markdown

COLUMNS = ["event_date", "title", "event_type_label", "stakeholder", "group_label"]


def log_table(log: pd.DataFrame) -> None:
    """One row per stakeholder per event, with its count and a CSV download."""
    st.dataframe(
        log[COLUMNS],
        hide_index=True,
        key="log_table",
        column_config={
            "event_date": st.column_config.DateColumn("Date", format="D MMM YYYY"),
            "title": st.column_config.TextColumn("Event", width="medium", pinned=True),
            "event_type_label": "Type",
            "stakeholder": st.column_config.TextColumn("Stakeholder", width="large"),
            "group_label": "Group",
        },
    )
    st.caption(f"{len(log)} entries.")
    download(log[COLUMNS], "Download log (CSV)", "engagement_log.csv", "download_log")


def log_contact_form(db: Database, choices: Choices, labels: dict[int, str]) -> None:
    """Record who took part in an event (people already linked stay linked)."""
    people = choices.people.active
    with st.form("log_contact"):
        st.markdown("**Record who took part in an event**")
        event_id = st.selectbox(
            "Event",
            list(labels),
            format_func=labels.get,
            index=None,
            placeholder="Choose an event",
            key="log_event",
        )
        attendees = st.multiselect(
            "Stakeholders", list(people), format_func=people.get, key="log_who"
        )
        logged = st.form_submit_button("Add to log", type="primary")
    if logged:

        def _log(actor: Actor) -> str:
            engagement_service.log_contact(
                db, actor, None if event_id is None else int(event_id), attendees
            )
            where = escape_markdown(labels[int(event_id)])
            return f"Logged {len(attendees)} stakeholder(s) at {where}."

        save(_log, "add to the engagement log")
