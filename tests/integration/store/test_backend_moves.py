"""Moving an installation between backends with the portable backup: DuckDB → PostgreSQL →
DuckDB, every table identical row for row (checked by a digest of every table's rows).

Why: the portable backup is the one way from the embedded file to a shared server and back;
a value changed on the way (a date shifted, a float rounded, a NULL turned into NaN text, a
sequence reset) would go unnoticed until someone's plan was wrong.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date, datetime

import pandas as pd

from nlf_planner.services.database import open_store
from nlf_planner.store.annotations import add_annotation
from nlf_planner.store.backup import create_backup, restore_backup, table_names

#: Rows a restore adds itself (its audit row, its marker); everything else must match.
_RESTORE_OWN = {"audit_log": "action = 'restore'", "app_meta": "key = 'restore_id'"}


def _cell(v) -> str:
    if v is None or v is pd.NaT or v is pd.NA:
        return "∅"
    if isinstance(v, float):
        return "∅" if math.isnan(v) else repr(v)
    if isinstance(v, (pd.Timestamp, datetime)):
        return pd.Timestamp(v).isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return "t" if v else "f"
    return str(v)


def row_digests(db) -> dict[str, tuple[int, str]]:
    """Per table: (rows, SHA-256 of its rows in a canonical text form, in sorted order),
    leaving out the rows a restore writes about itself."""
    out = {}
    for name in table_names(db):
        if name == "schema_migrations":
            continue
        where = f" WHERE NOT ({_RESTORE_OWN[name]})" if name in _RESTORE_OWN else ""
        frame = db.df(f'SELECT * FROM "{name}"{where}')
        lines = sorted(
            "\x1f".join(_cell(v) for v in row)
            for row in frame.astype(object).itertuples(index=False, name=None)
        )
        out[name] = (len(lines), hashlib.sha256("\x1e".join(lines).encode()).hexdigest())
    return out


def test_duckdb_to_postgres_and_back_keeps_every_table_identical(
    fresh_seeded_db_path, pg_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("NLF_BACKUP_DIR", str(tmp_path / "server-backups"))
    source = open_store(fresh_seeded_db_path)
    add_annotation(
        source, actor="Ann", period=date(2026, 3, 1), text="New lead started", measure_code="M01"
    )
    expected = row_digests(source)
    backup = create_backup(source, tmp_path / "from-duckdb.zip", created_by="test")
    source.close()
    assert expected["measurements"][0] > 10_000 and expected["audit_log"][0] > 0

    server = open_store(pg_url)
    try:
        restore_backup(server, backup, actor="Ann", reason="move to PostgreSQL")
        assert row_digests(server) == expected
        # Sequences carry on after the restored ids on the server too.
        new_id = add_annotation(server, actor="Ben", period=date(2026, 4, 1), text="Next")
        assert new_id > int(
            server.scalar(
                "SELECT max(annotation_id) FROM annotations WHERE annotation_id <> ?", [new_id]
            )
        )
        on_server = row_digests(server)
        second = create_backup(server, tmp_path / "from-postgres.zip", created_by="test")
    finally:
        server.close()

    back = open_store(tmp_path / "back.duckdb")
    try:
        restore_backup(back, second, actor="Ann", reason="back to the file")
        assert row_digests(back) == on_server
    finally:
        back.close()


def test_a_backup_made_on_postgres_lists_the_same_columns_as_on_duckdb(
    fresh_seeded_db_path, pg_seeded_url, tmp_path, monkeypatch
):
    """The manifest's portable column types do not depend on the engine that made it."""
    from nlf_planner.store.backup import read_manifest

    monkeypatch.setenv("NLF_BACKUP_DIR", str(tmp_path / "server-backups"))
    file_db = open_store(fresh_seeded_db_path)
    server = open_store(pg_seeded_url)
    try:
        a = read_manifest(create_backup(file_db, tmp_path / "a.zip"))
        b = read_manifest(create_backup(server, tmp_path / "b.zip"))
    finally:
        file_db.close()
        server.close()
    assert {t: m["columns"] for t, m in a["tables"].items()} == {
        t: m["columns"] for t, m in b["tables"].items()
    }
    assert set(a["sequences"]) == set(b["sequences"])
