"""Importing a data manager's file: read, check, preview, then apply in one transaction.

Reading and checking write nothing and need no role, so anyone can see what is wrong with a
file. Applying needs the data manager role (one with a region scope only for files whose
every row lies in their region), refuses a file with problems before the store is touched,
optionally keeps a signed backup of the data as they were, and leaves the store to write
every row and its audit row (``actor.display_name``) in one transaction, or nothing at all.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nlf_planner import imports as import_rules
from nlf_planner.imports import CheckedImport, ColumnMap, ImportKind, Issue, Table
from nlf_planner.services.access import require, require_scope
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.data_transfer.backups import prune_automatic, signed_backup
from nlf_planner.services.data_transfer.errors import REFUSALS, clean_text, refusal, unreadable
from nlf_planner.services.data_transfer.import_kinds import (
    IMPORTERS,
    ApplyRequest,
    ImportPreview,
    plural,
)
from nlf_planner.services.errors import NotFound, ReadOnly, ValidationFailed
from nlf_planner.store import Database

NOTHING_IMPORTED = "Nothing was imported"


@dataclass(frozen=True)
class ImportCheck:
    """A file read and checked for one kind of import: what the preview and apply take."""

    kind: ImportKind
    result: CheckedImport
    file_sha256: str
    #: Which of the file's headings was taken for which column ("Area Code" → geo_code),
    #: and which were ignored; the page shows it beside the problems and in the preview.
    columns: ColumnMap = field(default_factory=ColumnMap)

    @property
    def source_name(self) -> str:
        return self.result.source_name

    @property
    def issues(self) -> list[Issue]:
        return self.result.issues

    @property
    def errors(self) -> list[Issue]:
        return self.result.errors

    @property
    def warnings(self) -> list[Issue]:
        return self.result.warnings

    @property
    def ok(self) -> bool:
        """No problems and at least one row: the file may be applied."""
        return self.result.ok

    def issues_frame(self) -> pd.DataFrame:
        return import_rules.issues_frame(self.issues)


@dataclass(frozen=True)
class ImportOutcome:
    """What an applied import did, in a sentence, and where the data as they were are kept."""

    message: str
    backup: Path | None


def import_kinds() -> list[ImportKind]:
    """The kinds of import on offer, in the order the Data page lists them."""
    return [imp.kind for imp in IMPORTERS.values()]


def import_kind(key: str) -> ImportKind:
    """One kind by its key (the URL's ``kind``); :class:`NotFound` for another key."""
    if key not in IMPORTERS:
        raise NotFound(f"There is no import of kind {key!r}.")
    return IMPORTERS[key].kind


def read_upload(data: bytes, filename: str, sheet: str | None = None) -> Table:
    """An uploaded file as text cells; :class:`FileUnreadable` (or, for a workbook with several
    data sheets, :class:`SheetChoiceNeeded` with the sheets) when it cannot be read."""
    try:
        return import_rules.read_table(data, filename, sheet)
    except import_rules.ImportFileError as exc:
        raise unreadable(exc) from exc


def check_import(db: Database, kind: str, table: Table, data: bytes | None = None) -> ImportCheck:
    """Check every row for ``kind`` against the reference data held now; writes nothing.

    ``data`` (the file's bytes) is fingerprinted for the audit row."""
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise NotFound(f"There is no import of kind {kind!r}.")
    sha = hashlib.sha256(data).hexdigest() if data is not None else ""
    result = importer.check(db, table)
    return ImportCheck(importer.kind, result, sha, table.column_map or ColumnMap())


def check_upload(
    db: Database, kind: str, data: bytes, filename: str, sheet: str | None = None
) -> ImportCheck:
    """Read and check an upload in one call (for tools and tests)."""
    return check_import(db, kind, read_upload(data, filename, sheet), data)


def preview_import(db: Database, checked: ImportCheck) -> ImportPreview:
    """What applying ``checked`` would change now; writes nothing."""
    _refuse_unless_ok(checked)
    preview = IMPORTERS[checked.kind.key].preview(db, checked.result)
    return dataclasses.replace(preview, columns=checked.columns)


def apply_import(
    db: Database,
    actor: Actor | None,
    checked: ImportCheck,
    *,
    reason: str | None = None,
    backup_first: bool = True,
    allow_removal: bool = True,
) -> ImportOutcome:
    """Write a checked file (data manager); with ``backup_first`` the data as they were are
    kept in data/backups/ first, so the import can be undone by a restore. With
    ``allow_removal=False`` (the Data page, until the person ticks the confirmation) a file
    that would remove stored history is refused, saying what it would remove."""
    require(actor, Role.DATA_MANAGER, "import data")
    _refuse_unless_ok(checked)
    importer = IMPORTERS[checked.kind.key]
    if not allow_removal:
        _refuse_unconfirmed_removal(importer.preview(db, checked.result))
    actor = require_scope(
        db, actor, Role.DATA_MANAGER, "import data", importer.geographies(db, checked.result)
    )
    if db.read_only:
        why = f"{NOTHING_IMPORTED}: the database is open read-only. {db.read_only_reason or ''}"
        raise ReadOnly(why.strip())
    reason = clean_text(reason, "The reason for the import", NOTHING_IMPORTED)
    request = ApplyRequest(actor.display_name, reason, checked.file_sha256)
    try:
        kept = _backup_before_import(db, actor) if backup_first else None
        message = importer.apply(db, checked.result, request)
    except REFUSALS as exc:
        raise refusal(exc, NOTHING_IMPORTED) from exc
    if kept is not None:
        message += f" The data as they were are kept in {kept.name}."
    return ImportOutcome(message, kept)


def _backup_before_import(db: Database, actor: Actor) -> Path:
    kept = signed_backup(
        db,
        None,
        created_by=f"automatic backup before an import by {actor.display_name}",
        prefix="nlf-before-import",
    )
    prune_automatic(kept.parent)
    return kept


def _refuse_unconfirmed_removal(preview: ImportPreview) -> None:
    if preview.removes:
        what = preview.removal_warning or f"This import removes {preview.removes:,} rows."
        raise ValidationFailed(f"{NOTHING_IMPORTED}: {what} Confirm the removal to import.")


def _refuse_unless_ok(checked: ImportCheck) -> None:
    if checked.errors:
        n = len(checked.errors)
        raise ValidationFailed(
            f"{NOTHING_IMPORTED}: {checked.source_name} has {plural(n, 'problem')} to fix first.",
            checked.errors,
        )
    if not checked.ok:
        raise ValidationFailed(f"{NOTHING_IMPORTED}: the file holds no rows to import.")
