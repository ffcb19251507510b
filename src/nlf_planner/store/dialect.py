"""What differs between the embedded DuckDB file and a shared PostgreSQL server, in one place.

The store's SQL is written once, in the subset both engines accept (``?`` or ``$name``
placeholders, ``x = ANY(CAST(? AS VARCHAR[]))`` for list parameters, ``INSERT … ON CONFLICT``
for upserts, ``CREATE SEQUENCE`` + ``nextval``, ``DOUBLE PRECISION``). What cannot be written
once lives here and nowhere else:

- placeholders: psycopg wants ``%s`` / ``%(name)s`` (and a literal ``%`` doubled), so
  :func:`to_pyformat` rewrites the portable text once per statement (cached);
- bulk loads: DuckDB scans a registered DataFrame, PostgreSQL takes ``COPY`` into a staging
  table (:func:`bulk_insert`), both ending in the same ``INSERT … SELECT … ON CONFLICT``;
- the catalogue (tables, columns, sequences) and moving a sequence on after a restore;
- which driver errors mean "retry", "constraint", "missing table" or "connection lost"
  (:func:`classify`), so :class:`~nlf_planner.store.db.Database` can raise the store's own
  exceptions and nothing above the store ever sees a driver's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from nlf_planner.store.db import Cursor

DUCKDB = "duckdb"
POSTGRES = "postgres"
Kind = Literal["duckdb", "postgres"]
Conflict = Literal["replace", "ignore"] | None

#: The portable type names the backup manifest records (DuckDB's spelling), per PostgreSQL
#: ``information_schema`` type, so a backup lists the same columns whichever engine made it.
PG_TO_PORTABLE_TYPE = {
    "character varying": "VARCHAR",
    "text": "VARCHAR",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "double precision": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
}

# A comment, a single-quoted string, a double-quoted identifier, a ``$name`` parameter, a
# ``?`` or a ``%``.
_TOKENS = re.compile(r"--[^\n]*|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$([A-Za-z_]\w*)|\?|%")


@lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> str:
    """The portable statement with psycopg's placeholders: ``?`` → ``%s``, ``$name`` →
    ``%(name)s``, every literal ``%`` doubled (psycopg reads ``%`` even inside quotes); a
    ``?`` inside quotes is left alone and ``--`` comments are dropped (an apostrophe in one
    must not open a string)."""

    def swap(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        if match.group(1):
            return f"%({match.group(1)})s"
        if text.startswith("--"):
            return ""
        return text.replace("%", "%%")  # a quoted literal or identifier

    return _TOKENS.sub(swap, sql)


def plain(value: Any) -> Any:
    """A parameter as a plain Python value psycopg can send (DuckDB takes numpy and pandas
    scalars as they are; psycopg does not)."""
    if isinstance(value, pd.Timestamp):
        return None if value is pd.NaT else value.to_pydatetime()
    if value is None or isinstance(value, (str, bool, int, float, date)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def plain_params(params: Sequence[Any] | dict[str, Any] | None) -> Any:
    if params is None:
        return []
    if isinstance(params, dict):
        return {k: plain(v) for k, v in params.items()}
    return [plain(v) for v in params]


# --- upserts and bulk loads --------------------------------------------------------------------


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def on_conflict(
    key: Sequence[str], columns: Sequence[str], conflict: Conflict, also_set: str = ""
) -> str:
    """The portable ``ON CONFLICT`` clause: replace the non-key columns (and ``also_set``,
    e.g. a load time), or keep the stored row."""
    if conflict is None:
        return ""
    if conflict == "ignore":
        return " ON CONFLICT DO NOTHING"
    updates = [f"{c} = EXCLUDED.{c}" for c in columns if c not in key]
    if also_set:
        updates.append(also_set)
    return f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(updates)}"


def insert_values_sql(
    table: str, columns: Sequence[str], *, key: Sequence[str] = (), conflict: Conflict = None
) -> str:
    """``INSERT INTO table (cols) VALUES (?, …)`` with the upsert clause (for executemany)."""
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})" + on_conflict(
        key, columns, conflict
    )


def bulk_insert(
    cur: Cursor,
    table: str,
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    key: Sequence[str] = (),
    conflict: Conflict = None,
    casts: dict[str, str] | None = None,
    also_set: str = "",
) -> int:
    """Insert every row of ``frame`` (its ``columns``) into ``table`` on the caller's cursor,
    inside its transaction, in one statement per engine; returns the row count.

    ``casts`` maps a column to the SQL type it is cast to on the way in (e.g. DATE for a
    column pandas holds as timestamps). DuckDB scans the DataFrame itself; PostgreSQL gets it
    by ``COPY`` into a temporary staging table dropped at commit."""
    if frame.empty:
        return 0
    casts = casts or {}
    select = ", ".join(
        f"CAST({_quote(c)} AS {casts[c]})" if c in casts else _quote(c) for c in columns
    )
    target = f"{table} ({', '.join(columns)})"
    clause = on_conflict(key, columns, conflict, also_set)
    name = f"incoming_{uuid.uuid4().hex[:12]}"
    data = frame.loc[:, list(columns)]
    if cur.dialect == DUCKDB:
        cur.register(name, data)
        try:
            cur.execute(f"INSERT INTO {target} SELECT {select} FROM {name}{clause}")
        finally:
            cur.unregister_quietly(name)
        return len(data)
    cur.execute(
        f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS "
        f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
    )
    cur.copy_rows(name, list(columns), _python_rows(data))
    cur.execute(f"INSERT INTO {target} SELECT {select} FROM {name}{clause}")
    cur.execute(f"DROP TABLE {name}")
    return len(data)


def _python_rows(frame: pd.DataFrame) -> list[tuple]:
    """The frame's rows as plain Python values (NaN and NaT as None) for ``COPY``."""
    columns = []
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            values = [None if pd.isna(v) else v.to_pydatetime().isoformat() for v in s]
        else:
            values = [None if _missing(v) else plain(v) for v in s.tolist()]
        columns.append(values)
    return list(zip(*columns, strict=True))


def _missing(v: Any) -> bool:
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    return isinstance(v, float) and v != v


# --- the catalogue -----------------------------------------------------------------------------


def tables(cur: Cursor) -> list[str]:
    """The application's tables, by name (temporary tables and other schemas left out)."""
    if cur.dialect == DUCKDB:
        sql = """SELECT table_name FROM duckdb_tables()
                 WHERE database_name = current_database() AND schema_name = 'main'
                   AND NOT temporary ORDER BY table_name"""
    else:
        sql = """SELECT table_name FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                 ORDER BY table_name"""
    return [r[0] for r in cur.execute(sql).fetchall()]


def columns(cur: Cursor, table: str | None = None) -> list[tuple[str, str, str]]:
    """(table, column, portable type) in schema order, for one table or all of them."""
    if cur.dialect == DUCKDB:
        sql = """SELECT table_name, column_name, data_type FROM duckdb_columns()
                 WHERE database_name = current_database() AND schema_name = 'main'
                   AND (CAST(? AS VARCHAR) IS NULL OR table_name = ?)
                 ORDER BY table_name, column_index"""
        return [tuple(r) for r in cur.execute(sql, [table, table]).fetchall()]
    sql = """SELECT table_name, column_name, data_type FROM information_schema.columns
             WHERE table_schema = current_schema()
               AND (CAST(? AS VARCHAR) IS NULL OR table_name = ?)
             ORDER BY table_name, ordinal_position"""
    return [
        (t, c, PG_TO_PORTABLE_TYPE.get(ty, ty.upper()))
        for t, c, ty in cur.execute(sql, [table, table]).fetchall()
    ]


def sequences(cur: Cursor) -> dict[str, int | None]:
    """Each sequence's last value handed out (None before its first use)."""
    if cur.dialect == DUCKDB:
        rows = cur.execute(
            """SELECT sequence_name, last_value FROM duckdb_sequences()
               WHERE database_name = current_database() AND schema_name = 'main'"""
        ).fetchall()
    else:
        rows = cur.execute(
            """SELECT sequencename, last_value FROM pg_sequences
               WHERE schemaname = current_schema()"""
        ).fetchall()
    return {n: (int(v) if v is not None else None) for n, v in rows}


#: The sequence a column's default draws from: ``nextval('audit_seq')`` (DuckDB) or
#: ``nextval('audit_seq'::regclass)`` (PostgreSQL, perhaps schema-qualified).
_NEXTVAL = re.compile(r"""nextval\('(?:[^'.]*\.)?"?([A-Za-z_][A-Za-z0-9_]*)"?'""")


def sequence_columns(cur: Cursor) -> dict[str, tuple[str, str]]:
    """Which table and column draw their ids from each sequence (its ``nextval`` default),
    so a restore can set each sequence from the ids actually loaded."""
    if cur.dialect == DUCKDB:
        sql = """SELECT table_name, column_name, column_default FROM duckdb_columns()
                 WHERE database_name = current_database() AND schema_name = 'main'
                   AND column_default LIKE 'nextval%'"""
    else:
        sql = """SELECT table_name, column_name, column_default FROM information_schema.columns
                 WHERE table_schema = current_schema() AND column_default LIKE 'nextval%'"""
    found: dict[str, tuple[str, str]] = {}
    for table, column, default in cur.execute(sql).fetchall():
        match = _NEXTVAL.search(str(default))
        if match:
            found.setdefault(match.group(1), (table, column))
    return found


def set_sequence(cur: Cursor, name: str, last: int) -> None:
    """Make a sequence's next value ``last + 1`` (1 when ``last`` is below 1), in constant
    time on both engines (``setval``; drawing values one by one never ends near 2^62)."""
    if last >= 1:
        cur.execute("SELECT setval(?, ?)", [name, int(last)])
    else:
        cur.execute("SELECT setval(?, 1, false)", [name])


#: The PostgreSQL advisory lock a restore holds for its whole transaction ("NLFREST").
RESTORE_LOCK_KEY = 0x4E4C46_52455354


def hold_restore_lock(cur: Cursor) -> None:
    """Keep every other process's writes out for the rest of this transaction, after the
    writes under way have committed (PostgreSQL; DuckDB has one writing process, kept out
    in-process by :class:`~nlf_planner.store.db.RestoreGate`). Released at commit or
    rollback, and by the server if the process dies: never a stale flag."""
    if cur.dialect == POSTGRES:
        cur.execute("SELECT pg_advisory_xact_lock(?)", [RESTORE_LOCK_KEY])


def refuse_during_restore(cur: Cursor, refusal: Exception) -> None:
    """At the start of a write transaction: raise ``refusal`` when another process is
    restoring (PostgreSQL); else hold the shared side of the lock, so a restore starting
    now waits for this write to commit and keeps it in its safety backup."""
    if cur.dialect != POSTGRES:
        return
    ok = cur.execute("SELECT pg_try_advisory_xact_lock_shared(?)", [RESTORE_LOCK_KEY]).fetchone()
    if not (ok and ok[0]):
        raise refusal


def begin_snapshot(cur: Cursor) -> None:
    """Begin a read-only transaction that sees one consistent state of every table (DuckDB's
    transactions always do; PostgreSQL needs REPEATABLE READ for that)."""
    if cur.dialect == DUCKDB:
        cur.execute("BEGIN TRANSACTION")
    else:
        cur.execute("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def table_exists(cur: Cursor, name: str) -> bool:
    return name in tables(cur)


def engine_version(cur: Cursor) -> str:
    """The engine and its version, recorded beside each applied migration."""
    if cur.dialect == DUCKDB:
        import duckdb

        return duckdb.__version__
    return "PostgreSQL " + str(cur.execute("SHOW server_version").fetchone()[0])


# --- serialising a critical section across processes --------------------------------------------

#: The advisory-lock key every migration transaction takes first (an arbitrary constant).
MIGRATIONS_LOCK = 7_301_613


def lock_migrations(cur: Cursor) -> None:
    """Hold the migrations' lock until this transaction ends (PostgreSQL; DuckDB has one
    writing process, so nothing to do)."""
    if cur.dialect == POSTGRES:
        cur.execute("SELECT pg_advisory_xact_lock(?)", [MIGRATIONS_LOCK])


def lock(cur: Cursor, name: str) -> None:
    """Serialise transactions that read, check, then write the same thing (a plan's head,
    one chart's rebases, the stakeholder names) across app processes: on PostgreSQL an
    advisory lock held to the end of this transaction, taken before the check's read, so
    the check sees whatever the previous holder committed (READ COMMITTED). DuckDB's one
    process detects such clashes itself as write-write conflicts."""
    if cur.dialect == POSTGRES:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(?))", [name])


# --- errors ------------------------------------------------------------------------------------

ErrorKind = Literal["conflict", "constraint", "missing", "lost", "other"]


@dataclass(frozen=True)
class Classified:
    kind: ErrorKind
    message: str


def classify(exc: BaseException) -> Classified | None:
    """What a driver's exception means for the store, or None when it is not a driver's.

    "conflict": a write-write conflict, serialisation failure or deadlock (SQLSTATE 40001,
    40P01; DuckDB's transaction conflict): retry the whole unit of work. "lost": the server
    went away (nothing after the last COMMIT was saved). "constraint": a key or check
    refused a row. "missing": a table or other object does not exist.
    """
    import duckdb

    text = _first_line(exc)
    if isinstance(exc, duckdb.Error):
        if isinstance(exc, duckdb.TransactionException) and "onflict" in str(exc):
            return Classified("conflict", text)
        if isinstance(exc, duckdb.ConstraintException):
            return Classified("constraint", text)
        if isinstance(exc, duckdb.CatalogException):
            return Classified("missing", text)
        return Classified("other", text)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a pinned dependency
        return None
    if not isinstance(exc, psycopg.Error):
        return None
    state = getattr(exc, "sqlstate", None) or ""
    if state in ("40001", "40P01", "55P03"):  # serialisation, deadlock, lock timeout
        return Classified("conflict", text)
    if state.startswith("23"):
        return Classified("constraint", text)
    if state in ("42P01", "42883", "3F000"):
        return Classified("missing", text)
    if (
        isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))
        or state.startswith("08")
        or state.startswith("57P")
    ):
        return Classified("lost", text)
    return Classified("other", text)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


__all__ = [
    "DUCKDB",
    "POSTGRES",
    "bulk_insert",
    "classify",
    "columns",
    "insert_values_sql",
    "lock",
    "lock_migrations",
    "on_conflict",
    "plain_params",
    "hold_restore_lock",
    "refuse_during_restore",
    "sequence_columns",
    "sequences",
    "set_sequence",
    "tables",
    "to_pyformat",
]
