"""Data: import with validation and preview, export every table, data dictionary, audit log,
backup and restore. The rules live in the data transfer services; this page reads choices,
calls them and shows the result with the widget groups in ``nlf_planner.ui.data_*``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from nlf_planner.services import data_transfer
from nlf_planner.services.actor import Role
from nlf_planner.services.data_transfer import SheetChoiceNeeded
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.ui import data_audit, data_backup, data_export, data_import, data_state, data_users
from nlf_planner.ui.frame import (
    current_actor,
    footer,
    get_db,
    illustrative_notice,
    page_header,
    read_only_banner,
    require_actor,
    show_error,
)
from nlf_planner.ui.text import escape_markdown

SECTIONS = ["Import", "Export", "Data dictionary", "Audit log", "Backup and restore"]


# --- import --------------------------------------------------------------------------------


def render_import(db: Database) -> None:
    """Pick a kind, upload, see every problem or the preview, then apply after confirming."""
    kind = data_import.kind_picker()
    data_import.templates(db, kind)
    upload = data_import.uploader(kind)
    if upload is None:
        return
    data_state.clear_flash()
    data = upload.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    sheet_key = f"data_sheet_{sha[:12]}"
    try:
        table = data_transfer.read_upload(data, upload.name, st.session_state.get(sheet_key))
    except SheetChoiceNeeded as exc:
        data_import.ask_for_sheet(exc, sheet_key)
        return
    except ServiceError as exc:
        show_error(exc)
        return
    data_import.describe_table(table, sheet_key)
    checked = data_state.checked_once(
        f"{kind}_{sha[:16]}_{table.sheet}",
        lambda: data_transfer.check_import(db, kind, table, data),
    )
    data_import.show_issues(checked)
    if not checked.ok:
        if not checked.errors:
            st.error("The file holds no rows to import.")
        return
    st.subheader("Preview: what will change")
    preview = data_transfer.preview_import(db, checked)
    data_import.show_preview(preview, checked.source_name)
    confirmed = data_import.confirm_removal(preview, sha[:12])
    reason, backup_first = data_import.apply_options(sha[:12])
    actor = require_actor("import data", Role.DATA_MANAGER)
    if st.button(
        preview.button_label,
        type="primary",
        disabled=actor is None or not actor.has(Role.DATA_MANAGER) or db.read_only or not confirmed,
        key=f"data_apply_{sha[:12]}",
        icon=":material/upload:",
    ):
        try:
            outcome = data_transfer.apply_import(
                db,
                actor,
                checked,
                reason=reason,
                backup_first=backup_first,
                allow_removal=confirmed,
            )
        except ServiceError as exc:
            show_error(exc)
            return
        data_state.finish(escape_markdown(outcome.message))


# --- backup and restore --------------------------------------------------------------------


def render_backup(db: Database) -> None:
    """The backup download, then a restore from an uploaded file or a kept backup."""
    actor = current_actor()
    data_backup.backup_download(db, actor)
    st.divider()
    chosen = data_backup.choose_source(db, actor)
    if chosen is not None:
        render_restore(db, *chosen)


def render_restore(db: Database, source: bytes | Path, label: str) -> None:
    """Check a backup, show how it differs from now, and restore it after confirmation."""
    data_state.clear_flash()
    try:
        check = data_transfer.check_backup(db, source)
    except ServiceError as exc:
        show_error(exc)
        return
    data_backup.show_check(check)
    allow_unsigned = data_backup.unsigned_confirmation(check)
    reason, sure = data_backup.confirmation()
    sure = sure and (check.signed or allow_unsigned)
    actor = require_actor("restore a backup", Role.ADMIN)
    if st.button(
        "Restore this backup",
        type="primary",
        key="data_restore_go",
        disabled=not (data_backup.is_admin(actor) and sure) or db.read_only,
        icon=":material/restore:",
    ):
        try:
            report = data_transfer.restore_backup(
                db, actor, source, reason=reason, label=label, allow_unsigned=allow_unsigned
            )
        except ServiceError as exc:
            show_error(exc)
            return
        data_state.finish(
            f"Restored {sum(report.tables.values()):,} rows from {escape_markdown(label)}. The "
            f"previous state was saved to {escape_markdown(report.safety_backup)}.",
            restored=True,
        )


# --- the page ------------------------------------------------------------------------------

db = get_db()
page_header(
    "Data",
    "Bring in real data safely, take any table out, see every change, and back up or restore "
    "the whole database.",
)
read_only_banner(db)
illustrative_notice(db)
data_state.show_flash()

renders = [
    render_import,
    data_export.render_export,
    data_export.render_dictionary,
    data_audit.render_audit,
    render_backup,
]
sections = list(SECTIONS)
viewer = current_actor()
if viewer is not None and viewer.has(Role.ADMIN):  # who has signed in: personal data
    sections.append(data_users.TAB_TITLE)
    renders.append(data_users.render_users)
tabs = st.tabs(sections, key="section", bind="query-params", on_change="rerun")
for tab, render in zip(tabs, renders, strict=True):
    if tab.open:
        with tab:
            render(db)

footer(db)
