"""Back up or restore the database from the shell (``make backup`` / ``make restore FILE=…``).

``python -m nlf_planner.backup_cli backup [FOLDER_OR_FILE.zip]`` writes a backup zip
(default: data/backups/). ``python -m nlf_planner.backup_cli restore FILE.zip`` checks the
file and swaps it in after an automatic backup of the current state. The app must not be
running: DuckDB lets one process write a file at a time.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from nlf_planner.settings import get_settings
from nlf_planner.store import StoreError, open_database
from nlf_planner.store.backup import create_backup, restore_backup, validate_backup


def _actor() -> str:
    name = os.environ.get("NLF_ACTOR")
    if name:
        return name
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup", help="write a backup zip")
    b.add_argument("dest", nargs="?", default=None, help="folder or .zip path")
    r = sub.add_parser("restore", help="restore from a backup zip")
    r.add_argument("file", help="backup .zip made by NLF Planner")
    r.add_argument("--reason", default="restored from the command line")
    v = sub.add_parser("check", help="check a backup zip without restoring it")
    v.add_argument("file")
    args = parser.parse_args(argv)

    if args.command == "check":
        try:
            manifest = validate_backup(Path(args.file))
        except StoreError as exc:
            print(f"Refused: {exc}", file=sys.stderr)
            return 1
        rows = sum(t["rows"] for t in manifest["tables"].values())
        print(
            f"{args.file}: valid backup, schema version {manifest['schema_version']}, "
            f"{len(manifest['tables'])} tables, {rows:,} rows, made {manifest['created_at']}"
        )
        return 0

    path = get_settings().db_path
    try:
        db = open_database(path)
    except StoreError as exc:
        print(f"Cannot open {path}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "backup":
            out = create_backup(db, args.dest, created_by=_actor())
            print(f"Backup written: {out}")
            return 0
        if db.read_only:
            print(
                f"Cannot restore: {path} is in use by another process (stop the app first, "
                "or restore from the Data page).",
                file=sys.stderr,
            )
            return 2
        try:
            report = restore_backup(db, Path(args.file), actor=_actor(), reason=args.reason)
        except StoreError as exc:
            print(f"Refused: {exc}", file=sys.stderr)
            return 1
        rows = sum(report.tables.values())
        print(
            f"Restored {rows:,} rows in {len(report.tables)} tables from {args.file}. "
            f"The previous state was saved to {report.safety_backup}."
        )
        return 0
    finally:
        db.close()


if __name__ == "__main__":
    raise SystemExit(main())
