"""The Data page's "People" tab (admins only): who has signed in, their role, where the role
came from, their region scope, and when they were first and last seen."""

from __future__ import annotations

import streamlit as st

from nlf_planner.exports_tables import to_csv_bytes
from nlf_planner.services import users as users_service
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.ui.frame import current_actor, show_error

TAB_TITLE = "People"


def render_users(db: Database) -> None:
    try:
        people = users_service.list_users(db, current_actor())
    except ServiceError as exc:  # the tab is only offered to admins; the service checks too
        show_error(exc)
        return
    st.caption(
        f"{len(people):,} people have signed in, most recently seen first. Roles come from "
        "the identity provider's roles claim through the settings; anyone without a known "
        "role is a viewer. Times are UTC."
    )
    st.dataframe(
        people,
        hide_index=True,
        key="data_users_table",
        column_config={
            "First seen (UTC)": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
            "Last seen (UTC)": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
        },
    )
    st.download_button(
        "Download the list (CSV)",
        data=to_csv_bytes(people),  # formula-safe: names come from the identity provider
        file_name="nlf-people-signed-in.csv",
        mime="text/csv",
        key="data_users_download",
        on_click="ignore",
        icon=":material/download:",
    )
