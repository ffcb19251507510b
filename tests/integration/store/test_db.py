import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from nlf_planner.store import ReadOnlyError, StoreError, open_database
from nlf_planner.store.audit import audit_log, record
from tests.db_holders import held_by_other_process


def test_write_is_atomic_across_statements(db) -> None:
    def work(cur):
        record(cur, actor="Ana", action="test", entity="thing", entity_id="1")
        cur.execute("INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(Exception):  # noqa: B017 - any database error will do
        db.write(work)
    assert audit_log(db).empty


def test_audit_needs_a_person(db) -> None:
    with pytest.raises(ValueError, match="sign in first"):
        db.write(lambda cur: record(cur, actor="  ", action="x", entity="y"))


def test_audit_round_trip_and_filters(db) -> None:
    db.write(
        lambda cur: record(
            cur,
            actor="Ana",
            action="save",
            entity="plan",
            entity_id="3",
            reason="quarterly refresh",
            before={"a": 1},
            after={"a": 2},
        )
    )
    db.write(lambda cur: record(cur, actor="Ben", action="add", entity="stakeholder"))
    log = audit_log(db)
    assert list(log["actor"]) == ["Ben", "Ana"]
    only_plan = audit_log(db, entity="plan")
    assert len(only_plan) == 1
    assert only_plan.iloc[0]["before_json"] == '{"a": 1}'
    assert len(audit_log(db, actor="Ben")) == 1


def test_cursors_per_thread_allow_concurrent_sessions(db) -> None:
    errors: list[BaseException] = []

    def session(n: int) -> None:
        try:
            for i in range(20):
                db.write(
                    lambda cur, i=i: record(
                        cur, actor=f"user{n}", action="t", entity="e", entity_id=str(i)
                    )
                )
                db.df("SELECT count(*) FROM audit_log")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert db.scalar("SELECT count(*) FROM audit_log") == 120


def test_locked_file_gives_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "locked.duckdb"
    open_database(path).close()
    with held_by_other_process(path), pytest.raises(StoreError, match="in use by another"):
        open_database(path)


def test_a_locked_files_message_gives_the_cause_without_a_half_cut_link() -> None:
    """DuckDB ends its lock error with "See also <link>"; on a short path the first 200
    characters used to end inside that link, which the page drew as a broken one."""
    folder = Path(tempfile.mkdtemp(prefix="lk", dir="/tmp"))  # short: the link fits in 200
    try:
        path = folder / "a.duckdb"
        open_database(path).close()
        with held_by_other_process(path), pytest.raises(StoreError) as raised:
            open_database(path)
        message = str(raised.value)
        assert "Conflicting lock" in message and "Close the other program" in message
        assert "See also" not in message and "http" not in message
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_file_held_by_a_reader_opens_read_only_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    open_database(path).close()
    with held_by_other_process(path, read_only=True):
        db = open_database(path)
        assert db.read_only
        assert "locked by another process" in db.read_only_reason
        assert db.scalar("SELECT count(*) FROM schema_migrations") >= 1
        with pytest.raises(ReadOnlyError, match="read-only"):
            db.write(lambda cur: None)
        db.close()
