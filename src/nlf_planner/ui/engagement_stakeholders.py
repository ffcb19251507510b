"""The Stakeholders tab's widgets: quadrant counts, the influence/interest map, the table, and
the add, edit and retire forms with each stakeholder's history."""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd
import streamlit as st

from nlf_planner.charts import engagement as charts
from nlf_planner.engagement import GROUPS, HIGH_FROM, QUADRANT_HELP, Stakeholder, quadrant_counts
from nlf_planner.services import engagement as engagement_service
from nlf_planner.services.actor import Actor
from nlf_planner.services.database import Database
from nlf_planner.ui.engagement_forms import (
    DATE_FORMAT,
    Choices,
    cached_built,
    cached_figure,
    chart_with_csv,
    form_panel,
    pick_for_edit,
    save,
    save_edit,
    seen_record,
)
from nlf_planner.ui.text import escape_markdown

COLUMNS = list(engagement_service.STAKEHOLDER_EXPORT_COLUMNS)
EDIT_SEEN = "edit_stakeholder_seen"
TABLE_CONFIG = {
    "name": st.column_config.TextColumn("Name", width="medium", pinned=True),
    "group_label": "Group",
    "region_name": "Region",
    "interest": st.column_config.NumberColumn("Interest (1–5)"),
    "influence": st.column_config.NumberColumn("Influence (1–5)"),
    "quadrant": "Quadrant",
    "owner": "Owner",
    "latest_contact": st.column_config.DateColumn(
        "Last contact",
        format="D MMM YYYY",
        help="The later of the date entered and the latest linked event.",
    ),
    "next_step": st.column_config.TextColumn("Next step", width="large"),
    "events": st.column_config.NumberColumn("Events"),
    "seeded": st.column_config.CheckboxColumn("Seeded"),
    "retired": st.column_config.CheckboxColumn("Retired"),
}


def quadrant_metrics(active: pd.DataFrame) -> None:
    counts = quadrant_counts(active) if len(active) else dict.fromkeys(QUADRANT_HELP, 0)
    for col, (name, n) in zip(st.columns(4), counts.items(), strict=True):
        col.metric(name, n, help=QUADRANT_HELP[name].capitalize())


def stakeholder_map(
    db: Database, active: pd.DataFrame, export: pd.DataFrame | None, inputs: Hashable
) -> None:
    """The map of the active stakeholders (built once per data version and ``inputs``, the
    filters that chose them); its CSV only when the person may export."""
    chart_with_csv(
        cached_figure(db, "map", inputs, lambda: charts.influence_interest_map(active)),
        export,
        key="stakeholder_map",
        summary=cached_built(db, "map_summary", inputs, lambda: charts.map_summary(active)),
        file_name="stakeholders.csv",
        alt="Influence and interest map of the active stakeholders, in four quadrants",
    )
    st.caption(
        f"A score of {HIGH_FROM} or 5 counts as high (the dashed lines sit at "
        f"{HIGH_FROM - 0.5}). Stakeholders sharing scores are stacked inside their cell; "
        "hover for full names, owner and next step."
    )


def stakeholder_table(people: pd.DataFrame):
    """The filtered stakeholders; a click picks the one to edit (the selection is returned)."""
    st.subheader("Stakeholders")
    st.caption("Click a row to edit or retire that stakeholder.")
    shown = people.reindex(columns=COLUMNS).fillna({"owner": "", "next_step": ""})
    return st.dataframe(
        shown,
        hide_index=True,
        column_config=TABLE_CONFIG,
        key="stakeholder_table",
        on_select="rerun",
        selection_mode="single-row",
    )


#: The add and edit panels' state keys: each draws its form only while open (a closed
#: panel's sliders, date box and text areas cost every filter change and a first visit).
ADD_PANEL = "add_stakeholder_open"
EDIT_PANEL = "edit_stakeholder_open"


def add_stakeholder_form(db: Database, choices: Choices) -> None:
    panel = form_panel("Add a stakeholder", ":material/person_add:", ADD_PANEL)
    with panel:
        if not panel.open:
            return
        with st.form("add_stakeholder"):
            name = st.text_input("Name", key="add_name", max_chars=200)
            c1, c2 = st.columns(2)
            group = c1.selectbox("Group", list(GROUPS), format_func=GROUPS.get, key="add_group")
            region = c2.selectbox(
                "Region", choices.region_options, format_func=choices.region_label, key="add_region"
            )
            interest = c1.slider("Interest (1 = low, 5 = high)", 1, 5, 3, key="add_interest")
            influence = c2.slider("Influence (1 = low, 5 = high)", 1, 5, 3, key="add_influence")
            owner = c1.text_input("Owner (who in the team leads)", key="add_owner")
            last = c2.date_input(
                "Last contact",
                value=None,
                max_value=choices.today,
                format=DATE_FORMAT,
                key="add_last",
            )
            step = st.text_area("Next step", key="add_next_step", height=68)
            submitted = st.form_submit_button("Add stakeholder", type="primary")
        if submitted:
            data = {
                "name": name, "group": group, "region_code": region, "interest": interest,
                "influence": influence, "owner": owner, "last_contact": last, "next_step": step,
            }  # fmt: skip

            def _add(actor: Actor) -> str:
                saved = engagement_service.add_stakeholder(db, actor, data, today=choices.today)
                return f"Added {escape_markdown(saved.name)}."

            save(_add, "add a stakeholder")


def _edit_form(db: Database, choices: Choices, current: Stakeholder) -> None:
    """The edit form, its fields filled from ``current``; a save starts from the record as
    the person first saw it here, so a change saved by someone else meanwhile is refused
    (shown as an error) instead of being silently undone."""
    sid = current.stakeholder_id
    seen = seen_record(EDIT_SEEN, current)
    regions = choices.region_options
    with st.form(f"edit_stakeholder_{sid}"):
        name = st.text_input("Name", current.name, key=f"edit_name_{sid}")
        c1, c2 = st.columns(2)
        group = c1.selectbox(
            "Group",
            list(GROUPS),
            index=list(GROUPS).index(current.group),
            format_func=GROUPS.get,
            key=f"edit_group_{sid}",
        )
        region = c2.selectbox(
            "Region",
            regions,
            index=regions.index(current.region_code or ""),
            format_func=choices.region_label,
            key=f"edit_region_{sid}",
        )
        interest = c1.slider("Interest", 1, 5, current.interest, key=f"edit_int_{sid}")
        influence = c2.slider("Influence", 1, 5, current.influence, key=f"edit_inf_{sid}")
        owner = c1.text_input("Owner", current.owner or "", key=f"edit_owner_{sid}")
        last = c2.date_input(
            "Last contact",
            value=current.last_contact,
            max_value=choices.today,
            format=DATE_FORMAT,
            key=f"edit_last_{sid}",
        )
        step = st.text_area("Next step", current.next_step or "", key=f"edit_step_{sid}", height=68)
        reason = st.text_input("Reason for the change (optional)", key=f"edit_why_{sid}")
        edited = st.form_submit_button("Save changes", type="primary")
    if edited:
        changes = {
            "name": name, "group": group, "region_code": region, "interest": interest,
            "influence": influence, "owner": owner, "last_contact": last, "next_step": step,
        }  # fmt: skip

        def _edit(actor: Actor) -> str:
            saved = save_edit(
                EDIT_SEEN,
                lambda onto: engagement_service.edit_stakeholder(
                    db,
                    actor,
                    sid,
                    changes,
                    seen=seen,
                    onto=onto,
                    reason=reason or None,
                    today=choices.today,
                ),
            )
            if saved == seen:
                return f"No changes to save for {escape_markdown(current.name)}."
            return f"Saved changes to {escape_markdown(saved.name)}."

        save(_edit, "edit a stakeholder")


def _retire_form(db: Database, current: Stakeholder) -> None:
    sid = current.stakeholder_id
    with st.form(f"retire_stakeholder_{sid}"):
        if current.retired:
            st.markdown(f"**{escape_markdown(current.name)}** is retired.")
            why = st.text_input("Reason for restoring (optional)", key=f"why_r_{sid}")
            flip = st.form_submit_button("Restore stakeholder")
        else:
            why = st.text_input(
                "Reason for retiring (required)",
                key=f"why_{sid}",
                placeholder="e.g. merged into another record, organisation closed",
            )
            flip = st.form_submit_button("Retire stakeholder")
    if flip:

        def _flip(actor: Actor) -> str:
            if current.retired:
                engagement_service.restore_stakeholder(db, actor, sid, reason=why or None)
                return f"Restored {escape_markdown(current.name)}."
            engagement_service.retire_stakeholder(db, actor, sid, reason=why)
            return f"Retired {escape_markdown(current.name)}; it stays in the log and history."

        save(_flip, "retire or restore a stakeholder")


def _history(db: Database, current: Stakeholder) -> None:
    sid = current.stakeholder_id
    history = engagement_service.stakeholder_history(db, sid)
    st.caption(f"History of {escape_markdown(current.name)} ({len(history)} changes, newest first)")
    st.dataframe(
        history,
        hide_index=True,
        key=f"history_{sid}",
        column_config={
            "changed_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm"),
            "before_json": "Before",
            "after_json": "After",
        },
    )


def edit_stakeholder_panel(db: Database, choices: Choices, *, expanded: bool) -> None:
    """Choose a stakeholder (or click one in the table: ``expanded`` opens the panel), then
    edit, retire or restore it; drawn only while open."""
    panel = form_panel(
        "Edit or retire a stakeholder", ":material/edit:", EDIT_PANEL, opened=expanded
    )
    with panel:
        if not panel.open:
            return
        current = pick_for_edit(
            "Stakeholder",
            list(choices.people.names),
            choices.person_label,
            key="edit_choice",
            seen_slot=EDIT_SEEN,
            load=lambda stakeholder_id: engagement_service.stakeholder(db, stakeholder_id),
        )
        if current is None:
            return
        _edit_form(db, choices, current)
        _retire_form(db, current)
        _history(db, current)
