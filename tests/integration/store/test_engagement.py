"""The engagement store against a real DuckDB file: writes of checked records, links, audit
rows, the in-transaction re-checks (duplicate name, changed elsewhere) and the stored rows it
reads back.

The rules themselves (every problem at once, unknown fields, retire reasons) and the analysis
of the rows (quadrants, latest contact, coverage) are the service's: see
tests/integration/services/test_engagement.py. The store is handed the domain's duplicate-name
rule, as the service hands it.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pandas as pd
import pytest

from nlf_planner.engagement import (
    MANAGE_CLOSELY,
    EngagementEvent,
    Stakeholder,
    duplicate_name_problem,
)
from nlf_planner.store import engagement as store
from nlf_planner.store.audit import audit_log
from nlf_planner.store.db import Database, ReadOnlyError, StoreError, open_database

LONDON = "E40000003"


def _record(name="National Voices", **kw) -> Stakeholder:
    data = {"name": name, "group": "patient_org", "interest": 4, "influence": 3, **kw}
    return Stakeholder.model_validate(data)


def _add(db, name="National Voices", actor="Ann Lead", **kw) -> int:
    saved = store.add_stakeholder(
        db, _record(name, **kw), actor=actor, name_problem=duplicate_name_problem
    )
    return saved.stakeholder_id


def _audit(db, entity):
    return audit_log(db, entity=entity).sort_values("audit_id").reset_index(drop=True)


def _edit(db, sid, actor="Bob", reason=None, action="edit", **changes) -> Stakeholder:
    before = store.stakeholder(db, sid)
    after = before.model_copy(update=changes)
    return store.update_stakeholder(
        db,
        before,
        after,
        actor=actor,
        reason=reason,
        action=action,
        name_problem=duplicate_name_problem,
    )


def test_add_stakeholder_writes_row_and_audit(db):
    sid = _add(db, region_code=LONDON, owner="Ann", next_step="Invite to roundtable")
    s = store.stakeholder(db, sid)
    assert s.name == "National Voices" and s.region_code == LONDON and not s.seeded
    log = _audit(db, store.STAKEHOLDER)
    assert len(log) == 1
    row = log.iloc[0]
    assert row.action == "add" and row.actor == "Ann Lead" and row.entity_id == str(sid)
    assert row.before_json is None
    assert json.loads(row.after_json)["next_step"] == "Invite to roundtable"


def test_duplicate_name_is_rechecked_inside_the_write(db):
    """A second session may add the same name after the service looked: the store refuses."""
    _add(db)
    with pytest.raises(store.DuplicateNameError, match="already used") as info:
        _add(db, name="national   voices")
    assert info.value.problems == ["Name 'national voices' is already used by 'National Voices'."]
    assert db.scalar("SELECT count(*) FROM stakeholders") == 1
    assert len(_audit(db, store.STAKEHOLDER)) == 1


def test_the_name_rule_runs_on_the_names_the_transaction_sees(db):
    """The store calls the rule it is given with every committed name, inside the write."""
    first = _add(db)
    calls = []

    def rule(name, existing, own_id):
        calls.append((name, dict(existing), own_id))
        return "Taken by the rule." if name == "Refused" else None

    allowed = store.add_stakeholder(db, _record("Allowed"), actor="Ann Lead", name_problem=rule)
    with pytest.raises(store.DuplicateNameError, match="Taken by the rule."):
        store.add_stakeholder(db, _record("Refused"), actor="Ann Lead", name_problem=rule)
    assert calls[0] == ("Allowed", {first: ("National Voices", False)}, None)
    assert set(calls[1][1]) == {first, allowed.stakeholder_id} and calls[1][2] is None
    assert db.scalar("SELECT count(*) FROM stakeholders") == 2


def test_a_change_needs_a_person(db):
    with pytest.raises(ValueError, match="sign in first"):
        store.add_stakeholder(
            db, _record("X", group="provider"), actor="  ", name_problem=duplicate_name_problem
        )
    assert db.scalar("SELECT count(*) FROM stakeholders") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


def test_edit_records_before_and_after(db):
    sid = _add(db)
    saved = _edit(db, sid, reason="new chair", influence=5, owner="Raj")
    assert saved.influence == 5 and saved.owner == "Raj" and saved.quadrant == MANAGE_CLOSELY
    row = _audit(db, store.STAKEHOLDER).iloc[-1]
    assert row.action == "edit" and row.actor == "Bob" and row.reason == "new chair"
    assert json.loads(row.before_json)["influence"] == 3
    assert json.loads(row.after_json)["influence"] == 5
    assert db.scalar("SELECT updated_by FROM stakeholders WHERE stakeholder_id = ?", [sid]) == (
        "Bob"
    )


def test_edit_without_change_writes_no_audit(db):
    sid = _add(db)
    _edit(db, sid, interest=4)
    assert len(_audit(db, store.STAKEHOLDER)) == 1


def test_edit_rechecks_the_name_and_rolls_back(db):
    sid = _add(db)
    _add(db, name="NAPP")
    with pytest.raises(store.DuplicateNameError, match="already used"):
        _edit(db, sid, name="napp", interest=2)
    assert store.stakeholder(db, sid).interest == 4
    assert len(_audit(db, store.STAKEHOLDER)) == 2
    with pytest.raises(store.NotFoundError):
        store.stakeholder(db, 999)


def test_edit_refuses_a_record_changed_elsewhere(db):
    sid = _add(db)
    seen = store.stakeholder(db, sid)
    _edit(db, sid, actor="Other", owner="Raj")  # someone else saves first
    mine = seen.model_copy(update={"interest": 1})
    with pytest.raises(store.ChangedElsewhereError, match="changed by Other") as refused:
        store.update_stakeholder(db, seen, mine, actor="Bob", name_problem=duplicate_name_problem)
    s = store.stakeholder(db, sid)
    # The refusal carries the record as stored and its last writer, for the person's message.
    assert refused.value.stored == s and refused.value.changed_by == "Other"
    assert refused.value.changed_at is not None
    assert s.owner == "Raj" and s.interest == 4
    assert list(_audit(db, store.STAKEHOLDER).actor) == ["Ann Lead", "Other"]


def test_retire_hides_from_the_map_and_restore_brings_back(db):
    sid = _add(db)
    other = _add(db, name="NAPP")
    _edit(db, sid, reason="merged into another record", action="retire", retired=True)
    active = store.load_stakeholders(db)
    assert list(active.stakeholder_id) == [other]
    everyone = store.load_stakeholders(db, include_retired=True)
    assert set(everyone.stakeholder_id) == {sid, other}
    assert list(_audit(db, store.STAKEHOLDER).action) == ["add", "add", "retire"]
    with pytest.raises(store.DuplicateNameError, match="restore it instead"):
        _add(db, name="NATIONAL VOICES")
    _edit(db, sid, action="restore", retired=False)
    assert sid in set(store.load_stakeholders(db).stakeholder_id)
    assert list(_audit(db, store.STAKEHOLDER).action)[-1] == "restore"


def test_a_record_the_database_refuses_becomes_a_store_error(db):
    unchecked = Stakeholder.model_construct(**_record().model_dump() | {"interest": 9})
    with pytest.raises(StoreError, match="refused the change"):
        store.add_stakeholder(db, unchecked, actor="Ann Lead", name_problem=duplicate_name_problem)
    assert db.scalar("SELECT count(*) FROM stakeholders") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


def test_writes_on_a_read_only_file_raise_and_change_nothing(tmp_path):
    path = tmp_path / "ro.duckdb"
    writable = open_database(path)
    writable.close()
    ro = Database(duckdb.connect(str(path), read_only=True), path, True, "a backup is running")
    try:
        with pytest.raises(ReadOnlyError, match="read-only"):
            store.add_stakeholder(
                ro, _record(), actor="Ann Lead", name_problem=duplicate_name_problem
            )
        assert ro.scalar("SELECT count(*) FROM stakeholders") == 0
    finally:
        ro.close()


def test_load_stakeholders_filters_by_group_and_returns_the_stored_rows(db):
    _add(db)
    _add(db, name="The King's Fund", group="academic", interest=5, influence=5, owner="Raj")
    df = store.load_stakeholders(db, groups=["academic"])
    assert list(df.name) == ["The King's Fund"]
    row = df.iloc[0]
    assert (row.group, row.interest, row.influence, row.owner) == ("academic", 5, 5, "Raj")
    assert pd.isna(row.region_code) and row.events == 0 and row.updated_by == "Ann Lead"
    # The analysis is the service's: no quadrant, label or contact columns come from SQL.
    assert not {"quadrant", "group_label", "region_name", "latest_contact"} & set(df.columns)


def _event_record(sids=(), areas=("P1",), **kw) -> EngagementEvent:
    data = {
        "event_date": date(2016, 6, 14),
        "title": "Smith reference group",
        "event_type": "workshop",
        "stakeholder_ids": list(sids),
        "priority_areas": list(areas),
        **kw,
    }
    return EngagementEvent.model_validate(data)


def _event(db, sids=(), areas=("P1",), **kw) -> int:
    return store.add_event(db, _event_record(sids, areas, **kw), actor="Ann Lead").event_id


def test_add_event_with_links_and_read_back(db):
    a, b = _add(db), _add(db, name="NAPP")
    eid = _event(db, sids=[a, b], areas=["P8", "P3"], region_code=LONDON)
    events = store.load_events(db)
    row = events.iloc[0]
    assert row.event_id == eid and row.stakeholders == "NAPP; National Voices"
    assert sorted(row.stakeholder_ids) == sorted([a, b])
    assert row.priority_areas == "P3, P8" and row.region_code == LONDON
    log = store.load_engagement_log(db)
    assert len(log) == 2 and set(log.stakeholder_id) == {a, b}
    audit = _audit(db, store.EVENT).iloc[0]
    assert json.loads(audit.after_json)["priority_areas"] == ["P8", "P3"]


def test_update_event_replaces_links(db):
    a, b = _add(db), _add(db, name="NAPP")
    eid = _event(db, sids=[a], areas=["P1", "P2"])
    before = store.event(db, eid)
    after = before.model_copy(update={"stakeholder_ids": [b], "priority_areas": ["P4"]})
    store.update_event(db, before, after, actor="Bob")
    e = store.event(db, eid)
    assert e.stakeholder_ids == [b] and e.priority_areas == ["P4"]
    row = _audit(db, store.EVENT).iloc[-1]
    assert row.action == "edit" and row.actor == "Bob"
    assert json.loads(row.before_json)["stakeholder_ids"] == [a]
    assert json.loads(row.after_json)["stakeholder_ids"] == [b]
    with pytest.raises(store.ChangedElsewhereError):
        store.update_event(db, before, after, actor="Bob")  # ``before`` is no longer stored


def test_delete_event_keeps_the_record_in_the_audit(db):
    a = _add(db)
    eid = _event(db, sids=[a])
    store.delete_event(db, eid, actor="Bob", reason="entered twice")
    assert db.scalar("SELECT count(*) FROM engagement_events") == 0
    assert db.scalar("SELECT count(*) FROM event_stakeholders") == 0
    row = _audit(db, store.EVENT).iloc[-1]
    assert row.action == "delete" and json.loads(row.before_json)["title"] == (
        "Smith reference group"
    )
    with pytest.raises(store.NotFoundError):
        store.delete_event(db, eid, actor="Bob")


def test_log_and_link_counts_are_what_the_contact_analysis_reads(db):
    a, b = _add(db), _add(db, name="NAPP")
    _event(db, sids=[a], event_date=date(2026, 6, 1))
    _event(db, sids=[a, b], event_date=date(2027, 1, 10), title="Visit", event_type="visit")
    counts = store.load_stakeholders(db).set_index("stakeholder_id")["events"]
    assert counts.to_dict() == {a: 2, b: 1}
    log = store.load_engagement_log(db)
    assert list(log.title) == ["Visit", "Visit", "Smith reference group"]  # newest first
    assert list(log.stakeholder) == ["NAPP", "National Voices", "National Voices"]
    assert pd.isna(log.end_date).all()


def test_event_areas_are_one_row_per_event_and_area(db):
    a = _add(db)
    first = _event(db, sids=[a], areas=["P2", "P1"])
    second = _event(db, areas=["P1"], region_code=LONDON, title="London visit", event_type="visit")
    rows = store.load_event_areas(db)
    assert list(zip(rows.event_id, rows.priority_area, strict=True)) == [
        (first, "P1"),
        (first, "P2"),
        (second, "P1"),
    ]
    assert list(rows.region_code.fillna("")) == ["", "", LONDON]


def test_stakeholder_history_is_newest_first(db):
    sid = _add(db)
    _edit(db, sid, interest=2)
    hist = store.stakeholder_history(db, sid)
    assert list(hist.action) == ["edit", "add"]


def test_reference_codes_come_from_the_database(db, tmp_path):
    codes = store.reference_codes(db)
    assert LONDON in codes.regions and codes.regions[LONDON] == "London"
    assert list(codes.areas)[:2] == ["P1", "P2"]
    bare = open_database(tmp_path / "bare.duckdb")  # schema only, reference not loaded
    try:
        empty = store.reference_codes(bare)
        assert dict(empty.regions) == {} and dict(empty.areas) == {}  # no fallback in SQL
    finally:
        bare.close()


def test_existing_names_and_ids_include_retired(db):
    a = _add(db)
    b = _add(db, name="NAPP")
    _edit(db, b, action="retire", retired=True)
    assert store.existing_stakeholders(db) == {a: ("National Voices", False), b: ("NAPP", True)}
    assert store.known_stakeholder_ids(db) == {a, b}


def test_seed_writes_once_and_links_by_name(db):
    people = [_record("National Voices"), _record("NAPP")]
    events = [(_event_record(), ["NAPP", "National Voices"])]
    counts = store.write_seed(db, people, events, actor="seed", name_problem=duplicate_name_problem)
    assert counts == {"stakeholders": 2, "events": 1, "links": 2}
    again = store.write_seed(db, people, events, actor="seed", name_problem=duplicate_name_problem)
    assert again == {
        "stakeholders": 0,
        "events": 0,
        "links": 0,
    }
    assert store.load_stakeholders(db).seeded.all()
    assert set(store.load_engagement_log(db).stakeholder) == {"NAPP", "National Voices"}


def test_seed_with_an_unknown_name_writes_nothing(db):
    events = [(_event_record(), ["Nobody"])]
    with pytest.raises(store.RefusedRecordError, match="Nobody"):
        store.write_seed(db, [_record()], events, actor="seed", name_problem=duplicate_name_problem)
    assert db.scalar("SELECT count(*) FROM stakeholders") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


def test_events_for_roadmap_feed_the_plan_chart(db):
    from nlf_planner.charts.roadmap import EVENTS_ROW, roadmap_figure

    _event(db, areas=["P1"])
    _event(
        db,
        title="Summer engagement",
        event_type="event",
        event_date=date(2016, 7, 1),
        end_date=date(2016, 10, 31),
    )
    ev = store.events_for_roadmap(db)
    assert list(ev.columns) == ["event_id", "event_date", "end_date", "title", "event_type"]
    assert list(ev.title) == ["Smith reference group", "Summer engagement"]
    assert list(ev.event_type) == ["Workshop", "Event"]
    assert len(store.events_for_roadmap(db, since=date(2016, 7, 1))) == 1
    fig = roadmap_figure([], {"P1": "System leadership"}, 2016, date(2017, 1, 1), events=ev)
    row = next(t for t in fig.data if t.name == "Engagement event")
    assert list(row.y) == [EVENTS_ROW, EVENTS_ROW]
