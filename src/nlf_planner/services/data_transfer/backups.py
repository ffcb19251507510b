"""Backing the whole database up to one file: a zip of every table with a checked manifest.

A full backup holds every row, people's names in the audit log included, so making,
downloading and listing backups need the admin role; the automatic backup before an import is
made by the import service itself. Every backup made here is signed with the server's key
(:mod:`.signing`), so an edited copy is refused on restore.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlf_planner.services.access import require
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.data_transfer import signing
from nlf_planner.services.data_transfer.errors import REFUSALS, refusal
from nlf_planner.settings import get_settings
from nlf_planner.store import Database
from nlf_planner.store import backup as backup_store

NO_BACKUP = "No backup was made"


def backup_folder(db: Database) -> Path:
    """Where backups are kept: data/backups/ beside the database file."""
    return backup_store.default_backup_dir(db)


def backup_file_name() -> str:
    """A new backup's file name, stamped with the time (UTC)."""
    return backup_store.backup_file_name()


def signing_key(db: Database) -> bytes:
    """The server's backup-signing key, kept beside the database's folder of backups."""
    return signing.backup_key(backup_folder(db).parent)


def signer(db: Database) -> Callable[[Path], Path]:
    """Signs a finished backup zip in its work folder, before the store moves it into place,
    so a kept backup is never visible unsigned (not even to a process killed in between)."""
    key = signing_key(db)
    return lambda path: signing.sign_file(path, key)


def signed_backup(db: Database, dest: Path | str | None, *, created_by: str, **kw: str) -> Path:
    """The store's backup zip, signed before it appears; no backup is left behind when
    signing fails. Every backup file this app writes (by hand, before an import, before a
    restore) is signed through :func:`signer`. Not role-checked: callers have checked their
    actor."""
    return backup_store.create_backup(db, dest, created_by=created_by, finish=signer(db), **kw)


def create_backup(db: Database, actor: Actor | None, dest: Path | str | None = None) -> Path:
    """Write a signed backup zip (admin) to ``dest`` (a folder or .zip path; default
    data/backups/)."""
    actor = require(actor, Role.ADMIN, "make a backup")
    try:
        return signed_backup(db, dest, created_by=actor.display_name)
    except REFUSALS as exc:
        raise refusal(exc, NO_BACKUP) from exc


def backup_download(db: Database, actor: Actor | None) -> bytes:
    """A signed backup as bytes for a download button (admin)."""
    actor = require(actor, Role.ADMIN, "download a full backup")
    try:
        key = signing_key(db)
        data = backup_store.backup_bytes(db, created_by=f"download by {actor.display_name}")
        return signing.sign_bytes(data, key)
    except REFUSALS as exc:
        raise refusal(exc, NO_BACKUP) from exc


def kept_backups(db: Database, actor: Actor | None) -> list[dict[str, Any]]:
    """The backups kept on this server, newest first: file, path, size_mb, modified (admin)."""
    require(actor, Role.ADMIN, "see the backups kept on this server")
    return backup_store.kept_backups(db)


def automatic_backups_kept() -> int:
    """How many automatic backups are kept (``NLF_KEEP_BACKUPS``, default 20)."""
    return get_settings().kept_backups


def prune_automatic(folder: Path) -> list[Path]:
    """Keep the newest automatic backups in ``folder`` (made before imports and restores),
    delete older ones; backups made by hand stay. Called after each automatic backup."""
    return backup_store.prune_automatic_backups(folder, automatic_backups_kept())
