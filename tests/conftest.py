"""Shared fixtures: real databases, never a mock of the store.

The store and services suites run against both backends: ``backend`` is parametrised
("duckdb", "postgres") for every test under ``tests/integration/store`` and
``tests/integration/services`` that uses ``db`` or ``fresh_seeded_db`` (see
:func:`pytest_generate_tests`). DuckDB databases are files in temporary folders; PostgreSQL
databases live in one throwaway server started for the session from the installed server
binaries (``tests/pg_server.py``), each test getting its own database copied from a template
(``CREATE DATABASE … TEMPLATE``), so the history is generated once, not per test.

A test that needs a DuckDB file itself (it asks for ``seeded_db_path`` or
``fresh_seeded_db_path``, or is marked ``duckdb_only``: file locks, read-only opens) runs on
DuckDB only. When PostgreSQL cannot be found the PostgreSQL cases fail with a message saying
how to install it; they are never skipped silently.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

from nlf_planner.services.actor import SYSTEM
from nlf_planner.services.database import open_store
from nlf_planner.services.seeding import seed_database
from nlf_planner.store import Database
from tests.pg_server import PostgresMissing, ThrowawayPostgres, start_throwaway

#: Tests pin the history's last month so results do not depend on today's date.
PINNED_END_MONTH = date(2026, 10, 1)

BACKENDS = ("duckdb", "postgres")
_BOTH_BACKENDS_DIRS = ("/tests/integration/store/", "/tests/integration/services/")
_FILE_FIXTURES = {"seeded_db_path", "fresh_seeded_db_path"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "duckdb_only: needs the DuckDB file itself (locks, read-only opens)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run store and services tests on both backends, unless they need a DuckDB file."""
    if "backend" not in metafunc.fixturenames:
        return
    path = str(metafunc.definition.path)
    if not any(d in path for d in _BOTH_BACKENDS_DIRS):
        return
    if _FILE_FIXTURES & set(metafunc.fixturenames):
        return
    if metafunc.definition.get_closest_marker("duckdb_only"):
        return
    metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which engine this test's ``db`` / ``fresh_seeded_db`` uses (DuckDB unless
    parametrised)."""
    return getattr(request, "param", "duckdb")


# --- PostgreSQL: one throwaway server per session, a database per test --------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[ThrowawayPostgres]:
    try:
        server = start_throwaway()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.destroy()


def _admin(server: ThrowawayPostgres) -> psycopg.Connection:
    return psycopg.connect(server.url("postgres"), autocommit=True)


def create_database(server: ThrowawayPostgres, template: str | None = None) -> str:
    """A new, uniquely named database (a copy of ``template`` when given); returns its name."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    with _admin(server) as con:
        clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        con.execute(f"CREATE DATABASE {name}{clause}")
    return name


def drop_database(server: ThrowawayPostgres, name: str) -> None:
    with _admin(server) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_reference_template(pg_server: ThrowawayPostgres) -> str:
    """A database with the schema and the reference content, to copy per test."""
    name = create_database(pg_server)
    open_store(pg_server.url(name)).close()
    return name


@pytest.fixture(scope="session")
def pg_seeded_template(pg_server: ThrowawayPostgres, pg_reference_template: str) -> str:
    """The default generated data on PostgreSQL, seeded once as ``make db`` does."""
    name = create_database(pg_server, pg_reference_template)
    database = open_store(pg_server.url(name))
    seed_database(database, SYSTEM, end_month=PINNED_END_MONTH)
    database.close()
    return name


@pytest.fixture
def pg_url(pg_server: ThrowawayPostgres, pg_reference_template: str) -> Iterator[str]:
    """The URL of a new PostgreSQL database with schema and reference content."""
    name = create_database(pg_server, pg_reference_template)
    yield pg_server.url(name)
    drop_database(pg_server, name)


@pytest.fixture
def pg_seeded_url(pg_server: ThrowawayPostgres, pg_seeded_template: str) -> Iterator[str]:
    """The URL of a private copy of the seeded PostgreSQL database, safe to write to."""
    name = create_database(pg_server, pg_seeded_template)
    yield pg_server.url(name)
    drop_database(pg_server, name)


# --- the fixtures tests use -------------------------------------------------------------------


def _server_backups_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server database keeps its backups in NLF_BACKUP_DIR: the test's own folder."""
    monkeypatch.setenv("NLF_BACKUP_DIR", str(tmp_path / "backups"))


@pytest.fixture
def db(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """A new database with the schema and the reference content, but no history."""
    if backend == "postgres":
        _server_backups_in(tmp_path, monkeypatch)
        target = request.getfixturevalue("pg_url")
    else:
        target = tmp_path / "t.duckdb"
    database = open_store(target)
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
def fresh_seeded_db(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """A private, writable copy of the seeded database on this test's backend."""
    if backend == "postgres":
        _server_backups_in(tmp_path, monkeypatch)
        target = request.getfixturevalue("pg_seeded_url")
    else:
        target = request.getfixturevalue("fresh_seeded_db_path")
    database = open_store(target)
    yield database
    database.close()
