"""The cluster in Chromium: two replicas on one PostgreSQL behind HAProxy (tools.cluster).

Each browser context is pinned to a replica by HAProxy's affinity cookie (SERVERID), and the
``X-NLF-Replica`` header HAProxy adds says which replica answered. What is checked:

- a plan saved through one replica shows in the other at its next rerun;
- two people saving from the same version at once: one is saved, the other is told the plan
  changed and keeps their edits on screen;
- a replica killed (SIGKILL) in the middle of a plan save, and in the middle of an import,
  leaves the database exactly as before (PostgreSQL rolls the open transaction back), HAProxy
  takes it out, the other replica keeps serving, and the browser on the dead one moves to
  the live one.

"In the middle" is made certain, not left to timing: the test holds a lock on the audit table
(the last table every change writes), waits until the replica's transaction has written its
rows and is queued behind that lock, then kills the replica.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import websockets
from playwright.sync_api import Page, expect

from bench.ws_load import run_once
from tests.browser.conftest import screenshot, wait_for_app_run
from tests.browser.test_plan_browser import _edit_first_row_year5
from tests.conftest import create_database, drop_database
from tools.cluster import Cluster, private_layout

IMPORT_CSV = (
    "measure_code,geo_code,period,numerator,denominator,value\nM08,E54000024,2024-04-01,12,150,8\n"
)


@pytest.fixture(scope="module")
def cluster(pg_server, pg_seeded_template: str) -> Iterator[Cluster]:
    """A private cluster on free loopback ports: two replicas and HAProxy on a private copy
    of the session's seeded PostgreSQL database (tests/conftest.py: the default data, history
    pinned like the other tests), so the data are made once per test session."""
    root = Path(tempfile.mkdtemp(prefix="nlf-test-cluster-"))
    name = create_database(pg_server, pg_seeded_template)
    c = Cluster(private_layout(root, database_url=pg_server.url(name)))
    try:
        c.start(seed=False)
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda i: warm(c, i), range(2)))
        yield c
    finally:
        c.stop()
        drop_database(pg_server, name)
        shutil.rmtree(root, ignore_errors=True)


def warm(cluster: Cluster, index: int) -> None:
    """Run the app once on a replica, straight to its port, without a browser: its caches
    fill, and app.py's navigation is registered, so a deep link works at once (see
    test_plan_browser: on a just-started server a deep link can skip the frame)."""
    url = cluster.layout.replica_url(index).replace("http://", "ws://") + "/_stcore/stream"

    async def once() -> None:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            await run_once(ws)

    # Playwright's sync API already runs an event loop in this thread: use another one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, once()).result(timeout=120)


def both_replicas_up(cluster: Cluster) -> None:
    """Start again a replica an earlier test killed (only when one did)."""
    pids = [cluster.replica_pid(i) for i in range(2)]
    dead = [i for i, pid in enumerate(pids) if pid is None or not Path(f"/proc/{pid}").exists()]
    for i in dead:
        cluster.start_replica(i)
        warm(cluster, i)
    for i in range(2):
        cluster.wait_for_state(cluster.layout.replica_name(i), "UP")


@pytest.fixture
def sql(cluster: Cluster) -> Iterator[psycopg.Connection]:
    """The test's own connection to the shared database, to check what was committed."""
    with psycopg.connect(cluster.database_url, autocommit=True) as conn:
        yield conn


def pinned(browser, cluster: Cluster, replica: str) -> Page:
    """A new browser context whose requests HAProxy sends to ``replica``."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.add_cookies([{"name": "SERVERID", "value": replica, "url": cluster.url}])
    return context.new_page()


def open_page(page: Page, cluster: Cluster, path: str) -> str:
    """Open ``path`` through HAProxy (local mode: the replicas act as the OS user) and
    return the replica that answered."""
    response = page.goto(f"{cluster.url}{path}")
    wait_for_app_run(page)
    return response.headers.get("x-nlf-replica", "")


def serverid(page: Page) -> str | None:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return cookies.get("SERVERID")


def write_note(page: Page, text: str) -> None:
    note = page.get_by_role("textbox", name="What changed and why")
    note.fill(text)
    note.press("Enter")
    wait_for_app_run(page)


def save_button(page: Page):
    return page.get_by_role("button", name="Save as a new version")


def year5_cell(page: Page):
    return page.get_by_test_id("stDataFrame").first.locator("[role=gridcell]").nth(4)


def skip_backup(page: Page) -> None:
    """Untick 'Back up the current data first' (Streamlit's label takes the click)."""
    box = page.get_by_test_id("stCheckbox").filter(has_text="Back up the current data first")
    box.locator("label").click()
    wait_for_app_run(page)
    expect(box.get_by_role("checkbox")).not_to_be_checked()


def confirm_removal(page: Page) -> None:
    """Tick that the import may replace the series' stored history (the button waits)."""
    box = page.get_by_test_id("stCheckbox").filter(has_text="I understand this import removes")
    box.locator("label").click()
    wait_for_app_run(page)
    expect(box.get_by_role("checkbox")).to_be_checked()


def plan_state(sql: psycopg.Connection) -> dict:
    """What a plan save writes, counted: versions, head, rows, audit; and no orphans."""
    row = sql.execute(
        """SELECT (SELECT count(*) FROM plan_versions), (SELECT max(version_id) FROM plan_versions),
                  (SELECT max(version_id) FROM plan_heads), (SELECT count(*) FROM plan_targets),
                  (SELECT count(*) FROM plan_milestones), (SELECT count(*) FROM audit_log),
                  (SELECT count(*) FROM plan_targets t WHERE NOT EXISTS
                       (SELECT 1 FROM plan_versions v WHERE v.version_id = t.version_id))"""
    ).fetchone()
    keys = ("versions", "max_version", "head", "targets", "milestones", "audit", "orphans")
    return dict(zip(keys, row, strict=True))


def import_state(sql: psycopg.Connection) -> dict:
    row = sql.execute(
        """SELECT (SELECT count(*) FROM measurements),
                  (SELECT count(*) FROM measurements WHERE NOT illustrative),
                  (SELECT count(*) FROM audit_log),
                  (SELECT count(*) FROM audit_log WHERE action = 'import')"""
    ).fetchone()
    meta = sql.execute("SELECT key, value FROM app_meta ORDER BY key").fetchall()
    return {"rows": row[0], "real_rows": row[1], "audit": row[2], "imports": row[3], "meta": meta}


def wait_until_mid_write(sql: psycopg.Connection, table: str, timeout_s: float = 45) -> int:
    """The server process of a transaction that has written to ``table`` and now waits for
    the audit table the test holds locked; its pid."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        row = sql.execute(
            """SELECT a.pid FROM pg_stat_activity a
               WHERE a.wait_event_type = 'Lock' AND a.query ILIKE '%%INSERT INTO audit_log%%'
                 AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.granted
                             AND l.relation = %s::regclass AND l.mode = 'RowExclusiveLock')""",
            [table],
        ).fetchone()
        if row:
            return int(row[0])
        time.sleep(0.1)
    seen = sql.execute(
        """SELECT state, wait_event_type, left(query, 90) FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid()"""
    ).fetchall()
    raise AssertionError(f"no transaction reached the audit row after writing {table}: {seen}")


def wait_until_gone(sql: psycopg.Connection, pid: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not sql.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            return
        time.sleep(0.1)
    raise AssertionError(f"the killed replica's transaction (pid {pid}) is still open")


def kill_mid_write(cluster: Cluster, locker: psycopg.Connection, table: str, start) -> None:
    """Hold the audit table, ``start`` the write in the browser, kill replica 1 once the
    write is queued behind the lock, then let go of the lock."""
    locker.execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")  # readers still get through
    try:
        start()
        with psycopg.connect(cluster.database_url, autocommit=True) as watcher:
            pid = wait_until_mid_write(watcher, table)
            cluster.kill_replica(0)
            locker.rollback()
            wait_until_gone(watcher, pid)
    finally:
        locker.rollback()


def test_pinned_contexts_see_each_others_saves_and_one_of_two_concurrent_saves_wins(
    cluster: Cluster, browser, sql
) -> None:
    both_replicas_up(cluster)
    a, b = pinned(browser, cluster, "r1"), pinned(browser, cluster, "r2")
    try:
        assert open_page(a, cluster, "/plan?area=P5") == "r1"
        assert open_page(b, cluster, "/plan?area=P5") == "r2"
        assert (serverid(a), serverid(b)) == ("r1", "r2")
        expect(b.get_by_text("Version 2 (latest)").first).to_be_visible()

        # Saved through r1 ...
        _edit_first_row_year5(a, "5.2")
        write_note(a, "Steeper fall in executive vacancies")
        save_button(a).click()
        wait_for_app_run(a)
        expect(a.get_by_text("Saved as version 3.").first).to_be_visible()
        # ... shows on r2 at its next rerun (a tab switch reruns the script).
        b.get_by_role("tab", name="Roadmap").click()
        wait_for_app_run(b)
        expect(b.get_by_text("Version 3 (latest)").first).to_be_visible()

        # Both start from version 3 (r1 follows its own save) and save at the same moment.
        b.get_by_role("tab", name="Targets and milestones").click()
        wait_for_app_run(b)
        for page in (a, b):
            expect(page.get_by_text("Version 3 (latest)").first).to_be_visible()
        edits = {"r1": "5.1", "r2": "4.8"}
        for page, value in ((a, edits["r1"]), (b, edits["r2"])):
            _edit_first_row_year5(page, value)
            write_note(page, f"Target {value} agreed")
        save_button(a).click()
        save_button(b).click()
        outcome = re.compile(r"Saved as version 4\.|Not saved: the plan was changed")
        for page in (a, b):  # each page says how its save went
            page.get_by_text(outcome).first.wait_for(timeout=60_000)
            wait_for_app_run(page)

        saved = {
            name: page.get_by_text("Saved as version 4.").count() > 0
            for name, page in (("r1", a), ("r2", b))
        }
        assert sorted(saved.values()) == [False, True], saved
        loser_name = "r1" if not saved["r1"] else "r2"
        loser = a if loser_name == "r1" else b
        expect(loser.get_by_text("Not saved: the plan was changed").first).to_be_visible()
        expect(year5_cell(loser)).to_have_text(edits[loser_name])  # the edits are kept
        screenshot(loser, "cluster-stale-save")
        assert a.get_by_test_id("stException").count() == 0
        assert b.get_by_test_id("stException").count() == 0

        state = plan_state(sql)
        assert (state["versions"], state["head"], state["orphans"]) == (4, 4, 0)
        winner_value = float(edits["r2" if loser_name == "r1" else "r1"])
        stored = sql.execute(
            """SELECT target FROM plan_targets
               WHERE version_id = 4 AND measure_code = 'M08' AND geo_code = 'E92000001'
                 AND horizon = 5"""
        ).fetchone()
        assert stored == (winner_value,)
    finally:
        a.context.close()
        b.context.close()


def test_replica_killed_mid_plan_save_leaves_the_plan_whole_and_the_other_serves(
    cluster: Cluster, browser, sql
) -> None:
    both_replicas_up(cluster)
    a, b = pinned(browser, cluster, "r1"), pinned(browser, cluster, "r2")
    locker = psycopg.connect(cluster.database_url)
    try:
        assert open_page(a, cluster, "/plan?area=P5") == "r1"
        assert open_page(b, cluster, "/plan?area=P5") == "r2"
        _edit_first_row_year5(a, "4.4")
        write_note(a, "Saved as the replica dies")
        before = plan_state(sql)

        kill_mid_write(cluster, locker, "plan_targets", save_button(a).click)

        after = plan_state(sql)
        assert after == before, "a killed save must leave nothing behind"
        cluster.wait_for_state("r1", "DOWN")
        # The other replica keeps serving the plan as it was.
        b.reload()
        wait_for_app_run(b)
        expect(b.get_by_text(f"Version {before['head']} (latest)").first).to_be_visible()
        # The browser on the dead replica is moved to the live one.
        response = a.goto(f"{cluster.url}/plan?area=P5")
        wait_for_app_run(a)
        assert response.headers.get("x-nlf-replica") == "r2"
        assert serverid(a) == "r2"
        expect(a.get_by_text(f"Version {before['head']} (latest)").first).to_be_visible()
        assert a.get_by_test_id("stException").count() == 0
    finally:
        locker.close()
        a.context.close()
        b.context.close()


def test_replica_killed_mid_import_leaves_no_half_import_and_the_other_serves(
    cluster: Cluster, browser, sql, tmp_path: Path
) -> None:
    csv = tmp_path / "real-m08.csv"
    csv.write_text(IMPORT_CSV)
    both_replicas_up(cluster)
    a, b = pinned(browser, cluster, "r1"), pinned(browser, cluster, "r2")
    locker = psycopg.connect(cluster.database_url)
    try:
        assert open_page(a, cluster, "/data") == "r1"
        a.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(csv))
        wait_for_app_run(a)
        a.get_by_text("Preview: what will change").wait_for(timeout=30_000)
        # Only the import's own transaction is under test here, not the backup before it.
        skip_backup(a)
        confirm_removal(a)
        before = import_state(sql)
        assert before["real_rows"] == 0

        kill_mid_write(
            cluster, locker, "measurements", a.get_by_role("button", name="Import 1 row").click
        )

        assert import_state(sql) == before, "a killed import must leave nothing behind"
        cluster.wait_for_state("r1", "DOWN")
        # The live replica takes the same import whole: nothing was left locked or half-done.
        assert open_page(b, cluster, "/data") == "r2"
        b.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(csv))
        wait_for_app_run(b)
        b.get_by_text("Preview: what will change").wait_for(timeout=30_000)
        skip_backup(b)
        confirm_removal(b)
        b.get_by_role("button", name="Import 1 row").click()
        wait_for_app_run(b)
        b.get_by_text("Imported 1 row from real-m08.csv").wait_for(timeout=30_000)
        after = import_state(sql)
        assert (after["real_rows"], after["imports"]) == (1, before["imports"] + 1)
        assert b.get_by_test_id("stException").count() == 0
    finally:
        locker.close()
        a.context.close()
        b.context.close()
