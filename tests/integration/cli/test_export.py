"""The board-pack command line: a pack for a region by name, through the deck service; an
unknown region or a missing Chromium fails with a readable message and writes nothing."""

from __future__ import annotations

from nlf_planner.cli.export import main


def test_cli_writes_a_pack_for_a_region_by_name(seeded_db_path, tmp_path, capsys) -> None:
    out = tmp_path / "pack.html"
    code = main(
        ["--format", "html", "--region", "London", "--db", str(seeded_db_path), "--out", str(out)]
    )
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "board report for London" in text
    assert "slides (html)" in capsys.readouterr().out


def test_cli_rejects_an_unknown_region(seeded_db_path, tmp_path, capsys) -> None:
    code = main(
        ["--format", "html", "--region", "Atlantis", "--db", str(seeded_db_path),
         "--out", str(tmp_path / "x.html")]
    )  # fmt: skip
    assert code == 1
    assert "Unknown region" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_cli_without_chromium_fails_with_the_install_hint(
    seeded_db_path, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    code = main(
        ["--format", "pptx", "--db", str(seeded_db_path), "--out", str(tmp_path / "x.pptx")]
    )
    assert code == 1
    assert "apt-get install chromium" in capsys.readouterr().err


def test_cli_rejects_an_unknown_plan_version(seeded_db_path, tmp_path, capsys) -> None:
    out = tmp_path / "x.html"
    code = main(
        ["--format", "html", "--plan-version", "99999", "--db", str(seeded_db_path),
         "--out", str(out)]
    )  # fmt: skip
    assert code == 1
    assert "Plan version 99999 does not exist" in capsys.readouterr().err
    assert not out.exists()


def test_cli_without_a_database_file_says_how_to_make_one(tmp_path, capsys) -> None:
    code = main(
        ["--format", "html", "--db", str(tmp_path / "none.duckdb"),
         "--out", str(tmp_path / "x.html")]
    )  # fmt: skip
    assert code == 2
    assert "python -m nlf_planner.cli.generate" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()


def test_cli_writes_a_pack_from_the_shared_postgresql_database(
    pg_seeded_url, tmp_path, monkeypatch, capsys
) -> None:
    """With NLF_DATABASE_URL set (no --db), the pack is built from the server, as the app's
    replicas read it."""
    monkeypatch.setenv("NLF_DATABASE_URL", pg_seeded_url)
    monkeypatch.setenv("NLF_DB_PATH", str(tmp_path / "absent.duckdb"))  # must not be used
    out = tmp_path / "pack.html"
    code = main(["--format", "html", "--region", "London", "--out", str(out)])
    assert code == 0
    assert "board report for London" in out.read_text(encoding="utf-8")
    assert not (tmp_path / "absent.duckdb").exists()
