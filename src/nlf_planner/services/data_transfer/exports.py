"""Taking data out: any table as CSV or Excel (formula-safe), every table in one workbook,
import templates, and the data dictionary.

Everything here reads. Most tables are open to anyone who can open the app, but a table
holding personal data (:data:`PERSONAL_TABLES`: stakeholders' contact details, who has signed
in) needs the role that may take those details away, and the every-table workbook is a full
copy of the data, so it needs an admin, as a full backup does. ``table_rows`` is the
unchecked read the services and tests use; pages go through :func:`table_preview` and
:func:`table_file`. Only stored tables can be named (never SQL), and text that a spreadsheet
would run as a formula is written so it shows as text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nlf_planner import exports_tables as export_rules
from nlf_planner import imports as import_rules
from nlf_planner.models import Measure
from nlf_planner.services.access import NATIONAL, require, require_scope
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.errors import NotFound
from nlf_planner.store import Database
from nlf_planner.store import backup as backup_store
from nlf_planner.store import reference as reference_store
from nlf_planner.store.backup import BackupError

#: Tables holding personal data, and the role that may export them: stakeholders' contact
#: details (owner, next step, who met whom) as the Engagement page's downloads; the sign-in
#: records (names, emails, last seen) as the admin's list of who has signed in.
PERSONAL_TABLES: dict[str, Role] = {
    "stakeholders": Role.EDITOR,
    "event_stakeholders": Role.EDITOR,
    "app_users": Role.ADMIN,
}

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


def export_role(name: str) -> Role:
    """The role needed to see or export a table (viewer unless it holds personal data)."""
    return PERSONAL_TABLES.get(name, Role.VIEWER)


def _may_export(db: Database, actor: Actor | None, name: str) -> None:
    """A personal-data table holds every region's rows, so someone with a region scope is
    refused it (the Engagement page's downloads give them their own region's)."""
    role = export_role(name)
    if role is not Role.VIEWER:
        action = f"see or download the {name} table (it holds personal data)"
        require_scope(db, actor, role, action, NATIONAL)


def table_preview(db: Database, actor: Actor | None, name: str, limit: int) -> pd.DataFrame:
    """The first ``limit`` rows of a table, for a person allowed to see it."""
    _may_export(db, actor, name)
    return table_rows(db, name, limit=limit)


def table_file(db: Database, actor: Actor | None, name: str, fmt: str) -> ExportFile:
    """One table as ``csv`` or ``xlsx``, formula-safe, for a person allowed to export it."""
    _may_export(db, actor, name)
    return ExportFile(*export_rules.table_export(table_rows(db, name), name, fmt))


def all_tables_workbook(db: Database, actor: Actor | None) -> bytes:
    """Every table in one Excel workbook, one sheet each (admin: it is all the data)."""
    require(actor, Role.ADMIN, "download every table (all the data, personal data included)")
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
