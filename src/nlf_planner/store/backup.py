"""Backup to one zip file and restore from it, checked and swapped in atomically.

A backup is a zip holding one Parquet file per table plus ``manifest.json`` (format, schema
version, app and DuckDB versions, row counts, columns, SHA-256 of every file, sequence
positions). All tables are read in one transaction, so the backup is a consistent snapshot.

Restore never touches the live file until the new one is complete and checked: it verifies
the manifest and every checksum, builds a new DuckDB file beside the live one from our own
migrations (so no SQL from the file is ever run), loads each table, checks the row counts,
applies any newer migrations, records the restore in the audit log, takes an automatic
backup of the current state, and then replaces the live file with one atomic rename.

Work files (the half-built restored file, the Parquet parts, a backup before it is moved
into place) live only in work folders named ``nlf-restore-*`` / ``nlf-backup-*`` (mode
0700) beside the database or in its backups folder, each held by a lock file
(``<folder>.lock``, flock) for as long as its process works in it. A process killed
mid-way (SIGKILL runs no ``finally``) drops its lock, so :func:`sweep_leftovers` (at each
restore and whenever the services open the database) removes exactly what dead processes
left, never a live one's work, a kept backup or the database itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from nlf_planner import __version__
from nlf_planner.imports.files import MAX_COMPRESSION_RATIO
from nlf_planner.store import dialect
from nlf_planner.store.audit import record
from nlf_planner.store.db import Cursor, Database, DriverError, StoreError
from nlf_planner.store.migrations import MIGRATIONS, apply_migrations, schema_version

FORMAT = "nlf-planner-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MAX_BACKUP_UNPACKED_BYTES = 4 * 1024**3
_SKIP_TABLES = {"schema_migrations"}  # rebuilt from our own migrations on restore
#: How far past its table's largest id a restored sequence may stand (see
#: :func:`sequence_after_restore`).
SEQUENCE_SLACK = 10_000
#: The largest manifest.json read (a real one is a few KB).
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


class BackupError(StoreError):
    """A backup could not be made, or a file cannot be restored; the message says why."""


@dataclass
class RestoreReport:
    restored_from: str
    schema_version: int
    tables: dict[str, int]
    safety_backup: Path | None
    warnings: list[str] = field(default_factory=list)


# --- tables --------------------------------------------------------------------------------


def _tables(cur: Cursor) -> list[str]:
    return dialect.tables(cur)


def table_names(db: Database) -> list[str]:
    """Every stored table (the whitelist for exports and backups)."""
    with db.cursor() as cur:
        return _tables(cur)


def table_columns(db: Database) -> dict[str, list[tuple[str, str]]]:
    """Column names and types of every table, in schema order (for the data dictionary)."""
    with db.cursor() as cur:
        found = dialect.columns(cur)
    out: dict[str, list[tuple[str, str]]] = {}
    for t, c, ty in found:
        out.setdefault(t, []).append((c, ty))
    return out


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def read_table(db: Database, name: str, limit: int | None = None) -> pd.DataFrame:
    """One whole table; the name must be one of :func:`table_names` (never user SQL)."""
    if name not in table_names(db):
        raise BackupError(f"There is no table called {name!r}.")
    sql = f"SELECT * FROM {_quote(name)}"
    if limit is not None:
        return db.df(sql + " LIMIT ?", [int(limit)])
    return db.df(sql)


def table_row_counts(db: Database) -> dict[str, int]:
    with db.cursor() as cur:
        return {
            t: cur.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0] for t in _tables(cur)
        }


# --- work folders ----------------------------------------------------------------------------

#: A work folder's name: one of our prefixes and a random part (tempfile's or ours), never
#: a ``.zip`` (a kept backup's name also starts ``nlf-backup-``, but it is a file).
_WORK_NAME = re.compile(r"^(nlf-restore-source-|nlf-restore-|nlf-backup-)[A-Za-z0-9_]+$")
_LOCK_SUFFIX = ".lock"


def work_home(db: Database) -> Path:
    """Where this database's work folders go: beside a DuckDB file (so the restored file is
    renamed over the live one on the same file system), in the backups folder for a server
    database (which has no folder of its own). Never the system temp folder, where a killed
    restore's copy of a backup (personal data) would stay unseen."""
    if db.dialect == dialect.DUCKDB:
        return Path(db.path).resolve().parent
    return default_backup_dir(db)


@contextlib.contextmanager
def work_folder(home: Path, prefix: str) -> Iterator[Path]:
    """A private folder (0700) in ``home`` for one operation's work files, locked while in
    use and removed at the end; a process killed inside leaves it unlocked for the sweep.
    The lock file comes first and goes last, so a folder without one is always dead."""
    home.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}{uuid.uuid4().hex[:16]}"
    lock_path = home / (name + _LOCK_SUFFIX)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        folder = home / name
        folder.mkdir(mode=0o700)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        lock_path.unlink(missing_ok=True)
        os.close(fd)


@contextlib.contextmanager
def _scratch(home: Path, prefix: str) -> Iterator[Path]:
    """A work folder in ``home``, or the system temp folder when ``home`` cannot be written
    (a read-only database may still be downloaded as a backup)."""
    try:
        work = work_folder(home, prefix)
        folder = work.__enter__()
    except OSError:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            yield Path(tmp)
        return
    try:
        yield folder
    except BaseException as exc:
        if not work.__exit__(type(exc), exc, exc.__traceback__):
            raise
    else:
        work.__exit__(None, None, None)


def _claim(lock_path: Path) -> int | None:
    """The lock of a dead process's work folder (an open descriptor), or None while a live
    process holds it (flock: released by the kernel when its holder dies)."""
    try:
        fd = os.open(lock_path, os.O_RDWR)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def sweep_work(home: Path | str, live: Path | None = None) -> list[Path]:
    """Remove what killed operations left in ``home``: unlocked work folders and their lock
    files, folders with no lock file (made by this app before locks), and for the DuckDB
    file ``live`` the ``.<name>.restoring-*`` files an older restore built beside it. Never
    a kept backup (a file) or the database. Returns what was removed."""
    home = Path(home)
    removed: list[Path] = []
    if not home.is_dir():
        return removed
    for lock_path in sorted(home.glob("nlf-*" + _LOCK_SUFFIX)):
        name = lock_path.name[: -len(_LOCK_SUFFIX)]
        if not _WORK_NAME.match(name) or (fd := _claim(lock_path)) is None:
            continue
        try:
            shutil.rmtree(home / name, ignore_errors=True)
            lock_path.unlink(missing_ok=True)
            removed.append(home / name)
        finally:
            os.close(fd)
    for folder in sorted(home.glob("nlf-*")):
        if (
            _WORK_NAME.match(folder.name)
            and folder.is_dir()
            and not folder.is_symlink()
            and not (home / (folder.name + _LOCK_SUFFIX)).exists()
        ):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if live is not None:
        for old in sorted(home.glob(f".{glob.escape(live.name)}.restoring-*")):
            if old.is_file() and old.resolve() != live.resolve():
                old.unlink(missing_ok=True)
                removed.append(old)
    return removed


def sweep_leftovers(db: Database) -> list[Path]:
    """Remove every leftover of a killed backup or restore of this database (see
    :func:`sweep_work`), beside it and in its backups folder; never raises (a sweep must not
    stop the database opening). Nothing on a database open read-only (it cannot be written,
    or another process holds it)."""
    if db.read_only:
        return []
    live = Path(db.path).resolve() if db.dialect == dialect.DUCKDB else None
    removed: list[Path] = []
    for home in dict.fromkeys([work_home(db), default_backup_dir(db)]):
        with contextlib.suppress(OSError):
            removed += sweep_work(home, live)
    return removed


# --- backup --------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def default_backup_dir(db: Database) -> Path:
    return db.backup_dir


def backup_file_name(prefix: str = "nlf-backup") -> str:
    return f"{prefix}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.zip"


def create_backup(
    db: Database,
    dest: Path | str | None = None,
    *,
    created_by: str = "",
    prefix: str = "nlf-backup",
    finish: Callable[[Path], object] | None = None,
) -> Path:
    """Write a backup zip (to ``dest``, a file or folder; default data/backups/).

    ``finish`` (the services' signing) runs on the finished zip in its work folder, before
    the atomic move into place, so a kept backup is either absent or finished (signed)."""
    dest = Path(dest) if dest is not None else default_backup_dir(db)
    target = dest / backup_file_name(prefix) if dest.suffix.lower() != ".zip" else dest
    target.parent.mkdir(parents=True, exist_ok=True)
    with work_folder(target.parent, "nlf-backup-") as tmp:
        tmp_zip = tmp / "backup.zip"
        _write_backup_zip(db, tmp, tmp_zip, created_by)
        if finish is not None:
            finish(tmp_zip)
        os.replace(tmp_zip, target)
    return target


def backup_bytes(db: Database, *, created_by: str = "") -> bytes:
    """A backup as bytes (for a download button)."""
    with _scratch(work_home(db), "nlf-backup-") as tmp:
        out = tmp / "backup.zip"
        _write_backup_zip(db, tmp, out, created_by)
        return out.read_bytes()


def _write_backup_zip(db: Database, workdir: Path, out: Path, created_by: str) -> dict:
    try:
        return _write_snapshot_zip(db, workdir, out, created_by)
    except (duckdb.Error, DriverError) as exc:
        raise BackupError(
            f"The backup could not be made ({_short(exc)}); the data are unchanged."
        ) from exc


def _table_to_parquet(cur: Cursor, name: str, cols: list[tuple[str, str]], path: Path) -> None:
    """One table to a Parquet file with the portable column types, on either engine.

    DuckDB writes it itself; a PostgreSQL table is read on the snapshot's cursor and written
    by an in-memory DuckDB with each column cast to its portable type, so a backup's files
    are the same whichever engine made them."""
    if cur.dialect == dialect.DUCKDB:
        cur.execute(f"COPY (SELECT * FROM {_quote(name)}) TO ? (FORMAT parquet)", [str(path)])
        return
    frame = cur.df_fast(f"SELECT * FROM {_quote(name)}")  # COPY, in the same snapshot
    select = ", ".join(f"CAST({_quote(c)} AS {t}) AS {_quote(c)}" for c, t in cols)
    with duckdb.connect() as mem:
        mem.register("source_rows", frame)
        mem.execute(f"COPY (SELECT {select} FROM source_rows) TO ? (FORMAT parquet)", [str(path)])


def _write_snapshot_zip(db: Database, workdir: Path, out: Path, created_by: str) -> dict:
    tables: dict[str, Any] = {}
    with db.cursor() as cur:
        dialect.begin_snapshot(cur)  # one snapshot for every table
        try:
            names = _tables(cur)
            all_cols = dialect.columns(cur)
            for i, name in enumerate(names):
                path = workdir / f"t{i:03d}.parquet"
                cols = [(c, t) for table, c, t in all_cols if table == name]
                _table_to_parquet(cur, name, cols, path)
                rows = cur.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
                tables[name] = {
                    "file": f"tables/{name}.parquet",
                    "rows": int(rows),
                    "columns": [[c, t] for c, t in cols],
                    "_path": path,
                }
            sequences = dialect.sequences(cur)
            version = cur.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
            engine = dialect.engine_version(cur)
        finally:
            cur.execute("COMMIT")
    for meta in tables.values():
        meta["sha256"] = _sha256(meta["_path"])
        meta["bytes"] = meta["_path"].stat().st_size
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": int(version or 0),
        "app_version": __version__,
        "duckdb_version": duckdb.__version__,
        "engine": engine,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "created_by": created_by,
        "source_file": Path(db.path).name,
        "tables": {n: {k: v for k, v in m.items() if k != "_path"} for n, m in tables.items()},
        "sequences": sequences,
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for meta in tables.values():
            zf.write(meta["_path"], meta["file"])
        zf.writestr(
            MANIFEST,
            json.dumps(manifest, indent=2, sort_keys=True),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return manifest


# --- validation ----------------------------------------------------------------------------


def _open_zip(source: bytes | Path | str) -> zipfile.ZipFile:
    """The backup zip, its declared sizes already checked (nothing inflated yet)."""
    try:
        if isinstance(source, (bytes, bytearray)):
            zf = zipfile.ZipFile(io.BytesIO(source))
        else:
            zf = zipfile.ZipFile(Path(source))
    except FileNotFoundError as exc:
        raise BackupError(f"The backup file {source} does not exist.") from exc
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BackupError(
            "This is not an NLF Planner backup: it is not a readable zip file (it may be "
            "damaged or cut short)."
        ) from exc
    try:
        _check_sizes(zf.infolist())
    except BaseException:
        zf.close()
        raise
    return zf


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from its declared sizes, before any part is read: the whole, the
    manifest, and how far any one part inflates (zipfile never inflates past the declared
    size, so after this every read is bounded)."""
    if sum(i.file_size for i in infos) > MAX_BACKUP_UNPACKED_BYTES:
        raise BackupError("The backup unpacks to more than 4 GB; it cannot be restored here.")
    for info in infos:
        if info.filename == MANIFEST and info.file_size > MAX_MANIFEST_BYTES:
            raise BackupError(
                f"This is not an NLF Planner backup: its manifest.json would unpack to "
                f"{info.file_size / 2**20:,.0f} MB (a real one is a few KB)."
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 2**20 and ratio > MAX_COMPRESSION_RATIO:
            raise BackupError(
                f"This is not an NLF Planner backup: its part {info.filename!r} would unpack "
                f"{ratio:,.0f} times larger than it is stored (a zip bomb)."
            )


def read_manifest(source: bytes | Path | str) -> dict:
    """The manifest of a backup, checked for shape; raises :class:`BackupError`."""
    with _open_zip(source) as zf:
        return _manifest(zf)


def _manifest(zf: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except KeyError as exc:
        raise BackupError("This is not an NLF Planner backup: it has no manifest.json.") from exc
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError) as exc:
        raise BackupError("The backup's manifest is damaged and cannot be read.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not an NLF Planner backup (its manifest has another format).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"The backup uses file format {manifest.get('format_version')!r}; this version of "
            f"NLF Planner reads format {FORMAT_VERSION}."
        )
    tables = manifest.get("tables")
    version = manifest.get("schema_version")
    if not isinstance(tables, dict) or not isinstance(version, int):
        raise BackupError("The backup's manifest is incomplete (no tables or schema version).")
    for name, meta in tables.items():
        if not isinstance(meta, dict) or not {"file", "rows", "sha256", "columns"} <= set(meta):
            raise BackupError(f"The backup's manifest entry for table {name!r} is incomplete.")
    return manifest


def validate_backup(source: bytes | Path | str) -> dict:
    """Check a backup completely (format, schema version, files, checksums) before use."""
    latest = max(m.version for m in MIGRATIONS)
    with _open_zip(source) as zf:
        manifest = _manifest(zf)
        version = manifest["schema_version"]
        if version > latest:
            raise BackupError(
                f"The backup was made by a newer version of NLF Planner (schema version "
                f"{version}; this app knows up to {latest}). Update the app first."
            )
        if version < 1:
            raise BackupError("The backup's schema version is missing or invalid.")
        members = {i.filename: i for i in zf.infolist()}
        for name, meta in manifest["tables"].items():
            info = members.get(meta["file"])
            if info is None:
                raise BackupError(
                    f"The backup is incomplete: the file for table {name!r} is missing."
                )
            h = hashlib.sha256()
            try:
                with zf.open(info) as fh:
                    for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                        h.update(chunk)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise BackupError(f"The backup is damaged: table {name!r} cannot be read.") from exc
            if h.hexdigest() != meta["sha256"]:
                raise BackupError(
                    f"The backup failed its checksum for table {name!r}: the file has been "
                    "changed or damaged since it was made, so it will not be restored."
                )
    return manifest


# --- restore -------------------------------------------------------------------------------


def _build_restored_file(
    zf: zipfile.ZipFile,
    manifest: dict,
    new_path: Path,
    workdir: Path,
    actor: str,
    reason: str | None,
    restore_id: str,
    label: str,
) -> dict[str, int]:
    version = manifest["schema_version"]
    new_db = Database(duckdb.connect(str(new_path)), new_path, read_only=False)
    try:
        apply_migrations(new_db, [m for m in MIGRATIONS if m.version <= version])
        schema_tables = set(table_names(new_db)) - _SKIP_TABLES
        in_backup = set(manifest["tables"]) - _SKIP_TABLES
        _refuse_mismatch(version, schema_tables, in_backup)
        live_cols = table_columns(new_db)
        counts: dict[str, int] = {}
        with new_db.transaction() as cur:
            for i, name in enumerate(sorted(in_backup)):
                meta = manifest["tables"][name]
                path = workdir / f"t{i:03d}.parquet"
                with zf.open(meta["file"]) as src, path.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
                cols = [c for c, _ in live_cols[name]]
                file_cols = [
                    r[0]
                    for r in cur.execute(
                        "DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]
                    ).fetchall()
                ]
                if file_cols != cols:
                    raise BackupError(
                        f"Table {name!r} in the backup has columns {', '.join(file_cols)}; "
                        f"schema version {version} expects {', '.join(cols)}."
                    )
                col_sql = ", ".join(_quote(c) for c in cols)
                cur.execute(
                    f"INSERT INTO {_quote(name)} ({col_sql}) SELECT {col_sql} FROM read_parquet(?)",
                    [str(path)],
                )
                n = cur.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
                if n != meta["rows"]:
                    raise BackupError(
                        f"Table {name!r} should hold {meta['rows']:,} rows according to the "
                        f"manifest but the backup holds {n:,}; it will not be restored."
                    )
                counts[name] = int(n)
            _restore_sequences(cur, manifest)
        apply_migrations(new_db)  # bring an older backup up to this app's schema
        with new_db.transaction() as cur:
            _record_restore(cur, actor, label, reason, manifest, counts)
            _mark_restored(cur, restore_id)
        with new_db.cursor() as cur:
            cur.execute("CHECKPOINT")
        return counts
    finally:
        new_db.close()


def _record_restore(
    cur, actor: str, label: str, reason: str | None, manifest: dict, counts: dict[str, int]
) -> None:
    """The restore's audit row, the same on either engine: which backup, its schema version
    and when it was made, and the rows each table now holds."""
    record(
        cur,
        actor=actor,
        action="restore",
        entity="database",
        entity_id=label,
        reason=reason,
        after={
            "schema_version": manifest["schema_version"],
            "created_at": manifest.get("created_at"),
            "rows": counts,
        },
    )


def restore_backup(
    db: Database,
    source: bytes | Path | str,
    *,
    actor: str,
    reason: str | None = None,
    label: str | None = None,
    safety_dir: Path | str | None = None,
    finish_backup: Callable[[Path], object] | None = None,
) -> RestoreReport:
    """Replace the live database with a checked backup, after backing up the current state
    (``finish_backup``, the services' signing, runs on that safety backup before it is moved
    into place). First sweeps what killed restores and backups left (:func:`sweep_leftovers`).

    Raises :class:`BackupError` (the live database untouched) if anything is wrong.
    """
    if not actor or not actor.strip():
        raise BackupError("Sign in before restoring: every change records who made it.")
    if db.read_only:
        raise BackupError(
            "The database is open read-only, so it cannot be restored. "
            + (db.read_only_reason or "")
        )
    label = label or (
        Path(source).name if not isinstance(source, (bytes, bytearray)) else "uploaded backup"
    )
    manifest = validate_backup(source)
    restore_id = uuid.uuid4().hex
    sweep_leftovers(db)
    safety = _SafetyBackup(db, actor, safety_dir, finish_backup)
    with db.restore_gate.restoring():  # every other write refused until this one ends
        if db.dialect == dialect.POSTGRES:
            return _restore_on_server(
                db, source, manifest, actor, reason, label, restore_id, safety
            )
        return _restore_file(db, source, manifest, actor, reason, label, restore_id, safety)


@dataclass
class _SafetyBackup:
    """The automatic backup of the current state a restore takes before replacing it."""

    db: Database
    actor: str
    folder: Path | str | None
    finish: Callable[[Path], object] | None

    def take(self) -> Path:
        return create_backup(
            self.db,
            Path(self.folder) if self.folder else default_backup_dir(self.db),
            created_by=f"automatic backup before restore by {self.actor}",
            prefix="nlf-before-restore",
            finish=self.finish,
        )


def _restore_file(
    db: Database,
    source: bytes | Path | str,
    manifest: dict,
    actor: str,
    reason: str | None,
    label: str,
    restore_id: str,
    safety: _SafetyBackup,
) -> RestoreReport:
    """The DuckDB restore: build the new file in a work folder beside the live one (the
    same file system), back the live one up, then swap it in with one rename. The work
    folder, with the new file if it was not swapped in, goes at the end however it ends."""
    live = Path(db.path).resolve()
    with work_folder(live.parent, "nlf-restore-") as tmp:
        new_path = tmp / "restored.duckdb"
        with _open_zip(source) as zf:
            try:
                counts = _build_restored_file(
                    zf, manifest, new_path, tmp, actor, reason, restore_id, label
                )
            except (duckdb.Error, DriverError) as exc:
                raise BackupError(
                    f"The backup could not be loaded ({_short(exc)}); the current data are "
                    "unchanged."
                ) from exc
        kept = safety.take()
        _swap_in(db, new_path, live, restore_id)
    return RestoreReport(label, manifest["schema_version"], counts, kept)


def _mark_restored(cur: Cursor, restore_id: str) -> None:
    """Record which restore produced these rows: the swap checks it, and the data version
    (the caches' key) includes it, so no process keeps showing the data from before."""
    cur.execute(
        dialect.insert_values_sql("app_meta", ("key", "value"), key=("key",), conflict="replace"),
        ["restore_id", restore_id],
    )


def _restore_on_server(
    db: Database,
    source: bytes | Path | str,
    manifest: dict,
    actor: str,
    reason: str | None,
    label: str,
    restore_id: str,
    safety_backup: _SafetyBackup,
) -> RestoreReport:
    """Restore into a shared PostgreSQL database in ONE transaction, with a safety backup.

    The backup is loaded into a private staging schema built from our own migrations up to
    the backup's schema version (no SQL from the file is run), checked, migrated to this
    app's schema; then writers are locked out of the live tables, the safety backup of the
    current state is taken (only now, so a refused file leaves none behind), and the rows
    are replaced. Other app processes keep reading the old rows until the commit and see the
    restored ones after it. Anything wrong rolls all of it back: the live data are untouched."""
    safety: list[Path] = []

    def take_safety_backup() -> None:
        safety.append(safety_backup.take())

    try:
        with (
            work_folder(work_home(db), "nlf-restore-") as tmp,
            _open_zip(source) as zf,
        ):
            counts = db.write(
                lambda cur: _load_on_server(
                    cur,
                    zf,
                    manifest,
                    tmp,
                    actor,
                    reason,
                    restore_id,
                    label,
                    take_safety_backup,
                ),
                retries=0,
            )
    except DriverError as exc:
        for path in safety:
            path.unlink(missing_ok=True)
        raise BackupError(
            f"The backup could not be loaded ({_short(exc)}); the current data are unchanged."
        ) from exc
    except BaseException:
        for path in safety:
            path.unlink(missing_ok=True)
        raise
    return RestoreReport(label, manifest["schema_version"], counts, safety[-1])


def _load_on_server(
    cur: Cursor,
    zf: zipfile.ZipFile,
    manifest: dict,
    workdir: Path,
    actor: str,
    reason: str | None,
    restore_id: str,
    label: str,
    before_swap: Callable[[], None],
) -> dict[str, int]:
    version = manifest["schema_version"]
    dialect.hold_restore_lock(cur)  # other processes' writes are refused from here on
    live = cur.execute("SELECT current_schema()").fetchone()[0]
    staging = f"nlf_restore_{restore_id[:12]}"
    cur.execute(f"CREATE SCHEMA {staging}")
    cur.execute(f"SET LOCAL search_path TO {staging}")
    _run_migrations(cur, [m for m in MIGRATIONS if m.version <= version])
    counts = _load_tables(cur, zf, manifest, workdir)
    _run_migrations(cur, [m for m in MIGRATIONS if m.version > version])
    cur.execute(f"SET LOCAL search_path TO {_quote(live)}")
    names = sorted(set(_tables(cur)) - _SKIP_TABLES)
    cur.execute(
        f"LOCK TABLE {', '.join(_quote(n) for n in names)} IN EXCLUSIVE MODE"
    )  # readers go on; writers wait for the commit
    before_swap()  # the safety backup: another connection, so it reads the rows before this
    staged = {t: [c for tb, c, _ in dialect.columns(cur) if tb == t] for t in names}
    for name in names:
        col_sql = ", ".join(_quote(c) for c in staged[name])
        cur.execute(f"DELETE FROM {_quote(name)}")
        cur.execute(
            f"INSERT INTO {_quote(name)} ({col_sql}) SELECT {col_sql} FROM {staging}.{_quote(name)}"
        )
    _restore_sequences(cur, manifest)
    _record_restore(cur, actor, label, reason, manifest, counts)
    _mark_restored(cur, restore_id)
    cur.execute(f"DROP SCHEMA {staging} CASCADE")
    return counts


def sequence_after_restore(largest_id: int, in_manifest: object) -> int:
    """Where a restored sequence stands: after the largest id its table holds, or the
    backup's own value when that is a little further on (ids of rows deleted just before
    the backup stay unused), never more than :data:`SEQUENCE_SLACK` past the largest id,
    so a manifest's 10^8 or 2^62 cannot stall the restore or exhaust the ids."""
    if (
        isinstance(in_manifest, int)
        and not isinstance(in_manifest, bool)
        and largest_id < in_manifest <= largest_id + SEQUENCE_SLACK
    ):
        return in_manifest
    return largest_id


def _restore_sequences(cur: Cursor, manifest: dict) -> None:
    """Set every sequence from the ids just loaded (both engines, one rule)."""
    wanted = manifest.get("sequences")
    wanted = wanted if isinstance(wanted, dict) else {}
    owners = dialect.sequence_columns(cur)
    for seq in dialect.sequences(cur):
        largest = 0
        if seq in owners:
            table, column = owners[seq]
            found = cur.execute(f"SELECT max({_quote(column)}) FROM {_quote(table)}").fetchone()
            largest = int(found[0] or 0)
        dialect.set_sequence(cur, seq, sequence_after_restore(largest, wanted.get(seq)))


def _run_migrations(cur: Cursor, migrations: list) -> None:
    """Our own migrations' statements, on the caller's cursor (the staging schema)."""
    for m in sorted(migrations, key=lambda m: m.version):
        for statement in m.statements:
            cur.execute(statement)


def _load_tables(cur: Cursor, zf: zipfile.ZipFile, manifest: dict, workdir: Path) -> dict[str, int]:
    """Every table of the backup into the staging schema, checked against its columns and
    the manifest's row counts."""
    version = manifest["schema_version"]
    schema_tables = set(_tables(cur)) - _SKIP_TABLES
    in_backup = set(manifest["tables"]) - _SKIP_TABLES
    _refuse_mismatch(version, schema_tables, in_backup)
    all_cols = dialect.columns(cur)
    counts: dict[str, int] = {}
    for i, name in enumerate(sorted(in_backup)):
        meta = manifest["tables"][name]
        path = workdir / f"t{i:03d}.parquet"
        with zf.open(meta["file"]) as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        cols = [c for t, c, _ in all_cols if t == name]
        with duckdb.connect() as mem:
            frame = mem.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()
        if list(frame.columns) != cols:
            raise BackupError(
                f"Table {name!r} in the backup has columns {', '.join(frame.columns)}; "
                f"schema version {version} expects {', '.join(cols)}."
            )
        dialect.bulk_insert(cur, name, frame, cols)
        n = cur.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
        if n != meta["rows"]:
            raise BackupError(
                f"Table {name!r} should hold {meta['rows']:,} rows according to the "
                f"manifest but the backup holds {n:,}; it will not be restored."
            )
        counts[name] = int(n)
    return counts


def _refuse_mismatch(version: int, schema_tables: set[str], in_backup: set[str]) -> None:
    missing = sorted(schema_tables - in_backup)
    unknown = sorted(in_backup - schema_tables)
    if missing or unknown:
        raise BackupError(
            "The backup does not match schema version "
            f"{version}: "
            + "; ".join(
                ([f"missing tables {', '.join(missing)}"] if missing else [])
                + ([f"unknown tables {', '.join(unknown)}"] if unknown else [])
            )
            + "."
        )


def _swap_in(db: Database, new_path: Path, live: Path, restore_id: str) -> None:
    """Close the live connection, rename the new file over it, reopen, and check."""
    wal = live.with_name(live.name + ".wal")
    with db._lock:  # no new cursor starts while the file changes underneath
        with contextlib.suppress(duckdb.Error):
            db._con.execute("CHECKPOINT")
        db._con.close()
        if wal.exists():
            db._con = duckdb.connect(str(live))
            _remove(new_path)
            raise BackupError(
                "The database was busy saving a change; nothing was restored. "
                "Try again in a moment."
            )
        os.replace(new_path, live)  # atomic on one file system
        for _attempt in range(50):
            con = duckdb.connect(str(live))
            marker = con.execute("SELECT value FROM app_meta WHERE key = 'restore_id'").fetchone()
            if marker and marker[0] == restore_id:
                db._con = con
                db.commits += 1  # new data under this handle: a run's pinned version is stale
                return
            con.close()  # an old cursor still held the previous file open; wait for it
            time.sleep(0.1)
        db._con = duckdb.connect(str(live))
    raise BackupError(
        "The restored file is in place but this app still sees the old data; "
        "restart the app to load it."
    )


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def current_schema_version(db: Database) -> int:
    return schema_version(db)


def kept_backups(db: Database) -> list[dict[str, Any]]:
    """The backups kept beside this database (data/backups/), newest first."""
    return list_backups(default_backup_dir(db))


#: File name prefixes of the backups the app makes by itself (pruned to the newest N).
AUTOMATIC_PREFIXES = ("nlf-before-import", "nlf-before-restore")


def prune_automatic_backups(folder: Path | str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` automatic backups in ``folder`` (never a backup
    made by hand); return what was deleted. Without this the folder only ever grows."""
    automatic = [
        b for b in list_backups(folder) if b["file"].startswith(AUTOMATIC_PREFIXES)
    ]  # newest first
    removed = []
    for old in automatic[max(1, keep) :]:
        with contextlib.suppress(FileNotFoundError):
            old["path"].unlink()
            removed.append(old["path"])
    return removed


def list_backups(folder: Path | str) -> list[dict[str, Any]]:
    """Backup zips in a folder, newest first (name, path, size, modified), for a picker."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.zip"):
        stat = path.stat()
        found.append(
            {
                "file": path.name,
                "path": path,
                "size_mb": round(stat.st_size / 2**20, 2),
                "modified": datetime.fromtimestamp(stat.st_mtime),
            }
        )
    return sorted(found, key=lambda b: b["modified"], reverse=True)
