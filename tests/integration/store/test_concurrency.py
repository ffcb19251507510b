"""Several app processes on one PostgreSQL database: saves that race, retries, the shared
data version, and a server that goes away (a real throwaway server, restarted by the test).

Why each test matters: replicas behind a load balancer share nothing but the database, so
the stale-version check, the cache key and the "not saved" message must hold across
processes, not just across threads of one process.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date

import pandas as pd
import psycopg
import pytest

from nlf_planner.services import database as database_service
from nlf_planner.services import plan_editing as pe
from nlf_planner.services.actor import local_actor
from nlf_planner.services.database import open_store
from nlf_planner.services.errors import Unavailable
from nlf_planner.store import measurements as ms
from nlf_planner.store.db import NOT_SAVED_CONNECTION_LOST, DatabaseUnavailable, WriteConflict
from tests.plan_examples import small_plan

TODAY = date(2026, 11, 30)

_SAVER = """
import sys, time
from datetime import date
from pathlib import Path
from nlf_planner.services import plan_editing as pe
from nlf_planner.services.actor import local_actor
from nlf_planner.services.database import open_store
from nlf_planner.services.errors import StaleVersion
url, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
db = open_store(url)
plan = pe.load_plan(db)
started_from = plan.version_id
targets = [t.model_copy(update={"target": t.target + (1 if name == "A" else 2)})
           for t in plan.targets[:1]] + list(plan.targets[1:])
edited = plan.model_copy(update={"targets": targets})
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)
try:
    saved = pe.save_draft(db, local_actor(name), edited, note=f"Edit by {name}",
                          expected_version_id=started_from, today=date(2026, 11, 30))
    print(f"saved {saved.version_id}", flush=True)
except StaleVersion as exc:
    print(f"stale {exc.current_version} {len(edited.targets)}", flush=True)
db.close()
"""


def test_two_processes_saving_from_one_version_exactly_one_wins(pg_seeded_url, tmp_path):
    """Two replicas save the plan from the same version at the same moment: one new
    version is written, the other is told it is stale (its edits are still in hand)."""
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SAVER, pg_seeded_url, name, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B")
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    go.touch()
    outcomes = sorted(p.communicate(timeout=120)[0].strip() for p in procs)
    assert [p.returncode for p in procs] == [0, 0]
    saved = [o for o in outcomes if o.startswith("saved")]
    stale = [o for o in outcomes if o.startswith("stale")]
    assert len(saved) == 1 and len(stale) == 1, outcomes
    new_id = int(saved[0].split()[1])
    db = open_store(pg_seeded_url)
    try:
        assert pe.latest_version_id(db) == new_id
        assert int(stale[0].split()[1]) == new_id  # told which version beat it
        assert (
            db.scalar(
                "SELECT count(*) FROM audit_log WHERE entity = 'plan_version' "
                "AND reason LIKE 'Edit by %'"
            )
            == 1
        )
    finally:
        db.close()


def test_a_change_through_one_replica_changes_the_other_replicas_data_version(pg_url):
    """Two handles on one database (two replicas): a measurement written through one moves
    the data version the other reads, and its next read shows the row."""
    one, two = open_store(pg_url), open_store(pg_url)
    try:
        before = database_service.data_version(two)
        row = pd.DataFrame(
            [
                {
                    "measure_code": "M01",
                    "geo_code": "E54000008",
                    "period": date(2026, 1, 1),
                    "numerator": 5.0,
                    "denominator": 10.0,
                    "value": 50.0,
                    "ci_low": None,
                    "ci_high": None,
                    "illustrative": True,
                }
            ]
        )
        one.write(lambda cur: ms.write_measurements(cur, row))
        after = database_service.data_version(two)
        assert after != before
        assert len(ms.series(two, "M01", "E54000008")) == 1
        one.write(lambda cur: ms.write_measurements(cur, row.assign(value=60.0)))
        assert database_service.data_version(two) not in (before, after)
    finally:
        one.close()
        two.close()


def test_a_deadlock_is_retried_and_both_writes_land(pg_url):
    """Two transactions locking two rows in opposite orders deadlock; PostgreSQL aborts one
    (40P01) and ``Database.write`` runs its work again, so both commit."""
    db = open_store(pg_url)
    try:
        db.write(
            lambda cur: cur.executemany(
                "INSERT INTO app_meta (key, value) VALUES (?, '0')", [["k1"], ["k2"]]
            )
        )
        barrier = threading.Barrier(2)
        attempts = {"a": 0, "b": 0}
        errors: list[BaseException] = []

        def worker(name: str, first: str, second: str) -> None:
            def work(cur) -> None:
                attempts[name] += 1
                cur.execute("UPDATE app_meta SET value = ? WHERE key = ?", [name, first])
                if attempts[name] == 1:
                    barrier.wait(timeout=10)
                cur.execute("UPDATE app_meta SET value = ? WHERE key = ?", [name, second])

            try:
                db.write(work)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [
            threading.Thread(target=worker, args=("a", "k1", "k2")),
            threading.Thread(target=worker, args=("b", "k2", "k1")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert sorted(attempts.values()) == [1, 2]  # exactly one was retried
        values = dict(db.rows("SELECT key, value FROM app_meta WHERE key IN ('k1', 'k2')"))
        assert values["k1"] == values["k2"]  # the retried one ran whole, after the other
    finally:
        db.close()


def test_write_conflict_after_the_retries_is_raised_as_the_stores_error(pg_url):
    db = open_store(pg_url)
    calls = []

    def always_conflicts(cur) -> None:
        calls.append(1)
        cur.execute("SELECT 1")
        raise WriteConflict("simulated by the test after a real statement")

    try:
        with pytest.raises(WriteConflict):
            db.write(always_conflicts, retries=2)
        assert len(calls) == 3
    finally:
        db.close()


# --- faults ------------------------------------------------------------------------------------


def test_unreachable_server_at_start_is_a_readable_unavailable():
    started = time.perf_counter()
    with pytest.raises(Unavailable) as err:
        open_store("postgresql://postgres@127.0.0.1:54339/nowhere?connect_timeout=2")
    assert "cannot be reached" in str(err.value)
    assert "Traceback" not in str(err.value)
    assert time.perf_counter() - started < 15


def test_after_a_server_restart_the_next_action_reconnects(pg_server, pg_url):
    db = open_store(pg_url)
    try:
        assert db.scalar("SELECT count(*) FROM regions") == 7
        pg_server.restart()
        assert db.scalar("SELECT count(*) FROM regions") == 7  # a new pooled connection
        saved = pe.save_draft(
            db,
            local_actor("Ann"),
            small_plan(),
            note="After restart",
            expected_version_id=None,
            today=TODAY,
        )
        assert pe.latest_version_id(db) == saved.version_id
    finally:
        db.close()


def test_a_write_whose_connection_dies_before_commit_is_not_saved(pg_server, pg_url):
    db = open_store(pg_url)
    admin = psycopg.connect(pg_server.url("postgres"), autocommit=True)
    try:

        def work(cur) -> None:
            cur.execute("INSERT INTO app_meta (key, value) VALUES ('half', 'done')")
            pid = cur.execute("SELECT pg_backend_pid()").fetchone()[0]
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            cur.execute("INSERT INTO app_meta (key, value) VALUES ('other', 'half')")

        with pytest.raises(DatabaseUnavailable) as err:
            db.write(work)
        assert str(err.value) == NOT_SAVED_CONNECTION_LOST
        assert db.scalar("SELECT count(*) FROM app_meta WHERE key IN ('half', 'other')") == 0
    finally:
        admin.close()
        db.close()


def test_the_plan_service_reports_a_lost_connection_as_unavailable(pg_server, pg_url):
    """A save whose connection is cut mid-way: the service raises Unavailable with the
    store's words ("Not saved … your edits are kept"), and no version was written."""
    db = open_store(pg_url)
    admin = psycopg.connect(pg_server.url("postgres"), autocommit=True)
    try:
        # Cut every connection of this database while the save waits on the plan's lock.
        with db.cursor() as holder:
            holder.execute("BEGIN")
            holder.execute("SELECT pg_advisory_xact_lock(hashtext('plan:National plan'))")

            def cut() -> None:
                time.sleep(0.5)
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [pg_url.rsplit("/", 1)[1]],
                )

            killer = threading.Thread(target=cut)
            killer.start()
            with pytest.raises(Unavailable) as err:
                pe.save_draft(
                    db,
                    local_actor("Ann"),
                    small_plan(),
                    note="Lost",
                    expected_version_id=None,
                    today=TODAY,
                )
            killer.join()
        assert "Not saved" in str(err.value) and "edits are kept" in str(err.value)
        assert pe.latest_version_id(db) is None
    finally:
        admin.close()
        db.close()
