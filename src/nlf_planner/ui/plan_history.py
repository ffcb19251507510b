"""The Plan page's history widgets: the version list, the comparison of two versions (or of
your edits with the latest version) and the restore controls."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from nlf_planner import plan as P
from nlf_planner.exports_tables import to_csv_bytes
from nlf_planner.services import plan_editing
from nlf_planner.services.database import Database
from nlf_planner.services.plan_editing import PlanReference
from nlf_planner.ui import plan_state as ps
from nlf_planner.ui.text import escape_markdown

CHANGE_COLUMNS = {
    "change": "Change",
    "what": "What",
    "item": st.column_config.TextColumn("Item", width="large"),
    "field": "Field",
    "before": "Before",
    "after": "After",
}


def version_table(versions: pd.DataFrame) -> None:
    st.subheader("Version history")
    st.dataframe(
        versions[
            [
                "version_id",
                "created_at",
                "author",
                "note",
                "base_year",
                "targets",
                "milestones",
                "is_latest",
            ]
        ],
        hide_index=True,
        column_config={
            "version_id": st.column_config.NumberColumn("Version", format="%d"),
            "created_at": st.column_config.DatetimeColumn("Saved", format="D MMM YYYY, HH:mm"),
            "author": "By",
            "note": st.column_config.TextColumn("Note", width="large"),
            "base_year": st.column_config.NumberColumn("Base year", format="%d"),
            "targets": "Targets",
            "milestones": "Milestones",
            "is_latest": st.column_config.CheckboxColumn("Latest"),
        },
    )


def compare_versions(
    db: Database, ref: PlanReference, ids: Sequence[int], latest_id: int | None
) -> None:
    """Pick two versions and list what changed between them, with a CSV download."""
    st.subheader("Compare two versions")
    if len(ids) < 2:
        st.caption("Only one version so far.")
        return
    c1, c2 = st.columns(2)
    old_v = c1.selectbox("From version", ids, index=1, key=f"plan_diff_from_{latest_id}")
    new_v = c2.selectbox("To version", ids, index=0, key=f"plan_diff_to_{latest_id}")
    changes = plan_editing.diff_versions(db, int(old_v), int(new_v), ref)
    frame = P.changes_frame(changes)
    st.markdown(f"**Version {old_v} → {new_v}:** {escape_markdown(P.summarise_changes(changes))}")
    if frame.empty:
        return
    st.dataframe(frame, hide_index=True, column_config=CHANGE_COLUMNS)
    st.download_button(
        "Download changes (CSV)",
        to_csv_bytes(frame),  # formula-safe: milestone titles and owners are people's text
        file_name=f"plan-v{old_v}-to-v{new_v}-changes.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )


def edits_against(latest: P.Plan | None, changes: Sequence[P.Change]) -> None:
    """After a refused save: how your edits differ from the version saved meanwhile."""
    if latest is None:
        return
    st.caption(
        f"Your edits compared with version {latest.version_id}: "
        + escape_markdown(P.summarise_changes(changes))
    )
    st.dataframe(P.changes_frame(changes), hide_index=True, column_config=CHANGE_COLUMNS)


def restore_controls(
    ids: Sequence[int], latest_id: int | None, shown_id: int | None
) -> tuple[int, str] | None:
    """The version to restore and why (the button sets the restore request), or None when
    there is no older version."""
    st.subheader("Restore an older version")
    older = [v for v in ids if v != latest_id]
    if not older:
        st.caption("There is no older version to restore.")
        return None
    r1, r2 = st.columns([1, 3])
    pick = r1.selectbox(
        "Version to restore",
        older,
        index=older.index(shown_id) if shown_id in older else 0,
        key="plan_restore_pick",
    )
    reason = r2.text_input("Why (saved with the restore)", key="plan_restore_reason")
    st.caption(
        f"Restoring copies version {pick} into a new latest version; nothing is "
        "deleted and the restore can itself be undone."
    )
    st.button(
        f"Restore version {pick} as the latest",
        icon=":material/restore:",
        key="plan_restore",
        on_click=ps.request,
        args=(ps.RESTORE_REQUESTED,),
    )
    return int(pick), reason
