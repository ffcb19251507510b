"""Seed the database with illustrative history, plan, scenarios and engagement (``make db``).

Run: ``python -m nlf_planner.cli.generate [--db FILE] [--end-month YYYY-MM] [--seed N]
[--force] [--scale N]``. The file is ``--db`` or ``NLF_DB_PATH`` (default ``data/nlf.duckdb``).
A file that already holds history is left as it is unless ``--force`` is given, so ``make
run`` can call this every time. Acts as the command-line user (``SYSTEM``) through the same
seeding service the tests use.

Exit codes: 0 seeded or already seeded; 1 seeding refused or failed; 2 the file cannot be
opened or is read-only (another process holds it), or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from nlf_planner.services import reference as reference_service
from nlf_planner.services.actor import SYSTEM
from nlf_planner.services.database import open_store
from nlf_planner.services.errors import ReadOnly, ServiceError, Unavailable
from nlf_planner.services.seeding import DEFAULT_SEED, SeedResult, seed_database
from nlf_planner.settings import get_settings

EXIT_OK, EXIT_FAILED, EXIT_UNAVAILABLE = 0, 1, 2


def _parse_month(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {text!r}") from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nlf_planner.cli.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--db",
        default=None,
        help="database file or postgresql:// URL (default: NLF_DATABASE_URL, NLF_DB_PATH or data/)",
    )
    parser.add_argument(
        "--end-month",
        type=_parse_month,
        default=None,
        help="last month of history, YYYY-MM (default: latest complete month)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="N x the history for scale tests: adds N-1 synthetic copies of every ICB",
    )
    parser.add_argument(
        "--force", action="store_true", help="regenerate the history even if the file holds some"
    )
    return parser


def _summary(path: Path, result: SeedResult, n_regions: int) -> str:
    if not result.rows:
        return (
            f"{path}: already seeded, nothing written ({n_regions} regions); "
            "use --force to regenerate the history"
        )
    as_of = f"{result.data_as_of:%Y-%m}" if result.data_as_of else "?"
    return (
        f"{path}: {result.rows:,} illustrative rows written to {as_of} "
        f"(seed {result.seed}, {n_regions} regions)"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    path = args.db or get_settings().database_target
    try:
        db = open_store(path)
    except Unavailable as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    try:
        result = seed_database(
            db, SYSTEM, args.end_month, args.seed, force=args.force, scale=args.scale
        )
        n_regions = len(reference_service.regions(db))
    except ReadOnly as exc:
        print(f"{exc} Stop the app (or the other process) and run this again.", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except ServiceError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        db.close()
    print(_summary(path, result, n_regions))
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
