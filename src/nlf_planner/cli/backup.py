"""Back up or restore the database from the shell (``make backup`` / ``make restore FILE=…``).

``python -m nlf_planner.cli.backup backup [FOLDER_OR_FILE.zip]`` writes a backup zip
(default: data/backups/). ``python -m nlf_planner.cli.backup restore FILE.zip`` checks the
file and swaps it in after an automatic backup of the current state; ``check FILE.zip`` only
checks it (its signature too); ``migrate --to postgresql://…`` copies the DuckDB file
into a PostgreSQL database in one step (``make migrate-to-postgres URL=…``). The app must
not be running for a restore: DuckDB lets one process write a file at a time. Every step
goes through the data transfer services as the command-line actor, so the checks and the
audit trail are the page's.

Who the command line is: ``SYSTEM``, an admin for all England, named in the audit log after
the operating-system user (or ``NLF_ACTOR``). Whoever can run this on the server can already
read and replace the database file itself, so the tools grant nothing the shell does not;
they still go through the same role, scope and signature checks. An unsigned backup (made
before backups were signed) is restored only with ``--allow-unsigned``.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import os
import re
import sys
from pathlib import Path

from nlf_planner.services import data_transfer
from nlf_planner.services.actor import SYSTEM, Actor
from nlf_planner.services.database import Database, move_to_server, open_store
from nlf_planner.services.errors import ServiceError, Unavailable
from nlf_planner.settings import get_settings


def command_line_actor() -> Actor:
    """The server's own actor, named for the audit log: ``NLF_ACTOR`` when set, else the
    operating-system user who ran the command."""
    name = os.environ.get("NLF_ACTOR")
    if not name:
        try:
            name = f"{getpass.getuser()} (command line)"
        except (KeyError, OSError):
            name = SYSTEM.display_name
    return dataclasses.replace(SYSTEM, display_name=name)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup", help="write a backup zip")
    b.add_argument("dest", nargs="?", default=None, help="folder or .zip path")
    r = sub.add_parser("restore", help="restore from a backup zip")
    r.add_argument("file", help="backup .zip made by NLF Planner")
    r.add_argument("--reason", default="restored from the command line")
    r.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="restore a backup that carries no signature (one made before backups were signed)",
    )
    m = sub.add_parser(
        "migrate",
        help="copy this installation into a PostgreSQL database (make migrate-to-postgres)",
    )
    m.add_argument("--to", required=True, dest="url", help="postgresql://user@host:port/dbname")
    m.add_argument("--reason", default="moved from the DuckDB file")
    v = sub.add_parser("check", help="check a backup zip without restoring it")
    v.add_argument("file")
    return parser


def _check(db: Database, file: Path) -> int:
    try:
        checked = data_transfer.check_backup(db, file)
    except ServiceError as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 1
    manifest = checked.manifest
    print(
        f"{file}: valid backup ({checked.signature}), schema version "
        f"{manifest['schema_version']}, {len(manifest['tables'])} tables, {checked.rows:,} "
        f"rows, made {manifest['created_at']}"
    )
    return 0


def _backup(db: Database, dest: str | None) -> int:
    try:
        out = data_transfer.create_backup(db, command_line_actor(), dest)
    except ServiceError as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 1
    print(f"Backup written: {out}")
    return 0


def _restore(db: Database, file: Path, reason: str, allow_unsigned: bool = False) -> int:
    if db.read_only:
        print(
            f"Cannot restore: {db.path} is in use by another process (stop the app first, "
            "or restore from the Data page).",
            file=sys.stderr,
        )
        return 2
    try:
        report = data_transfer.restore_backup(
            db, command_line_actor(), file, reason=reason, allow_unsigned=allow_unsigned
        )
    except ServiceError as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 1
    print(
        f"Restored {sum(report.tables.values()):,} rows in {len(report.tables)} tables from "
        f"{file}. The previous state was saved to {report.safety_backup}."
    )
    return 0


def _migrate(db: Database, url: str, reason: str) -> int:
    try:
        report = move_to_server(db, command_line_actor(), url, reason=reason)
    except ServiceError as exc:
        print(f"Not moved: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, Unavailable) else 1
    print(
        f"Moved {sum(report.tables.values()):,} rows in {len(report.tables)} tables from "
        f"{db.path} to {redacted(url)}. The server's previous state was saved to "
        f"{report.safety_backup}. Set NLF_DATABASE_URL to use it."
    )
    return 0


def redacted(url: str) -> str:
    """The URL without a password, for the terminal."""
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # A move copies the DuckDB file (NLF_DB_PATH) whatever NLF_DATABASE_URL says.
    settings = get_settings()
    path = settings.db_path if args.command == "migrate" else settings.database_target
    try:
        db = open_store(path)
    except ServiceError as exc:
        print(f"Cannot open {path}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "check":  # the key is the database's, so the store is opened
            return _check(db, Path(args.file))
        if args.command == "backup":
            return _backup(db, args.dest)
        if args.command == "migrate":
            return _migrate(db, args.url, args.reason)
        return _restore(db, Path(args.file), args.reason, args.allow_unsigned)
    finally:
        db.close()


if __name__ == "__main__":
    raise SystemExit(main())
