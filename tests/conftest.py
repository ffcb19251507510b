"""Shared fixtures: real DuckDB files in temporary folders, never a mock of the store."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from nlf_planner.services.actor import SYSTEM
from nlf_planner.services.database import open_store
from nlf_planner.services.seeding import seed_database
from nlf_planner.store import Database

#: Tests pin the history's last month so results do not depend on today's date.
PINNED_END_MONTH = date(2026, 10, 1)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """A new database with the schema and the reference content, but no history."""
    database = open_store(tmp_path / "test.duckdb")
    yield database
    database.close()


@pytest.fixture(scope="session")
def seeded_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default generated data (plan, scenarios, engagement seeds included), made once.

    Seeded exactly as ``make db`` does (the seeding service, as the command-line user), only
    with the history's last month pinned. Treat it as read-only; copy it
    (``fresh_seeded_db``) before writing.
    """
    path = tmp_path_factory.mktemp("seeded") / "nlf.duckdb"
    database = open_store(path)
    seed_database(database, SYSTEM, end_month=PINNED_END_MONTH)
    database.close()
    return path


@pytest.fixture
def fresh_seeded_db_path(seeded_db_path: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded file, safe to write to."""
    target = tmp_path / "seeded-copy.duckdb"
    shutil.copy(seeded_db_path, target)
    return target


@pytest.fixture
def fresh_seeded_db(fresh_seeded_db_path: Path) -> Database:
    database = open_store(fresh_seeded_db_path)
    yield database
    database.close()
