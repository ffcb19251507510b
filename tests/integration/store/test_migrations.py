from pathlib import Path

import duckdb
import pytest

from nlf_planner.store import open_database
from nlf_planner.store.migrations import (
    MIGRATIONS,
    Migration,
    apply_migrations,
    schema_version,
)


def test_new_file_gets_every_migration_recorded(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a.duckdb")
    assert schema_version(db) == max(m.version for m in MIGRATIONS)
    tables = {r[0] for r in db.rows("SELECT table_name FROM information_schema.tables")}
    for needed in (
        "conditions",
        "priority_areas",
        "measures",
        "regions",
        "icbs",
        "measurements",
        "plan_versions",
        "plan_targets",
        "plan_milestones",
        "scenarios",
        "annotations",
        "stakeholders",
        "engagement_events",
        "audit_log",
        "schema_migrations",
    ):
        assert needed in tables


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    open_database(path).close()
    db = open_database(path)
    assert apply_migrations(db) == []
    count = db.scalar("SELECT count(*) FROM schema_migrations")
    assert count == len(MIGRATIONS)


def test_failed_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a.duckdb")
    before = schema_version(db)
    broken = Migration(
        999,
        "broken on purpose",
        ("CREATE TABLE half_done (x INTEGER)", "INSERT INTO no_such_table VALUES (1)"),
    )
    with pytest.raises(duckdb.CatalogException):
        apply_migrations(db, (*MIGRATIONS, broken))
    assert schema_version(db) == before
    tables = {r[0] for r in db.rows("SELECT table_name FROM information_schema.tables")}
    assert "half_done" not in tables
