"""The database handle: one per process, a fresh cursor per call, explicit transactions.

Two engines sit behind the same small API (``df``, ``rows``, ``scalar``, ``cursor``,
``transaction``, ``write``, ``close``), so every store module and every service works on
both: :class:`Database` is the embedded DuckDB file (the default, one writing process), and
:class:`nlf_planner.store.postgres.PostgresDatabase` is a shared PostgreSQL server that several
app replicas use at once (``NLF_DATABASE_URL``). What differs between them is in
:mod:`nlf_planner.store.dialect`.

DuckDB 2.0 refuses concurrent calls on one connection and no longer makes a multi-statement
string atomic, so every read takes its own cursor and fully materialises its result, and every
write goes through :meth:`Database.transaction` (``BEGIN … COMMIT``, ``ROLLBACK`` on error).
Driver exceptions are turned into the store's own (:class:`StoreError` subclasses) at the
cursor, so nothing above the store handles ``duckdb`` or ``psycopg`` errors.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import duckdb
import pandas as pd

from nlf_planner.store import dialect
from nlf_planner.store.migrations import apply_migrations, pending_migrations

T = TypeVar("T")

NOT_SAVED_CONNECTION_LOST = (
    "Not saved: the database connection was lost; your edits are kept, try again."
)


class StoreError(RuntimeError):
    """A store failure with a message fit to show a user."""


class ReadOnlyError(StoreError):
    """A write was attempted while the database is open read-only."""


class RestoreInProgress(ReadOnlyError):
    """A change came while a restore replaces every row. It is refused (services show it as
    ``ReadOnly``): a write between the safety backup and the swap would land in neither."""


RESTORE_BUSY = (
    "An administrator is restoring a backup just now, so no change can be saved until it "
    "finishes (usually within a minute). Your edits are kept; try again shortly."
)


class RestoreGate:
    """Who may write while a restore runs in this process: only the restoring thread.

    A restore first waits for the writes already under way (so each lands in the safety
    backup), then every other write is refused until the restore has swapped in or failed.
    Another process is kept out by the engine (DuckDB: one writing process; PostgreSQL: an
    advisory lock, :func:`dialect.refuse_during_restore`). Nothing is stored, so a crash
    leaves no stale flag behind."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._restorer: int | None = None
        self._writing = 0

    @property
    def restoring_here(self) -> bool:
        """Whether the calling thread is the one restoring (its own writes go on)."""
        return self._restorer == threading.get_ident()

    @property
    def busy(self) -> bool:
        """Whether a restore is running in this process just now."""
        return self._restorer is not None

    def enter_write(self) -> None:
        with self._cond:
            if self._restorer is not None and not self.restoring_here:
                raise RestoreInProgress(RESTORE_BUSY)
            self._writing += 1

    def exit_write(self) -> None:
        with self._cond:
            self._writing -= 1
            self._cond.notify_all()

    @contextmanager
    def restoring(self, wait_s: float = 30.0) -> Iterator[None]:
        """Hold writes off for the length of a restore, after those under way finish."""
        with self._cond:
            if self._restorer is not None:
                raise RestoreInProgress(
                    "Another restore is running just now; try again when it has finished."
                )
            self._restorer = threading.get_ident()
            if not self._cond.wait_for(lambda: self._writing == 0, timeout=wait_s):
                self._restorer = None
                raise RestoreInProgress(
                    "Nothing was restored: changes were still being saved; try again in a moment."
                )
        try:
            yield
        finally:
            with self._cond:
                self._restorer = None
                self._cond.notify_all()


class DatabaseUnavailable(StoreError):
    """The database server cannot be reached, or the connection was lost mid-way (nothing
    after the last commit was saved). Services show it as ``Unavailable``."""


class DriverError(StoreError):
    """The engine refused a statement (a bug, a full disk, bad data); ``str`` says why."""


class WriteConflict(DriverError):
    """Another transaction changed the same rows first (still so after the retries)."""


class ConstraintViolation(DriverError):
    """A key or check constraint refused a row."""


class MissingObject(DriverError):
    """A table, sequence or function the statement names does not exist."""


_KINDS: dict[str, type[StoreError]] = {
    "conflict": WriteConflict,
    "constraint": ConstraintViolation,
    "missing": MissingObject,
    "lost": DatabaseUnavailable,
    "other": DriverError,
}


def translate(exc: BaseException) -> BaseException:
    """The store's exception for a driver's (the exception itself when it is not one)."""
    found = dialect.classify(exc)
    if found is None:
        return exc
    if found.kind == "lost":
        return DatabaseUnavailable(
            f"The database connection was lost ({found.message}); try again in a moment."
        )
    return _KINDS[found.kind](found.message)


class Cursor(Protocol):
    """What store code may do with a cursor, on either engine."""

    dialect: str

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...

    def fetchone(self) -> tuple | None: ...

    def fetchall(self) -> list[tuple]: ...

    def df(self) -> pd.DataFrame: ...


class DuckCursor:
    """A DuckDB cursor that raises the store's exceptions (same calls, same results)."""

    dialect = dialect.DUCKDB

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self._cur = cur

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None):
        try:
            self._cur.execute(sql, params or [])
        except duckdb.Error as exc:
            raise translate(exc) from exc
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]):
        try:
            self._cur.executemany(sql, rows)
        except duckdb.Error as exc:
            raise translate(exc) from exc
        return self

    def fetchone(self) -> tuple | None:
        return self._fetch(self._cur.fetchone)

    def fetchall(self) -> list[tuple]:
        return self._fetch(self._cur.fetchall)

    def df(self) -> pd.DataFrame:
        return self._fetch(self._cur.df)

    def _fetch(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except duckdb.Error as exc:
            raise translate(exc) from exc

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self._cur.register(name, frame)

    def unregister_quietly(self, name: str) -> None:
        """Unregistering may fail after a write conflict aborted the transaction; the
        conflict (which :meth:`Database.write` retries) must not be masked by it."""
        with contextlib.suppress(duckdb.Error):
            self._cur.unregister(name)

    def close(self) -> None:
        self._cur.close()


class Database:
    """A DuckDB file opened once per process; safe to share between Streamlit sessions."""

    dialect = dialect.DUCKDB

    def __init__(
        self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool, reason: str = ""
    ):
        self._con = con
        self.path = path
        self.read_only = read_only
        self.read_only_reason = reason
        self._lock = threading.Lock()
        self.restore_gate = RestoreGate()

    #: Transactions committed through this handle (process-local): a cache that pinned the
    #: data version at the start of a run knows to read it again after a write in that run.
    commits: int = 0

    @property
    def backup_dir(self) -> Path:
        """Where backups of this database are kept by default (data/backups beside it)."""
        return Path(self.path).resolve().parent / "backups"

    @property
    def label(self) -> str:
        """The database's name as shown on pages (the file name)."""
        return Path(self.path).name

    @contextmanager
    def cursor(self) -> Iterator[Cursor]:
        with self._lock:
            cur = self._con.cursor()
        try:
            yield DuckCursor(cur)
        finally:
            cur.close()

    def df(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a parameterised query and return a fully materialised DataFrame."""
        with self.cursor() as cur:
            return cur.execute(sql, params).df()

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ReadOnlyError(
                "The database is open read-only, so changes cannot be saved. "
                + (self.read_only_reason or "")
            )

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """Yield a cursor inside BEGIN … COMMIT; roll back on any error and re-raise it.

        Retries are not possible once the body has run (it is a generator), so callers that
        may conflict should use :meth:`write`, which retries the whole unit of work. A
        connection lost before COMMIT returned is reported as not saved.
        """
        self._refuse_if_read_only()
        self.restore_gate.enter_write()  # refused while a restore runs in this process
        try:
            with self.cursor() as cur:
                cur.execute("BEGIN TRANSACTION")
                try:
                    if not self.restore_gate.restoring_here:
                        dialect.refuse_during_restore(cur, RestoreInProgress(RESTORE_BUSY))
                    yield cur
                except DatabaseUnavailable as exc:
                    raise DatabaseUnavailable(NOT_SAVED_CONNECTION_LOST) from exc
                except BaseException:
                    with contextlib.suppress(DatabaseUnavailable, DriverError):
                        cur.execute("ROLLBACK")
                    raise
                try:
                    cur.execute("COMMIT")
                except DatabaseUnavailable as exc:
                    raise DatabaseUnavailable(NOT_SAVED_CONNECTION_LOST) from exc
                finally:
                    self.commits += 1  # even a failed COMMIT may have changed something
        finally:
            self.restore_gate.exit_write()

    def write(self, work: Callable[[Cursor], T], retries: int = 3) -> T:
        """Run ``work(cursor)`` in one transaction, retrying the whole of it on a write-write
        conflict (DuckDB), a serialisation failure or a deadlock (PostgreSQL)."""
        for attempt in range(retries + 1):
            try:
                with self.transaction() as cur:
                    return work(cur)
            except WriteConflict:
                if attempt == retries:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._con.close()


def is_server_url(target: Path | str) -> bool:
    """Whether ``target`` names a PostgreSQL server rather than a DuckDB file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def open_database(target: Path | str, *, migrate: bool = True) -> Database:
    """Open the DuckDB file (or the PostgreSQL database a ``postgresql://`` URL names) and
    migrate it; a DuckDB file falls back to read-only when it is locked.

    A locked or unwritable file is normal in practice (a second app process, a backup job,
    a read-only mount), so the app keeps working for readers and says why it cannot save.
    """
    if is_server_url(target):
        from nlf_planner.store.postgres import open_postgres

        return open_postgres(str(target), migrate=migrate)
    path = Path(target)
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
    except (duckdb.IOException, PermissionError, OSError, duckdb.Error) as exc:
        return _open_read_only(path, exc)
    db = Database(con, path, read_only=False)
    if migrate:
        apply_migrations(db)
    return db


def _open_read_only(path: Path, cause: BaseException) -> Database:
    if not path.exists():
        raise StoreError(
            f"The database file {path} does not exist and cannot be created ({_short(cause)})."
        ) from cause
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(
            f"The database file {path} is in use by another process and cannot be opened, "
            f"even read-only ({_short(exc)}). Close the other program and reload."
        ) from exc
    db = Database(
        con,
        path,
        read_only=True,
        reason=f"The file is locked by another process or not writable ({_short(cause)}).",
    )
    if pending_migrations(db):
        db.close()
        raise StoreError(
            f"The database file {path} needs a schema upgrade but can only be opened read-only."
        )
    return db


def _short(exc: BaseException) -> str:
    """The driver's first line, without its "See also <documentation link>" tail: the
    person reading it needs the cause, and cutting at 200 characters left half a link that
    the page then drew as a broken one."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = text.split(" See also ", 1)[0].rstrip()
    return text[:200]
