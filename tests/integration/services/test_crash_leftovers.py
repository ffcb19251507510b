"""What a backup or restore killed part-way leaves is swept, and a kept backup is never seen
unsigned (issue 15).

A SIGKILL runs no ``finally``: the leftovers here are made the way a killed process makes
them (a forked child killed inside a work folder, or the files an older restore left), and
the real sweep, restore and open are run on them. The signing order is watched from the
signing step itself: when it runs, the kept-backups folder must not yet hold the zip."""

from __future__ import annotations

import os
import select
import signal
import zipfile
from pathlib import Path

import pytest

from nlf_planner.services import data_transfer
from nlf_planner.services.actor import local_actor
from nlf_planner.services.data_transfer import signing
from nlf_planner.services.database import open_store
from nlf_planner.services.errors import ServiceError
from nlf_planner.store import Database
from nlf_planner.store import backup as backup_store

ADMIN = local_actor("Asha Patel")  # local mode: every role
WORK_KINDS = ("nlf-restore-", "nlf-restore-source-", "nlf-backup-")


def _killed_inside_work_folder(home: Path, prefix: str, *, kill: bool = True) -> int:
    """Fork a child that opens a work folder, writes a file of personal data in it and
    waits; SIGKILL it there (``kill``) and return its pid (reaped), or leave it running."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(ready_r)
            with backup_store.work_folder(home, prefix) as folder:
                (folder / "restored.duckdb").write_bytes(b"names of people" * 1000)
                os.write(ready_w, b"R")
                select.select([], [], [], 60)
        finally:
            os._exit(0)
    os.close(ready_w)
    assert select.select([ready_r], [], [], 30)[0] and os.read(ready_r, 1) == b"R"
    os.close(ready_r)
    if kill:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return pid


def _work_items(folder: Path) -> list[str]:
    """Work folders, their lock files and half-built restored files in ``folder``."""
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir() if p.name.startswith(WORK_KINDS) and p.suffix != ".zip"
    ) + sorted(p.name for p in folder.iterdir() if ".restoring-" in p.name)


def _homes(db: Database) -> list[Path]:
    return list(dict.fromkeys([backup_store.work_home(db), backup_store.default_backup_dir(db)]))


def test_a_killed_work_folder_is_swept_but_a_live_one_is_kept(db: Database) -> None:
    home = backup_store.work_home(db)
    _killed_inside_work_folder(home, "nlf-restore-")
    assert any(n.endswith(".lock") for n in _work_items(home)), _work_items(home)
    live_pid = _killed_inside_work_folder(home, "nlf-restore-source-", kill=False)
    try:
        removed = backup_store.sweep_leftovers(db)
        assert [p.name[: len("nlf-restore-")] for p in removed] == ["nlf-restore-"]
        left = _work_items(home)
        assert len(left) == 2 and all(n.startswith("nlf-restore-source-") for n in left), left
    finally:
        os.kill(live_pid, signal.SIGKILL)
        os.waitpid(live_pid, 0)
    backup_store.sweep_leftovers(db)
    assert _work_items(home) == []


def _plant_old_leftovers(db: Database) -> list[Path]:
    """What a restore or backup killed before this change left: no lock files."""
    home, backups = backup_store.work_home(db), backup_store.default_backup_dir(db)
    backups.mkdir(parents=True, exist_ok=True)
    planted = [home / "nlf-restore-k3j_a9x2", backups / "nlf-backup-q8w2e_r4"]
    if db.dialect == "duckdb":
        live = Path(db.path)
        planted += [
            live.with_name(f".{live.name}.restoring-1a2b3c4d"),
            live.with_name(f".{live.name}.restoring-1a2b3c4d.wal"),
        ]
    for path in planted:
        if "restoring" in path.name:
            path.write_bytes(b"half a database")
        else:
            path.mkdir()
            (path / "t000.parquet").write_bytes(b"rows")
    return planted


def test_a_restore_sweeps_what_killed_ones_left_and_leaves_nothing(
    db: Database, tmp_path: Path
) -> None:
    kept = data_transfer.create_backup(db, ADMIN)
    planted = _plant_old_leftovers(db)
    _killed_inside_work_folder(backup_store.work_home(db), "nlf-restore-source-")
    _killed_inside_work_folder(backup_store.default_backup_dir(db), "nlf-backup-")
    report = data_transfer.restore_backup(db, ADMIN, kept, reason="crash test")
    assert not any(p.exists() for p in planted)
    assert [_work_items(h) for h in _homes(db)] == [[] for _ in _homes(db)]
    assert kept.is_file() and report.safety_backup is not None  # kept backups stay
    assert {p.name for p in backup_store.default_backup_dir(db).glob("*.zip")} == {
        kept.name,
        report.safety_backup.name,
    }
    if db.dialect == "duckdb":
        assert Path(db.path).is_file()


def test_opening_the_database_sweeps_what_a_killed_restore_left(tmp_path: Path) -> None:
    path = tmp_path / "nlf.duckdb"
    db = open_store(path)
    keep = data_transfer.create_backup(db, ADMIN)
    planted = _plant_old_leftovers(db)
    _killed_inside_work_folder(tmp_path, "nlf-restore-")
    db.close()
    db = open_store(path)
    try:
        assert not any(p.exists() for p in planted)
        assert _work_items(tmp_path) == [] and _work_items(tmp_path / "backups") == []
        assert keep.is_file() and path.is_file()
    finally:
        db.close()


@pytest.fixture
def watched_signing(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Each signing, with where the zip was and what the kept-backups folder held then."""
    seen: list[dict] = []
    real = signing.sign_file

    def sign_and_look(path: Path | str, key: bytes) -> Path:
        path = Path(path)
        seen.append(
            {"signed": path, "beside": sorted(p.name for p in path.parent.parent.iterdir())}
        )
        return real(path, key)

    monkeypatch.setattr(signing, "sign_file", sign_and_look)
    return seen


def _signed(path: Path, db: Database) -> bool:
    return signing.signature_status(path, data_transfer.backups.signing_key(db)) == (
        signing.VERIFIED
    )


def test_a_backup_is_signed_before_it_is_moved_into_place(
    db: Database, watched_signing: list[dict]
) -> None:
    kept = data_transfer.create_backup(db, ADMIN)
    (seen,) = watched_signing
    assert seen["signed"].parent.name.startswith("nlf-backup-")  # in its work folder
    assert seen["signed"].parent.parent == kept.parent
    assert kept.name not in seen["beside"]  # not yet visible, so never visible unsigned
    assert _signed(kept, db)
    assert _work_items(kept.parent) == []


def test_a_restores_safety_backup_is_signed_before_it_is_moved_into_place(
    db: Database, watched_signing: list[dict]
) -> None:
    source = data_transfer.create_backup(db, ADMIN)
    report = data_transfer.restore_backup(db, ADMIN, source, reason="test")
    assert report.safety_backup is not None
    safety = watched_signing[-1]
    assert safety["signed"].parent.name.startswith("nlf-backup-")
    assert report.safety_backup.name not in safety["beside"]
    assert _signed(report.safety_backup, db)


def test_a_backup_whose_signing_fails_leaves_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path | str, key: bytes) -> Path:
        with zipfile.ZipFile(path) as zf:  # the finished zip is there, and only there
            assert "manifest.json" in zf.namelist()
        raise OSError("disk full")

    monkeypatch.setattr(signing, "sign_file", broken)
    folder = backup_store.default_backup_dir(db)
    with pytest.raises(ServiceError, match="No backup was made: Disk full"):
        data_transfer.create_backup(db, ADMIN)
    assert list(folder.glob("*.zip")) == [] and _work_items(folder) == []
