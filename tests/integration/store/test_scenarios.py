"""Saved scenarios in a real DuckDB file: versions never overwrite, soft delete, audit rows.

The rules above the SQL (clones are never baselines, the baseline cannot be deleted, who may
write) are tested with the scenarios service (tests/integration/services/test_scenarios.py).
"""

from __future__ import annotations

import pytest

from nlf_planner.capacity.params import Range
from nlf_planner.capacity.scenarios import Scenario, baseline_scenario, run_scenario
from nlf_planner.services.seeding import seed_scenarios
from nlf_planner.store.audit import audit_log
from nlf_planner.store.db import StoreError
from nlf_planner.store.scenarios import (
    ScenarioNotFound,
    baseline_id,
    delete_scenario,
    list_scenarios,
    list_versions,
    load_scenario,
    save_scenario,
)


def _variant(name: str = "Faster executive turnover") -> Scenario:
    base = baseline_scenario()
    p = base.params.with_range("attrition.4", Range(low=0.2, central=0.25, high=0.3))
    return Scenario(name=name, params=p, seed=7, draws=500)


def test_save_then_load_round_trips_everything(db):
    saved = save_scenario(db, _variant(), actor="Asha")
    assert saved.version == 1 and saved.author == "Asha" and saved.scenario_id
    loaded = load_scenario(db, saved.scenario_id)
    assert loaded.params == _variant().params
    assert (loaded.seed, loaded.draws, loaded.name) == (7, 500, "Faster executive turnover")
    assert loaded.created_at is not None


def test_saving_again_makes_a_new_version_and_keeps_the_old(db):
    first = save_scenario(db, _variant(), actor="Asha")
    changed = first.model_copy(update={"params": first.params.scale_places(2), "name": "Doubled"})
    second = save_scenario(db, changed, actor="Ben", scenario_id=first.scenario_id, reason="x2")
    assert second.version == 2
    assert load_scenario(db, first.scenario_id, 1).params == first.params
    assert load_scenario(db, first.scenario_id).name == "Doubled"
    versions = list_versions(db, first.scenario_id)
    assert list(versions["version"]) == [2, 1]
    listing = list_scenarios(db)
    assert len(listing) == 1 and int(listing.iloc[0]["versions"]) == 2
    log = audit_log(db, entity="scenario")
    assert list(log["action"]) == ["new_version", "create"]
    assert log.iloc[0]["reason"] == "x2" and log.iloc[0]["before_json"]


def test_same_saved_scenario_reproduces_the_same_results(db):
    saved = save_scenario(db, _variant(), actor="Asha")
    a = run_scenario(load_scenario(db, saved.scenario_id))
    b = run_scenario(load_scenario(db, saved.scenario_id))
    assert (a.S == b.S).all()


def test_soft_delete_hides_but_keeps_rows_and_is_audited(db):
    saved = save_scenario(db, _variant(), actor="Asha")
    delete_scenario(db, saved.scenario_id, actor="Ben", reason="superseded")
    assert load_scenario(db, saved.scenario_id) is None
    assert list_scenarios(db).empty
    kept = list_scenarios(db, include_deleted=True)
    assert bool(kept.iloc[0]["deleted"])
    row = db.rows("SELECT deleted_by FROM scenarios WHERE scenario_id = ?", [saved.scenario_id])
    assert row == [("Ben",)]
    log = audit_log(db, entity="scenario")
    assert log.iloc[0]["action"] == "delete" and log.iloc[0]["reason"] == "superseded"
    with pytest.raises(ScenarioNotFound):
        save_scenario(db, _variant(), actor="Asha", scenario_id=saved.scenario_id)
    with pytest.raises(ScenarioNotFound):
        delete_scenario(db, saved.scenario_id, actor="Ben")


def test_changes_need_a_person_and_an_existing_scenario(db):
    with pytest.raises(ValueError, match="(?i)sign in"):
        save_scenario(db, _variant(), actor="  ")
    with pytest.raises(ScenarioNotFound):
        save_scenario(db, _variant(), actor="Asha", scenario_id="nope")


def test_a_failed_save_writes_nothing(db):
    before = db.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(ScenarioNotFound):
        save_scenario(db, _variant(), actor="Asha", scenario_id="missing")
    assert db.scalar("SELECT count(*) FROM scenarios") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == before


def test_seed_adds_a_baseline_once(db):
    seed_scenarios(db)
    seed_scenarios(db)
    listing = list_scenarios(db)
    assert len(listing) == 2
    assert bool(listing.iloc[0]["is_baseline"])
    base = load_scenario(db, baseline_id(db))
    assert base.params == baseline_scenario().params


def test_seeded_database_has_the_baseline(seeded_db_path):
    from nlf_planner.store import open_database

    database = open_database(seeded_db_path)
    try:
        assert baseline_id(database) is not None
    finally:
        database.close()


def test_concurrent_saves_from_two_threads_both_become_versions(db):
    import threading

    first = save_scenario(db, _variant(), actor="Asha")
    errors: list[Exception] = []

    def save(who: str) -> None:
        try:
            save_scenario(db, _variant(who), actor=who, scenario_id=first.scenario_id)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(f"Person {i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    versions = sorted(list_versions(db, first.scenario_id)["version"])
    assert versions == list(range(1, 2 + 4 - len(errors)))
    assert all(isinstance(e, StoreError) for e in errors), [repr(e) for e in errors]
    logged = db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'scenario'")
    assert logged == len(versions)
