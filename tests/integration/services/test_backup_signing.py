"""Signed backups against real database files: every backup the app writes is signed with the
server's key; an edited backup (a table rewritten and the manifest's checksums recomputed) is
refused and the data are unchanged; an unsigned one needs the admin's explicit say-so; a
backup signed with another server's key is refused; the restore's audit row names the file
and its signature status."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from pathlib import Path

import duckdb
import pytest

from nlf_planner.cli import backup as backup_cli
from nlf_planner.services import audit as audit_service
from nlf_planner.services import data_transfer
from nlf_planner.services.actor import local_actor
from nlf_planner.services.data_transfer import signing
from nlf_planner.services.errors import ValidationFailed
from nlf_planner.store import Database
from tests.integration.services.test_data_transfer import snapshot

ADMIN = local_actor("Asha Patel")  # local mode: every role


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


def _rewrite_audit_table(data: bytes, tmp_path: Path, *, keep_signature: bool = True) -> bytes:
    """Rewrite the backup's audit log as someone covering their tracks would: every actor
    renamed, the Parquet file rewritten, its SHA-256 and size recomputed in the manifest, and
    the zip rebuilt, so the store's own checksum checks all pass."""
    members = _members(data)
    manifest = json.loads(members["manifest.json"])
    entry = manifest["tables"]["audit_log"]
    src, dst = tmp_path / "audit_in.parquet", tmp_path / "audit_out.parquet"
    src.write_bytes(members[entry["file"]])
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT * REPLACE ('nobody' AS actor) FROM read_parquet(?)) TO ? (FORMAT parquet)",
        [str(src), str(dst)],
    )
    con.close()
    members[entry["file"]] = dst.read_bytes()
    entry["sha256"] = hashlib.sha256(members[entry["file"]]).hexdigest()
    entry["bytes"] = len(members[entry["file"]])
    members["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode()
    if not keep_signature:
        members.pop(signing.SIGNATURE)
    return _zip(members)


def _restore_rows(db: Database):
    return audit_service.audit_log(db, entity="database")


def test_every_backup_the_app_writes_is_signed_and_restores(fresh_seeded_db, tmp_path):
    db = fresh_seeded_db
    data = data_transfer.backup_download(db, ADMIN)
    kept = data_transfer.create_backup(db, ADMIN)
    assert signing.SIGNATURE in _members(data)
    for source in (data, kept):
        assert data_transfer.check_backup(db, source).signed
    report = data_transfer.restore_backup(db, ADMIN, kept, reason="undo", safety_dir=tmp_path)
    # The automatic backup of the state before the restore is signed too: it is the undo.
    assert data_transfer.check_backup(db, report.safety_backup).signature == signing.VERIFIED
    row = _restore_rows(db).iloc[0]
    assert (row["actor"], row["action"]) == ("Asha Patel", "restore")
    assert row["entity_id"] == f"{kept.name} (signature verified)"
    assert row["reason"] == "undo"


def test_the_pre_import_backup_is_signed(fresh_seeded_db):
    db = fresh_seeded_db
    csv = (
        "measure_code,geo_code,period,numerator,denominator,value\n"
        "M08,E54000024,2024-04-01,12,150,8\n"
    )
    outcome = data_transfer.apply_import(
        db, ADMIN, data_transfer.check_upload(db, "measurements", csv.encode(), "esr.csv")
    )
    assert outcome.backup is not None
    assert data_transfer.check_backup(db, outcome.backup).signed


def test_an_edited_backup_with_recomputed_checksums_is_refused(fresh_seeded_db, tmp_path):
    db = fresh_seeded_db
    tampered = _rewrite_audit_table(data_transfer.backup_download(db, ADMIN), tmp_path)
    data_transfer.validate_backup(tampered)  # the store's checksums are all consistent
    before = snapshot(db)
    with pytest.raises(ValidationFailed, match="changed after it was made"):
        data_transfer.check_backup(db, tampered)
    with pytest.raises(ValidationFailed, match="changed after it was made"):
        data_transfer.restore_backup(db, ADMIN, tampered, safety_dir=tmp_path / "safety")
    with pytest.raises(ValidationFailed, match="changed after it was made"):
        data_transfer.restore_backup(db, ADMIN, tampered, allow_unsigned=True)
    assert snapshot(db) == before
    assert not (tmp_path / "safety").exists()


def test_an_unsigned_backup_needs_the_admins_say_so(fresh_seeded_db, tmp_path):
    db = fresh_seeded_db
    data = data_transfer.backup_download(db, ADMIN)
    members = _members(data)
    members.pop(signing.SIGNATURE)  # as a backup from before signing looks
    unsigned = _zip(members)
    assert data_transfer.check_backup(db, unsigned).signature == signing.UNSIGNED
    db.write(lambda cur: cur.execute("DELETE FROM measurements WHERE measure_code = 'M08'"))
    before = snapshot(db)
    with pytest.raises(ValidationFailed, match="not signed.*Restore an unsigned backup"):
        data_transfer.restore_backup(db, ADMIN, unsigned, safety_dir=tmp_path)
    assert snapshot(db) == before
    data_transfer.restore_backup(db, ADMIN, unsigned, allow_unsigned=True, safety_dir=tmp_path)
    assert snapshot(db)["measurements"] != before["measurements"]
    assert _restore_rows(db).iloc[0]["entity_id"] == (
        "uploaded backup (unsigned, restored on the admin's say-so)"
    )


def test_a_stripped_signature_does_not_launder_an_edit_without_the_say_so(
    fresh_seeded_db, tmp_path
):
    db = fresh_seeded_db
    data = data_transfer.backup_download(db, ADMIN)
    edited = _rewrite_audit_table(data, tmp_path, keep_signature=False)
    before = snapshot(db)
    with pytest.raises(ValidationFailed, match="not signed"):
        data_transfer.restore_backup(db, ADMIN, edited, safety_dir=tmp_path)
    assert snapshot(db) == before


def test_a_backup_signed_with_another_key_is_refused(fresh_seeded_db, tmp_path, monkeypatch):
    db = fresh_seeded_db
    monkeypatch.setenv(signing.KEY_ENV, "another server's key, long enough to be a key")
    foreign = data_transfer.backup_download(db, ADMIN)
    monkeypatch.delenv(signing.KEY_ENV)
    before = snapshot(db)
    with pytest.raises(ValidationFailed, match="signed with another key"):
        data_transfer.restore_backup(db, ADMIN, foreign, safety_dir=tmp_path)
    assert snapshot(db) == before


def test_a_zip_with_two_copies_of_a_file_is_refused(fresh_seeded_db):
    db = fresh_seeded_db
    data = data_transfer.backup_download(db, ADMIN)
    doubled = io.BytesIO(data)
    with pytest.warns(UserWarning), zipfile.ZipFile(doubled, "a") as zf:
        zf.writestr("manifest.json", _members(data)["manifest.json"])
    with pytest.raises(ValidationFailed, match="more than one copy of manifest.json"):
        data_transfer.check_backup(db, doubled.getvalue())


def test_the_key_file_is_made_once_readable_by_its_owner_only(fresh_seeded_db):
    db = fresh_seeded_db
    data_transfer.create_backup(db, ADMIN)
    key_file = data_transfer.backup_folder(db).parent / signing.KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes()
    data_transfer.create_backup(db, ADMIN)
    assert key_file.read_bytes() == key and len(key.strip()) == 64


def test_the_command_line_refuses_an_unsigned_backup_unless_told(
    fresh_seeded_db_path, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("NLF_DB_PATH", str(fresh_seeded_db_path))
    monkeypatch.setenv("NLF_ACTOR", "ops")
    signed = tmp_path / "signed.zip"
    assert backup_cli.main(["backup", str(signed)]) == 0
    assert backup_cli.main(["check", str(signed)]) == 0
    assert "signature verified" in capsys.readouterr().out
    members = _members(signed.read_bytes())
    members.pop(signing.SIGNATURE)
    unsigned = tmp_path / "old.zip"
    unsigned.write_bytes(_zip(members))
    assert backup_cli.main(["restore", str(unsigned)]) == 1
    assert "--allow-unsigned" in capsys.readouterr().err
    assert backup_cli.main(["restore", str(unsigned), "--allow-unsigned"]) == 0


def test_a_short_key_is_refused_and_no_backup_is_made(fresh_seeded_db, monkeypatch):
    db = fresh_seeded_db
    monkeypatch.setenv(signing.KEY_ENV, "secret")
    with pytest.raises(ValidationFailed, match="too short"):
        data_transfer.create_backup(db, ADMIN)
    assert list(data_transfer.backup_folder(db).glob("*.zip")) == []
