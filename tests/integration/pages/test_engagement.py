"""The Engagement page in AppTest: renders from the seeded file, adds, edits, retires and logs
through its forms, follows its URL filters, and never shows a traceback."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from nlf_planner.services import audit as audit_service
from nlf_planner.services import engagement as svc
from nlf_planner.services.actor import local_actor
from nlf_planner.services.database import open_store
from nlf_planner.ui import engagement_events as events_ui
from nlf_planner.ui import engagement_stakeholders as stakeholders_ui
from tests.apptest_utils import headings, run_page, signed_in

USER = "Ann Lead"  # signed in (admin: every role)
#: The add and edit panels draw their forms only while open (a person opens them to edit).
OPEN_PANELS = {
    stakeholders_ui.ADD_PANEL: True,
    stakeholders_ui.EDIT_PANEL: True,
    events_ui.ADD_PANEL: True,
    events_ui.EDIT_PANEL: True,
}


def open_page(
    db_path, query: dict | None = None, user: str | dict | None = None, session: dict | None = None
):
    """Open the Engagement page as a link would: its query string is there on its first run.

    ``run_page`` sets the query before the default page runs, and switching pages clears it.
    Bound widgets write their shown label to the URL (e.g. ``group=Provider``).
    """
    at = run_page(None, db_path, user=user, session=session)
    at.switch_page("pages/engagement.py")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at


def on_tab(at, tab: str):
    """Open one tab (only the open tab runs), as a click on it does: it is bound to the URL."""
    at.query_params["tab"] = tab
    return at.run()


def _every_tab(at) -> list[dict]:
    """The charts of every tab, opening each in turn."""
    specs = []
    for tab in ("Stakeholders", "Events", "Engagement log", "Coverage"):
        on_tab(at, tab)
        assert not at.exception, [e.value for e in at.exception]
        specs += _charts(at)
    return specs


def _downloads(at) -> list[str]:
    labels = []
    for tab in ("Stakeholders", "Events", "Engagement log", "Coverage"):
        on_tab(at, tab)
        labels += [b.proto.label for b in at.get("download_button")]
    return labels


def _captions(at) -> list[str]:
    found = []
    for tab in ("Stakeholders", "Events", "Engagement log", "Coverage"):
        on_tab(at, tab)
        found += [c.value for c in at.caption]
    return found


def _button(at, label):
    return next(b for b in at.button if b.label == label)


# Plain st.dataframe elements carry no key in AppTest, so find each table by a column only it has.
MARKERS = {
    "stakeholder_table": "influence",
    "quiet_table": "days_since_contact",
    "log_table": "stakeholder",
    "events_table": "audience",
}


def _frame(at, key) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if MARKERS[key] in d.value.columns)


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_page_renders_map_timeline_and_heatmap(seeded_db_path):
    at = run_page("engagement", seeded_db_path, user=USER)
    assert not at.exception, [e.value for e in at.exception]
    assert "Engagement" in headings(at)
    assert len(_charts(at)) == 1  # only the open tab runs
    metrics = {m.label: int(m.value) for m in at.metric}
    specs = _every_tab(at)
    assert len(specs) == 3
    titles = [s["layout"]["title"]["text"] for s in specs]
    assert any("influence and interest" in t for t in titles)
    assert any("events and phases" in t for t in titles)
    assert any("priority area and region" in t for t in titles)
    db = open_store(seeded_db_path)
    try:
        assert sum(metrics.values()) == len(svc.stakeholders(db))
    finally:
        db.close()
    assert len(_downloads(at)) >= 5


def test_stakeholder_details_download_only_for_a_named_person(seeded_db_path):
    """Owners, last contact and next steps leave the app only with an editor."""
    hint = "downloading stakeholder details needs the editor role"
    named = run_page("engagement", seeded_db_path, user=USER)
    anonymous = run_page("engagement", seeded_db_path, user=signed_in("Vic", "viewer"))
    assert not anonymous.exception, [e.value for e in anonymous.exception]
    labels = _downloads(anonymous)
    assert len(labels) == len(_downloads(named)) - 2
    assert "Download list (CSV)" not in labels and "Download log (CSV)" in labels
    assert sum(hint in c for c in _captions(anonymous)) == 2
    assert not any(hint in c for c in _captions(named))
    assert len(_every_tab(anonymous)) == 3  # viewers still see the map, timeline and heatmap


def test_add_a_stakeholder(fresh_seeded_db_path):
    at = run_page("engagement", fresh_seeded_db_path, user=USER, session=OPEN_PANELS)
    at.text_input(key="add_name").input("NHS Confederation")
    at.selectbox(key="add_group").select("national_body")
    at.selectbox(key="add_region").select("E40000003")
    at.slider(key="add_interest").set_value(5)
    at.slider(key="add_influence").set_value(4)
    at.text_input(key="add_owner").input("Raj")
    at.text_area(key="add_next_step").input("Invite to the talent roundtable")
    _button(at, "Add stakeholder").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["Added NHS Confederation."]
    table = _frame(at, "stakeholder_table")
    row = table[table["name"] == "NHS Confederation"].iloc[0]
    assert row["quadrant"] == "Manage closely" and row["region_name"] == "London"
    db = open_store(fresh_seeded_db_path)
    try:
        people = svc.stakeholders(db)
        added = people[people["name"] == "NHS Confederation"].iloc[0]
        assert added["owner"] == "Raj" and not added["seeded"]
        hist = svc.stakeholder_history(db, int(added["stakeholder_id"]))
        assert list(hist["actor"]) == ["Ann Lead"] and list(hist["action"]) == ["add"]
    finally:
        db.close()


def test_add_refuses_a_duplicate_and_needs_a_name(fresh_seeded_db_path):
    at = run_page("engagement", fresh_seeded_db_path, user=USER, session=OPEN_PANELS)
    at.text_input(key="add_name").input("  national voices ")
    _button(at, "Add stakeholder").click()
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "already used by 'National Voices'" in errors[0]

    at = run_page("engagement", fresh_seeded_db_path, user=signed_in("Vic", "viewer"))
    assert not at.exception, [e.value for e in at.exception]
    assert not [b for b in at.button if b.label == "Add stakeholder"]  # viewers get no forms
    infos = [i.value for i in at.info]
    assert "Viewing only: to add or change stakeholders you need the editor role." in infos
    db = open_store(fresh_seeded_db_path)
    try:
        names = set(svc.stakeholders(db, include_retired=True)["name"])
        assert "Someone new" not in names
    finally:
        db.close()


def test_group_filter_comes_from_the_url(seeded_db_path):
    at = open_page(seeded_db_path, query={"group": ["Provider", "Network"]})
    assert not at.exception
    table = _frame(at, "stakeholder_table")
    assert len(table) == 18 and set(table["group_label"]) == {"Provider", "Network"}
    points = [t for t in _charts(at)[0]["data"] if t.get("type") == "scatter"]
    assert [t["name"] for t in points] == ["Provider", "Network"]


def test_unknown_url_values_fall_back_quietly(seeded_db_path):
    query = {"window": "DROP TABLE", "days": "-5", "period": "x", "group": "nobody"}
    at = open_page(seeded_db_path, query=query)
    assert not at.exception, [e.value for e in at.exception]
    assert "Engagement" in headings(at)


def _choose(at, key, label):
    box = at.selectbox(key=key)
    value = next(o for o in box.options if label in o)
    return box.select(value)


def test_edit_then_retire_with_a_reason(fresh_seeded_db_path):
    db = open_store(fresh_seeded_db_path)
    sid = int(svc.stakeholders(db).set_index("name").loc["National Voices", "stakeholder_id"])
    db.close()
    at = run_page("engagement", fresh_seeded_db_path, user=USER, session=OPEN_PANELS)
    at.selectbox(key="edit_choice").set_value(sid).run()
    at.slider(key=f"edit_inf_{sid}").set_value(5)
    at.text_input(key=f"edit_why_{sid}").input("Now chairs the patient panel")
    _button(at, "Save changes").click()
    at.run()
    assert [s.value for s in at.success] == ["Saved changes to National Voices."]

    _button(at, "Retire stakeholder").click()
    at.run()
    assert any("reason for retiring" in e.value for e in at.error)
    at.text_input(key=f"why_{sid}").input("Merged into a joint patient forum")
    _button(at, "Retire stakeholder").click()
    at.run()
    assert not at.exception
    db = open_store(fresh_seeded_db_path)
    try:
        s = svc.stakeholder(db, sid)
        assert s.influence == 5 and s.retired
        hist = svc.stakeholder_history(db, sid)
        assert list(hist["action"]) == ["retire", "edit"]
        assert hist.iloc[1]["reason"] == "Now chairs the patient panel"
    finally:
        db.close()
    table = _frame(at, "stakeholder_table")
    assert "National Voices" not in set(table["name"])


def test_add_an_event_and_log_a_contact(fresh_seeded_db_path):
    db = open_store(fresh_seeded_db_path)
    people = svc.stakeholders(db).set_index("name")["stakeholder_id"]
    voices, napp = int(people["National Voices"]), int(people["NHS Providers"])
    db.close()
    page = run_page("engagement", fresh_seeded_db_path, user=USER, session=OPEN_PANELS)
    at = on_tab(page, "Events")
    at.date_input(key="ev_add_date").set_value(date(2026, 11, 2))
    at.text_input(key="ev_add_title").input("Patient leadership roundtable")
    at.selectbox(key="ev_add_type").select("roundtable")
    at.selectbox(key="ev_add_region").select("E40000006")
    at.multiselect(key="ev_add_who").select(voices)
    at.multiselect(key="ev_add_areas").select("P8").select("P3")
    _button(at, "Add event").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["Added event Patient leadership roundtable."]
    db = open_store(fresh_seeded_db_path)
    try:
        ev = svc.events(db).set_index("title").loc["Patient leadership roundtable"]
        assert ev["region_code"] == "E40000006" and ev["priority_areas"] == "P3, P8"
        eid = int(ev["event_id"])
        assert int(svc.coverage(db).loc["P8", "E40000006"]) == 1
    finally:
        db.close()

    on_tab(at, "Engagement log")
    at.selectbox(key="log_event").set_value(eid)
    at.multiselect(key="log_who").select(napp)
    _button(at, "Add to log").click()
    at.run()
    assert not at.exception
    log = _frame(at, "log_table")
    mine = log[log["title"] == "Patient leadership roundtable"]
    assert set(mine["stakeholder"]) == {"National Voices", "NHS Providers"}


def test_event_with_end_before_start_shows_the_problem(fresh_seeded_db_path):
    page = run_page("engagement", fresh_seeded_db_path, user=USER, session=OPEN_PANELS)
    at = on_tab(page, "Events")
    at.date_input(key="ev_add_date").set_value(date(2026, 11, 2))
    at.date_input(key="ev_add_end").set_value(date(2026, 10, 2))
    at.text_input(key="ev_add_title").input("Backwards")
    _button(at, "Add event").click()
    at.run()
    assert not at.exception
    assert any("end date is before the start date" in e.value for e in at.error)


@pytest.mark.parametrize("days", ["30", "5000"])
def test_not_contacted_follows_the_days_setting(seeded_db_path, days):
    at = open_page(seeded_db_path, query={"days": days, "tab": "Coverage"})
    assert not at.exception
    assert at.number_input(key="days").value == int(days)
    quiet = _frame(at, "quiet_table")
    db = open_store(seeded_db_path)
    try:
        expected = svc.not_contacted(db, int(days), as_of=date.today())
    finally:
        db.close()
    assert list(quiet["name"]) == list(expected["name"])
    assert any(f"more than {days} days" in c.value for c in at.caption)


def test_event_window_from_the_url_narrows_the_timeline(seeded_db_path):
    window = "2016 framework engagement (Apr 2016 – Jan 2017)"
    at = open_page(seeded_db_path, query={"window": window, "types": "Workshop", "tab": "Events"})
    assert not at.exception
    events = _frame(at, "events_table")
    assert list(events["title"]) == ["Smith reference group", "Workshop with a range of NHS staff"]
    timeline = next(s for s in _charts(at) if "events and phases" in s["layout"]["title"]["text"])
    assert timeline["layout"]["xaxis"]["range"][0].startswith("2016-04-01")


def test_edit_an_event_changes_its_areas(fresh_seeded_db_path):
    db = open_store(fresh_seeded_db_path)
    eid = int(svc.events(db).set_index("title").loc["Let's talk talent", "event_id"])
    db.close()
    at = open_page(fresh_seeded_db_path, query={"tab": "Events"}, user=USER, session=OPEN_PANELS)
    at.selectbox(key="edit_event_choice").set_value(eid).run()
    assert at.text_input(key=f"ev_edit_{eid}_title").value == "Let's talk talent"
    at.multiselect(key=f"ev_edit_{eid}_areas").unselect("P5")
    at.text_area(key=f"ev_edit_{eid}_outcome").input("Talent leads asked for one shared grid")
    at.text_input(key=f"ev_why_{eid}").input("Notes from the day")
    _button(at, "Save event").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["Saved event Let's talk talent."]
    db = open_store(fresh_seeded_db_path)
    try:
        e = svc.event(db, eid)
        assert e.priority_areas == ["P2", "P4"] and e.outcome.startswith("Talent leads")
        log = audit_service.audit_log(db, entity="engagement_event")
        mine = log[log["entity_id"] == str(eid)]
        assert list(zip(mine["actor"], mine["reason"], strict=True)) == [
            ("Ann Lead", "Notes from the day")
        ]
    finally:
        db.close()


def test_a_save_over_someone_elses_change_is_refused_and_keeps_theirs(fresh_seeded_db_path):
    """Raj saves the stakeholder while Ann's edit form is open: Ann's save, which started from
    the record as she saw it, is refused with the reason, and Raj's change stays."""
    db = open_store(fresh_seeded_db_path)
    sid = int(svc.stakeholders(db).set_index("name").loc["National Voices", "stakeholder_id"])
    influence = svc.stakeholder(db, sid).influence
    db.close()
    at = run_page("engagement", fresh_seeded_db_path, user=USER, session=OPEN_PANELS)
    at.selectbox(key="edit_choice").set_value(sid).run()

    db = open_store(fresh_seeded_db_path)
    try:
        svc.edit_stakeholder(db, local_actor("Raj"), sid, {"owner": "Raj"})
    finally:
        db.close()
    wanted = 5 if influence != 5 else 1
    at.slider(key=f"edit_inf_{sid}").set_value(wanted)
    _button(at, "Save changes").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(e.value for e in at.error)
    assert "Raj changed" in said and "owner is now" in said and "Raj" in said
    assert "Your edits are still on screen" in said
    assert not at.success
    assert at.slider(key=f"edit_inf_{sid}").value == wanted  # the loser's edit kept on screen
    db = open_store(fresh_seeded_db_path)
    try:
        s = svc.stakeholder(db, sid)
        assert s.owner == "Raj" and s.influence == influence
        assert list(svc.stakeholder_history(db, sid)["actor"])[0] == "Raj"
    finally:
        db.close()
    # Saving again applies Ann's field on top of Raj's: both kept.
    _button(at, "Save changes").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    db = open_store(fresh_seeded_db_path)
    try:
        s = svc.stakeholder(db, sid)
        assert (s.owner, s.influence) == ("Raj", wanted)
    finally:
        db.close()


def test_an_event_save_over_someone_elses_change_is_refused(fresh_seeded_db_path):
    db = open_store(fresh_seeded_db_path)
    eid = int(svc.events(db).set_index("title").loc["Let's talk talent", "event_id"])
    db.close()
    at = open_page(fresh_seeded_db_path, query={"tab": "Events"}, user=USER, session=OPEN_PANELS)
    at.selectbox(key="edit_event_choice").set_value(eid).run()

    db = open_store(fresh_seeded_db_path)
    try:
        svc.edit_event(db, local_actor("Raj"), eid, {"outcome": "Raj's notes"})
    finally:
        db.close()
    at.text_input(key=f"ev_edit_{eid}_title").input("Let's talk talent (day one)")
    _button(at, "Save event").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Raj changed the event" in e.value and "outcome" in e.value for e in at.error)
    assert at.text_input(key=f"ev_edit_{eid}_title").value == "Let's talk talent (day one)"
    db = open_store(fresh_seeded_db_path)
    try:
        e = svc.event(db, eid)
        assert e.outcome == "Raj's notes" and e.title == "Let's talk talent"
    finally:
        db.close()


def test_a_change_saved_elsewhere_shows_at_the_next_rerun(fresh_seeded_db_path):
    """Reads and figures are kept per data version: a save by another session (another
    handle) must still show on this page's very next rerun, in the table and on the map."""
    at = run_page("engagement", fresh_seeded_db_path, user=USER, session=OPEN_PANELS)
    before = _frame(at, "stakeholder_table")
    assert "Cached Trust" not in set(before["name"])
    db = open_store(fresh_seeded_db_path)
    try:
        svc.add_stakeholder(
            db,
            local_actor("Raj"),
            {"name": "Cached Trust", "group": "provider", "interest": 5, "influence": 5},
        )
    finally:
        db.close()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Cached Trust" in set(_frame(at, "stakeholder_table")["name"])
    hover = " ".join(
        str(h) for t in _charts(at)[0]["data"] if t.get("type") == "scatter" for h in t["hovertext"]
    )
    assert "Cached Trust" in hover
