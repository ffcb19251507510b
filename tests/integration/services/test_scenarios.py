"""The scenarios service against real DuckDB files: who may write, what is validated before
anything is written, what the audit records, and which plan targets a geography reads."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest

from nlf_planner.capacity.params import Range
from nlf_planner.capacity.scenarios import export_json as domain_export_json
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.plan import Plan, PlanTarget
from nlf_planner.services import plan_editing
from nlf_planner.services import scenarios as service
from nlf_planner.services.actor import Actor, Role, local_actor
from nlf_planner.services.errors import (
    NotAllowed,
    NotFound,
    NotSignedIn,
    ReadOnly,
    ServiceError,
    ValidationFailed,
)
from nlf_planner.store import Database
from nlf_planner.store.audit import audit_log

EDITOR = local_actor("Asha Patel")
VIEWER = Actor(id="test:viewer", display_name="Vic Viewer", roles=frozenset({Role.VIEWER}))
LONDON = "E40000003"
MIDLANDS = "E40000011"


def _counts(db: Database) -> tuple[int, int]:
    """Rows in scenarios and in the audit log: equal before and after = nothing written."""
    return (
        int(db.scalar("SELECT count(*) FROM scenarios")),
        int(db.scalar("SELECT count(*) FROM audit_log")),
    )


def _other_id(db: Database) -> str:
    listing = service.list_scenarios(db)
    return str(listing[~listing["is_baseline"]].iloc[0]["scenario_id"])


def _save_new(db: Database, name: str = "Faster executive turnover", actor=EDITOR):
    base = service.baseline(db)
    params = base.params.with_range("attrition.4", Range(low=0.2, central=0.25, high=0.3))
    return service.save(db, actor, name=name, description="why", params=params, draws=500, seed=7)


# --- writes: the actor, the audit, the rules --------------------------------------------------


def test_save_new_records_the_actor_and_round_trips(fresh_seeded_db):
    saved = _save_new(fresh_seeded_db)
    assert saved.version == 1 and saved.author == "Asha Patel" and not saved.is_baseline
    loaded = service.load(fresh_seeded_db, saved.scenario_id)
    assert loaded.params.range_of("attrition.4").central == pytest.approx(0.25)
    assert (loaded.draws, loaded.seed, loaded.description) == (500, 7, "why")
    log = audit_log(fresh_seeded_db, entity="scenario")
    assert (log.iloc[0]["actor"], log.iloc[0]["action"]) == ("Asha Patel", "create")
    assert log.iloc[0]["entity_id"] == f"{saved.scenario_id}/v1"


def test_a_version_of_the_baseline_stays_the_baseline(fresh_seeded_db):
    base = service.baseline(fresh_seeded_db)
    saved = service.save(
        fresh_seeded_db,
        EDITOR,
        name=base.name,
        description=base.description,
        params=base.params.scale_places(2),
        draws=base.draws,
        seed=base.seed,
        version_of=base,
        reason="doubled",
    )
    assert saved.scenario_id == base.scenario_id and saved.version == 2 and saved.is_baseline
    assert list(service.list_versions(fresh_seeded_db, base.scenario_id)["version"]) == [2, 1]
    log = audit_log(fresh_seeded_db, entity="scenario")
    assert (log.iloc[0]["action"], log.iloc[0]["reason"]) == ("new_version", "doubled")
    assert log.iloc[0]["actor"] == "Asha Patel"


def test_clone_is_a_new_scenario_never_a_baseline_and_audited(fresh_seeded_db):
    base_id = service.baseline_id(fresh_seeded_db)
    copy = service.clone(fresh_seeded_db, EDITOR, base_id, name="My plan")
    assert copy.scenario_id != base_id and copy.version == 1 and not copy.is_baseline
    assert copy.name == "My plan"
    assert copy.params == service.load(fresh_seeded_db, base_id).params
    default = service.clone(fresh_seeded_db, EDITOR, base_id)
    assert default.name.startswith("Copy of Baseline")
    log = audit_log(fresh_seeded_db, entity="scenario")
    assert log.iloc[0]["reason"].startswith(f"Cloned from {base_id}/v1")
    assert log.iloc[0]["actor"] == "Asha Patel"


def test_delete_hides_the_scenario_and_records_who(fresh_seeded_db):
    other = _other_id(fresh_seeded_db)
    gone = service.delete(fresh_seeded_db, EDITOR, other, reason="superseded")
    assert gone.scenario_id == other
    with pytest.raises(NotFound):
        service.load(fresh_seeded_db, other)
    assert other not in set(service.list_scenarios(fresh_seeded_db)["scenario_id"])
    log = audit_log(fresh_seeded_db, entity="scenario")
    assert (log.iloc[0]["action"], log.iloc[0]["actor"]) == ("delete", "Asha Patel")
    with pytest.raises(NotFound):
        service.delete(fresh_seeded_db, EDITOR, other)
    with pytest.raises(NotFound):
        service.clone(fresh_seeded_db, EDITOR, other)


def test_the_baseline_cannot_be_deleted_and_nothing_is_written(fresh_seeded_db):
    base_id = service.baseline_id(fresh_seeded_db)
    before = _counts(fresh_seeded_db)
    with pytest.raises(ServiceError, match="baseline cannot be deleted"):
        service.delete(fresh_seeded_db, EDITOR, base_id)
    assert _counts(fresh_seeded_db) == before
    assert service.load(fresh_seeded_db, base_id).is_baseline


def test_invalid_params_are_refused_with_a_readable_message_and_write_nothing(fresh_seeded_db):
    base = service.baseline(fresh_seeded_db)
    # model_copy(update=...) skips pydantic's checks: the service validates again.
    bad_range = Range.model_construct(low=0.4, central=0.3, high=0.35, rationale="")
    attrition = (*base.params.attrition[:3], bad_range)
    broken = base.params.model_copy(update={"attrition": attrition})
    before = _counts(fresh_seeded_db)
    with pytest.raises(ValidationFailed, match="must not exceed central") as info:
        service.save(
            fresh_seeded_db, EDITOR, name="Broken", description="", params=broken, draws=200, seed=1
        )
    assert info.value.issues
    with pytest.raises(ValidationFailed, match="give the scenario a name"):
        service.save(
            fresh_seeded_db,
            EDITOR,
            name="  ",
            description="",
            params=base.params,
            draws=200,
            seed=1,
        )
    with pytest.raises(ValidationFailed, match="draws"):
        service.save(
            fresh_seeded_db,
            EDITOR,
            name="Huge",
            description="",
            params=base.params,
            draws=0,
            seed=1,
        )
    assert _counts(fresh_seeded_db) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json {", "not valid JSON"),
        (json.dumps({"hello": 1}), "not an NLF Planner scenario"),
    ],
)
def test_bad_json_is_refused_and_writes_nothing(fresh_seeded_db, text, expected):
    before = _counts(fresh_seeded_db)
    with pytest.raises(ValidationFailed, match=expected):
        service.import_scenario(fresh_seeded_db, EDITOR, text)
    assert _counts(fresh_seeded_db) == before


def test_import_with_invalid_params_is_refused_and_writes_nothing(fresh_seeded_db):
    doc = json.loads(service.export_json(service.baseline(fresh_seeded_db)))
    doc["params"]["attrition"][3] = {"low": 0.4, "central": 0.3, "high": 0.35, "rationale": ""}
    before = _counts(fresh_seeded_db)
    with pytest.raises(ValidationFailed, match="must not exceed central"):
        service.parse_import(json.dumps(doc))
    with pytest.raises(ValidationFailed, match="must not exceed central"):
        service.import_scenario(fresh_seeded_db, EDITOR, json.dumps(doc))
    assert _counts(fresh_seeded_db) == before


def test_export_then_import_saves_a_new_scenario(fresh_seeded_db):
    other = service.load(fresh_seeded_db, _other_id(fresh_seeded_db))
    text = service.export_json(other)
    assert text == domain_export_json(other)
    saved = service.import_scenario(fresh_seeded_db, EDITOR, text.encode())
    assert saved.scenario_id != other.scenario_id and saved.params == other.params
    log = audit_log(fresh_seeded_db, entity="scenario")
    assert (log.iloc[0]["reason"], log.iloc[0]["actor"]) == ("Imported", "Asha Patel")
    edited = other.params.scale_places(3)
    assert json.loads(service.export_json(other, edited))["params"] == edited.model_dump(
        mode="json"
    )


def _every_write(db: Database, actor):
    base = service.baseline(db)
    text = service.export_json(base)
    return [
        lambda: service.save(
            db, actor, name="x", description="", params=base.params, draws=200, seed=1
        ),
        lambda: service.import_scenario(db, actor, text),
        lambda: service.clone(db, actor, base.scenario_id),
        lambda: service.delete(db, actor, _other_id(db)),
    ]


@pytest.mark.parametrize(("actor", "error"), [(None, NotSignedIn), (VIEWER, NotAllowed)])
def test_every_write_needs_a_signed_in_editor_and_writes_nothing(fresh_seeded_db, actor, error):
    before = _counts(fresh_seeded_db)
    for write in _every_write(fresh_seeded_db, actor):
        with pytest.raises(error):
            write()
    assert _counts(fresh_seeded_db) == before


def test_a_read_only_database_refuses_to_save(fresh_seeded_db_path):
    con = duckdb.connect(str(fresh_seeded_db_path), read_only=True)
    db = Database(con, fresh_seeded_db_path, read_only=True, reason="Locked by a test.")
    try:
        with pytest.raises(ReadOnly, match="read-only"):
            _save_new(db)
    finally:
        db.close()


# --- reads ------------------------------------------------------------------------------------


def test_load_falls_back_to_the_latest_version_and_missing_ids_are_not_found(fresh_seeded_db):
    base = service.baseline(fresh_seeded_db)
    service.save(
        fresh_seeded_db,
        EDITOR,
        name="Renamed",
        description="",
        params=base.params,
        draws=base.draws,
        seed=base.seed,
        version_of=base,
    )
    assert service.load(fresh_seeded_db, base.scenario_id, 1).name == base.name
    assert service.load(fresh_seeded_db, base.scenario_id, 99).version == 2
    with pytest.raises(NotFound):
        service.load(fresh_seeded_db, "nope")
    found = service.load_many(fresh_seeded_db, ["nope", base.scenario_id])
    assert [s.scenario_id for s in found] == [base.scenario_id]


def test_an_empty_database_uses_the_built_in_baseline(db):
    assert service.baseline_id(db) is None
    assert service.list_scenarios(db).empty
    assert service.baseline(db).params == service.builtin_baseline().params


# --- runs and the plan's targets --------------------------------------------------------------


def test_runs_are_reproducible_and_keyed_by_their_parameters(fresh_seeded_db):
    base = service.baseline(fresh_seeded_db)
    a = service.run(base.params, 200, 5)
    b = service.run(base.params, 200, 5)
    assert np.array_equal(a.S, b.S)
    assert service.result_key(base.params, 200, 5) == service.result_key(base.params, 200, 5)
    assert service.result_key(base.params, 200, 5) != service.result_key(base.params, 200, 6)
    seen: list[float] = []
    chunked = service.run(base.params, 2500, 5, progress=seen.append)
    assert seen[-1] == pytest.approx(1.0) and chunked.draws == 2500


def _plan() -> Plan:
    """England sets M08 at every horizon; the Midlands only at year 3."""
    return Plan(
        base_year=2025,
        targets=[
            PlanTarget(measure_code="M08", geo_code=ENGLAND_CODE, horizon=1, target=7.9),
            PlanTarget(measure_code="M08", geo_code=ENGLAND_CODE, horizon=3, target=6.8),
            PlanTarget(measure_code="M08", geo_code=ENGLAND_CODE, horizon=5, target=5.7),
            PlanTarget(measure_code="M08", geo_code=MIDLANDS, horizon=3, target=6.3),
        ],
    )


def test_a_region_without_its_own_targets_reads_englands():
    targets = service.plan_targets(_plan(), LONDON)
    got = {int(r.horizon): float(r.target) for r in targets.itertuples()}
    assert got == {1: 7.9, 3: 6.8, 5: 5.7}
    assert set(targets["geo_code"]) == {LONDON}
    own = service.plan_targets(_plan(), MIDLANDS)
    assert {int(r.horizon): float(r.target) for r in own.itertuples()} == {1: 7.9, 3: 6.3, 5: 5.7}
    assert service.plan_targets(None, LONDON).empty


def test_headline_targets_and_chances_follow_the_fallback(fresh_seeded_db):
    base = service.baseline(fresh_seeded_db)
    res = service.run(base.params, 200, 3)
    head = service.headline({"Scenario": res}, res, _plan(), LONDON)
    vac = head[(head["output"] == "vacancy_rate") & (head["level"] == 4)].set_index("year")
    assert vac["target"].to_dict() == {1: 7.9, 3: 6.8, 5: 5.7}
    assert vac["probability"].between(0, 1).all()
    other = head[head["output"] == "developed_share"]
    assert other["target"].isna().all()


def test_the_seeded_plan_gives_london_englands_executive_vacancy_targets(fresh_seeded_db):
    plan = plan_editing.load_plan(fresh_seeded_db)
    london = service.plan_targets(plan, LONDON)
    england = service.plan_targets(plan, ENGLAND_CODE)
    m08 = lambda f: {int(r.horizon): r.target for r in f[f.measure_code == "M08"].itertuples()}  # noqa: E731
    assert m08(london) == m08(england) and m08(london)


def test_analysis_refusals_are_readable(fresh_seeded_db):
    params = service.baseline(fresh_seeded_db).params
    with pytest.raises(ValidationFailed, match="horizon between 1 and 5"):
        service.sensitivity(params, "vacancy_rate", 9, ENGLAND_CODE, 4)
    with pytest.raises(ValidationFailed, match="horizon"):
        service.waterfall(params, params.scale_places(2), "vacancy_rate", 9, ENGLAND_CODE, 4)
    with pytest.raises(ValidationFailed, match="Confidence"):
        service.goal_seek(
            params,
            "vacancy_rate",
            5.0,
            5,
            confidence=1.5,
            lever="places",
            geo=ENGLAND_CODE,
            level=4,
            draws=100,
            seed=1,
        )


def test_editor_tables_that_do_not_make_sense_name_the_row_and_column(fresh_seeded_db):
    params = service.baseline(fresh_seeded_db).params
    names = service.region_names(fresh_seeded_db)
    frames = service.editor_frames(params, names)
    overrides = frames["overrides"]
    overrides.loc[0] = ["London", "Attrition: executives (board)", 40.0, 30.0, 35.0, ""]
    inputs = service.EditorInputs(
        horizon=params.horizon,
        ranges={},
        allocation=params.allocation,
        places=frames["places"],
        qi_places=frames["qi_places"],
        budget=frames["budget"],
        overrides=overrides,
    )
    with pytest.raises(ValidationFailed, match="must not exceed central") as info:
        service.params_from_editor(params, inputs, names)
    issue = info.value.issues[0]
    assert (issue.table, issue.row, issue.row_label) == ("Regional differences", 1, "London")
    assert "Regional differences, row 1 (London)" in str(info.value)


def _goal(db: Database, target: float):
    return service.goal_seek(
        service.baseline(db).params,
        "improvement_coverage",
        target,
        5,
        confidence=0.8,
        lever="places",
        geo=ENGLAND_CODE,
        level=0,
        draws=100,
        seed=3,
    )


def test_a_goal_seek_answer_is_saved_as_a_new_scenario_with_its_audit(fresh_seeded_db):
    db = fresh_seeded_db
    answer = _goal(db, 25.0)
    assert answer.reachable and answer.params is not None
    before = _counts(db)
    with pytest.raises(NotAllowed):
        service.save_goal_seek_answer(db, VIEWER, answer, question="q", draws=100, seed=3)
    assert _counts(db) == before  # a viewer's click writes nothing
    saved = service.save_goal_seek_answer(
        db, EDITOR, answer, question="staff trained 25% by year 5", draws=100, seed=3
    )
    assert _counts(db) == (before[0] + 1, before[1] + 1)
    assert saved.name == "Goal seek: staff trained 25% by year 5" and not saved.is_baseline
    assert saved.params == answer.params and saved.description == answer.message
    row = audit_log(db, entity="scenario", limit=1).iloc[0]
    assert row["actor"] == "Asha Patel" and row["reason"].startswith("Goal seek answer:")


def test_an_answer_out_of_reach_is_not_saved(fresh_seeded_db):
    db = fresh_seeded_db
    answer = _goal(db, 99.9)
    assert not answer.reachable
    before = _counts(db)
    with pytest.raises(ValidationFailed, match="no change to save"):
        service.save_goal_seek_answer(db, EDITOR, answer, question="q", draws=100, seed=3)
    assert _counts(db) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Acme\x1bplan"), ("description", "Line one\x07"), ("reason", "Why\x00")],
)
def test_a_control_character_in_a_scenarios_text_is_refused(fresh_seeded_db, field, value):
    """Issue 15: hidden control characters break every Excel export of the table."""
    db = fresh_seeded_db
    text = {"name": "Plan B", "description": "Two lines\nare fine", "reason": "ok", field: value}
    before = _counts(db)
    with pytest.raises(ValidationFailed, match="hidden control character"):
        service.save(db, EDITOR, params=service.baseline(db).params, draws=100, seed=1, **text)
    assert _counts(db) == before


def test_an_imported_scenario_with_a_control_character_in_its_name_is_refused(fresh_seeded_db):
    scenario = service.baseline(fresh_seeded_db).model_copy(update={"name": "Bad\x1bname"})
    with pytest.raises(ValidationFailed, match="Not imported: Name contains a hidden control"):
        service.parse_import(domain_export_json(scenario))
