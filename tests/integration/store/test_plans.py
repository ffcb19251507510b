"""Plan versions on both backends: immutable saves, concurrency refusal, audit.

The store checks no plan rules and computes no diffs (the service does, before writing: see
``tests/integration/services/test_plan_editing.py``, which also covers restore)."""

from __future__ import annotations

import json

import pytest

from nlf_planner.plan import Change, Plan, diff_plans, summarise_changes
from nlf_planner.store import StoreError
from nlf_planner.store import plans as sp
from tests.plan_examples import small_plan


def save(
    db, plan: Plan, *, author: str, note: str, expected_version_id: int | None, action="save"
) -> Plan:
    """``save_plan`` with what changed worked out as the service does (the plan's diff
    against the expected version; none for a first version)."""
    previous = sp.load_plan(db, expected_version_id) if expected_version_id is not None else None
    changes = diff_plans(previous, plan) if previous is not None else None
    return sp.save_plan(
        db,
        plan,
        author=author,
        note=note,
        expected_version_id=expected_version_id,
        changes=changes,
        summary=summarise_changes(changes) if changes is not None else None,
        action=action,
    )


def test_first_save_creates_version_one_with_everything(db):
    assert sp.latest_version_id(db) is None and sp.load_plan(db) is None
    saved = save(db, small_plan(), author="Ann", note="First", expected_version_id=None)
    assert saved.version_id == sp.latest_version_id(db)
    assert saved.author == "Ann" and saved.note == "First" and saved.parent_version_id is None
    assert set(saved.targets) == set(small_plan().targets)
    assert saved.milestones == small_plan().milestones


def test_save_writes_new_version_and_keeps_the_old_one(db):
    v1 = save(db, small_plan(), author="Ann", note="First", expected_version_id=None)
    v2 = save(db, small_plan(y5=90), author="Bob", note="Raise", expected_version_id=v1.version_id)
    assert v2.version_id != v1.version_id and v2.parent_version_id == v1.version_id
    assert sp.load_plan(db, v1.version_id).target_map()[("M01", "E92000001", 5)] == 80
    assert sp.load_plan(db).target_map()[("M01", "E92000001", 5)] == 90
    versions = sp.list_versions(db)
    assert versions["version_id"].tolist() == [v2.version_id, v1.version_id]
    assert versions["is_latest"].tolist() == [True, False]
    assert versions["targets"].tolist() == [4, 4] and versions["milestones"].tolist() == [1, 1]


def test_stale_save_is_refused_and_writes_nothing(db):
    v1 = save(db, small_plan(), author="Ann", note="First", expected_version_id=None)
    save(db, small_plan(y5=90), author="Ann", note="Mine", expected_version_id=v1.version_id)
    audit_before = len(sp.plan_audit(db))
    versions_before = len(sp.list_versions(db))
    with pytest.raises(sp.StaleVersionError) as err:
        save(db, small_plan(y5=95), author="Bob", note="Theirs", expected_version_id=v1.version_id)
    assert "Ann" in str(err.value) and "edits are still on screen" in str(err.value)
    assert err.value.latest == sp.latest_version_id(db)
    assert len(sp.list_versions(db)) == versions_before
    assert len(sp.plan_audit(db)) == audit_before
    assert sp.load_plan(db).target_map()[("M01", "E92000001", 5)] == 90


def test_first_save_refused_when_someone_else_created_the_plan(db):
    save(db, small_plan(), author="Ann", note="First", expected_version_id=None)
    with pytest.raises(sp.StaleVersionError):
        save(db, small_plan(), author="Bob", note="Also first", expected_version_id=None)


@pytest.mark.duckdb_only  # PostgreSQL waits for the other transaction: see test_concurrency
def test_save_racing_an_open_transaction_is_refused(db):
    """A save that meets another save in flight (holding the head row) is refused, not merged."""
    v1 = save(db, small_plan(), author="Ann", note="First", expected_version_id=None)
    with db.cursor() as other:
        other.execute("BEGIN TRANSACTION")
        other.execute(
            "UPDATE plan_heads SET version_id = -1 WHERE plan_name = ?", ["National plan"]
        )
        with pytest.raises(sp.StaleVersionError):
            save(
                db, small_plan(y5=90), author="Bob", note="Race", expected_version_id=v1.version_id
            )
        other.execute("ROLLBACK")
    assert sp.latest_version_id(db) == v1.version_id


def test_every_save_and_restore_is_audited_with_the_changes(db):
    v1 = save(db, small_plan(), author="Ann", note="First", expected_version_id=None)
    v2 = save(
        db, small_plan(y5=90), author="Bob", note="Raise M01", expected_version_id=v1.version_id
    )
    save(  # a restore: a copy of version 1 saved on top of version 2
        db,
        sp.load_plan(db, v1.version_id),
        author="Cat",
        note=f"Restored version {v1.version_id}",
        expected_version_id=v2.version_id,
        action="restore",
    )
    log = sp.plan_audit(db)
    assert log["action"].tolist() == ["restore", "save", "save"]
    assert log["actor"].tolist() == ["Cat", "Bob", "Ann"]
    after = json.loads(log.iloc[1]["after_json"])
    assert after["version_id"] == v2.version_id and after["summary"] == "1 target changed."
    assert after["changes"] == ["M01 (England), year 5: Target 80 → 90"]
    assert json.loads(log.iloc[1]["before_json"]) == {"version_id": v1.version_id}
    assert log.iloc[1]["reason"] == "Raise M01"
    restored = json.loads(log.iloc[0]["after_json"])
    assert restored["changes"] == ["M01 (England), year 5: Target 90 → 80"]
    assert "summary" not in json.loads(log.iloc[2]["after_json"])  # version 1: nothing before


def test_the_audit_row_holds_the_changes_the_caller_gives(db):
    """The store writes the caller's list as given (not a diff of its own), at most 200."""
    v1 = save(db, small_plan(), author="Ann", note="First", expected_version_id=None)
    given = [
        Change(kind="added", entity="milestone", key=f"MS-{i}", label=f"“Item {i}”")
        for i in range(205)
    ]
    sp.save_plan(
        db,
        small_plan(),
        author="Bob",
        note="Given",
        expected_version_id=v1.version_id,
        changes=given,
        summary="205 milestones added.",
    )
    after = json.loads(sp.plan_audit(db).iloc[0]["after_json"])
    assert after["summary"] == "205 milestones added."
    assert after["changes"] == [f"Added milestone “Item {i}”" for i in range(200)]
    assert after["changes_truncated"] == 5
    with pytest.raises(ValueError, match="both"):
        sp.save_plan(
            db,
            small_plan(),
            author="Bob",
            note="Half",
            expected_version_id=v1.version_id,
            changes=given,
            summary=None,
        )


def test_the_store_writes_the_plan_as_given(db):
    """No rule is checked here: a year-5 target of 140% is the caller's to refuse."""
    odd = small_plan(y5=140.0)
    saved = save(db, odd, author="Ann", note="As given", expected_version_id=None)
    assert saved.target_map()[("M01", "E92000001", 5)] == 140.0


def test_save_needs_a_person_and_a_note(db):
    with pytest.raises(StoreError, match="(?i)sign in"):
        save(db, small_plan(), author=" ", note="x", expected_version_id=None)
    with pytest.raises(StoreError, match="note"):
        save(db, small_plan(), author="Ann", note="", expected_version_id=None)
    assert sp.latest_version_id(db) is None
