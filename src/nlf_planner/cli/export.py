"""Write a board pack without the app (scheduled packs), through the same deck service the
Present page calls, so a pack from the command line holds the slides the page shows.

Run: ``python -m nlf_planner.cli.export --format pptx|pdf|html --region CODE_OR_NAME
--out FILE [--plan-version N] [--scenario ID ...] [--db FILE]``.

Exit codes: 0 written; 1 the deck or the pack could not be made (unknown region or plan
version, no Chromium for an image pack); 2 there is no database file or it cannot be opened.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nlf_planner import export
from nlf_planner.deck import Deck, DeckChoices
from nlf_planner.services import deck as deck_service
from nlf_planner.services.database import is_server, open_store
from nlf_planner.services.errors import ServiceError, Unavailable
from nlf_planner.settings import get_settings

EXIT_OK, EXIT_FAILED, EXIT_UNAVAILABLE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nlf_planner.cli.export",
        description="Write a board pack (PowerPoint, PDF or HTML).",
    )
    parser.add_argument("--format", choices=export.FORMATS, required=True)
    parser.add_argument("--region", default=None, help="region code or name (default England)")
    parser.add_argument("--plan-version", type=int, default=None, help="default: current")
    parser.add_argument(
        "--scenario", action="append", default=None, help="scenario id (repeat for several)"
    )
    parser.add_argument(
        "--db",
        default=None,
        help="database file or postgresql:// URL (default: NLF_DATABASE_URL, else NLF_DB_PATH)",
    )
    parser.add_argument("--out", required=True, help="file to write")
    return parser


def _pack(db_path: Path | str, args: argparse.Namespace) -> tuple[Deck, bytes]:
    """The deck for the arguments and its bytes in the chosen format."""
    db = open_store(db_path)
    try:
        choices = DeckChoices(
            region=deck_service.resolve_region(db, args.region),
            plan_version=args.plan_version,
            scenarios=tuple(args.scenario) if args.scenario else None,
        )
        deck = deck_service.build_deck(db, choices)
    finally:
        db.close()
    return deck, export.export_deck(deck, args.format)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    path = args.db or get_settings().database_target
    if not is_server(path) and not Path(path).exists():
        print(
            f"No database at {path}: run `python -m nlf_planner.cli.generate` first.",
            file=sys.stderr,
        )
        return EXIT_UNAVAILABLE
    try:
        deck, data = _pack(path, args)
    except Unavailable as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNAVAILABLE
    except (ServiceError, export.ExportError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    Path(args.out).write_bytes(data)
    print(f"Wrote {args.out}: {len(deck.slides)} slides ({args.format}).")
    missing = "; ".join(f"{s.label} ({s.reason})" for s in deck.missing())
    if missing:
        print(f"Sections not included: {missing}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
