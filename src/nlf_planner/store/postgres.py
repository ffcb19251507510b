"""The shared PostgreSQL backend: several app processes, one database, through psycopg 3.

:class:`PostgresDatabase` keeps the API of the DuckDB :class:`~nlf_planner.store.db.Database`
(``df``, ``rows``, ``scalar``, ``cursor``, ``transaction``, ``write``, ``close``) and returns the
same shapes, so store modules and services do not know which engine they talk to:

- a pool of connections (``psycopg_pool``), each checked before it is handed out
  (``ConnectionPool.check_connection``), so after a server restart the next action gets a new
  connection instead of a dead one;
- connections in autocommit mode with explicit ``BEGIN … COMMIT`` (as on DuckDB), READ
  COMMITTED; transactions that must see each other's commits take a
  :func:`~nlf_planner.store.dialect.lock` first, and :meth:`Database.write` retries on
  serialisation failures and deadlocks;
- :class:`PgCursor`, whose ``execute`` takes the store's portable SQL and parameters and
  whose ``df()`` gives the column types DuckDB's ``.df()`` gives (dates and timestamps as
  ``datetime64[us]``, nullable integers and booleans as pandas' nullable types).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from nlf_planner.store import dialect
from nlf_planner.store.db import Database, DatabaseUnavailable, translate
from nlf_planner.store.migrations import apply_migrations

#: How long opening waits for the server before saying it cannot be reached (seconds).
CONNECT_TIMEOUT_S = float(os.environ.get("NLF_DB_CONNECT_TIMEOUT", "5"))
#: Connections per app process: Streamlit runs each session's script in its own thread.
POOL_SIZE = int(os.environ.get("NLF_DB_POOL_SIZE", "8"))
#: The longest a statement waits for another transaction's lock (milliseconds).
LOCK_TIMEOUT_MS = int(os.environ.get("NLF_DB_LOCK_TIMEOUT_MS", "10000"))

_INT32 = {21, 23}  # int2, int4
_INT64 = {20}  # int8
_FLOAT = {700, 701, 1700}  # float4, float8, numeric
_BOOL = {16}
_DATETIME = {1082, 1114}  # date, timestamp
_TEXT = {25, 1043, 705, 19}  # text, varchar, unknown, name


def _column(values: Sequence[Any], oid: int) -> Any:
    """One result column with the dtype DuckDB's ``.df()`` would give it."""
    has_null = any(v is None for v in values)
    if oid in _INT32 or oid in _INT64:
        width = "32" if oid in _INT32 else "64"
        if has_null:
            return pd.array(values, dtype=f"Int{width}")
        return np.array(values, dtype=f"int{width}")
    if oid in _FLOAT:
        return np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    if oid in _BOOL:
        return pd.array(values, dtype="boolean") if has_null else np.array(values, dtype=bool)
    if oid in _DATETIME:
        return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[us]")
    if oid in _TEXT:  # as DuckDB: no text at all (or no rows) stays object, holding None
        if all(v is None for v in values):
            return pd.Series(values, dtype=object)
        return pd.Series(values, dtype="str")
    return pd.Series(values, dtype=object)


class PgCursor:
    """A psycopg cursor that takes the store's portable SQL and raises its exceptions."""

    dialect = dialect.POSTGRES

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn
        self._cur = conn.cursor()

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None):
        try:
            self._cur.execute(dialect.to_pyformat(sql), dialect.plain_params(params))
        except psycopg.Error as exc:
            raise translate(exc) from exc
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]):
        try:
            self._cur.executemany(dialect.to_pyformat(sql), [dialect.plain_params(r) for r in rows])
        except psycopg.Error as exc:
            raise translate(exc) from exc
        return self

    def fetchone(self) -> tuple | None:
        try:
            return self._cur.fetchone()
        except psycopg.Error as exc:
            raise translate(exc) from exc

    def fetchall(self) -> list[tuple]:
        try:
            return self._cur.fetchall()
        except psycopg.Error as exc:
            raise translate(exc) from exc

    def df(self) -> pd.DataFrame:
        desc = self._cur.description
        if desc is None:
            return pd.DataFrame()
        rows = self.fetchall()
        names = [d.name for d in desc]
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        frame = pd.DataFrame(
            {
                i: _column(values, d.type_code)
                for i, (d, values) in enumerate(zip(desc, columns, strict=True))
            }
        )
        frame.columns = names
        return frame

    def copy_rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        """Send rows to ``table`` by ``COPY … FROM STDIN`` (the fast bulk path)."""
        cols = ", ".join(columns)
        try:
            with self._cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as exc:
            raise translate(exc) from exc

    def close(self) -> None:
        self._cur.close()


class ServerLocation(str):
    """The database's URL (the cache key pages pass back to reopen it) with the parts a
    file path offers: ``name`` (the database's name, shown on pages) and ``parent`` (the
    folder whose ``backups/`` keeps this installation's backups)."""

    def __new__(cls, url: str, data_dir: Path) -> ServerLocation:
        loc = super().__new__(cls, url)
        info = conninfo_to_dict(url)
        loc.name = str(info.get("dbname") or "postgres")
        loc.parent = data_dir
        return loc

    def resolve(self) -> ServerLocation:
        return self


class PostgresDatabase(Database):
    """A PostgreSQL database shared by every app process, used through a connection pool."""

    dialect = dialect.POSTGRES

    def __init__(self, url: str, pool: ConnectionPool, data_dir: Path) -> None:
        self._pool = pool
        self.url = url
        self.path = ServerLocation(url, data_dir)
        self.read_only = False
        self.read_only_reason = ""
        self._lock = threading.Lock()

    @property
    def backup_dir(self) -> Path:
        return Path(os.environ.get("NLF_BACKUP_DIR") or self.path.parent / "backups")

    @property
    def label(self) -> str:
        return f"{self.path.name} (PostgreSQL)"

    @contextmanager
    def cursor(self) -> Iterator[PgCursor]:
        """A cursor on a pooled connection, returned to the pool afterwards (rolled back
        if a transaction was left open; discarded if it broke)."""
        try:
            conn = self._pool.getconn(timeout=CONNECT_TIMEOUT_S)
        except (PoolTimeout, psycopg.OperationalError) as exc:
            raise DatabaseUnavailable(_unreachable(self.url, exc)) from exc
        cur = PgCursor(conn)
        try:
            yield cur
        finally:
            cur.close()
            self._pool.putconn(conn)

    def close(self) -> None:
        self._pool.close()


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the configured PostgreSQL server"
    host = info.get("host") or "localhost"
    port = info.get("port") or "5432"
    return f"PostgreSQL database {info.get('dbname') or '?'} on {host}:{port}"


def _unreachable(url: str, exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (
        f"The {redact(url)} cannot be reached ({first[:200]}). Check that the server is "
        "running and NLF_DATABASE_URL is right; this page tries again by itself."
    )


def _why_not(url: str, exc: BaseException) -> BaseException:
    """The server's own reason (refused, unknown database, bad password) rather than the
    pool's "timed out", found by one direct attempt."""
    if not isinstance(exc, PoolTimeout):
        return exc
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.Error as direct:
        return direct
    return exc


def open_postgres(url: str, *, migrate: bool = True, data_dir: Path | None = None) -> Database:
    """Connect to the server (waiting at most ``CONNECT_TIMEOUT_S``) and migrate the
    database; :class:`DatabaseUnavailable` with a readable message when it cannot be reached."""
    from nlf_planner.settings import PROJECT_ROOT

    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=max(2, POOL_SIZE),
        kwargs={
            "autocommit": True,
            "connect_timeout": max(1, int(CONNECT_TIMEOUT_S)),
            "application_name": "nlf-planner",
            # UTC like the DuckDB file; a write waiting on another's lock longer than
            # LOCK_TIMEOUT fails as a conflict (retried) instead of hanging the page.
            "options": f"-c TimeZone=UTC -c lock_timeout={LOCK_TIMEOUT_MS}",
        },
        check=ConnectionPool.check_connection,
        open=False,
        name="nlf-planner",
    )
    try:
        pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
    except (PoolTimeout, psycopg.Error) as exc:
        pool.close()
        raise DatabaseUnavailable(_unreachable(url, _why_not(url, exc))) from exc
    db = PostgresDatabase(url, pool, data_dir or PROJECT_ROOT / "data")
    if migrate:
        try:
            apply_migrations(db)
        except BaseException:
            db.close()
            raise
    return db
