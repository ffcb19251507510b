"""The engagement service against real DuckDB files: who may change what, the rules checked
before anything is written (every problem, naming the field), the audit actor, and the reads
the Engagement and Plan pages show."""

from __future__ import annotations

import json
from datetime import date

import pytest

from nlf_planner.engagement import MANAGE_CLOSELY, NATIONAL, Stakeholder
from nlf_planner.engagement_seed import seed_events, seed_stakeholders
from nlf_planner.services import engagement as svc
from nlf_planner.services.actor import Actor, Role, local_actor
from nlf_planner.services.errors import (
    NotAllowed,
    NotFound,
    NotSignedIn,
    ReadOnly,
    StaleVersion,
    ValidationFailed,
)
from nlf_planner.store.audit import audit_log
from nlf_planner.store.db import Database

LONDON = "E40000003"
ANN = local_actor("Ann Lead")
BOB = local_actor("Bob")
VIEWER = Actor(id="test:vera", display_name="Vera Viewer", roles=frozenset({Role.VIEWER}))
TODAY = date(2026, 11, 30)


def _add(db, name="National Voices", actor=ANN, **kw) -> int:
    data = {"name": name, "group": "patient_org", "interest": 4, "influence": 3, **kw}
    return svc.add_stakeholder(db, actor, data, today=TODAY).stakeholder_id


def _event(db, sids=(), areas=("P1",), actor=ANN, **kw) -> int:
    data = {
        "event_date": date(2016, 6, 14),
        "title": "Smith reference group",
        "event_type": "workshop",
        "stakeholder_ids": list(sids),
        "priority_areas": list(areas),
        **kw,
    }
    return svc.add_event(db, actor, data).event_id


def _audit(db, entity=None):
    return audit_log(db, entity=entity).sort_values("audit_id").reset_index(drop=True)


def _counts(db) -> tuple[int, int, int, int]:
    return (
        db.scalar("SELECT count(*) FROM stakeholders"),
        db.scalar("SELECT count(*) FROM engagement_events"),
        db.scalar("SELECT count(*) FROM event_stakeholders"),
        db.scalar("SELECT count(*) FROM audit_log"),
    )


# --- stakeholders --------------------------------------------------------------------------


def test_add_records_the_actor_and_returns_the_saved_record(db):
    saved = svc.add_stakeholder(
        db,
        ANN,
        {"name": "  NHS   Providers ", "group": "Provider", "interest": 5, "influence": 4,
         "region_code": LONDON, "owner": "Raj"},
        reason="met at the launch",
    )  # fmt: skip
    assert saved.stakeholder_id is not None and saved.name == "NHS Providers"
    assert saved.group == "provider" and saved.quadrant == MANAGE_CLOSELY
    assert svc.stakeholder(db, saved.stakeholder_id) == saved
    row = _audit(db, "stakeholder").iloc[0]
    assert (row.actor, row.action, row.reason) == ("Ann Lead", "add", "met at the launch")
    assert json.loads(row.after_json)["owner"] == "Raj"


def test_invalid_stakeholder_lists_every_problem_and_writes_nothing(db):
    with pytest.raises(ValidationFailed) as info:
        svc.add_stakeholder(
            db,
            ANN,
            {"name": "", "group": "x", "interest": 9, "influence": None, "region_code": "nowhere",
             "last_contact": date(2027, 1, 1)},
            today=TODAY,
        )  # fmt: skip
    problems = info.value.issues
    assert len(problems) == 6, problems  # name, group, interest, influence, region, future date
    text = " ".join(problems)
    for field in ("Name", "Group", "Interest", "Influence", "Region"):
        assert field in text
    assert "Last contact cannot be in the future." in problems
    assert str(info.value).startswith("Not saved.")
    assert _counts(db) == (0, 0, 0, 0)


def test_last_contact_in_the_future_is_refused_alone(db):
    with pytest.raises(ValidationFailed) as info:
        _add(db, last_contact=date(2026, 12, 1))
    assert info.value.issues == ["Last contact cannot be in the future."]
    assert _counts(db) == (0, 0, 0, 0)


def test_duplicate_name_is_refused_case_and_space_blind(db):
    _add(db)
    with pytest.raises(ValidationFailed) as info:
        _add(db, name="  national   VOICES ")
    assert info.value.issues == ["Name 'national VOICES' is already used by 'National Voices'."]
    assert _counts(db) == (1, 0, 0, 1)


def test_a_write_needs_a_signed_in_person(db):
    with pytest.raises(NotSignedIn, match="Sign in"):
        _add(db, actor=None)
    assert _counts(db) == (0, 0, 0, 0)


def test_a_viewer_may_not_change_engagement(db):
    sid = _add(db)
    eid = _event(db, sids=[sid])
    before = _counts(db)
    attempts = [
        lambda: _add(db, name="NAPP", actor=VIEWER),
        lambda: svc.edit_stakeholder(db, VIEWER, sid, {"interest": 1}),
        lambda: svc.retire_stakeholder(db, VIEWER, sid, reason="gone"),
        lambda: svc.restore_stakeholder(db, VIEWER, sid),
        lambda: _event(db, actor=VIEWER, title="Viewer's event"),
        lambda: svc.edit_event(db, VIEWER, eid, {"title": "Renamed"}),
        lambda: svc.log_contact(db, VIEWER, eid, [sid]),
        lambda: svc.delete_event(db, VIEWER, eid),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed, match="editor role"):
            attempt()
    assert _counts(db) == before
    assert svc.stakeholder(db, sid).interest == 4 and svc.event(db, eid).title.startswith("Smith")


def test_an_editor_role_is_enough(db):
    editor = Actor(id="test:ed", display_name="Eddie Editor", roles=frozenset({Role.EDITOR}))
    sid = _add(db, actor=editor)
    assert list(_audit(db).actor) == ["Eddie Editor"]
    assert svc.stakeholder(db, sid).name == "National Voices"


def test_edit_records_before_after_and_the_actor(db):
    sid = _add(db)
    saved = svc.edit_stakeholder(db, BOB, sid, {"influence": 5, "owner": "Raj"}, reason="new chair")
    assert saved.influence == 5 and saved.owner == "Raj" and saved.quadrant == MANAGE_CLOSELY
    row = _audit(db, "stakeholder").iloc[-1]
    assert row.action == "edit" and row.actor == "Bob" and row.reason == "new chair"
    assert json.loads(row.before_json)["influence"] == 3
    assert json.loads(row.after_json)["influence"] == 5


def test_edit_without_change_writes_no_audit(db):
    sid = _add(db)
    same = svc.edit_stakeholder(db, BOB, sid, {"interest": 4})
    assert same == svc.stakeholder(db, sid)
    assert len(_audit(db, "stakeholder")) == 1


def test_edit_validates_and_writes_nothing(db):
    sid = _add(db)
    _add(db, name="NAPP")
    with pytest.raises(ValidationFailed, match="already used"):
        svc.edit_stakeholder(db, BOB, sid, {"name": "napp", "interest": 2})
    with pytest.raises(ValidationFailed) as info:
        svc.edit_stakeholder(db, BOB, sid, {"colour": "blue", "stakeholder_id": 3})
    assert info.value.issues == ["Unknown fields: colour, stakeholder_id."]
    with pytest.raises(ValidationFailed) as info:
        svc.edit_stakeholder(db, BOB, sid, {"interest": 0, "influence": 7})
    assert len(info.value.issues) == 2
    assert svc.stakeholder(db, sid).interest == 4
    assert len(_audit(db, "stakeholder")) == 2
    with pytest.raises(NotFound, match="999"):
        svc.edit_stakeholder(db, BOB, 999, {"interest": 2})


def test_a_seeded_flag_cannot_be_edited(db):
    sid = _add(db)
    with pytest.raises(ValidationFailed, match="seeded"):
        svc.edit_stakeholder(db, BOB, sid, {"seeded": True})
    assert not svc.stakeholder(db, sid).seeded


def test_retire_needs_a_reason_then_hides_and_restore_brings_back(db):
    sid = _add(db)
    other = _add(db, name="NAPP")
    for blank in (None, "", "   "):
        with pytest.raises(ValidationFailed, match="reason for retiring"):
            svc.retire_stakeholder(db, BOB, sid, reason=blank)
    assert not svc.stakeholder(db, sid).retired and len(_audit(db)) == 2

    svc.retire_stakeholder(db, BOB, sid, reason="  merged into  another record ")
    assert list(svc.stakeholders(db).stakeholder_id) == [other]
    everyone = svc.stakeholders(db, include_retired=True)
    assert set(everyone.stakeholder_id) == {sid, other}
    assert list(svc.active(everyone).stakeholder_id) == [other]
    row = _audit(db, "stakeholder").iloc[-1]
    assert (row.action, row.actor, row.reason) == ("retire", "Bob", "merged into another record")
    with pytest.raises(ValidationFailed, match="restore it instead"):
        _add(db, name="NATIONAL VOICES")

    svc.restore_stakeholder(db, ANN, sid)
    assert sid in set(svc.stakeholders(db).stakeholder_id)
    assert list(_audit(db, "stakeholder").action) == ["add", "add", "retire", "restore"]
    svc.restore_stakeholder(db, ANN, sid)  # already active: nothing to record
    assert len(_audit(db, "stakeholder")) == 4


def test_choices_name_everyone_and_mark_the_retired(db):
    a = _add(db, name="Zeta Trust")
    b = _add(db, name="alpha network", group="network")
    svc.retire_stakeholder(db, BOB, a, reason="closed")
    choices = svc.stakeholder_choices(db)
    assert list(choices.names) == [b, a]  # by name, case-blind
    assert choices.retired == {a} and choices.active == {b: "alpha network"}


# --- events and the log --------------------------------------------------------------------


def test_add_event_with_links_and_read_back(db):
    a, b = _add(db), _add(db, name="NAPP")
    eid = _event(db, sids=[a, b], areas=["P8", "P3"], region_code=LONDON)
    row = svc.events(db).iloc[0]
    assert row.event_id == eid and row.stakeholders == "NAPP; National Voices"
    assert row.priority_areas == "P3, P8" and row.region_name == "London"
    audit = _audit(db, "engagement_event").iloc[0]
    assert audit.actor == "Ann Lead" and audit.action == "add"


def test_event_with_unknown_stakeholder_or_area_lists_both_and_writes_nothing(db):
    with pytest.raises(ValidationFailed) as info:
        _event(db, sids=[42], areas=["P1", "P12"])
    text = " ".join(info.value.issues)
    assert len(info.value.issues) == 2 and "42" in text and "P12" in text
    assert _counts(db) == (0, 0, 0, 0)


def test_event_with_end_before_start_is_refused(db):
    with pytest.raises(ValidationFailed, match="end date is before the start date"):
        _event(db, end_date=date(2016, 1, 1))
    with pytest.raises(ValidationFailed) as info:
        _event(db, title=" ", event_type="party", event_date=None)
    assert len(info.value.issues) == 3  # title, type, date
    assert _counts(db) == (0, 0, 0, 0)


def test_edit_event_replaces_links_and_log_contact_adds(db):
    a, b, c = _add(db), _add(db, name="NAPP"), _add(db, name="NHS Providers")
    eid = _event(db, sids=[a], areas=["P1", "P2"])
    svc.edit_event(db, BOB, eid, {"stakeholder_ids": [b], "priority_areas": ["P4"]})
    e = svc.event(db, eid)
    assert e.stakeholder_ids == [b] and e.priority_areas == ["P4"]

    svc.log_contact(db, ANN, eid, [c, b])
    assert svc.event(db, eid).stakeholder_ids == sorted([b, c])
    row = _audit(db, "engagement_event").iloc[-1]
    assert row.actor == "Ann Lead" and json.loads(row.before_json)["stakeholder_ids"] == [b]
    log = svc.engagement_log(db, stakeholder_id=c)
    assert list(log.stakeholder) == ["NHS Providers"] and list(log.event_id) == [eid]

    with pytest.raises(ValidationFailed, match="end date"):
        svc.edit_event(db, BOB, eid, {"end_date": date(2016, 1, 1)})
    with pytest.raises(ValidationFailed, match="Unknown fields: event_id"):
        svc.edit_event(db, BOB, eid, {"event_id": 7})
    assert svc.event(db, eid).end_date is None


def test_log_contact_needs_an_event_and_people(db):
    a = _add(db)
    before = _counts(db)
    with pytest.raises(ValidationFailed) as info:
        svc.log_contact(db, ANN, None, [])
    assert len(info.value.issues) == 2
    assert "Event is required" in info.value.issues[0]
    with pytest.raises(ValidationFailed, match="do not exist"):
        svc.log_contact(db, ANN, _event(db), [a, 404])
    with pytest.raises(NotFound):
        svc.log_contact(db, ANN, 999, [a])
    assert _counts(db)[2] == before[2]


def test_delete_event_keeps_the_record_in_the_audit(db):
    a = _add(db)
    eid = _event(db, sids=[a])
    svc.delete_event(db, BOB, eid, reason="entered twice")
    assert _counts(db)[1:3] == (0, 0)
    row = _audit(db, "engagement_event").iloc[-1]
    assert (row.action, row.actor, row.reason) == ("delete", "Bob", "entered twice")
    assert json.loads(row.before_json)["title"] == "Smith reference group"
    with pytest.raises(NotFound):
        svc.event(db, eid)
    with pytest.raises(NotFound):
        svc.delete_event(db, BOB, eid)


def test_an_edit_over_someone_elses_save_is_stale(db):
    """Bob opens the record, Ann saves it, then Bob submits what he saw: refused, nothing lost.

    The page hands the service the record as the person saw it (``seen``); the store compares
    it with the stored row inside the write.
    """
    sid = _add(db)
    seen_by_bob = svc.stakeholder(db, sid)
    svc.edit_stakeholder(db, ANN, sid, {"owner": "Raj"}, seen=svc.stakeholder(db, sid))
    with pytest.raises(StaleVersion) as refused:
        svc.edit_stakeholder(db, BOB, sid, {"interest": 1}, seen=seen_by_bob)
    said = str(refused.value)  # what changed meanwhile, by whom, and what was kept
    assert said.startswith("Not saved: Ann Lead changed 'National Voices' at ")
    assert "owner is now 'Raj'" in said and "(you changed: interest)" in said
    assert "Your edits are still on screen and nothing was written" in said
    assert refused.value.current_version == svc.stakeholder(db, sid)
    s = svc.stakeholder(db, sid)
    assert s.owner == "Raj" and s.interest == 4  # Ann's change kept, Bob's not written
    assert list(_audit(db, "stakeholder").actor) == ["Ann Lead", "Ann Lead"]
    # Starting again from the record as it is now, Bob's change goes through on top of Ann's.
    again = svc.edit_stakeholder(db, BOB, sid, {"interest": 1}, seen=svc.stakeholder(db, sid))
    assert (again.owner, again.interest) == ("Raj", 1)


def test_an_event_edit_over_someone_elses_save_is_stale(db):
    """The same for events: the person Ann logged survives Bob's edit of the event he saw."""
    a, b = _add(db), _add(db, name="NAPP")
    eid = _event(db, sids=[a])
    seen_by_bob = svc.event(db, eid)
    svc.log_contact(db, ANN, eid, [b])
    with pytest.raises(StaleVersion, match="changed the event 'Smith reference group'") as no:
        svc.edit_event(db, BOB, eid, {"title": "Renamed"}, seen=seen_by_bob)
    assert "stakeholders is now" in str(no.value)
    e = svc.event(db, eid)
    assert e.title == "Smith reference group" and e.stakeholder_ids == sorted([a, b])
    # Bob saves again on top of the stored event: his title, and Ann's logged person kept.
    form = {**seen_by_bob.model_dump(exclude={"event_id", "seeded"}), "title": "Renamed"}
    again = svc.edit_event(db, BOB, eid, form, seen=seen_by_bob, onto=no.value.current_version)
    assert again.title == "Renamed" and again.stakeholder_ids == sorted([a, b])
    assert svc.event(db, eid) == again


def test_saving_again_on_top_applies_only_the_fields_the_loser_changed(db):
    """The page sends every field of its form; after a refusal, saving ``onto`` the stored
    record takes only the fields this person changed from what they saw, so the other
    person's change to another field is kept, and a field both changed takes the later."""
    sid = _add(db)
    seen = svc.stakeholder(db, sid)
    svc.edit_stakeholder(db, ANN, sid, {"owner": "Raj", "next_step": "Call"}, seen=seen)
    form = {
        **seen.model_dump(exclude={"stakeholder_id", "seeded"}),
        "interest": 1,
        "next_step": "Write",
    }  # all of Bob's form
    with pytest.raises(StaleVersion) as refused:
        svc.edit_stakeholder(db, BOB, sid, form, seen=seen)
    assert "you both changed next step, and yours will replace theirs" in str(refused.value)
    saved = svc.edit_stakeholder(db, BOB, sid, form, seen=seen, onto=refused.value.current_version)
    assert (saved.owner, saved.interest, saved.next_step) == ("Raj", 1, "Write")
    # A third save in between is refused again: ``onto`` is checked like ``seen``.
    stale_onto = svc.stakeholder(db, sid)
    svc.edit_stakeholder(db, ANN, sid, {"influence": 1}, seen=stale_onto)
    with pytest.raises(StaleVersion):
        svc.edit_stakeholder(db, BOB, sid, {**form, "interest": 2}, seen=seen, onto=stale_onto)
    assert svc.stakeholder(db, sid).interest == 1


def test_a_duplicate_name_found_inside_the_write_reads_as_a_validation_problem(db):
    """Two people add the same name at once: the second passed the service's check before the
    first committed, so the store's re-check (the domain rule the service hands it) refuses
    it, and the service shows that as a validation problem in the rule's words."""
    from nlf_planner.store import engagement as store

    _add(db)  # committed by another session after this one's check
    late = Stakeholder(name="National voices", group="provider", interest=1, influence=1)
    with pytest.raises(ValidationFailed) as info, svc._refusals():
        store.add_stakeholder(db, late, actor="Bob", name_problem=svc.rules.duplicate_name_problem)
    assert info.value.issues == ["Name 'National voices' is already used by 'National Voices'."]
    assert str(info.value).startswith("Not saved. National voices:")
    assert _counts(db)[0] == 1


def test_writes_on_a_read_only_file_are_refused_readably(tmp_path):
    import duckdb

    from nlf_planner.store import open_database
    from nlf_planner.store.reference import ensure_reference

    path = tmp_path / "ro.duckdb"
    writable = open_database(path)
    ensure_reference(writable)
    writable.close()
    ro = Database(duckdb.connect(str(path), read_only=True), path, True, "A backup is running.")
    try:
        with pytest.raises(ReadOnly, match="read-only"):
            _add(ro)
        assert ro.scalar("SELECT count(*) FROM stakeholders") == 0
    finally:
        ro.close()


# --- reads ---------------------------------------------------------------------------------


def test_not_contacted_and_coverage(db):
    a, b, c = _add(db), _add(db, name="NAPP"), _add(db, name="NHS Providers")
    svc.edit_stakeholder(db, BOB, c, {"last_contact": date(2026, 11, 1)}, today=TODAY)
    _event(db, sids=[a], event_date=date(2026, 6, 1), areas=["P1", "P2"])
    _event(db, sids=[b], event_date=date(2026, 10, 1), title="Talent roundtable",
           event_type="roundtable", region_code=LONDON, areas=["P1"])  # fmt: skip
    assert list(svc.not_contacted(db, 60, as_of=TODAY).stakeholder_id) == [a]
    assert list(svc.not_contacted(db, 30, as_of=TODAY).stakeholder_id) == [a, b]
    with pytest.raises(ValidationFailed, match="zero or more"):
        svc.not_contacted(db, -1, as_of=TODAY)
    m = svc.coverage(db)
    assert m.loc["P1", NATIONAL] == 1 and m.loc["P1", LONDON] == 1 and m.loc["P2", NATIONAL] == 1
    assert int(svc.coverage(db, since=date(2026, 7, 1)).to_numpy().sum()) == 1


def test_contact_detail_downloads_need_an_editor(db):
    a = _add(db, owner="Raj", next_step="Invite")
    _add(db, name="The King's Fund", group="academic")
    svc.retire_stakeholder(db, BOB, a, reason="closed")
    for who, error in ((None, NotSignedIn), (VIEWER, NotAllowed)):
        with pytest.raises(error):
            svc.stakeholder_export(db, who)
        with pytest.raises(error):
            svc.not_contacted_export(db, who, 30)
    export = svc.stakeholder_export(db, ANN, as_of=TODAY)
    assert list(export.columns) == list(svc.STAKEHOLDER_EXPORT_COLUMNS)
    assert list(export.name) == ["The King's Fund"]  # the map's people: retired left off
    quiet = svc.not_contacted_export(db, ANN, 30, as_of=TODAY)
    assert list(quiet.columns) == list(svc.NOT_CONTACTED_COLUMNS)
    assert list(quiet.name) == ["The King's Fund"]


def test_events_for_roadmap_are_offered_by_the_service(db):
    _event(db)
    _event(db, title="Summer engagement", event_type="event", event_date=date(2016, 7, 1),
           end_date=date(2016, 10, 31))  # fmt: skip
    ev = svc.events_for_roadmap(db, since=date(2016, 7, 1))
    assert list(ev.columns) == ["event_id", "event_date", "end_date", "title", "event_type"]
    assert list(ev.title) == ["Summer engagement"] and list(ev.event_type) == ["Event"]


def test_seed_is_checked_written_once_and_audited(db):
    counts = svc.seed(db, ANN, seed_stakeholders(), seed_events())
    assert counts["stakeholders"] == len(seed_stakeholders()) and counts["events"] > 0
    assert svc.seed(db, ANN, seed_stakeholders(), seed_events())["stakeholders"] == 0
    assert list(_audit(db, "engagement").actor) == ["Ann Lead"]


def test_a_seed_event_naming_someone_outside_the_seed_writes_nothing(db):
    people = [Stakeholder(name="A", group="provider", interest=1, influence=1)]
    event = svc.rules.EngagementEvent(
        event_date=date(2016, 6, 14), title="Workshop", event_type="workshop"
    )
    with pytest.raises(ValidationFailed, match="Nobody"):
        svc.seed(db, ANN, people, [(event, ["A", "Nobody"])])
    assert _counts(db) == (0, 0, 0, 0)


def test_reference_codes_fall_back_to_the_shipped_lists(tmp_path):
    """A file whose reference tables are not loaded yet still offers every region and area."""
    from nlf_planner.engagement import default_reference
    from nlf_planner.store import open_database

    bare = open_database(tmp_path / "bare.duckdb")
    try:
        assert svc.reference_codes(bare) == default_reference()
        assert list(svc.coverage(bare).index) == list(default_reference().areas)
    finally:
        bare.close()


def test_a_seed_with_a_bad_record_writes_nothing(db):
    people = [
        Stakeholder(name="A", group="provider", interest=1, influence=1),
        Stakeholder(name=" a ", group="provider", interest=1, influence=1, region_code="XX"),
    ]
    with pytest.raises(ValidationFailed) as info:
        svc.seed(db, ANN, people, [])
    assert "already used" in " ".join(info.value.issues)
    assert "Region 'XX'" in " ".join(info.value.issues)
    assert _counts(db) == (0, 0, 0, 0)
