"""Taking data out: any table as CSV or Excel (formula-safe), every table in one workbook,
import templates, and the data dictionary.

Everything here reads, so no role is needed beyond being able to open the app; only stored
tables can be named (never SQL), and text that a spreadsheet would run as a formula is
written so it shows as text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nlf_planner import exports_tables as export_rules
from nlf_planner import imports as import_rules
from nlf_planner.models import Measure
from nlf_planner.services.errors import NotFound
from nlf_planner.store import Database
from nlf_planner.store import backup as backup_store
from nlf_planner.store import reference as reference_store
from nlf_planner.store.backup import BackupError

#: The measure columns the dictionary shows, in reading order.
MEASURE_COLUMNS = [f for f in Measure.model_fields if f != "headline"]


@dataclass(frozen=True)
class ExportFile:
    """A file ready to download: its bytes, name and MIME type."""

    data: bytes
    file_name: str
    mime: str


def table_names(db: Database) -> list[str]:
    """Every stored table, the only names an export accepts."""
    return backup_store.table_names(db)


def row_counts(db: Database) -> dict[str, int]:
    return backup_store.table_row_counts(db)


def table_rows(db: Database, name: str, limit: int | None = None) -> pd.DataFrame:
    """One stored table (the first ``limit`` rows); :class:`NotFound` for another name."""
    try:
        return backup_store.read_table(db, name, limit=limit)
    except BackupError as exc:
        raise NotFound(str(exc)) from exc


def table_file(db: Database, name: str, fmt: str) -> ExportFile:
    """One table as ``csv`` or ``xlsx``, formula-safe."""
    return ExportFile(*export_rules.table_export(table_rows(db, name), name, fmt))


def all_tables_workbook(db: Database) -> bytes:
    """Every table in one Excel workbook, one sheet each."""
    return export_rules.to_xlsx_bytes({n: table_rows(db, n) for n in table_names(db)})


def import_template(db: Database, kind: str) -> tuple[bytes, bytes]:
    """(XLSX, CSV) templates for a kind of import, with today's lists of valid codes."""
    lookups = import_rules.reference_sheets(
        kind,
        reference_store.measures(db),
        reference_store.regions(db),
        reference_store.icbs(db),
        {a.code: a.name for a in reference_store.priority_areas(db)},
    )
    return import_rules.template_files(kind, lookups)


def tables_overview(db: Database) -> pd.DataFrame:
    """Each table: what it holds, its size and its columns."""
    return export_rules.tables_overview(backup_store.table_columns(db), row_counts(db))


def column_dictionary(db: Database) -> pd.DataFrame:
    """Every table and column with its type, from the live schema."""
    return export_rules.table_dictionary(backup_store.table_columns(db))


def measures_frame(db: Database) -> pd.DataFrame:
    """The measures with unit, direction, frequency and source, for the dictionary."""
    frame = pd.DataFrame([m.model_dump() for m in reference_store.measures(db)])
    return frame[MEASURE_COLUMNS] if len(frame) else pd.DataFrame(columns=MEASURE_COLUMNS)


def import_columns(kind: str) -> pd.DataFrame:
    """The columns of one kind of import file, described for a data manager."""
    return export_rules.dictionary_frame(import_rules.import_kind(kind).columns)


def dictionary_workbook(db: Database) -> bytes:
    """The data dictionary as one workbook: tables, measures, and every import's columns."""
    return export_rules.to_xlsx_bytes(
        {
            "Tables": column_dictionary(db),
            "Measures": pd.DataFrame([m.model_dump() for m in reference_store.measures(db)]),
            **{
                f"Import {k.label}": export_rules.dictionary_frame(k.columns)
                for k in import_rules.IMPORT_KINDS.values()
            },
        }
    )
