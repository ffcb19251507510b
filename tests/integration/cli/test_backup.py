"""The backup command line (``make backup``, ``make restore FILE=…``): the same services as
the Data page, acting as the operating-system user (or ``NLF_ACTOR``)."""

from __future__ import annotations

from nlf_planner.cli import backup as backup_cli
from nlf_planner.store import open_database


def test_cli_backup_check_and_restore(fresh_seeded_db_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NLF_DB_PATH", str(fresh_seeded_db_path))
    monkeypatch.setenv("NLF_ACTOR", "ops")
    assert backup_cli.main(["backup", str(tmp_path / "cli.zip")]) == 0
    assert "Backup written" in capsys.readouterr().out
    assert backup_cli.main(["check", str(tmp_path / "cli.zip")]) == 0
    assert "valid backup" in capsys.readouterr().out
    db = open_database(fresh_seeded_db_path)
    n = db.scalar("SELECT count(*) FROM measurements")
    db.write(lambda cur: cur.execute("DELETE FROM measurements"))
    db.close()
    assert backup_cli.main(["restore", str(tmp_path / "cli.zip")]) == 0
    assert "Restored" in capsys.readouterr().out
    db = open_database(fresh_seeded_db_path)
    try:
        assert db.scalar("SELECT count(*) FROM measurements") == n
        assert db.scalar("SELECT actor FROM audit_log WHERE action='restore'") == "ops"
    finally:
        db.close()
    (tmp_path / "bad.zip").write_bytes(b"nope")
    assert backup_cli.main(["restore", str(tmp_path / "bad.zip")]) == 1
    assert "Refused" in capsys.readouterr().err
