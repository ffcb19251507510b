"""Writes while a restore runs are refused with a message, never lost (issue 15).

A write between a restore's safety backup and its swap used to land in neither. Each test
runs on both engines (the store tests' ``backend`` parameter)."""

from __future__ import annotations

import threading

import pytest

from nlf_planner.store import backup as backup_store
from nlf_planner.store import dialect, open_database
from nlf_planner.store.audit import record
from nlf_planner.store.db import RESTORE_BUSY, ReadOnlyError, RestoreInProgress


def _audit_count(db) -> int:
    return int(db.scalar("SELECT count(*) FROM audit_log"))


def _write(db, actor: str = "Other") -> None:
    db.write(lambda cur: record(cur, actor=actor, action="edit", entity="plan"))


def _in_thread(fn):
    """Run ``fn`` in another thread (another session); return what it raised, or None."""
    out: list[BaseException | None] = [None]

    def run():
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            out[0] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    return out[0]


def test_other_sessions_writes_are_refused_while_a_restore_holds_the_gate(db):
    before = _audit_count(db)
    with db.restore_gate.restoring():
        _write(db, "Restorer")  # the restoring thread's own writes go on
        refused = _in_thread(lambda: _write(db))
    assert isinstance(refused, RestoreInProgress) and isinstance(refused, ReadOnlyError)
    assert str(refused) == RESTORE_BUSY
    assert _audit_count(db) == before + 1  # only the restorer's row
    _write(db)  # after the restore, writes go on
    assert _audit_count(db) == before + 2


def test_a_restore_waits_for_a_write_under_way_and_gives_up_with_a_message(db):
    started, release = threading.Event(), threading.Event()

    def slow(cur):
        record(cur, actor="Slow", action="edit", entity="plan")
        started.set()
        release.wait(20)

    t = threading.Thread(target=lambda: db.write(slow))
    t.start()
    started.wait(20)
    with (
        pytest.raises(RestoreInProgress, match="still being saved"),
        db.restore_gate.restoring(wait_s=0.2),
    ):
        pass
    release.set()
    t.join(20)
    with db.restore_gate.restoring(wait_s=5):
        pass  # once the write has committed, the restore may start
    assert int(db.scalar("SELECT count(*) FROM audit_log WHERE actor = 'Slow'")) == 1


def test_two_restores_at_once_are_refused(db):
    with db.restore_gate.restoring():
        refused = _in_thread(lambda: db.restore_gate.restoring().__enter__())
    assert isinstance(refused, RestoreInProgress) and "Another restore" in str(refused)


def test_writes_during_a_real_restore_are_refused_and_the_restore_completes(
    fresh_seeded_db, tmp_path, monkeypatch
):
    """A colleague saves while the safety backup is being written: refused with the
    message (so it cannot land in neither), and the restore itself goes through."""
    db = fresh_seeded_db
    data = backup_store.backup_bytes(db)
    seen: list[BaseException | None] = []
    real_backup = backup_store.create_backup

    def backup_then_try_a_write(*args, **kwargs):
        seen.append(_in_thread(lambda: _write(db, "Colleague")))
        return real_backup(*args, **kwargs)

    monkeypatch.setattr(backup_store, "create_backup", backup_then_try_a_write)
    backup_store.restore_backup(db, data, actor="Admin", safety_dir=tmp_path / "safety")
    assert len(seen) == 1 and isinstance(seen[0], RestoreInProgress)
    assert int(db.scalar("SELECT count(*) FROM audit_log WHERE actor = 'Colleague'")) == 0
    _write(db, "Colleague")  # and afterwards saves go through
    assert int(db.scalar("SELECT count(*) FROM audit_log WHERE actor = 'Colleague'")) == 1


def test_another_process_is_refused_while_a_server_restore_holds_its_lock(db, backend):
    """PostgreSQL: a second handle (another app replica) is refused while one transaction
    holds the restore lock, and writes again once it ends."""
    if backend != "postgres":
        pytest.skip("DuckDB has one writing process; the in-process gate covers it")
    other = open_database(db.url)
    try:
        inside, done = threading.Event(), threading.Event()

        def restore_like(cur):
            dialect.hold_restore_lock(cur)
            inside.set()
            done.wait(20)

        t = threading.Thread(target=lambda: db.write(restore_like, retries=0))
        t.start()
        inside.wait(20)
        with pytest.raises(RestoreInProgress):
            _write(other)
        done.set()
        t.join(20)
        _write(other)
    finally:
        other.close()
