"""The plan use cases against real DuckDB files: save (checked by the plan rules first),
stale-version refusal, restore, diff, the actor in the audit, and who may write."""

from __future__ import annotations

import json
from datetime import date

import pytest

from nlf_planner import plan as P
from nlf_planner.plan import Plan, PlanTarget
from nlf_planner.services import plan_editing as pe
from nlf_planner.services.actor import Actor, Role, local_actor
from nlf_planner.services.errors import (
    NotAllowed,
    NotFound,
    NotSignedIn,
    ReadOnly,
    StaleVersion,
    ValidationFailed,
)
from nlf_planner.store import open_database
from nlf_planner.store.reference import ensure_reference
from tests.db_holders import held_by_other_process
from tests.plan_examples import small_plan

ANN = local_actor("Ann  Lee")
BOB = local_actor("Bob Singh")
VIEWER = Actor(id="local:vic", display_name="Vic Viewer", roles=frozenset({Role.VIEWER}))
TODAY = date(2026, 11, 30)


def save(db, plan: Plan, expected: int | None, actor: Actor | None = ANN, note: str = "Edit"):
    return pe.save_draft(db, actor, plan, note=note, expected_version_id=expected, today=TODAY)


def written(db) -> tuple[int, int]:
    """How many versions and plan audit rows the file holds."""
    return len(pe.list_versions(db)), len(pe.plan_audit(db))


def test_save_writes_a_version_and_records_the_actor_in_the_audit(db):
    assert pe.load_plan(db) is None and pe.latest_version_id(db) is None
    v1 = save(db, small_plan(), None, note="First")
    assert v1.version_id == pe.latest_version_id(db) and v1.author == "Ann Lee"
    v2 = save(db, small_plan(y5=90), v1.version_id, actor=BOB, note="Raise M01")
    assert pe.load_plan(db, v1.version_id).target_map()[("M01", P.ENGLAND_CODE, 5)] == 80
    assert pe.load_plan(db).target_map()[("M01", P.ENGLAND_CODE, 5)] == 90
    log = pe.plan_audit(db)
    assert log["actor"].tolist() == ["Bob Singh", "Ann Lee"]
    assert log.iloc[0]["entity_id"] == str(v2.version_id) and log.iloc[0]["reason"] == "Raise M01"
    after = json.loads(log.iloc[0]["after_json"])
    assert after["summary"] == "1 target changed."
    # What changed is the plan's diff against the version the save started from, by code.
    assert after["changes"] == ["M01 (England), year 5: Target 80 → 90"]
    assert json.loads(log.iloc[0]["before_json"]) == {"version_id": v1.version_id}
    assert "changes" not in json.loads(log.iloc[1]["after_json"])  # version 1: nothing before


def test_a_stale_save_is_refused_with_the_message_and_writes_nothing(db):
    v1 = save(db, small_plan(), None, note="First")
    v2 = save(db, small_plan(y5=90), v1.version_id, note="Mine")
    before = written(db)
    with pytest.raises(StaleVersion) as err:
        save(db, small_plan(y5=95), v1.version_id, actor=BOB, note="Theirs")
    assert err.value.current_version == v2.version_id
    assert str(err.value).startswith("Not saved: the plan was changed by Ann Lee")
    assert "edits are still on screen" in str(err.value)
    assert written(db) == before
    assert pe.load_plan(db).target_map()[("M01", P.ENGLAND_CODE, 5)] == 90


def test_invalid_plan_is_refused_with_every_issue_and_writes_nothing(db):
    bad = small_plan().model_copy(
        update={
            "targets": [
                PlanTarget(measure_code="M01", horizon=h, target=v)
                for h, v in ((1, 40), (3, 60), (5, 140))
            ]
        }
    )
    with pytest.raises(ValidationFailed) as err:
        save(db, bad, None, note="Bad")
    assert "Year 5 target" in str(err.value) and str(err.value).startswith("Nothing was saved")
    (issue,) = P.errors_only(err.value.issues)
    assert isinstance(issue, P.ValidationIssue)
    assert (issue.table, issue.row, issue.column) == ("Targets", 1, "Year 5 target")
    assert pe.latest_version_id(db) is None and written(db) == (0, 0)


def test_a_save_needs_a_note_and_something_new(db):
    with pytest.raises(ValidationFailed, match="add a short note"):
        save(db, small_plan(), None, note="  ")
    assert written(db) == (0, 0)
    v1 = save(db, small_plan(), None, note="First")
    with pytest.raises(pe.NothingToSave):
        save(db, small_plan(), v1.version_id, note="Same again")
    assert written(db) == (1, 1)


def test_a_missing_actor_or_one_without_the_editor_role_writes_nothing(db):
    with pytest.raises(NotSignedIn, match="Sign in"):
        save(db, small_plan(), None, actor=None)
    with pytest.raises(NotAllowed, match="editor role"):
        save(db, small_plan(), None, actor=VIEWER)
    assert written(db) == (0, 0)
    v1 = save(db, small_plan(), None, note="First")
    v2 = save(db, small_plan(y5=90), v1.version_id)
    with pytest.raises(NotSignedIn):
        pe.restore_version(db, None, v1.version_id, expected_version_id=v2.version_id)
    with pytest.raises(NotAllowed):
        pe.restore_version(db, VIEWER, v1.version_id, expected_version_id=v2.version_id)
    assert written(db) == (2, 2)


def test_restore_copies_an_old_version_as_the_latest_and_audits_who(db):
    v1 = save(db, small_plan(), None, note="First")
    v2 = save(db, small_plan(y5=90, status="at_risk"), v1.version_id, note="Change")
    v3 = pe.restore_version(
        db, BOB, v1.version_id, expected_version_id=v2.version_id, note="Board asked to keep 80"
    )
    assert v3.parent_version_id == v2.version_id and v3.author == "Bob Singh"
    assert set(v3.targets) == set(v1.targets) and v3.milestones == v1.milestones
    assert v3.note == f"Restored version {v1.version_id}: Board asked to keep 80"
    assert v3.version_id not in (v1.version_id, v2.version_id) and written(db) == (3, 3)
    log = pe.plan_audit(db)
    assert log.iloc[0][["action", "actor"]].tolist() == ["restore", "Bob Singh"]
    restored = json.loads(log.iloc[0]["after_json"])  # what the restore changed back
    assert restored["summary"] == "1 target changed; 1 milestone changed."
    assert sorted(restored["changes"]) == [
        "M01 (England), year 5: Target 90 → 80",
        "“Offer live”: Status At risk → On track",
    ]
    before = written(db)
    with pytest.raises(StaleVersion) as err:
        pe.restore_version(db, ANN, v1.version_id, expected_version_id=v2.version_id)
    assert err.value.current_version == v3.version_id and "was not restored" in str(err.value)
    with pytest.raises(NotFound):
        pe.restore_version(db, ANN, 999, expected_version_id=v3.version_id)
    assert written(db) == before


def test_diff_between_stored_versions_uses_names(db):
    v1 = save(db, small_plan(), None, note="First")
    v2 = save(db, small_plan(y5=90, status="done"), v1.version_id, note="Update")
    changes = pe.diff_versions(db, v1.version_id, v2.version_id)
    labels = sorted(c.describe() for c in changes)
    assert labels == [
        "M01 ICSs with a system leadership programme in place (England), year 5: Target 80 → 90",
        "“Offer live”: Status On track → Done",
    ]
    with pytest.raises(NotFound):
        pe.diff_versions(db, v1.version_id, 999)


def test_a_read_only_database_refuses_the_save_and_writes_nothing(tmp_path):
    path = tmp_path / "held.duckdb"
    db = open_database(path)
    ensure_reference(db)
    save(db, small_plan(), None, note="First")
    db.close()
    with held_by_other_process(path, read_only=True):
        ro = open_database(path)
        try:
            assert ro.read_only
            with pytest.raises(ReadOnly, match="read-only"):
                save(ro, small_plan(y5=90), 1, note="Blocked")
            assert written(ro) == (1, 1)
        finally:
            ro.close()


def test_editor_tables_become_a_draft_checked_as_shown_then_saved(fresh_seeded_db):
    db = fresh_seeded_db
    plan = pe.load_plan(db)
    ref = pe.plan_reference(db)
    tables = ref.editor_tables(plan, {})

    def edited(targets):
        edits = pe.PlanEdits({**tables, "targets": targets}, plan.base_year, "linear", "P5")
        return pe.build_draft(db, plan, edits, TODAY)

    untouched = edited(tables["targets"])
    assert untouched.errors == [] and P.diff_plans(plan, untouched.plan) == []

    targets = tables["targets"].copy()
    targets.loc[targets["measure_code"] == "M08", "y5"] = 5.2
    targets.loc[targets["measure_code"] == "M01", "y5"] = 120.0
    bad = pe.build_draft(
        db, plan, pe.PlanEdits({**tables, "targets": targets}, 2026, "linear", "P5")
    )
    assert [(i.table, i.row, i.column) for i in bad.errors] == [
        ("Targets (P1)", 1, "Year 5 target")
    ]
    before = written(db)
    with pytest.raises(ValidationFailed) as err:
        pe.save_draft(db, ANN, bad, note="Two changes", expected_version_id=plan.version_id)
    assert err.value.issues == bad.issues and written(db) == before

    targets.loc[targets["measure_code"] == "M01", "y5"] = 95.0
    good = edited(targets)
    saved = pe.save_draft(db, ANN, good, note="Two changes", expected_version_id=plan.version_id)
    tm = saved.target_map()
    assert tm[("M08", P.ENGLAND_CODE, 5)] == 5.2 and tm[("M01", P.ENGLAND_CODE, 5)] == 95.0


def test_rebase_edits_puts_mine_on_top_of_a_colleagues_version(fresh_seeded_db):
    db = fresh_seeded_db
    started = pe.load_plan(db)
    key = ("M02", P.ENGLAND_CODE, 5)
    theirs = started.model_copy(
        update={
            "targets": [
                t.model_copy(update={"target": 42.0})
                if (t.measure_code, t.geo_code, t.horizon) == key
                else t
                for t in started.targets
            ]
        }
    )
    latest = save(db, theirs, started.version_id, actor=BOB, note="M02 up")
    mine = P.rebase_plan(started, started.base_year).model_copy(update={"trajectory": "stepwise"})
    with pytest.raises(StaleVersion):
        save(db, mine, started.version_id, note="Stepwise")
    merged, conflicts = pe.rebase_edits(started, mine, latest)
    assert conflicts == [] and merged.version_id == latest.version_id
    saved = save(db, merged, latest.version_id, note="Stepwise on top of Bob's")
    assert saved.trajectory == "stepwise" and saved.target_map()[key] == 42.0


def test_roadmap_events_fall_inside_the_plans_five_years(fresh_seeded_db):
    plan = pe.load_plan(fresh_seeded_db)
    assert pe.roadmap_events(fresh_seeded_db, plan).empty  # the seeded events are in 2016
    events = pe.roadmap_events(fresh_seeded_db, P.rebase_plan(plan, 2016))
    assert len(events) >= 3
    assert events["event_date"].map(lambda d: d.year).between(2016, 2021).all()


def test_a_target_typed_as_0_far_from_the_history_is_warned_about_before_saving(
    fresh_seeded_db,
):
    """Issue 18: a grid that lost the first keystroke stored 0.00 instead of 30."""
    db = fresh_seeded_db
    plan = pe.load_plan(db)
    tables = pe.plan_reference(db).editor_tables(plan, {})
    targets = tables["targets"].copy()
    # Vacant executive posts (lower is better, so 0 breaks no direction rule).
    targets.loc[targets["measure_code"] == "M08", "y5"] = 0.0
    edits = pe.PlanEdits({**tables, "targets": targets}, plan.base_year, "linear", None)
    draft = pe.build_draft(db, plan, edits, TODAY)
    low, high = pe.history_ranges(db)[("M08", P.ENGLAND_CODE)]
    assert low > 0.1 * high  # the seeded history never came near 0
    (warning,) = [w for w in draft.warnings if "never came near it" in w.message]
    assert warning.row_label.startswith("M08 ") and warning.column == "Year 5 target"
    assert draft.errors == []  # a warning: the page asks again, the rules do not refuse
