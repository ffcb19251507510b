"""Framework content and geography: loaded from shipped CSVs, read back as typed records."""

from __future__ import annotations

import csv
from pathlib import Path

from nlf_planner.geography import ENGLAND_CODE, ENGLAND_NAME
from nlf_planner.models import ICB, Condition, Measure, PriorityArea, Region
from nlf_planner.settings import CONTENT_DIR, REFERENCE_DIR
from nlf_planner.store import dialect
from nlf_planner.store.db import Cursor, Database


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_content_records() -> dict[str, list]:
    """Parse and validate the shipped CSVs; a malformed row fails here, not in a page."""
    return {
        "conditions": [Condition(**r) for r in _read_csv(CONTENT_DIR / "conditions.csv")],
        "priority_areas": [
            PriorityArea(**r) for r in _read_csv(CONTENT_DIR / "priority_areas.csv")
        ],
        "measures": [
            Measure(**{**r, "headline": r["headline"] == "1"})
            for r in _read_csv(CONTENT_DIR / "measures.csv")
        ],
        "regions": [
            Region(
                code=r["region_code"],
                ods_code=r["ods_code"],
                name=r["name"],
                short_name=r["short_name"],
            )
            for r in _read_csv(REFERENCE_DIR / "regions.csv")
        ],
        "icbs": [
            ICB(
                code=r["icb_code"],
                ods_code=r["ods_code"],
                name=r["name"],
                region_code=r["region_code"],
            )
            for r in _read_csv(REFERENCE_DIR / "icbs.csv")
        ],
    }


# Each reference table's columns are its record's fields, in order.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "conditions": tuple(Condition.model_fields),
    "priority_areas": tuple(PriorityArea.model_fields),
    "measures": tuple(Measure.model_fields),
    "regions": tuple(Region.model_fields),
    "icbs": tuple(ICB.model_fields),
}


def write_reference(cur: Cursor) -> dict[str, int]:
    """Insert content and geography (inside the caller's transaction); existing rows are kept."""
    counts: dict[str, int] = {}
    for table, records in load_content_records().items():
        cols = _COLUMNS[table]
        rows = [[getattr(rec, c) for c in cols] for rec in records]
        cur.executemany(dialect.insert_values_sql(table, cols, conflict="ignore"), rows)
        counts[table] = len(rows)
    return counts


def ensure_reference(db: Database) -> None:
    """Load reference content into a new file; a no-op once it is there."""
    if db.read_only or (db.scalar("SELECT count(*) FROM measures") or 0) > 0:
        return
    db.write(write_reference)


def conditions(db: Database) -> list[Condition]:
    df = db.df("SELECT code, name, seed_wording, sort_order FROM conditions ORDER BY sort_order")
    return [Condition(**r) for r in df.to_dict("records")]


def priority_areas(db: Database) -> list[PriorityArea]:
    df = db.df(
        "SELECT code, name, condition_code, actions, sort_order FROM priority_areas "
        "ORDER BY sort_order"
    )
    return [PriorityArea(**r) for r in df.to_dict("records")]


def measures(db: Database) -> list[Measure]:
    df = db.df(
        "SELECT code, name, area_code, unit, polarity, frequency, baseline, definition, "
        "source, headline FROM measures ORDER BY code"
    )
    return [Measure(**r) for r in df.to_dict("records")]


def measure(db: Database, code: str) -> Measure | None:
    return next((m for m in measures(db) if m.code == code), None)


def regions(db: Database) -> list[Region]:
    df = db.df("SELECT code, ods_code, name, short_name FROM regions ORDER BY name")
    return [Region(**r) for r in df.to_dict("records")]


def icbs(db: Database, region_code: str | None = None) -> list[ICB]:
    if region_code:
        df = db.df(
            "SELECT code, ods_code, name, region_code FROM icbs WHERE region_code = ? "
            "ORDER BY name",
            [region_code],
        )
    else:
        df = db.df("SELECT code, ods_code, name, region_code FROM icbs ORDER BY name")
    return [ICB(**r) for r in df.to_dict("records")]


def geography_names(db: Database) -> dict[str, str]:
    """Code → display name for England, every region and every ICB."""
    names = {ENGLAND_CODE: ENGLAND_NAME}
    names.update({r.code: r.name for r in regions(db)})
    names.update({i.code: i.name for i in icbs(db)})
    return names
