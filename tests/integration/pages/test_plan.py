"""The Plan page in AppTest against a real seeded DuckDB file."""

from __future__ import annotations

import json

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import plan_editing
from nlf_planner.services.actor import SYSTEM, local_actor
from nlf_planner.services.database import open_store
from nlf_planner.ui.plan_state import editor_key
from nlf_planner.ui.text import escape_markdown
from tests.apptest_utils import run_page, signed_in

SAM = local_actor("Sam Jones")
#: Only the open tab is drawn: a test of another tab opens it through the URL, as a link does.
HISTORY_TAB = {"tab": "Versions and changes"}
ROADMAP_TAB = {"tab": "Roadmap"}


def _edit(at, table: str, edited_rows: dict | None = None, added_rows: list | None = None):
    ws = at.session_state["plan_workspace"]
    at.session_state[editor_key(ws, table)] = {
        "edited_rows": edited_rows or {},
        "added_rows": added_rows or [],
        "deleted_rows": [],
    }
    return ws


def _save(at, note: str = "Test edit"):
    ws = at.session_state["plan_workspace"]
    at.session_state[f"plan_note_v{ws['version_id']}"] = note
    next(b for b in at.button if b.label == "Save as a new version").click()
    at.run()
    return at


def _store(path):
    return open_store(path)


def test_edit_a_target_save_reload_and_see_the_new_value_and_version(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, user="Priya Shah")
    assert not at.exception
    ws = at.session_state["plan_workspace"]
    first = ws["inputs"]["targets"]
    assert first.loc[0, "measure_code"] == "M01"
    _edit(at, "targets", {"0": {"y5": 95.5}})
    _save(at, "Raise the ICS programme ambition")
    assert not at.exception
    assert [e.value for e in at.error] == []
    assert any("Saved as version 3" in s.value for s in at.success), [i.value for i in at.info]

    db = _store(fresh_seeded_db_path)
    try:
        saved = plan_editing.load_plan(db)
        assert saved.version_id == 3 and saved.author == "Priya Shah"
        assert saved.target_map()[("M01", ENGLAND_CODE, 5)] == 95.5
        log = plan_editing.plan_audit(db)
        assert log.iloc[0]["actor"] == "Priya Shah" and log.iloc[0]["entity_id"] == "3"
        assert "Target" in json.loads(log.iloc[0]["after_json"])["changes"][0]
    finally:
        db.close()

    again = run_page("plan", fresh_seeded_db_path)
    assert not again.exception
    assert any("Version 3 (latest)" in m.value for m in again.markdown)
    table = again.session_state["plan_workspace"]["inputs"]["targets"]
    assert table.set_index("measure_code").loc["M01", "y5"] == 95.5


def test_an_invalid_edit_shows_row_and_column_and_writes_nothing(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, user="Priya Shah")
    _edit(at, "targets", {"2": {"y5": 120.0}})
    _save(at)
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Nothing was saved" in errors
    assert "row 3" in errors and "Year 5 target" in errors and "0–100" in errors
    db = _store(fresh_seeded_db_path)
    try:
        assert plan_editing.latest_version_id(db) == 2
        assert len(plan_editing.plan_audit(db)) == 2
    finally:
        db.close()
    # The bad value is still on screen for the user to correct.
    ws = at.session_state["plan_workspace"]
    assert ws["tables"]["targets"].set_index("measure_code").loc["M03", "y5"] == 120.0


def test_a_new_milestone_without_a_title_is_refused(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, user="Priya Shah")
    _edit(
        at,
        "milestones",
        added_rows=[
            {
                "priority_area": "P2 Leadership and talent strategies",
                "title": "",
                "horizon": 1,
                "due_date": "2026-12-15",
                "status": "On track",
                "owner": "Team",
            }
        ],
    )
    _save(at)
    errors = " ".join(e.value for e in at.error)
    assert "Title" in errors and "the title is empty" in errors


def test_a_viewer_cannot_save_and_is_told_which_role_is_needed(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, user=signed_in("Vic Viewer", "viewer"))
    assert not at.exception, [e.value for e in at.exception]
    labels = {b.label for b in at.button}
    assert "Save as a new version" not in labels  # no editors, no save, no restore
    assert not any(label.startswith("Restore version") for label in labels)
    infos = [i.value for i in at.info]
    assert "Viewing only: to edit the plan you need the editor role." in infos
    assert at.dataframe  # the plan itself is still shown
    history = run_page(
        "plan", fresh_seeded_db_path, query=HISTORY_TAB, user=signed_in("Vic Viewer", "viewer")
    )
    assert not any(b.label.startswith("Restore version") for b in history.button)
    infos = [i.value for i in history.info]
    assert "Viewing only: to restore a version you need the editor role." in infos
    db = _store(fresh_seeded_db_path)
    try:
        assert plan_editing.latest_version_id(db) == 2
    finally:
        db.close()


def test_a_stale_save_is_refused_and_keeps_the_edits(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, user="Priya Shah")
    _edit(at, "targets", {"0": {"y5": 97.0}})
    at.run()  # the edit is on screen, not yet saved
    db = _store(fresh_seeded_db_path)
    try:  # meanwhile a colleague saves a new version
        other = plan_editing.load_plan(db)
        first, *rest = other.milestones  # a change of owner elsewhere in the plan
        theirs = other.model_copy(
            update={"milestones": [first.model_copy(update={"owner": "Sam's team"}), *rest]}
        )
        plan_editing.save_draft(
            db, SAM, theirs, note="Colleague's save", expected_version_id=other.version_id
        )
    finally:
        db.close()
    _save(at)
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Not saved" in errors and "Sam Jones" in errors
    ws = at.session_state["plan_workspace"]
    assert ws["version_id"] == 2
    assert ws["tables"]["targets"].set_index("measure_code").loc["M01", "y5"] == 97.0
    db = _store(fresh_seeded_db_path)
    try:
        assert plan_editing.latest_version_id(db) == 3
        assert plan_editing.load_plan(db).author == "Sam Jones"
    finally:
        db.close()


def test_priority_area_and_version_come_from_the_url(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, query={"area": "P5"})
    assert not at.exception
    codes = at.session_state["plan_workspace"]["inputs"]["targets"]["measure_code"].tolist()
    assert codes == ["M08", "M09"]
    old = run_page("plan", fresh_seeded_db_path, query={"plan": "1"})
    assert not old.exception
    assert any(m.value.startswith("**Version 1**") for m in old.markdown)
    assert any("read-only" in w.value for w in old.warning)


def test_restore_from_the_page_makes_a_new_latest_version(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, query=HISTORY_TAB, user="Priya Shah")
    at.session_state["plan_restore_reason"] = "Back to the launch plan"
    next(b for b in at.button if b.label.startswith("Restore version 1")).click()
    at.run()
    assert not at.exception
    assert any("restored as version 3" in s.value for s in at.success)
    db = _store(fresh_seeded_db_path)
    try:
        v1, v3 = plan_editing.load_plan(db, 1), plan_editing.load_plan(db, 3)
        assert set(v3.targets) == set(v1.targets) and v3.milestones == v1.milestones
        assert v3.note == "Restored version 1: Back to the launch plan"
    finally:
        db.close()


def test_status_tab_lists_roll_up_and_attention_items(seeded_db_path):
    at = run_page("plan", seeded_db_path, query={"tab": "Status and follow-up"})
    subheaders = [s.value for s in at.subheader]
    assert "By priority area" in subheaders and "By condition" in subheaders
    at = run_page("plan", seeded_db_path, query=ROADMAP_TAB)
    charts = {c.key: c for c in at.get("plotly_chart")}
    spec = json.loads(charts["chart_plan_roadmap"].proto.spec)
    assert "Roadmap" in spec["layout"]["title"]["text"]


def test_the_plan_line_preview_follows_unsaved_edits(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path)
    _edit(at, "targets", {"0": {"y5": 99.0}})
    at.run()
    assert not at.exception
    charts = {c.key: c for c in at.get("plotly_chart")}
    spec = json.loads(charts["chart_plan_preview"].proto.spec)
    assert spec["layout"]["title"]["text"].startswith("M01 ")
    targets = next(t for t in spec["data"] if t["name"] == "Targets")
    assert targets["text"][-1] == "Year 5: 99"
    db = _store(fresh_seeded_db_path)
    try:
        assert plan_editing.latest_version_id(db) == 2  # a preview writes nothing
    finally:
        db.close()


def test_launch_preset_moves_the_plan_and_its_due_dates_to_2016(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, user="Priya Shah")
    at.button(key="plan_preset_launch").click()
    at.run()
    assert not at.exception
    assert at.session_state["plan_base_year"] == 2016
    _save(at, "Re-base on the framework launch")
    assert [e.value for e in at.error] == []
    db = _store(fresh_seeded_db_path)
    try:
        before, after = plan_editing.load_plan(db, 2), plan_editing.load_plan(db)
        assert after.version_id == 3 and after.base_year == 2016
        due = {m.item_id: m.due_date for m in after.milestones}
        for m in before.milestones:
            assert due[m.item_id].year == m.due_date.year - 10
    finally:
        db.close()


def test_the_sidebar_plan_version_is_shared_and_kept_in_the_url(fresh_seeded_db_path):
    # A copied link opens the sidebar on that version ...
    at = run_page(None, fresh_seeded_db_path, query={"plan": "1"})
    assert at.sidebar.selectbox(key="plan_version").value == "1"
    assert at.session_state["_plan_version_choice"] == "1"
    # ... and the Plan page shows it; an unknown version falls back to the latest.
    shared = run_page("plan", fresh_seeded_db_path, query={"plan": "1"})
    assert any(m.value.startswith("**Version 1**") for m in shared.markdown)
    junk = run_page("plan", fresh_seeded_db_path, query={"plan": "99; DROP TABLE x"})
    assert not junk.exception
    assert any(m.value.startswith("**Version 2 (latest)**") for m in junk.markdown)
    # The choice made in the sidebar on one page is the one every other page reads.
    kept = run_page("plan", fresh_seeded_db_path, session={"_plan_version_choice": "1"})
    assert any(m.value.startswith("**Version 1**") for m in kept.markdown)


def test_after_a_refused_save_my_edits_go_on_top_of_the_latest(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, user="Priya Shah")
    _edit(at, "targets", {"0": {"y5": 97.0}})
    at.run()
    db = _store(fresh_seeded_db_path)
    try:  # a colleague raises a different target meanwhile
        other = plan_editing.load_plan(db)
        changed = [
            t.model_copy(update={"target": 42.0})
            if (t.measure_code, t.geo_code, t.horizon) == ("M02", ENGLAND_CODE, 5)
            else t
            for t in other.targets
        ]
        plan_editing.save_draft(
            db,
            SAM,
            other.model_copy(update={"targets": changed}),
            note="M02 up",
            expected_version_id=other.version_id,
        )
    finally:
        db.close()
    _save(at)
    assert "Not saved" in " ".join(e.value for e in at.error)
    at.button(key="plan_rebase").click()
    at.run()
    assert not at.exception
    assert any("on top of version 3" in s.value for s in at.success)
    _save(at, "My M01 change on top of Sam's")
    assert any("Saved as version 4" in s.value for s in at.success)
    db = _store(fresh_seeded_db_path)
    try:
        tm = plan_editing.load_plan(db).target_map()
        assert tm[("M01", ENGLAND_CODE, 5)] == 97.0 and tm[("M02", ENGLAND_CODE, 5)] == 42.0
    finally:
        db.close()


def test_roadmap_can_overlay_engagement_events(fresh_seeded_db_path):
    from nlf_planner.plan import rebase_plan

    at = run_page(
        "plan", fresh_seeded_db_path, session={"plan_show_events": True}, query=ROADMAP_TAB
    )
    assert not at.exception  # the seeded 2016 events fall outside a 2026/27 plan
    assert "No engagement events between 1 Apr 2026" in " ".join(c.value for c in at.caption)
    db = _store(fresh_seeded_db_path)
    try:  # a plan based on the 2016 launch overlays the June-October 2016 engagement events
        latest = plan_editing.load_plan(db)
        plan_editing.save_draft(
            db,
            local_actor("Test"),
            rebase_plan(latest, 2016),
            note="2016 base",
            expected_version_id=latest.version_id,
        )
    finally:
        db.close()
    at = run_page(
        "plan", fresh_seeded_db_path, session={"plan_show_events": True}, query=ROADMAP_TAB
    )
    assert not at.exception
    spec = json.loads({c.key: c for c in at.get("plotly_chart")}["chart_plan_roadmap"].proto.spec)
    events = next(t for t in spec["data"] if t.get("name") == "Engagement event")
    assert len(events["x"]) >= 3


def test_edits_survive_switching_priority_area_and_are_all_saved(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, query={"area": "P5"},
                  user="Priya Shah")  # fmt: skip
    assert at.session_state["plan_workspace"]["inputs"]["targets"]["measure_code"].tolist() == [
        "M08",
        "M09",
    ]
    _edit(at, "targets", {"0": {"y5": 5.2}})
    at.run()
    at.selectbox(key="plan_area").set_value("P6").run()
    _edit(at, "targets", {"1": {"y5": 66.0}})  # M11 in P6
    at.run()
    at.selectbox(key="plan_area").set_value("P5").run()
    shown = at.session_state["plan_workspace"]["inputs"]["targets"].set_index("measure_code")
    assert shown.loc["M08", "y5"] == 5.2  # the P5 edit is back on screen
    _save(at, "Two areas at once")
    assert any("Saved as version 3" in s.value for s in at.success)
    db = _store(fresh_seeded_db_path)
    try:
        tm = plan_editing.load_plan(db).target_map()
        assert tm[("M08", ENGLAND_CODE, 5)] == 5.2 and tm[("M11", ENGLAND_CODE, 5)] == 66.0
    finally:
        db.close()


def _row_of(at, code: str) -> str:
    table = at.session_state["plan_workspace"]["inputs"]["targets"]
    return str(int(table.index[table["measure_code"] == code][0]))


def test_unsaved_target_changes_are_listed_before_and_after(fresh_seeded_db_path):
    at = run_page("plan", fresh_seeded_db_path, user="Priya Shah")
    before = at.session_state["plan_workspace"]["inputs"]["targets"]
    old = before.set_index("measure_code").loc["M01", "y5"]
    _edit(at, "targets", {"0": {"y5": 95.5}})
    at.run()
    assert not at.exception
    listed = [m.value for m in at.markdown if "→" in m.value and "M01" in m.value]
    shown = escape_markdown(f"{old:g} → 95.5")  # as written in Markdown
    assert listed and shown in listed[0]
    _save(at, "Raise the ICS programme ambition")
    saved = next(s.value for s in at.success if "Saved as version 3" in s.value)
    assert shown in saved  # the save says what it stored, before and after


def test_a_zero_target_far_from_its_history_asks_for_a_second_press(fresh_seeded_db_path):
    """Issue 18: a grid that lost the first keystroke stored 0 instead of 30."""
    at = run_page("plan", fresh_seeded_db_path, user="Priya Shah")
    _edit(at, "targets", {_row_of(at, "M08"): {"y5": 0.0}})
    at.run()
    assert any("never came near it" in w.value for w in at.warning)  # before any save
    _save(at, "Vacancies to zero")
    assert not at.exception
    assert any(w.value.startswith("Not saved yet") for w in at.warning)
    db = _store(fresh_seeded_db_path)
    try:
        assert plan_editing.latest_version_id(db) == 2  # nothing saved at the first press
    finally:
        db.close()
    _save(at, "Vacancies to zero")
    assert any("Saved as version 3" in s.value for s in at.success)
    db = _store(fresh_seeded_db_path)
    try:
        assert plan_editing.load_plan(db).target_map()[("M08", ENGLAND_CODE, 5)] == 0.0
    finally:
        db.close()


HOSTILE = "Mallory ![t](http://127.0.0.1:9/track.png) <a href='http://127.0.0.1:9/x'>x</a>"


def test_people_s_text_on_the_plan_page_is_shown_as_typed(fresh_seeded_db_path):
    """Issue 15: author, note and milestone text never become markup, links or images."""
    import re

    db = _store(fresh_seeded_db_path)
    try:
        latest = plan_editing.load_plan(db)
        first, *rest = latest.milestones
        hostile = latest.model_copy(
            update={
                "milestones": [first.model_copy(update={"title": HOSTILE, "owner": HOSTILE}), *rest]
            }
        )
        plan_editing.save_draft(
            db, local_actor(HOSTILE), hostile, note=HOSTILE, expected_version_id=latest.version_id
        )
    finally:
        db.close()
    at = run_page("plan", fresh_seeded_db_path)
    assert not at.exception
    shown = [m.value for m in at.markdown if "Mallory" in m.value]
    shown += [c.value for c in at.caption if "Mallory" in c.value]
    assert len(shown) >= 2  # the version line (author) and its note
    for text in shown:
        assert re.search(r"(?<!\\)[<>\[\]!()]", text.split("Mallory", 1)[1]) is None, text
    road = run_page("plan", fresh_seeded_db_path, query=ROADMAP_TAB)
    spec = json.loads({c.key: c for c in road.get("plotly_chart")}["chart_plan_roadmap"].proto.spec)
    texts = json.dumps(spec["data"])
    assert "Mallory" in texts and "<a href" not in texts and "&lt;a href" in texts


def test_the_sidebar_lists_a_version_saved_by_someone_else_at_the_next_visit(
    fresh_seeded_db_path,
):
    """The version picker's labels are built once per data version; a save moves it."""

    def options(at) -> list[str]:
        box = next(s for s in at.sidebar.selectbox if s.label == "Plan version")
        return list(box.options)  # AppTest gives the labels the person sees

    at = run_page(None, fresh_seeded_db_path)  # the default page: the frame runs
    assert not at.exception
    assert options(at)[0] == "Latest (v2)" and not any(o.startswith("v3") for o in options(at))
    db = _store(fresh_seeded_db_path)
    try:
        plan_editing.restore_version(
            db, SYSTEM, 1, expected_version_id=2, note="Back to the first version"
        )
    finally:
        db.close()
    again = run_page(None, fresh_seeded_db_path)
    assert options(again)[0] == "Latest (v3)"
    assert any(o.startswith("v3 (latest)") for o in options(again))
