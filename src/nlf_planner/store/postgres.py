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
from nlf_planner.store.db import Database, DatabaseUnavailable, RestoreGate, translate
from nlf_planner.store.migrations import apply_migrations

#: How long opening waits for the server before saying it cannot be reached (seconds).
CONNECT_TIMEOUT_S = float(os.environ.get("NLF_DB_CONNECT_TIMEOUT", "5"))
#: Connections per app process: Streamlit runs each session's script in its own thread.
POOL_SIZE = int(os.environ.get("NLF_DB_POOL_SIZE", "8"))
#: The longest a statement waits for another transaction's lock (milliseconds).
LOCK_TIMEOUT_MS = int(os.environ.get("NLF_DB_LOCK_TIMEOUT_MS", "10000"))
#: Memory for one sort or hash in a query (a PostgreSQL setting, per connection).
WORK_MEM = os.environ.get("NLF_DB_WORK_MEM", "64MB")
#: Results in PostgreSQL's binary format: numbers and dates need no text parsing.
BINARY = os.environ.get("NLF_DB_BINARY", "1") == "1"

_INT32 = {21, 23}  # int2, int4
_INT64 = {20}  # int8
_FLOAT = {700, 701, 1700}  # float4, float8, numeric
_BOOL = {16}
_DATETIME = {1082, 1114}  # date, timestamp
_TEXT = {25, 1043, 705, 19}  # text, varchar, unknown, name


def _column(values: Sequence[Any], oid: int) -> Any:
    """One result column with the dtype DuckDB's ``.df()`` would give it (``None in`` and
    ``count`` run in C: this is the hot path of every large read)."""
    if oid in _INT32 or oid in _INT64:
        width = "32" if oid in _INT32 else "64"
        if None in values:
            return pd.array(values, dtype=f"Int{width}")
        return np.array(values, dtype=f"int{width}")
    if oid in _FLOAT:  # numpy reads None as NaN and a Decimal as its float
        return np.array(values, dtype="float64")
    if oid in _BOOL:
        if None in values:
            return pd.array(values, dtype="boolean")
        return np.array(values, dtype=bool)
    if oid in _DATETIME:  # numpy reads dates and datetimes directly, None as NaT
        return pd.Series(np.array(values, dtype="datetime64[us]"))
    if oid in _TEXT:  # as DuckDB: no text at all (or no rows) stays object, holding None
        if values.count(None) == len(values):
            return pd.Series(values, dtype=object)
        return pd.Series(values, dtype="str")
    return pd.Series(values, dtype=object)


def _arrow_type(oid: int):
    """The Arrow type a CSV column of this PostgreSQL type is read as (None: not plain)."""
    import pyarrow as pa

    return {
        21: pa.int32(),
        23: pa.int32(),
        20: pa.int64(),
        700: pa.float64(),
        701: pa.float64(),
        1700: pa.float64(),
        16: pa.bool_(),
        1082: pa.date32(),
        1114: pa.timestamp("us"),
        25: pa.string(),
        1043: pa.string(),
        705: pa.string(),
    }.get(oid)


def _frame_from_csv(data: bytes, names: list[str], types: list) -> pd.DataFrame:
    """PostgreSQL's CSV (NULL unquoted and empty, an empty string quoted) as the frame
    DuckDB's ``.df()`` gives: nullable integer and boolean types only where NULLs are,
    dates and timestamps as ``datetime64[us]``, all-NULL text as object."""
    import pyarrow as pa
    from pyarrow import csv

    if not data:
        return pd.DataFrame(
            {n: _column((), _OID_OF[str(t)]) for n, t in zip(names, types, strict=True)}
        )
    table = csv.read_csv(
        pa.py_buffer(data),
        read_options=csv.ReadOptions(column_names=names),
        parse_options=csv.ParseOptions(newlines_in_values=True),
        convert_options=csv.ConvertOptions(
            column_types=dict(zip(names, types, strict=True)),
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )
    out = {}
    for name, col in zip(names, table.columns, strict=True):
        t = col.type
        nulls = col.null_count > 0
        if pa.types.is_integer(t):
            width = "32" if t == pa.int32() else "64"
            out[name] = (
                col.to_pandas(
                    types_mapper={t: pd.Int32Dtype() if width == "32" else pd.Int64Dtype()}.get
                )
                if nulls
                else col.to_numpy()
            )
        elif pa.types.is_boolean(t):
            out[name] = (
                col.to_pandas(types_mapper={t: pd.BooleanDtype()}.get) if nulls else col.to_numpy()
            )
        elif pa.types.is_date32(t) or pa.types.is_timestamp(t):
            out[name] = col.cast(pa.timestamp("us")).to_pandas().astype("datetime64[us]")
        elif pa.types.is_string(t):
            if col.null_count == len(col):
                out[name] = pd.Series([None] * len(col), dtype=object)
            else:
                out[name] = pd.Series(col.to_pylist(), dtype="str")
        else:
            out[name] = col.to_numpy(zero_copy_only=False)
    return pd.DataFrame(out, columns=names)


_OID_OF = {
    "int32": 23,
    "int64": 20,
    "double": 701,
    "bool": 16,
    "date32[day]": 1082,
    "timestamp[us]": 1114,
    "string": 25,
}


class PgCursor:
    """A psycopg cursor that takes the store's portable SQL and raises its exceptions."""

    dialect = dialect.POSTGRES

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn
        self._cur = conn.cursor(binary=BINARY)

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
        columns = list(zip(*rows)) if rows else [() for _ in names]  # noqa: B905 - one shape
        frame = pd.DataFrame(
            {
                i: _column(values, d.type_code)
                for i, (d, values) in enumerate(zip(desc, columns, strict=True))
            }
        )
        frame.columns = names
        return frame

    def df_fast(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None):
        """:meth:`df` of ``execute(sql, params)``, by COPY and Arrow when every column is of
        a plain type (see :func:`_arrow_type`)."""
        query = dialect.to_pyformat(sql)
        values = dialect.plain_params(params)
        try:
            bound = psycopg.ClientCursor(self._conn).mogrify(query, values)
            self._cur.execute(f"SELECT * FROM ({bound}) AS q LIMIT 0")
            desc = self._cur.description
            types = [_arrow_type(d.type_code) for d in desc]
            if any(t is None for t in types) or len({d.name for d in desc}) < len(desc):
                return self.execute(sql, params).df()
            buf = bytearray()
            with self._cur.copy(f"COPY ({bound}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    buf += block
        except psycopg.Error as exc:
            raise translate(exc) from exc
        return _frame_from_csv(bytes(buf), [d.name for d in desc], types)

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
        self.restore_gate = RestoreGate()

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

    def df(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """A query's rows as a DataFrame; a result of plain columns comes by ``COPY … TO
        STDOUT`` as CSV parsed by Arrow (several times faster than building Python rows for
        the big series read), anything else through :meth:`PgCursor.df`."""
        with self.cursor() as cur:
            return cur.df_fast(sql, params)

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
            # work_mem: the series read sorts ~30,000 wide rows; the default 4 MB spills it
            # to disk.
            "options": (
                f"-c TimeZone=UTC -c lock_timeout={LOCK_TIMEOUT_MS} -c work_mem={WORK_MEM}"
            ),
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
