"""The DuckDB connection: one per process, a fresh cursor per call, explicit transactions.

DuckDB 2.0 refuses concurrent calls on one connection and no longer makes a multi-statement
string atomic, so every read takes its own cursor and fully materialises its result, and every
write goes through :meth:`Database.transaction` (``BEGIN … COMMIT``, ``ROLLBACK`` on error).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from nlf_planner.store.migrations import apply_migrations, pending_migrations


class StoreError(RuntimeError):
    """A store failure with a message fit to show a user."""


class ReadOnlyError(StoreError):
    """A write was attempted while the database is open read-only."""


_CONFLICT_MARKERS = ("Conflict", "conflict")


class Database:
    """A DuckDB file opened once per process; safe to share between Streamlit sessions."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool, reason: str = ""
    ):
        self._con = con
        self.path = path
        self.read_only = read_only
        self.read_only_reason = reason
        self._lock = threading.Lock()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def df(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a parameterised query and return a fully materialised DataFrame."""
        with self.cursor() as cur:
            return cur.execute(sql, params or []).df()

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a cursor inside BEGIN … COMMIT; roll back on any error and re-raise it.

        Retries are not possible once the body has run (it is a generator), so callers that
        may conflict should use :meth:`write`, which retries the whole unit of work.
        """
        if self.read_only:
            raise ReadOnlyError(
                "The database is open read-only, so changes cannot be saved. "
                + (self.read_only_reason or "")
            )
        with self.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")

    def write(self, work, retries: int = 3):
        """Run ``work(cursor)`` in one transaction, retrying on a write-write conflict."""
        for attempt in range(retries + 1):
            try:
                with self.transaction() as cur:
                    return work(cur)
            except duckdb.TransactionException as exc:
                if attempt == retries or not any(m in str(exc) for m in _CONFLICT_MARKERS):
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._con.close()


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open the file read-write and migrate it; fall back to read-only when it is locked.

    A locked or unwritable file is normal in practice (a second app process, a backup job,
    a read-only mount), so the app keeps working for readers and says why it cannot save.
    """
    path = Path(path)
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
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
