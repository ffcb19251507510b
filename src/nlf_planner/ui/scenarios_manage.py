"""The Scenarios page's "Save and share" tab: save a version or a new scenario, export and
import JSON, clone, delete, and the list of versions.

The services check the person and their role and validate before writing; this module asks
who is acting (so it can say so before a click does nothing), shows refusals in the
service's own words, and switches to the scenario a write produced.
"""

from __future__ import annotations

import streamlit as st

from nlf_planner.capacity.params import CapacityParams
from nlf_planner.capacity.scenarios import Scenario
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.ui.frame import require_actor, show_error
from nlf_planner.ui.scenarios_state import flash, select
from nlf_planner.ui.text import escape_markdown


def _save_form(db: Database, scenario: Scenario, params: CapacityParams, draws, seed) -> None:
    with st.form("scn_save_form"):
        name = st.text_input("Name", value=scenario.name, key="scn_save_name")
        desc = st.text_area("Description", value=scenario.description, key="scn_save_desc")
        reason = st.text_input("Why (recorded in the audit log)", key="scn_save_reason")
        c1, c2 = st.columns(2)
        as_version = c1.form_submit_button("Save as a new version of this scenario")
        as_new = c2.form_submit_button("Save as a new scenario", type="primary")
    if not (as_version or as_new):
        return
    actor = require_actor("save a scenario")
    if actor is None:
        return
    try:
        saved = scenario_service.save(
            db,
            actor,
            name=name,
            description=desc,
            params=params,
            draws=draws,
            seed=seed,
            version_of=scenario if as_version else None,
            reason=reason,
        )
    except ServiceError as exc:
        show_error(exc)
        return
    flash(f"Saved {escape_markdown(saved.label)}.")
    select(saved.scenario_id)


def _import(db: Database) -> None:
    upload = st.file_uploader("Import a scenario (JSON)", type=["json"], key="scn_upload")
    if upload is None:
        return
    try:
        imported = scenario_service.parse_import(upload.getvalue())
    except ServiceError as exc:
        show_error(exc)
        return
    st.success(f"“{escape_markdown(imported.name)}” is valid ({imported.draws:,} draws).")
    if not st.button("Save the imported scenario", key="scn_import_save"):
        return
    actor = require_actor("import a scenario")
    if actor is None:
        return
    try:
        saved = scenario_service.import_scenario(db, actor, upload.getvalue())
    except ServiceError as exc:
        show_error(exc)
        return
    flash(f"Imported and saved {escape_markdown(saved.label)}.")
    select(saved.scenario_id)


def _export(scenario: Scenario, params: CapacityParams) -> None:
    st.download_button(
        "Export this scenario (JSON)",
        data=scenario_service.export_json(scenario, params).encode(),
        file_name=f"scenario-{scenario.scenario_id}-v{scenario.version}.json",
        mime="application/json",
        key="dl_json",
        on_click="ignore",
        icon=":material/download:",
    )


def _clone(db: Database, scenario: Scenario) -> None:
    if not st.button("Clone this scenario", key="scn_clone"):
        return
    actor = require_actor("clone a scenario")
    if actor is None:
        return
    try:
        copy = scenario_service.clone(db, actor, scenario.scenario_id or "")
    except ServiceError as exc:
        show_error(exc)
        return
    flash(f"Cloned as {escape_markdown(copy.label)}.")
    select(copy.scenario_id)


def _delete(db: Database, scenario: Scenario) -> None:
    if scenario.is_baseline:
        st.caption("The baseline cannot be deleted: every scenario is compared with it.")
        return
    confirm = st.checkbox("Yes, delete this scenario", key="scn_del_confirm")
    if not st.button("Delete", key="scn_delete", disabled=not confirm):
        return
    actor = require_actor("delete a scenario")
    if actor is None:
        return
    try:
        gone = scenario_service.delete(db, actor, scenario.scenario_id or "")
    except ServiceError as exc:
        show_error(exc)
        return
    flash(f"Deleted {escape_markdown(gone.label)}.")
    select(scenario_service.baseline_id(db))


def save_tab(
    db: Database, scenario: Scenario, params: CapacityParams, draws: int, seed: int
) -> None:
    """Save, export, import, clone and delete, and the versions of this scenario."""
    author = escape_markdown(scenario.author or "—")
    st.markdown(f"**Current scenario:** {escape_markdown(scenario.label)}, saved by {author}.")
    if db.read_only:
        st.info("The database is read-only: scenarios cannot be saved just now.")
    # Viewers may export; saving, importing, cloning and deleting need an editor.
    editor = require_actor("save, import, clone or delete scenarios") is not None
    if editor:
        _save_form(db, scenario, params, draws, seed)
    st.divider()
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Export / import**" if editor else "**Export**")
        _export(scenario, params)
        if editor:
            _import(db)
    if editor:
        with c2:
            st.markdown("**Clone or delete**")
            _clone(db, scenario)
            _delete(db, scenario)
    st.markdown("**Versions of this scenario**")
    versions = scenario_service.list_versions(db, scenario.scenario_id or "")
    st.dataframe(versions, hide_index=True)
