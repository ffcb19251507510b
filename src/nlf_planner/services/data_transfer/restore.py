"""Restoring a backup: check the file completely, show how it differs from now, then swap it
in whole after an automatic backup of the current state.

Checking reads only the file and the current row counts, so anyone may see whether a file is
a sound backup. Restoring replaces every row, so it needs the admin role; the store builds the
restored file beside the live one, records the restore in its audit log and swaps it in with
one rename, or leaves the live data untouched.

Signatures (:mod:`.signing`): a backup whose signature does not match (edited, even with its
checksums recomputed) or was made with another server's key is refused, by the check and by
the restore. An unsigned backup (from before backups were signed, or with its signature
stripped) is restored only when the admin says so (``allow_unsigned``); the audit row of every
restore names the file and its signature status.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from nlf_planner.services import cache
from nlf_planner.services.access import require
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.data_transfer import signing
from nlf_planner.services.data_transfer.backups import prune_automatic, signer, signing_key
from nlf_planner.services.data_transfer.errors import REFUSALS, clean_text, refusal
from nlf_planner.services.errors import ReadOnly, ValidationFailed
from nlf_planner.store import Database
from nlf_planner.store import backup as backup_store
from nlf_planner.store.backup import BackupError, RestoreReport

NOTHING_RESTORED = "Nothing was restored"

BackupSource = bytes | Path | str

__all__ = [
    "BackupCheck",
    "RestoreReport",
    "check_backup",
    "compare_with_current",
    "restore_backup",
    "validate_backup",
]


@dataclass(frozen=True)
class BackupCheck:
    """A backup that passed every check, and how its tables compare with the data now."""

    manifest: dict[str, Any]
    comparison: pd.DataFrame
    signature: str = signing.UNSIGNED

    @property
    def signed(self) -> bool:
        """Signed by this server's key and unedited since (an unsigned one needs a say-so)."""
        return self.signature == signing.VERIFIED

    @property
    def created_at(self) -> str | None:
        return self.manifest.get("created_at")

    @property
    def created_by(self) -> str:
        return self.manifest.get("created_by") or ""

    @property
    def schema_version(self) -> int:
        return int(self.manifest["schema_version"])

    @property
    def rows(self) -> int:
        return sum(int(t["rows"]) for t in self.manifest["tables"].values())


def validate_backup(source: BackupSource) -> dict[str, Any]:
    """The manifest of a backup that passed every check (format, schema version, files,
    checksums); :class:`ValidationFailed` saying why a file cannot be restored."""
    try:
        return backup_store.validate_backup(source)
    except BackupError as exc:
        raise ValidationFailed(
            f"This file cannot be restored: {exc} The current data are unchanged."
        ) from exc


def compare_with_current(manifest: dict[str, Any], current: dict[str, int]) -> pd.DataFrame:
    """Per table: rows now, rows in the backup, and the difference a restore would make."""
    return pd.DataFrame(
        [
            {
                "table": name,
                "rows now": current.get(name),
                "rows in backup": meta["rows"],
                "difference": meta["rows"] - (current.get(name) or 0),
            }
            for name, meta in sorted(manifest["tables"].items())
        ],
        columns=["table", "rows now", "rows in backup", "difference"],
    )


def check_backup(db: Database, source: BackupSource) -> BackupCheck:
    """Check a backup (its signature too) and compare it table by table with the data now;
    writes nothing. An edited or foreign-key backup is refused (:class:`ValidationFailed`)."""
    manifest = validate_backup(source)
    status = signing.signature_status(source, signing_key(db))
    counts = backup_store.table_row_counts(db)
    return BackupCheck(manifest, compare_with_current(manifest, counts), status)


def restore_backup(
    db: Database,
    actor: Actor | None,
    source: BackupSource,
    *,
    reason: str | None = None,
    label: str | None = None,
    safety_dir: Path | str | None = None,
    allow_unsigned: bool = False,
) -> RestoreReport:
    """Replace every row with the backup's (admin), after keeping the current state in
    data/backups/ (or ``safety_dir``, signed like every backup); the live data stay as they
    were if anything fails. A backup whose signature fails is refused; an unsigned one needs
    ``allow_unsigned`` (the admin's explicit confirmation)."""
    actor = require(actor, Role.ADMIN, "restore a backup")
    if db.read_only:
        why = f"{NOTHING_RESTORED}: the database is open read-only. {db.read_only_reason or ''}"
        raise ReadOnly(why.strip())
    reason = clean_text(reason, "The reason for the restore", NOTHING_RESTORED)
    try:
        with _private_copy(db, source) as frozen:
            backup_store.validate_backup(frozen)  # the store's words for a file that is no backup
            status = signing.signature_status(frozen, signing_key(db))
            if status == signing.UNSIGNED and not allow_unsigned:
                raise signing.unsigned_refusal()
            report = backup_store.restore_backup(
                db,
                frozen,
                actor=actor.display_name,
                reason=reason,
                label=_audit_label(source, label, status),
                safety_dir=safety_dir,
                finish_backup=signer(db),  # signed before it is moved into place
            )
        if report.safety_backup is not None:
            prune_automatic(report.safety_backup.parent)
        cache.clear()  # every row was replaced: drop cached results now, not at the next key
    except REFUSALS as exc:
        raise refusal(exc, NOTHING_RESTORED) from exc
    return report


@contextmanager
def _private_copy(db: Database, source: BackupSource) -> Iterator[BackupSource]:
    """The backup as it was when the restore began: a file is copied somewhere only this
    process writes, so the file checked (signature included) is the file restored, even if
    the original is replaced meanwhile. Bytes are already private. The copy (personal data)
    goes in the database's own locked work folder, never the system temp folder, so what a
    killed restore leaves is found and swept (:func:`backup_store.sweep_leftovers`)."""
    if isinstance(source, (bytes, bytearray)):
        yield source
        return
    if not Path(source).is_file():
        backup_store.validate_backup(source)  # raises the store's "does not exist" message
    with backup_store.work_folder(backup_store.work_home(db), "nlf-restore-source-") as tmp:
        copy = tmp / Path(source).name
        shutil.copyfile(source, copy)
        yield copy


def _audit_label(source: BackupSource, label: str | None, status: str) -> str:
    """Which file, and its signature status: the audit row's entity, in one transaction with
    the restore itself."""
    name = label or (
        Path(source).name if not isinstance(source, (bytes, bytearray)) else "uploaded backup"
    )
    how = status if status == signing.VERIFIED else f"{status}, restored on the admin's say-so"
    return f"{name} ({how})"
