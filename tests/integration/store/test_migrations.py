"""Numbered migrations on both backends: each applied once, whole or not at all, and on
PostgreSQL never twice when several app processes start at the same moment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nlf_planner.store import open_database
from nlf_planner.store.db import MissingObject
from nlf_planner.store.migrations import (
    MIGRATIONS,
    Migration,
    apply_migrations,
    schema_version,
)

NEEDED = (
    "conditions",
    "priority_areas",
    "measures",
    "regions",
    "icbs",
    "measurements",
    "plan_versions",
    "plan_targets",
    "plan_milestones",
    "plan_heads",
    "scenarios",
    "annotations",
    "spc_rebases",
    "spc_baselines",
    "spc_chart_types",
    "peer_groups",
    "peer_group_members",
    "stakeholders",
    "engagement_events",
    "audit_log",
    "app_meta",
    "schema_migrations",
)


def _tables(db) -> set[str]:
    return {r[0] for r in db.rows("SELECT table_name FROM information_schema.tables")}


def test_new_database_gets_every_migration_recorded(db) -> None:
    assert schema_version(db) == max(m.version for m in MIGRATIONS)
    assert set(NEEDED) <= _tables(db)
    assert db.scalar("SELECT count(*) FROM schema_migrations") == len(MIGRATIONS)


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    open_database(path).close()
    db = open_database(path)
    assert apply_migrations(db) == []
    count = db.scalar("SELECT count(*) FROM schema_migrations")
    assert count == len(MIGRATIONS)


def test_failed_migration_leaves_the_database_as_it_was(db) -> None:
    before = schema_version(db)
    broken = Migration(
        999,
        "broken on purpose",
        ("CREATE TABLE half_done (x INTEGER)", "INSERT INTO no_such_table VALUES (1)"),
    )
    with pytest.raises(MissingObject):
        apply_migrations(db, (*MIGRATIONS, broken))
    assert schema_version(db) == before
    assert "half_done" not in _tables(db)


_OPEN_ONE = """
import sys
from nlf_planner.store import open_database
from nlf_planner.store.migrations import schema_version
db = open_database(sys.argv[1])
print(schema_version(db), flush=True)
db.close()
"""


def test_replicas_starting_together_apply_each_migration_once(pg_server) -> None:
    """Four processes open one empty PostgreSQL database at once: the advisory lock lets
    exactly one apply each migration; every process ends on the latest schema."""
    from tests.conftest import create_database, drop_database

    name = create_database(pg_server)
    url = pg_server.url(name)
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _OPEN_ONE, url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        outputs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], [e for _, e in outputs]
        latest = max(m.version for m in MIGRATIONS)
        assert [int(o.strip()) for o, _ in outputs] == [latest] * 4
        db = open_database(url)
        try:
            rows = db.rows("SELECT version, count(*) FROM schema_migrations GROUP BY version")
            assert sorted(rows) == [
                (m.version, 1) for m in sorted(MIGRATIONS, key=lambda m: m.version)
            ]
        finally:
            db.close()
    finally:
        drop_database(pg_server, name)
