"""``make migrate-to-postgres URL=…`` (``cli.backup migrate --to``): an existing DuckDB
installation moves into a PostgreSQL database in one step, every row with it."""

from __future__ import annotations

from nlf_planner.cli import backup as backup_cli
from nlf_planner.services.database import open_store
from tests.integration.store.test_backend_moves import row_digests


def test_migrate_moves_every_row_of_the_file_into_the_server(
    fresh_seeded_db_path, pg_url, tmp_path, monkeypatch, capsys
):
    # The file's backups (and the signing key beside them) and the server's share a folder,
    # as data/backups does in a real installation.
    monkeypatch.setenv("NLF_DB_PATH", str(fresh_seeded_db_path))
    monkeypatch.setenv("NLF_BACKUP_DIR", str(fresh_seeded_db_path.parent / "backups"))
    monkeypatch.setenv("NLF_DATABASE_URL", pg_url)  # ignored as the source: the file moves
    monkeypatch.setenv("NLF_ACTOR", "Migration test")
    source = open_store(fresh_seeded_db_path)
    expected = row_digests(source)
    source.close()

    assert backup_cli.main(["migrate", "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert "Moved" in out and "NLF_DATABASE_URL" in out

    server = open_store(pg_url)
    try:
        assert row_digests(server) == expected
        who = server.rows(
            "SELECT actor, entity FROM audit_log WHERE action = 'restore' ORDER BY audit_id"
        )
        assert who == [("Migration test", "database")]
    finally:
        server.close()


def test_migrate_to_an_unreachable_server_says_so_and_changes_nothing(
    fresh_seeded_db_path, monkeypatch, capsys
):
    monkeypatch.setenv("NLF_DB_PATH", str(fresh_seeded_db_path))
    url = "postgresql://postgres@127.0.0.1:54339/nowhere?connect_timeout=2"
    assert backup_cli.main(["migrate", "--to", url]) == 2
    err = capsys.readouterr().err
    assert "Not moved" in err and "cannot be reached" in err and "Traceback" not in err
