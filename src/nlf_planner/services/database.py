"""Opening the database and the facts every page shows about it.

The pages and ``ui/`` hold a :class:`Database` handle but never call the store: they pass the
handle to services. Opening applies pending migrations, loads the reference content into a
new file and falls back to read-only (with a reason) when another process holds the file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from nlf_planner.services import cache
from nlf_planner.services.actor import Actor
from nlf_planner.services.errors import Unavailable
from nlf_planner.store import Database, StoreError, open_database
from nlf_planner.store import backup as backup_store
from nlf_planner.store import measurements as measurement_store
from nlf_planner.store import reference as reference_store
from nlf_planner.store.db import is_server_url

__all__ = [
    "Database",
    "data_as_of",
    "begin_run",
    "data_version",
    "has_illustrative",
    "is_server",
    "move_to_server",
    "open_store",
    "read_only_reason",
]


def open_store(path: Path | str) -> Database:
    """The database at ``path`` (a DuckDB file, or a ``postgresql://`` URL naming a shared
    server), migrated and with reference content; a readable :class:`Unavailable` when it
    cannot be opened at all (a locked file, a server that cannot be reached)."""
    try:
        db = open_database(path)
        reference_store.ensure_reference(db)
        backup_store.sweep_leftovers(db)  # what a killed backup or restore left (issue 15)
    except StoreError as exc:
        raise Unavailable(f"The database could not be opened. {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - any driver failure becomes a message
        raise Unavailable(f"The database could not be opened: {exc}") from exc
    return db


def is_server(target: Path | str) -> bool:
    """Whether ``target`` names a shared database server (worth retrying when it is down)
    rather than a DuckDB file."""
    return is_server_url(target)


def data_version(db: Database) -> str:
    """Changes whenever the data change: the key for caches of reads, models and figures.
    It is a counter stored in the database, so every app process sharing a server sees a
    change made through any of them at its next rerun. Read once per run (pinned by
    :func:`begin_run`), fresh again after this process writes."""
    return cache.current_version(db)


def begin_run(db: Database) -> str:
    """Pin the data version for this script run (the frame calls it as a run starts);
    :class:`Unavailable` when the database cannot be reached."""
    try:
        return cache.begin_run(db)
    except StoreError as exc:
        raise Unavailable(str(exc)) from exc


def data_as_of(db: Database) -> str | None:
    """The data's as-of month as recorded by the last generation or import."""
    return measurement_store.get_meta(db, "data_as_of")


def latest_period(db: Database) -> date | None:
    """The latest period held for any measure."""
    return measurement_store.data_as_of(db)


def has_illustrative(db: Database) -> bool:
    """Whether any measurement is illustrative (so pages must say so)."""
    return measurement_store.has_illustrative(db)


def read_only_reason(db: Database) -> str | None:
    """Why changes cannot be saved just now, or None when the file is writable."""
    return db.read_only_reason if db.read_only else None


def move_to_server(source: Database, actor: Actor | None, url: str, *, reason: str | None = None):
    """Copy every row of ``source`` (the DuckDB file, usually) into the PostgreSQL database
    at ``url`` in one step: a signed portable backup of the source, then a checked restore
    into the server (its migrations applied first; the server's previous rows kept in a
    safety backup). Both steps are the data transfer services' own (admin), so the checks
    and the audit trail are those of a backup and a restore made by hand. Returns the
    restore's report; the source is left as it was."""
    from nlf_planner.services import data_transfer

    if not is_server_url(url):
        raise Unavailable(f"{url!r} is not a postgresql:// URL, so there is nothing to move to.")
    backup = data_transfer.create_backup(source, actor)
    target = open_store(url)
    try:
        return data_transfer.restore_backup(
            target, actor, backup, reason=reason or "moved from the DuckDB file"
        )
    finally:
        target.close()
