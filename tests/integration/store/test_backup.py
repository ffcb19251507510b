"""Backup and restore: a checked zip, restored beside the live file and swapped in whole."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from nlf_planner.store import open_database
from nlf_planner.store.audit import record
from nlf_planner.store.backup import (
    MANIFEST,
    BackupError,
    backup_bytes,
    create_backup,
    read_table,
    restore_backup,
    table_columns,
    table_names,
    table_row_counts,
    validate_backup,
)
from nlf_planner.store.migrations import MIGRATIONS


def contents(db) -> dict[str, pd.DataFrame]:
    out = {}
    for name in table_names(db):
        if name == "schema_migrations":
            continue
        df = read_table(db, name)
        out[name] = df.sort_values(list(df.columns)).reset_index(drop=True) if len(df) else df
    return out


def rewrite_zip(data: bytes, change) -> bytes:
    """Copy a zip, letting ``change(name, bytes)`` alter each member."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            new = change(info.filename, src.read(info.filename))
            if new is not None:
                dst.writestr(info.filename, new)
    return out.getvalue()


def test_backup_zip_has_a_manifest_with_counts_checksums_and_schema(fresh_seeded_db):
    db = fresh_seeded_db
    path = create_backup(db, created_by="Asha")
    assert path.parent == db.backup_dir and path.suffix == ".zip"
    manifest = validate_backup(path)
    assert manifest["schema_version"] == max(m.version for m in MIGRATIONS)
    assert manifest["created_by"] == "Asha"
    counts = table_row_counts(db)
    assert {t: m["rows"] for t, m in manifest["tables"].items()} == counts
    assert manifest["tables"]["measurements"]["rows"] > 20_000
    with zipfile.ZipFile(path) as zf:
        assert set(zf.namelist()) == {MANIFEST} | {m["file"] for m in manifest["tables"].values()}


def test_restore_brings_back_every_row_and_records_itself(fresh_seeded_db, tmp_path):
    db = fresh_seeded_db
    db.write(lambda cur: record(cur, actor="Asha", action="edit", entity="plan"))
    original = contents(db)
    path = create_backup(db, tmp_path / "b.zip")
    # Damage the live data in several tables.
    db.write(lambda cur: cur.execute("DELETE FROM measurements WHERE measure_code = 'M08'"))
    db.write(lambda cur: cur.execute("UPDATE regions SET name = 'Changed'"))
    changed = contents(db)
    report = restore_backup(
        db, path, actor="Ben Okafor", reason="undo a bad import", safety_dir=tmp_path / "safety"
    )
    restored = contents(db)
    for name, df in original.items():
        if name in ("audit_log", "app_meta"):
            continue
        pd.testing.assert_frame_equal(restored[name], df, check_dtype=False, obj=name)
    audit = db.df("SELECT actor, action, entity, reason FROM audit_log ORDER BY audit_id")
    assert audit.iloc[-1].tolist() == ["Ben Okafor", "restore", "database", "undo a bad import"]
    assert report.tables["measurements"] == len(original["measurements"])
    # The automatic backup holds the state just before the restore.
    assert report.safety_backup.parent == tmp_path / "safety"
    safety = validate_backup(report.safety_backup)
    assert safety["tables"]["measurements"]["rows"] == len(changed["measurements"])
    # Sequences carry on after the restored ids (no clash on the next insert).
    db.write(lambda cur: record(cur, actor="C", action="edit", entity="plan"))
    ids = db.df("SELECT audit_id FROM audit_log")["audit_id"]
    assert ids.is_unique
    # No leftovers beside the live file.
    assert _leftovers(db) == []


def test_backup_bytes_restore_and_reopen_from_disk(fresh_seeded_db_path, tmp_path):
    db = open_database(fresh_seeded_db_path)
    data = backup_bytes(db)
    original = contents(db)
    db.write(lambda cur: cur.execute("DELETE FROM measurements"))
    restore_backup(db, data, actor="A", safety_dir=tmp_path)
    db.close()
    again = open_database(fresh_seeded_db_path)  # the swapped file is the file on disk
    try:
        assert len(contents(again)["measurements"]) == len(original["measurements"])
    finally:
        again.close()


def _refused(db, source, tmp_path, match: str):
    before = contents(db)
    with pytest.raises(BackupError, match=match):
        restore_backup(db, source, actor="A", safety_dir=tmp_path / "safety")
    after = contents(db)
    assert before.keys() == after.keys()
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)
    assert not (tmp_path / "safety").exists()  # refused before anything happened
    assert _leftovers(db) == []


def _leftovers(db) -> list[str]:
    """Half-built restores: files beside a DuckDB file, staging schemas on a server."""
    if db.dialect == "postgres":
        return [
            r[0]
            for r in db.rows("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'nlf_restore%'")
        ]
    return [p.name for p in Path(db.path).parent.iterdir() if "restoring" in p.name]


def test_a_backup_that_fails_its_checksum_is_refused(fresh_seeded_db, tmp_path):
    db = fresh_seeded_db
    data = backup_bytes(db)

    def tamper(name, content):
        if name == "tables/measurements.parquet":
            return content[:-100] + bytes(100)
        return content

    _refused(
        db, rewrite_zip(data, tamper), tmp_path, "failed its checksum for table 'measurements'"
    )


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda m: m.update(schema_version=99), "newer version of NLF Planner"),
        (lambda m: m.update(format="something-else"), "not an NLF Planner backup"),
        (lambda m: m.update(format_version=7), "file format 7"),
        (lambda m: m["tables"]["regions"].update(rows=8), "should hold 8 rows"),
        (lambda m: m["tables"].pop("icbs"), "missing tables icbs"),
        (
            lambda m: m["tables"]["regions"].update(file="tables/nothing.parquet"),
            "file for table 'regions' is missing",
        ),
    ],
    ids=[
        "newer-schema",
        "other-format",
        "format-version",
        "row-count",
        "missing-table",
        "missing-file",
    ],
)
def test_inconsistent_manifests_are_refused(fresh_seeded_db, tmp_path, mutate, match):
    db = fresh_seeded_db
    data = backup_bytes(db)

    def change(name, content):
        if name == MANIFEST:
            manifest = json.loads(content)
            mutate(manifest)
            return json.dumps(manifest).encode()
        return content

    _refused(db, rewrite_zip(data, change), tmp_path, match)


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (b"not a zip at all", "not a readable zip"),
        (None, "no manifest"),
        (b"PK\x03\x04garbage", "not a readable zip"),
    ],
)
def test_files_that_are_not_backups_are_refused(fresh_seeded_db, tmp_path, source, match):
    if source is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("hello.txt", "hi")
        source = buf.getvalue()
    _refused(fresh_seeded_db, source, tmp_path, match)


def test_restore_needs_a_person(fresh_seeded_db, tmp_path):
    with pytest.raises(BackupError, match="Sign in"):
        restore_backup(fresh_seeded_db, backup_bytes(fresh_seeded_db), actor="")


def test_table_helpers_only_read_known_tables(db):
    assert "measurements" in table_names(db)
    assert ("measure_code", "VARCHAR") in table_columns(db)["measurements"]
    with pytest.raises(BackupError, match="no table"):
        read_table(db, "measurements; DROP TABLE regions")
    assert len(read_table(db, "regions", limit=2)) == 2


def test_kept_backups_lists_the_zips_beside_the_database_newest_first(fresh_seeded_db):
    from nlf_planner.store.backup import kept_backups

    db = fresh_seeded_db
    assert kept_backups(db) == []
    older = create_backup(db, created_by="A")
    newer = create_backup(db, created_by="B", prefix="nlf-before-import")
    os.utime(older, (1_000_000_000, 1_000_000_000))  # make the order unambiguous
    kept = kept_backups(db)
    assert [b["file"] for b in kept] == [newer.name, older.name]
    assert kept[0]["path"] == newer and kept[0]["size_mb"] >= 0


# --- hostile backups (issue 15) ------------------------------------------------------------


def _with_manifest(data: bytes, mutate) -> bytes:
    def change(name, content):
        if name == MANIFEST:
            manifest = json.loads(content)
            mutate(manifest)
            return json.dumps(manifest).encode()
        return content

    return rewrite_zip(data, change)


@pytest.mark.parametrize("claimed", [10**8, 2**62, -5, "9", None])
def test_a_manifest_sequence_is_clamped_to_the_largest_id_it_serves(
    fresh_seeded_db, tmp_path, claimed
):
    """A manifest saying audit_seq stands at 10^8 (5.6 s to draw) or near 2^62 (never
    ends): the restore sets it just past the largest audit id instead, at once."""
    from nlf_planner.store import dialect

    db = fresh_seeded_db
    db.write(lambda cur: record(cur, actor="Asha", action="edit", entity="plan"))
    largest = int(db.df("SELECT max(audit_id) AS m FROM audit_log")["m"].iloc[0])
    data = _with_manifest(backup_bytes(db), lambda m: m["sequences"].update(audit_seq=claimed))
    restore_backup(db, data, actor="Ben Okafor", safety_dir=tmp_path / "safety")
    # The restore's own audit row took the next id; the sequence stands there, not at 10^8.
    ids = db.df("SELECT audit_id FROM audit_log ORDER BY audit_id")["audit_id"].tolist()
    assert ids[-1] == largest + 1
    with db.cursor() as cur:
        assert dialect.sequences(cur)["audit_seq"] == largest + 1


def test_sequence_after_restore_keeps_a_small_gap_but_not_a_huge_one():
    from nlf_planner.store.backup import SEQUENCE_SLACK, sequence_after_restore

    assert sequence_after_restore(120, 125) == 125  # ids of rows deleted just before
    assert sequence_after_restore(120, 120 + SEQUENCE_SLACK + 1) == 120
    assert sequence_after_restore(120, 3) == 120  # never behind the ids (a clash)
    assert sequence_after_restore(0, None) == 0
    assert sequence_after_restore(5, True) == 5


def test_a_zip_bomb_backup_is_refused_from_its_declared_sizes(fresh_seeded_db, tmp_path):
    from tests.hostile_files import _lie_about_sizes, deflate_bomb_zip

    _refused(fresh_seeded_db, deflate_bomb_zip({MANIFEST: 8}), tmp_path, "would unpack")
    declared = _lie_about_sizes(backup_bytes(fresh_seeded_db), MANIFEST, 2**30)
    _refused(fresh_seeded_db, declared, tmp_path, "manifest.json would unpack to 1,024 MB")
