"""The Data page's backup and restore widgets: the backup download, the choice of a file or
a kept backup, the checked backup compared with now, and the confirmation before a restore."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from nlf_planner.services import data_transfer
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.data_transfer import BackupCheck
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.ui.data_state import uploader_key
from nlf_planner.ui.frame import show_error
from nlf_planner.ui.text import escape_markdown

UPLOADED = "An uploaded file"
KEPT = "A backup kept on this server"


def is_admin(actor: Actor | None) -> bool:
    return actor is not None and actor.has(Role.ADMIN)


def backup_download(db: Database, actor: Actor | None) -> None:
    """'Download a backup now' (admin): the zip is made when the button is pressed."""
    st.markdown(
        "**Back up** the whole database to one file: a zip with every table (Parquet), a "
        "manifest with row counts and checksums. From the shell: `make backup`."
    )
    st.download_button(
        "Download a backup now",
        data=lambda: data_transfer.backup_download(db, actor),
        file_name=data_transfer.backup_file_name(),
        mime="application/zip",
        on_click="ignore",
        icon=":material/backup:",
        type="primary",
        key="data_backup_download",
        disabled=not is_admin(actor),
        help=None if is_admin(actor) else "Viewing only: a full backup needs the admin role.",
    )


def choose_source(db: Database, actor: Actor | None) -> tuple[bytes | Path, str] | None:
    """The backup to check: an uploaded zip or one kept on the server, with its label."""
    st.markdown(
        "**Restore** replaces ALL current data with a backup. The file is checked first "
        "(checksums, schema version, row counts); the current state is backed up "
        f"automatically to {escape_markdown(data_transfer.backup_folder(db))}; then the restored "
        "database is swapped in at once. While it runs, nobody can save a change (they are "
        "told to try again in a moment). From the shell: `make restore FILE=…`."
    )
    st.caption(
        f"The newest {data_transfer.automatic_backups_kept()} automatic backups (made before "
        "each import and each restore) are kept; older ones are deleted. Backups made with "
        "`make backup` are never deleted."
    )
    source = st.radio(
        "Restore from",
        [UPLOADED, KEPT],
        horizontal=True,
        key="data_restore_source",
        help="Files over 50 MB: use a backup kept on the server, or `make restore FILE=…`.",
    )
    if source == UPLOADED:
        upload = st.file_uploader("Backup file (.zip)", type=["zip"], key=uploader_key("restore"))
        return None if upload is None else (upload.getvalue(), upload.name)
    return _kept_backup(db, actor)


def _kept_backup(db: Database, actor: Actor | None) -> tuple[Path, str] | None:
    try:
        kept = data_transfer.kept_backups(db, actor)
    except ServiceError as exc:
        show_error(exc)
        return None
    if not kept:
        st.info("No backups are kept on this server yet.")
        return None
    st.dataframe(
        pd.DataFrame(kept).drop(columns=["path"]),
        hide_index=True,
        key="data_kept_backups",
        column_config={"modified": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm")},
    )
    names = [b["file"] for b in kept]
    chosen = st.selectbox(
        "Backup to restore",
        names,
        index=None,
        key=uploader_key("kept"),
        placeholder="Choose a backup",
    )
    return None if chosen is None else (kept[names.index(chosen)]["path"], chosen)


def show_check(check: BackupCheck) -> None:
    """That the backup is sound, who made it when, and its rows against the rows now."""
    by = f"by {escape_markdown(check.created_by)} " if check.created_by else ""
    st.success(
        f"Valid backup made {escape_markdown(check.created_at)} {by}"
        f"(schema version {check.schema_version}); every checksum matches.",
        icon=":material/verified:",
    )
    if check.signed:
        st.caption("✓ Signed by this server and unchanged since it was made.")
    st.dataframe(check.comparison, hide_index=True, key="data_restore_compare")


def unsigned_confirmation(check: BackupCheck) -> bool:
    """For a backup without a signature (one made before backups were signed), a warning
    and the admin's explicit tick; a signed backup needs none."""
    if check.signed:
        return False
    st.warning(
        "⚠ This backup is not signed: it was made before backups were signed, or its "
        "signature was removed, so nothing shows it is unedited. Restore it only if you know "
        "where it came from.",
        icon=":material/gpp_maybe:",
    )
    return st.checkbox("Restore an unsigned backup", key="data_restore_unsigned")


def confirmation() -> tuple[str, bool]:
    """(reason for the audit log, whether the person ticked that all data are replaced)."""
    reason = st.text_input("Reason (recorded in the audit log)", key="data_restore_reason")
    sure = st.checkbox("I understand this replaces all current data", key="data_restore_sure")
    return reason, sure
