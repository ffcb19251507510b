"""The data version: one key that moves with every change to the data, read once per run.

Every audited write moves it, because every change writes an audit row (``audit.record``)
and the version includes the audit trail's row count and newest id. That is the one home
of "which writes bump it": import, plan save, scenario save, annotation, rebase, engagement
edit, restore all record an audit row inside their own transaction, so the version moves
exactly when that transaction commits, and not before.

Why the audit trail and not an ``app_meta`` counter row updated by every write: on DuckDB
two transactions that update the same row conflict whenever they overlap (measured: eight
threads each saving five changes lost one to three saves after ``Database.write``'s
retries, against none without the shared row), so a counter row would turn any two people
saving different things at once into a failed save. Appending an audit row conflicts with
nothing. The count is taken beside the newest id because on PostgreSQL ids are handed out
before commit, so a later id can commit first; the count still moves when the earlier one
lands. The trail is append-only (nothing deletes from it), and a restore also changes
``restore_id``.

Writes of measurements that bypass the audit (raw store writes in tools and tests) still
bump the counter row (:func:`bump_data_version`), as they did before; its row lock also
queues two measurement writers one behind the other.
"""

from __future__ import annotations

from nlf_planner.store.db import Cursor, Database

#: The ``app_meta`` row counting raw writes of measurements.
DATA_VERSION_KEY = "data_version"

_VERSION_SQL = """
SELECT (SELECT value FROM app_meta WHERE key = ?),
       (SELECT value FROM app_meta WHERE key = 'restore_id'),
       (SELECT count(*) FROM audit_log),
       (SELECT max(audit_id) FROM audit_log)
"""


def bump_data_version(cur: Cursor) -> None:
    """Count one more raw change to the measurements, in the caller's transaction."""
    cur.execute(
        """INSERT INTO app_meta (key, value) VALUES (?, '1')
           ON CONFLICT (key) DO UPDATE
           SET value = CAST(CAST(app_meta.value AS BIGINT) + 1 AS VARCHAR)""",
        [DATA_VERSION_KEY],
    )


def data_version(db: Database) -> str:
    """A key that changes whenever the data change, so cached results never go stale.

    One query: the raw-write counter, the restore's id and the audit trail's count and
    newest id. A database written before the counter existed (no row) falls back to the
    measurements' count and latest load time for that part."""
    counter, restore_id, audited, newest = db.rows(_VERSION_SQL, [DATA_VERSION_KEY])[0]
    if counter is None:
        row = db.rows("SELECT count(*), max(loaded_at) FROM measurements")[0]
        counter = f"{row[0]}:{row[1]}"
    return f"v{counter}:{(restore_id or '')[:12]}:a{audited}.{newest or 0}"
