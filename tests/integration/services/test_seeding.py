"""The seeding service on real DuckDB files: everything once, as the named actor, admin only.

Also the command line that ``make db`` runs (``python -m nlf_planner.cli.generate``), in this
process and as a subprocess, since both only call the service.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from nlf_planner import plan as P
from nlf_planner import plan_seed
from nlf_planner.cli.generate import main
from nlf_planner.engagement_seed import seed_events, seed_stakeholders
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import engagement as engagement_service
from nlf_planner.services import seeding
from nlf_planner.services.actor import SYSTEM, Actor, Role, local_actor
from nlf_planner.services.errors import NotAllowed, NotSignedIn, ReadOnly, ValidationFailed
from nlf_planner.services.seeding import DEFAULT_SEED, seed_database
from nlf_planner.settings import PROJECT_ROOT
from nlf_planner.store import Database, open_database
from nlf_planner.store import engagement as engagement_store
from nlf_planner.store import plans as plan_store
from nlf_planner.store import scenarios as scenario_store
from nlf_planner.store.audit import audit_log
from nlf_planner.store.measurements import all_series, get_meta, latest_values

SHORT = date(2017, 3, 1)  # a year of history: enough to seed everything, quick to write
VIEWER = Actor(id="local:vera", display_name="Vera", roles=frozenset({Role.VIEWER}))


def _snapshot(db: Database) -> dict[str, object]:
    """Every table's row count, the app meta and the measurements' version: any write shows."""
    tables = [r[0] for r in db.rows("SELECT table_name FROM duckdb_tables() ORDER BY 1")]
    counts = {t: db.scalar(f'SELECT count(*) FROM "{t}"') for t in tables}
    meta = db.rows("SELECT key, value FROM app_meta ORDER BY key")
    loaded = db.scalar("SELECT max(loaded_at) FROM measurements")
    return {"counts": counts, "meta": meta, "loaded": loaded}


def _new(tmp_path: Path, name: str = "new.duckdb") -> Database:
    return open_database(tmp_path / name)


# --- everything, once ----------------------------------------------------------------------


def test_a_new_file_gets_history_meta_plan_scenarios_and_engagement(tmp_path) -> None:
    db = _new(tmp_path)
    result = seed_database(db, SYSTEM, end_month=SHORT)
    assert result.rows == db.scalar("SELECT count(*) FROM measurements") > 0
    assert (result.data_as_of, result.seed, result.scale) == (SHORT, DEFAULT_SEED, 1)
    assert db.scalar("SELECT count(*) FROM measures") == 17  # reference content first
    assert get_meta(db, "data_as_of") == "2017-03-01"
    assert get_meta(db, "generator_seed") == str(DEFAULT_SEED)
    assert get_meta(db, "generated_at")
    assert len(plan_store.list_versions(db)) == 2
    assert result.seeded["plan"] == plan_store.latest_version_id(db)
    assert result.seeded["scenarios"] == 2 == len(scenario_store.list_scenarios(db))
    assert result.seeded["engagement"]["stakeholders"] == len(seed_stakeholders())
    assert list(seeding.SEEDERS) == ["plan", "engagement", "scenarios"]
    db.close()


def test_a_second_run_writes_nothing(tmp_path) -> None:
    db = _new(tmp_path)
    seed_database(db, SYSTEM, end_month=SHORT)
    before = _snapshot(db)
    again = seed_database(db, SYSTEM, end_month=date(2018, 3, 1), seed=5)
    assert again.rows == 0 and again.seeded == {}
    assert _snapshot(db) == before
    for seeder in seeding.SEEDERS.values():  # each seeder alone is once-only too
        assert seeder(db, SYSTEM) in (None, 0, {"stakeholders": 0, "events": 0, "links": 0})
    assert _snapshot(db) == before
    db.close()


def test_force_regenerates_the_history_and_leaves_the_other_seeds(tmp_path) -> None:
    db = _new(tmp_path)
    seed_database(db, SYSTEM, end_month=SHORT, seed=1)
    first = all_series(db, ["M08"], levels=["england"])
    counts = _snapshot(db)["counts"]
    forced = seed_database(db, SYSTEM, end_month=date(2017, 6, 1), seed=2, force=True)
    assert forced.rows > 0 and forced.data_as_of == date(2017, 6, 1)
    assert db.scalar("SELECT max(period) FROM measurements") == date(2017, 6, 1)
    assert (get_meta(db, "data_as_of"), get_meta(db, "generator_seed")) == ("2017-06-01", "2")
    second = all_series(db, ["M08"], levels=["england"])
    assert not first["value"].equals(second["value"].iloc[: len(first)])
    after = _snapshot(db)["counts"]
    for table in ("plan_versions", "scenarios", "stakeholders", "engagement_events"):
        assert after[table] == counts[table], table
    assert list(audit_log(db, entity="measurements")["action"]) == ["generate", "generate"]
    db.close()


def test_same_seed_and_month_give_the_same_measurements_in_two_files(tmp_path) -> None:
    frames = []
    for name in ("a.duckdb", "b.duckdb"):
        db = _new(tmp_path, name)
        seed_database(db, SYSTEM, end_month=SHORT)
        frames.append(
            db.df(
                "SELECT measure_code, geo_code, period, numerator, denominator, value "
                "FROM measurements ORDER BY ALL"
            )
        )
        db.close()
    pd.testing.assert_frame_equal(*frames)


# --- who may seed, and the audit -----------------------------------------------------------


def test_the_audit_names_the_actor_who_seeded(tmp_path) -> None:
    db = _new(tmp_path)
    asha = local_actor("Asha Patel")
    result = seed_database(db, asha, end_month=SHORT, seed=11)
    history = audit_log(db, entity="measurements")
    assert list(history["actor"]) == ["Asha Patel"]
    assert history.iloc[0]["reason"] == "Illustrative history to 2017-03 generated (seed 11)"
    assert f'"rows": {result.rows}' in history.iloc[0]["after_json"]
    assert set(audit_log(db, entity="scenario")["actor"]) == {"Asha Patel"}
    assert set(audit_log(db, entity="engagement")["actor"]) == {"Asha Patel"}
    # The plan's versions say the content is seed data, whoever ran the seeding.
    assert plan_store.list_versions(db)["author"].eq(plan_seed.SEED_AUTHOR).all()
    db.close()


def test_the_shared_seeded_file_was_seeded_by_the_command_line_user(seeded_db_path) -> None:
    db = open_database(seeded_db_path)
    try:
        assert list(audit_log(db, entity="measurements")["actor"]) == [SYSTEM.display_name]
        assert get_meta(db, "data_as_of") == "2026-10-01"
    finally:
        db.close()


def test_a_viewer_cannot_seed_and_nothing_is_written(tmp_path) -> None:
    db = _new(tmp_path)
    before = _snapshot(db)
    with pytest.raises(NotAllowed, match="admin role.*nothing was changed"):
        seed_database(db, VIEWER, end_month=SHORT)
    for seeder in seeding.SEEDERS.values():
        with pytest.raises(NotAllowed):
            seeder(db, VIEWER)
    assert _snapshot(db) == before
    assert before["counts"]["measures"] == 0  # not even the reference content
    db.close()


def test_seeding_needs_a_known_person(tmp_path) -> None:
    db = _new(tmp_path)
    with pytest.raises(NotSignedIn):
        seed_database(db, None, end_month=SHORT)
    assert db.scalar("SELECT count(*) FROM audit_log") == 0
    db.close()


def test_a_read_only_file_is_refused_readably(tmp_path) -> None:
    path = tmp_path / "ro.duckdb"
    open_database(path).close()
    ro = Database(duckdb.connect(str(path), read_only=True), path, True, "Opened read-only.")
    with pytest.raises(ReadOnly, match="read-only, so nothing was seeded"):
        seed_database(ro, SYSTEM, end_month=SHORT)
    ro.close()


def test_a_scale_outside_1_to_100_is_refused_before_any_write(tmp_path) -> None:
    db = _new(tmp_path)
    before = _snapshot(db)
    for scale in (0, 101):
        with pytest.raises(ValidationFailed, match="between 1 and 100"):
            seed_database(db, SYSTEM, end_month=SHORT, scale=scale)
    assert _snapshot(db) == before
    db.close()


# --- the history ----------------------------------------------------------------------------


def test_history_is_calibrated_to_national_baselines(fresh_seeded_db) -> None:
    eng = all_series(fresh_seeded_db, levels=["england"])
    m08_2017 = eng[(eng.measure_code == "M08") & (eng.period.map(lambda d: d.year) == 2017)]
    assert 6.5 < m08_2017["value"].mean() < 10  # about 8% vacant or interim in 2017
    m04_2021 = eng[(eng.measure_code == "M04") & (eng.period == date(2021, 4, 1))]
    assert abs(m04_2021["value"].iloc[0] - 7.2) < 0.25
    latest = latest_values(eng)
    assert set(latest["geo_code"]) == {ENGLAND_CODE}


# --- the plan -------------------------------------------------------------------------------


def test_seeding_writes_two_plan_versions_once(fresh_seeded_db) -> None:
    db = fresh_seeded_db
    versions = plan_store.list_versions(db)
    assert len(versions) == 2 and versions["author"].eq(plan_seed.SEED_AUTHOR).all()
    plan = plan_store.load_plan(db)
    assert plan.base_year == 2026  # the financial year of the pinned October 2026 data
    assert len([t for t in plan.targets if t.geo_code == P.ENGLAND_CODE]) == 17 * 3
    assert seeding.seed_plan(db) is None  # a second run leaves the plan alone
    assert len(plan_store.list_versions(db)) == 2


def test_the_second_plan_version_is_the_quarterly_review(fresh_seeded_db) -> None:
    versions = plan_store.list_versions(fresh_seeded_db).sort_values("version_id")
    assert list(versions["note"].str[:15]) == ["Initial plan fo", "First quarterly"]
    v1, v2 = (plan_store.load_plan(fresh_seeded_db, int(v)) for v in versions["version_id"])
    kinds = {(c.kind, c.entity) for c in P.diff_plans(v1, v2)}
    assert ("added", "milestone") in kinds and ("changed", "target") in kinds


def test_a_seeded_plan_that_breaks_the_rules_is_not_saved(db) -> None:
    bad = P.Plan(base_year=2026, targets=[P.PlanTarget(measure_code="M99", horizon=1, target=1)])
    with pytest.raises(ValidationFailed, match="not saved") as refused:
        seeding._checked(db, bad)
    assert refused.value.issues
    assert plan_store.latest_version_id(db) is None


# --- engagement -----------------------------------------------------------------------------


def test_engagement_is_seeded_once_with_audit(db) -> None:
    counts = seeding.seed_engagement(db)
    assert counts["stakeholders"] == len(seed_stakeholders())
    assert counts["events"] == len(seed_events())
    assert counts["links"] == sum(len(n) for _, n in seed_events())
    assert seeding.seed_engagement(db) == {"stakeholders": 0, "events": 0, "links": 0}
    people = engagement_store.load_stakeholders(db)
    assert len(people) == counts["stakeholders"] and people.seeded.all()
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'seed'") == 1
    log = engagement_store.load_engagement_log(db)
    assert len(log) == counts["links"]
    smith = log[log.title == "Smith reference group"]
    assert list(smith.stakeholder) == ["Smith review reference group"]


def test_seeded_coverage_shows_regional_gaps(db) -> None:
    seeding.seed_engagement(db)
    m = engagement_service.coverage(db)  # the grid the Engagement page reads
    assert int(m["NATIONAL"].min()) >= 4  # national workshops cover every area
    east, south_west = "E40000007", "E40000006"
    assert int(m[east].sum()) == 0 and int(m[south_west].sum()) == 0  # no regional visits there
    assert int(m["E40000003"].sum()) > 0  # London: ELFT and Great Ormond Street


# --- scenarios ------------------------------------------------------------------------------


def test_scenarios_are_a_baseline_and_one_expansion_saved_once(db) -> None:
    assert seeding.seed_scenarios(db) == 2
    assert seeding.seed_scenarios(db) == 0
    listing = scenario_store.list_scenarios(db)
    assert list(listing["is_baseline"]) == [True, False]
    expand = scenario_store.load_scenario(db, listing.iloc[1]["scenario_id"])
    base = scenario_store.load_scenario(db, scenario_store.baseline_id(db))
    assert expand.name == "Expand programmes by half"
    assert [s[1] for s in expand.params.places] == [s[0] * 1.5 for s in base.params.places]
    p = expand.params
    assert p.budget == [p.planned_cost(1), p.planned_cost(2)]  # budget raised to match
    assert p.planned_cost(2) > base.params.planned_cost(2)
    reasons = set(audit_log(db, entity="scenario")["reason"])
    assert reasons == {"Seeded baseline", "Seeded illustrative scenario"}


def test_deleted_scenarios_are_never_reseeded(db) -> None:
    seeding.seed_scenarios(db)
    other = scenario_store.list_scenarios(db).iloc[1]["scenario_id"]
    scenario_store.delete_scenario(db, other, actor="Asha")
    assert seeding.seed_scenarios(db) == 0
    assert len(scenario_store.list_scenarios(db)) == 1


# --- the command line -----------------------------------------------------------------------


def test_cli_honours_nlf_db_path_and_does_not_regenerate(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    path = tmp_path / "cli.duckdb"
    monkeypatch.setenv("NLF_DB_PATH", str(path))
    assert main(["--end-month", "2020-03"]) == 0
    assert "illustrative rows written" in capsys.readouterr().out
    assert main([]) == 0
    assert "already seeded" in capsys.readouterr().out
    db = open_database(path)
    assert db.scalar("SELECT max(period) FROM measurements") <= date(2020, 3, 1)
    db.close()


def test_cli_refuses_a_bad_scale_with_exit_1(tmp_path: Path, capsys) -> None:
    path = tmp_path / "scale.duckdb"
    assert main(["--db", str(path), "--scale", "0"]) == 1
    assert "between 1 and 100" in capsys.readouterr().err


def _run_cli(*args: str, env_path: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NLF_DB_PATH"}
    if env_path is not None:
        env["NLF_DB_PATH"] = str(env_path)
    return subprocess.run(
        [sys.executable, "-m", "nlf_planner.cli.generate", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_python_m_cli_generate_seeds_a_new_file_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "make-db.duckdb"
    done = _run_cli("--db", str(path), "--end-month", "2017-03", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert f"{path}: " in done.stdout and "illustrative rows written to 2017-03" in done.stdout
    db = open_database(path)
    try:
        assert get_meta(db, "generator_seed") == "3"
        assert len(plan_store.list_versions(db)) == 2
        assert list(audit_log(db, entity="measurements")["actor"]) == [SYSTEM.display_name]
    finally:
        db.close()


def test_python_m_cli_generate_exits_2_when_another_process_holds_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "held.duckdb"
    holder = open_database(path)  # this process holds the write lock
    try:
        done = _run_cli(env_path=path)
    finally:
        holder.close()
    assert done.returncode == 2
    assert str(path) in done.stderr and "Traceback" not in done.stderr
    db = open_database(path)
    assert db.scalar("SELECT count(*) FROM measurements") == 0
    db.close()
