"""Issue 15's crash loop: SIGKILL a process in the middle of an import, a plan save, a
scenario save and a restore, 20 times each at moments drawn from a fixed seed; after every
kill the database opens, its migrations are intact and every table is exactly as it was
before the change or exactly as one uninterrupted run of the change leaves it.

Each attempt works on its own copy of the database (a DuckDB file copy; on PostgreSQL a
database made from a template), the write runs in a forked child through the services as
an admin (tests/crash_child.py) and the parent kills it a random 0–T after it starts writing,
T being how long the uninterrupted write took. "Before" and "after" are digests of every
table's rows (tests/crash_child.digest); two uninterrupted runs must agree on "after", or
the digest would not be fit to judge by. DuckDB runs the full 20 kills per change; PostgreSQL
5 by default (PG_KILLS), as its import and restore take seconds each.

After each kill the database is swept as the services sweep it when they open it
(store.backup.sweep_leftovers): nothing the killed write worked in may then remain (no
half-built restored file, no work folder, no copy of a backup in the temp folder, no
staging schema), and every kept backup is signed.
"""

from __future__ import annotations

import abc
import os
import random
import re
import shutil
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from nlf_planner.plan.records import PlanTarget
from nlf_planner.services import data_transfer, plan_editing
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.actor import local_actor
from nlf_planner.services.database import open_store
from nlf_planner.store import Database
from nlf_planner.store.backup import read_table, sweep_leftovers
from nlf_planner.store.db import open_database
from nlf_planner.store.migrations import pending_migrations, schema_version
from tests.crash_child import Operation, backup_kinds, digest, run_child

ADMIN = local_actor("Crash Loop Admin")  # local mode: every role, admin included
KILLS = 20
#: PostgreSQL's import and restore take seconds each (a backup first, then COPY), so its
#: loop kills each change 5 times by default, bounding the test's wall time; set
#: NLF_CRASH_LOOP_PG_KILLS=20 for the full loop (run by hand for issue 15: 80 kills, all
#: before or after).
PG_KILLS = int(os.environ.get("NLF_CRASH_LOOP_PG_KILLS", "5"))
SEED = 20260415
TODAY = date(2026, 11, 30)
BACKUP_KEY = "crash-loop-signing-key-0123456789abcdef"
#: The share of kills that must land while the child is still writing, or the loop tested
#: little (moments drawn within the write's own duration should mostly land).
MIN_KILLED_SHARE = 0.5


# --- the four changes -------------------------------------------------------------------------


def _import_csv(db: Database) -> bytes:
    """Every M08 row with a count, its numerator one lower: an import replacing ~1,600
    values in one transaction (long enough to be killed inside)."""
    rows = read_table(db, "measurements")
    rows = rows[(rows["measure_code"] == "M08") & rows["numerator"].notna()]
    lines = ["measure_code,geo_code,period,numerator,denominator,value"]
    for r in rows.itertuples(index=False):
        numerator = max(0, int(r.numerator) - 1)
        lines.append(f"{r.measure_code},{r.geo_code},{r.period:%Y-%m-%d},{numerator},")
        lines[-1] += f"{int(r.denominator)},"
    return ("\n".join(lines) + "\n").encode()


def _moved_plan(db: Database):
    """The latest plan with England's M08 targets moved up half a point."""
    plan = plan_editing.load_plan(db)
    moved = [
        PlanTarget(
            measure_code=t.measure_code,
            geo_code=t.geo_code,
            horizon=t.horizon,
            target=round(t.target + 0.5, 2),
        )
        if t.measure_code == "M08" and t.geo_code == "E92000001"
        else t
        for t in plan.targets
    ]
    return plan.model_copy(update={"targets": moved}), plan.version_id


def import_operation(csv: bytes) -> Operation:
    return Operation(
        "import",
        lambda db: data_transfer.check_upload(db, "measurements", csv, "crash.csv"),
        lambda db, checked: data_transfer.apply_import(db, ADMIN, checked, reason="crash loop"),
    )


def plan_operation() -> Operation:
    def save(db: Database, prepared) -> None:
        plan, head = prepared
        plan_editing.save_draft(
            db, ADMIN, plan, note="crash loop", expected_version_id=head, today=TODAY
        )

    return Operation("plan save", _moved_plan, save)


def scenario_operation() -> Operation:
    def prepare(db: Database):
        return scenario_service.baseline(db)

    def save(db: Database, current) -> None:
        params = current.params.model_copy(update={"horizon": current.params.horizon % 10 + 1})
        scenario_service.save(
            db,
            ADMIN,
            name=current.name,
            description="crash loop",
            params=params,
            draws=current.draws,
            seed=current.seed,
            version_of=current,
            reason="crash loop",
        )

    return Operation("scenario save", prepare, save)


def restore_operation(backup: Path) -> Operation:
    return Operation(
        "restore",
        lambda db: None,
        lambda db, _: data_transfer.restore_backup(db, ADMIN, backup, reason="crash loop"),
    )


# --- one backend's copies -----------------------------------------------------------------------


class Copies(abc.ABC):
    """Fresh copies of a base database per attempt, on one engine, each with a scratch
    folder that the child uses as its temp folder (so what a kill leaves there is seen)."""

    def __init__(self, root: Path, bases: dict[str, str | Path]) -> None:
        self.root, self.bases, self.count = root, bases, 0
        self.swept: list[str] = []  # what the sweeps removed (the kills' leftovers)

    @contextmanager
    def fresh(self, name: str) -> Iterator[tuple[str | Path, Path]]:
        self.count += 1
        folder = self.root / f"attempt-{self.count:03d}"
        folder.mkdir()
        try:
            yield self._copy(self.bases[name], folder), folder / "tmp"
        finally:
            self._drop(folder)
            shutil.rmtree(folder, ignore_errors=True)

    def check(self, target: str | Path, scratch: Path) -> tuple[Database, list[str]]:
        """Open ``target`` as the app would after a crash (without migrating it: pending
        migrations must be seen, not applied), sweep it as the services do when they open
        it, and list what is still left behind."""
        db = self._open(target)
        self.swept += [p.name for p in self._sweep(db, scratch)]
        found = scratch.iterdir() if scratch.exists() else []
        left = [p.name for p in found if p.name != "backups"]  # backups: counted apart
        return db, left + self._left_in(db)

    def backups(self, target: str | Path, scratch: Path) -> Counter:
        """The backups this attempt left (before an import, before a restore)."""
        return backup_kinds(scratch / "backups")

    @abc.abstractmethod
    def _copy(self, base: str | Path, folder: Path) -> str | Path:
        """A private copy of ``base`` for one attempt (a file, or a database on the server)."""

    def _drop(self, folder: Path) -> None:  # noqa: B027 - most engines have nothing to drop
        """Remove what a copy left outside its folder (a server database); files go with
        the folder."""

    def _open(self, target: str | Path) -> Database:
        return open_database(target, migrate=False)

    def _left_in(self, db: Database) -> list[str]:
        return []

    def _sweep(self, db: Database, scratch: Path) -> list[Path]:
        return sweep_leftovers(db)


class DuckDBCopies(Copies):
    def backups(self, target: Path, scratch: Path) -> Counter:
        return backup_kinds(target.parent / "backups")  # a DuckDB file keeps them beside it

    def _copy(self, base: Path, folder: Path) -> Path:
        target = folder / "nlf.duckdb"
        shutil.copyfile(base, target)
        return target

    def _open(self, target: Path) -> Database:
        db = open_database(target, migrate=False)
        assert not db.read_only, f"{target} opened read-only after the crash: {db.read_only_reason}"
        return db

    def _left_in(self, db: Database) -> list[str]:
        # A restore works in "nlf-restore-*" beside the file (an older one built
        # ".nlf.duckdb.restoring-*" there); a backup works in "nlf-backup-*".
        folder = Path(db.path).parent
        return [
            p.name
            for p in folder.iterdir()
            if p.name.startswith((".nlf.", "nlf-restore-", "nlf-backup-"))
        ]


class PostgresCopies(Copies):
    def __init__(self, root: Path, bases: dict[str, str], server) -> None:
        super().__init__(root, bases)
        self.server, self.names = server, {}

    def _copy(self, base: str, folder: Path) -> str:
        from tests.conftest import create_database

        self.names[folder] = create_database(self.server, base)
        return self.server.url(self.names[folder])

    def _drop(self, folder: Path) -> None:
        from tests.conftest import drop_database

        drop_database(self.server, self.names.pop(folder))

    def _open(self, target: str) -> Database:
        _wait_until_alone(self.server, target)
        return open_database(target, migrate=False)

    def _sweep(self, db: Database, scratch: Path) -> list[Path]:
        """Sweep with the backups folder the child used (a server database's work folders
        are kept there: NLF_BACKUP_DIR, which the child pointed at its scratch folder)."""
        before = os.environ.get("NLF_BACKUP_DIR")
        os.environ["NLF_BACKUP_DIR"] = str(scratch / "backups")
        try:
            return sweep_leftovers(db)
        finally:
            if before is None:
                del os.environ["NLF_BACKUP_DIR"]
            else:
                os.environ["NLF_BACKUP_DIR"] = before

    def _left_in(self, db: Database) -> list[str]:
        with db.cursor() as cur:  # a restore's staging schema
            rows = cur.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'nlf_restore_%'"
            ).fetchall()
        return [row[0] for row in rows]


def _wait_until_alone(server, url: str, timeout_s: float = 20.0) -> None:
    """Wait until the killed child's server session has gone: its transaction is then
    either committed or rolled back, so the digest reads one state, not a moving one."""
    import time

    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(server.url("postgres"), autocommit=True) as con:
        while time.monotonic() < deadline:
            others = con.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                "pg_backend_pid()",
                [name],
            ).fetchone()[0]
            if others == 0:
                return
            time.sleep(0.02)
    raise AssertionError(f"the killed child's session on {name} never ended")


# --- the loop -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the loop saw for one change."""

    outcomes: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)
    leftovers: list[str] = field(default_factory=list)
    backups: Counter = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)
    write_s: float = 0.0


def _state_of(db: Database) -> tuple[dict[str, str], int, list[str]]:
    try:
        return digest(db), schema_version(db), [m.version for m in pending_migrations(db)]
    finally:
        db.close()


def _whole_run(copies: Copies, op: Operation) -> tuple[dict[str, str], float]:
    with copies.fresh(op.name) as (target, scratch):
        result = run_child(target, op, kill_after_s=None, tmp_dir=scratch)
        assert result.outcome == "finished", result.error
        db, left = copies.check(target, scratch)
        assert left == [], f"an uninterrupted {op.name} left {left}"
        kept = copies.backups(target, scratch)
        expected = 1 if op.name in ("import", "restore") else 0  # the automatic backup
        assert kept == Counter({"signed backup": expected} if expected else {}), kept
        after, _, pending = _state_of(db)
        assert pending == []
    return after, result.write_s


def crash_loop(copies: Copies, op: Operation, rng: random.Random, kills: int) -> Tally:
    tally = Tally()
    with copies.fresh(op.name) as (target, scratch):
        db, _ = copies.check(target, scratch)
        before, version, pending = _state_of(db)
        assert pending == [], "the base database itself has pending migrations"
    after, first_s = _whole_run(copies, op)
    again, second_s = _whole_run(copies, op)
    assert again == after, (
        "two uninterrupted runs of the same change left different tables "
        f"({sorted(t for t in after if after[t] != again.get(t))}): the digest is not fit to "
        "judge a crash by"
    )
    assert after != before, f"the {op.name} changed nothing, so a crash in it proves nothing"
    tally.write_s = statistics.mean([first_s, second_s])
    for attempt in range(kills):
        moment = rng.uniform(0.0, tally.write_s)
        with copies.fresh(op.name) as (target, scratch):
            result = run_child(target, op, kill_after_s=moment, tmp_dir=scratch)
            assert result.outcome != "failed", result.error
            tally.outcomes[result.outcome] += 1
            db, left = copies.check(target, scratch)
            state, now_version, pending = _state_of(db)
            tally.backups += copies.backups(target, scratch)
        tally.leftovers += left
        assert pending == [] and now_version == version, (
            f"{op.name} attempt {attempt}: migrations {pending} pending, schema {now_version}"
        )
        if state == before:
            tally.states["before"] += 1
        elif state == after:
            tally.states["after"] += 1
        else:
            changed_b = sorted(t for t in state if state[t] != before.get(t))
            changed_a = sorted(t for t in state if state[t] != after.get(t))
            tally.wrong.append(
                f"attempt {attempt} killed {moment * 1000:.0f} ms into the write "
                f"({result.outcome}): differs from before in {changed_b}, from after in "
                f"{changed_a}"
            )
    return tally


def _kinds(names: list[str]) -> dict[str, int]:
    """Leftover files and schemas counted by kind (their random part starred)."""
    return dict(
        Counter(
            re.sub(r"(restoring-|nlf-restore-(source-)?|nlf-backup-|nlf_restore_)\w+", r"\1*", n)
            for n in names
        )
    )


def _report(backend: str, tallies: dict[str, Tally]) -> str:
    lines = [f"crash loop on {backend}:"]
    for name, t in tallies.items():
        lines.append(
            f"  {name}: write {t.write_s * 1000:.0f} ms; {dict(t.outcomes)}; states "
            f"{dict(t.states)}; neither {len(t.wrong)}; left behind {_kinds(t.leftovers)}; "
            f"backups {dict(t.backups)}"
        )
    return "\n".join(lines)


def _run_all(copies: Copies, ops: list[Operation], kills: int = KILLS) -> dict[str, Tally]:
    rng = random.Random(SEED)
    tallies = {op.name: crash_loop(copies, op, rng, kills) for op in ops}
    print(_report(type(copies).__name__, tallies))
    print(f"  swept after the kills: {_kinds(copies.swept)}")
    for name, t in tallies.items():
        assert t.wrong == [], f"{name}: a crash left a state neither before nor after: {t.wrong}"
        assert t.leftovers == [], f"{name}: after the sweep, left behind {_kinds(t.leftovers)}"
        assert set(t.backups) <= {"signed backup"}, f"{name}: kept backups {dict(t.backups)}"
    # A write of a few milliseconds may finish before a kill on a busy machine, so this is
    # judged over all four changes, not each.
    killed = sum(t.outcomes["killed"] for t in tallies.values())
    assert killed >= MIN_KILLED_SHARE * kills * len(tallies), (
        f"only {killed} of {kills * len(tallies)} kills landed during the write"
    )
    return tallies


# --- the bases ---------------------------------------------------------------------------------


def _prepare_bases(open_copy: Callable[[str], Database], backup_path: Path) -> bytes:
    """Make the restore's backup from the seeded data, then move the restore's base on by one
    plan save, so restoring the backup changes something. Returns the import file."""
    db = open_copy("seeded")
    try:
        csv = _import_csv(db)
        data_transfer.create_backup(db, ADMIN, backup_path)
    finally:
        db.close()
    db = open_copy("restore")
    try:
        plan, head = _moved_plan(db)
        plan_editing.save_draft(
            db, ADMIN, plan, note="before the restore", expected_version_id=head, today=TODAY
        )
    finally:
        db.close()
    return csv


def _operations(csv: bytes, backup: Path) -> list[Operation]:
    return [
        import_operation(csv),
        plan_operation(),
        scenario_operation(),
        restore_operation(backup),
    ]


def _on_base(seeded: str | Path, restore: str | Path) -> dict[str, str | Path]:
    """Which base each change starts from: the seeded data, or for the restore the seeded
    data moved on by one plan save."""
    return {"import": seeded, "plan save": seeded, "scenario save": seeded, "restore": restore}


def test_a_kill_during_any_write_leaves_before_or_after_on_duckdb(
    seeded_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NLF_BACKUP_KEY", BACKUP_KEY)
    bases = {"seeded": tmp_path / "base-seeded.duckdb", "restore": tmp_path / "base-r.duckdb"}
    for path in bases.values():
        shutil.copyfile(seeded_db_path, path)
    backup = tmp_path / "crash-backup.zip"
    csv = _prepare_bases(lambda key: open_store(bases[key]), backup)
    attempts = tmp_path / "attempts"
    attempts.mkdir()
    copies = DuckDBCopies(attempts, _on_base(bases["seeded"], bases["restore"]))
    tallies = _run_all(copies, _operations(csv, backup))
    assert sum(sum(t.states.values()) for t in tallies.values()) == 4 * KILLS


def test_a_kill_during_any_write_leaves_before_or_after_on_postgresql(
    pg_server, pg_seeded_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import create_database, drop_database

    monkeypatch.setenv("NLF_BACKUP_KEY", BACKUP_KEY)
    monkeypatch.setenv("NLF_BACKUP_DIR", str(tmp_path / "backups"))
    # Own copies as the bases (the session's template is never opened here: a copy cannot
    # be made from a database someone is connected to).
    names = {key: create_database(pg_server, pg_seeded_template) for key in ("seeded", "restore")}
    backup = tmp_path / "crash-backup.zip"
    csv = _prepare_bases(lambda key: open_store(pg_server.url(names[key])), backup)
    attempts = tmp_path / "attempts"
    attempts.mkdir()
    copies = PostgresCopies(attempts, _on_base(names["seeded"], names["restore"]), pg_server)
    try:
        tallies = _run_all(copies, _operations(csv, backup), PG_KILLS)
    finally:
        for name in names.values():
            drop_database(pg_server, name)
    assert sum(sum(t.states.values()) for t in tallies.values()) == 4 * PG_KILLS
