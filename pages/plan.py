"""Plan: edit the 1/3/5-year targets and milestones, save versions, compare, restore, roadmap."""

from datetime import date

import streamlit as st

from nlf_planner import plan as P
from nlf_planner.services import plan_editing
from nlf_planner.services.actor import Role
from nlf_planner.services.errors import ServiceError, StaleVersion, ValidationFailed
from nlf_planner.ui import plan_editors, plan_history, plan_roadmap, plan_status
from nlf_planner.ui import plan_state as ps
from nlf_planner.ui.frame import (
    cached_series,
    current_actor,
    footer,
    format_date,
    get_db,
    illustrative_notice,
    page_header,
    read_only_banner,
    require_actor,
    show_error,
)
from nlf_planner.ui.text import escape_markdown

FLASH = "plan_flash"
ZERO_SEEN = "_plan_zero_targets_seen"  # the zero-target warnings already shown at a save

db = get_db()
today = date.today()
page_header(
    "The 1/3/5-year plan",
    "Targets for each measure at years 1, 3 and 5, and the milestones that deliver them. "
    "Every save is a new version; older versions stay and can be compared or restored.",
)
read_only_banner(db)
illustrative_notice(db)

ref = plan_editing.plan_reference(db)
plan = ps.current_plan(db)
if plan is None:
    st.info("No plan has been saved yet. Generate the default data (`make db`) or import a plan.")
    st.stop()
latest_id = plan_editing.latest_version_id(db)
viewing_latest = plan.version_id == latest_id

area = plan_editors.area_picker(ref)
history = cached_series(db, levels=["england"])
baselines, tables = ps.editor_view(db, plan, ref, history)


def tables_for(p: P.Plan) -> dict:
    return ref.editor_tables(p, baselines)


def put_edits_on_top() -> None:
    """After a refused save: put my edits on top of the version saved meanwhile."""
    old_ws = ps.current_workspace()
    if not old_ws or old_ws["version_id"] == plan.version_id:
        return
    started_from = plan_editing.load_plan(db, old_ws["version_id"])
    mine = plan_editing.build_draft(db, started_from, ps.edits(old_ws, started_from, None), today)
    if mine.errors:
        st.error(
            "Fix the problems in your edits first, then try again: "
            + escape_markdown("; ".join(str(i) for i in mine.errors[:5]))
        )
        return
    merged, conflicts = plan_editing.rebase_edits(started_from, mine.plan, plan)
    ps.replace_workspace(plan, merged, tables_for)
    text = f"Your edits now sit on top of version {plan.version_id} (not saved yet)."
    if conflicts:
        text += (
            f" {len(conflicts)} of them clashed with your colleague's changes, whose "
            "values were kept: " + escape_markdown("; ".join(c.describe() for c in conflicts[:5]))
        )
    st.session_state[FLASH] = text


def save(ws: dict, note: str) -> None:
    """Check and save the workspace as a new version; on refusal the edits stay on screen.

    A new target of 0 far from its measure's history (a lost keystroke, issue 18) is not
    saved at the first press: the warning says so and a second press saves as it stands."""
    actor = require_actor("save the plan")
    if actor is None:
        return
    draft = plan_editing.build_draft(db, plan, ps.edits(ws, plan, area), today)
    zeros = tuple(str(w) for w in P.zero_target_issues(draft.warnings))
    if zeros and st.session_state.get(ZERO_SEEN) != zeros:
        st.session_state[ZERO_SEEN] = zeros
        st.warning(
            "Not saved yet: check the target of 0 listed above. Press 'Save as a new "
            "version' again to save it as it stands.",
            icon=":material/warning:",
        )
        return
    changed = plan_editors.target_change_lines(ref.diff(plan, draft.plan))
    try:
        saved = plan_editing.save_draft(
            db, actor, draft, note=note, expected_version_id=ws["version_id"], today=today
        )
    except ValidationFailed as exc:
        plan_editors.show_issues(exc)
    except plan_editing.NothingToSave as exc:
        st.info(escape_markdown(exc))
    except StaleVersion as exc:
        st.error(escape_markdown(exc), icon=":material/sync_problem:")
        latest = plan_editing.load_plan(db, exc.current_version)
        if latest is not None:
            plan_history.edits_against(latest, ref.diff(latest, draft.plan))
    except ServiceError as exc:
        show_error(exc)
    else:
        warn = draft.warnings
        done(
            f"Saved as version {saved.version_id}."
            + (
                " Targets: "
                + escape_markdown("; ".join(changed[:10]))
                + (f"; and {len(changed) - 10} more" if len(changed) > 10 else "")
                + "."
                if changed
                else ""
            )
            + (
                f" {len(warn)} warning(s): " + escape_markdown("; ".join(map(str, warn[:3])))
                if warn
                else ""
            )
        )


def restore(version_id: int, reason: str) -> None:
    actor = require_actor("restore a version")
    if actor is None:
        return
    try:
        saved = plan_editing.restore_version(
            db, actor, version_id, expected_version_id=latest_id, note=reason
        )
    except ServiceError as exc:
        show_error(exc)
    else:
        done(f"Version {version_id} restored as version {saved.version_id}.")


def done(message: str) -> None:
    """After a save or restore: forget the edits, follow the new latest version, say so."""
    ps.discard_edits()
    st.session_state.pop(ZERO_SEEN, None)
    ps.follow_latest()
    st.session_state[FLASH] = message
    st.rerun()


if viewing_latest and ps.take_request(ps.REBASE_REQUESTED):
    put_edits_on_top()

ends = ", ".join(
    f"year {h} ends {format_date(P.horizon_end(plan.base_year, h))}" for h in P.HORIZONS
)
st.markdown(
    f"**Version {plan.version_id}{' (latest)' if viewing_latest else ''}**, saved by "
    f"{escape_markdown(plan.author)} on {format_date(plan.created_at)}. Base year "
    f"**{P.fy_label(plan.base_year)}**; {ends}. Trajectory: {plan.trajectory}."
)
if plan.note:
    st.caption(f"Note: {escape_markdown(plan.note)}")
flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash, icon=":material/check_circle:")

tab_edit, tab_roadmap, tab_status, tab_history = st.tabs(
    ["Targets and milestones", "Roadmap", "Status and follow-up", "Versions and changes"],
    key="tab",
    on_change="rerun",
    bind="query-params",
)
# Only the open tab is drawn (issue 12): each tab's work runs when it is chosen.

person = current_actor()
may_edit = person is not None and person.has(Role.EDITOR)


def edit_tab() -> None:
    """The targets and milestones: read-only for an older version or a viewer."""
    if not viewing_latest:
        plan_editors.read_only_view(plan, latest_id, tables, area)
    elif not may_edit:  # viewers see the tables without the editors and the save button
        require_actor("edit the plan")
        st.dataframe(
            tables["targets"][tables["targets"]["area"] == area] if area else tables["targets"],
            hide_index=True,
        )
        st.dataframe(tables["milestones"], hide_index=True)
    else:
        ws = ps.workspace(plan, tables)
        if ws["version_id"] != plan.version_id:
            plan_editors.newer_version_notice(ws, plan)
        plan_editors.base_year_controls(today)
        if (new_base := ps.apply_base_year(ws)) is not None:
            st.info(
                f"Base year set to {P.fy_label(new_base)} (not saved yet). Baselines shown are "
                f"for {P.fy_label(plan.base_year)} until you save.",
                icon=":material/event:",
            )
        plan_editors.editors(db, ws, plan, ref, area, history, ws["applied_base_year"])
        if ps.is_dirty(ws):
            pending = plan_editing.build_draft(db, plan, ps.pending_edits(ws, plan, area), today)
            plan_editors.pending_changes(ref.diff(plan, pending.plan), pending.warnings)
        note = plan_editors.save_controls(ws)
        if ps.take_request(ps.SAVE_REQUESTED):
            save(ws, note)


def history_tab() -> None:
    """The versions, a comparison of two, and (for editors) restoring an older one."""
    versions = plan_editing.list_versions(db)
    ids = versions["version_id"].astype(int).tolist()
    plan_history.version_table(versions)
    plan_history.compare_versions(db, ref, ids, latest_id)
    chosen = plan_history.restore_controls(ids, latest_id, plan.version_id) if may_edit else None
    if not may_edit:
        require_actor("restore a version")
    if chosen is not None and ps.take_request(ps.RESTORE_REQUESTED):
        restore(*chosen)


with tab_edit:
    if tab_edit.open is not False:
        edit_tab()

with tab_roadmap:
    if tab_roadmap.open:
        plan_roadmap.roadmap(db, plan, ref, area, today)

with tab_status:
    if tab_status.open:
        plan_status.rollup(plan, ref, today)
        plan_status.attention(plan, today, area)

with tab_history:
    if tab_history.open:
        history_tab()

footer(db)
