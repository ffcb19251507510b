"""The Scenarios page in AppTest: runs the model, saves a version, compares, follows the URL.

What the page wrote is read back through the services, as any other caller would."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest

from nlf_planner.services import audit as audit_service
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.actor import local_actor
from nlf_planner.services.database import open_store
from nlf_planner.services.errors import NotFound
from tests.apptest_utils import headings, run_page, signed_in


@contextmanager
def _opened(path):
    db = open_store(path)
    try:
        yield db
    finally:
        db.close()


def _scenario_audit(db, n: int):
    """The newest ``n`` audit rows about scenarios, newest first."""
    return audit_service.audit_log(db, entity="scenario", limit=n)


def _fig_titles(at) -> list[str]:
    titles = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        titles.append(spec["layout"]["title"]["text"])
    return titles


#: The inputs form is drawn only while its expander is open (a person opens it to edit).
OPEN_INPUTS = {"scn_inputs_open": True}


def _form_slider(at, suffix: str):
    return next(s for s in at.slider if s.key and s.key.endswith(suffix))


def _table(at, column: str):
    """The first table (a results table, or a grid that is not an input editor) that has
    ``column``."""
    tables = [t.value for t in at.table] + [d.value for d in at.dataframe]
    return next(t for t in tables if column in t.columns)


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.fixture
def page(fresh_seeded_db_path):
    at = run_page("scenarios", fresh_seeded_db_path, session=OPEN_INPUTS)
    assert not at.exception, [e.value for e in at.exception]
    return at, fresh_seeded_db_path


def test_page_shows_results_for_the_baseline(page):
    at, _ = page
    assert "Leadership capacity scenarios" in headings(at)
    assert any(h.startswith("Headline results") for h in headings(at))
    titles = _fig_titles(at)
    assert any("Vacancy rate: executives (board)" in t for t in titles)
    assert any("Staff trained in improvement" in t for t in titles)
    assert any(t.startswith("Succession cover") for t in titles)
    table = _table(at, "Chance of target")
    assert "Vacancy rate: executives (board)" in set(table["Output"])
    assert set(table["Year"]) == {1, 3, 5}
    assert "Nothing: this is the baseline's set of assumptions." in [m.value for m in at.markdown]
    assert at.query_params["draws"] == "1000"
    assert at.query_params["scenario"]


def test_running_changed_inputs_updates_results_and_what_changed(page):
    at, _ = page
    before = _table(at, "vs baseline").set_index(["Output", "Year"])
    _form_slider(at, "_attrition.4").set_value((25.0, 35.0))
    _button(at, "Run scenario").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    changed = " ".join(m.value for m in at.markdown)
    assert "Attrition: executives (board)" in changed
    after = _table(at, "vs baseline").set_index(["Output", "Year"])
    row = ("Vacancy rate: executives (board)", 5)
    assert after.loc[row, "Median (80% range)"] != before.loc[row, "Median (80% range)"]
    assert after.loc[row, "vs baseline"].startswith("+")


def test_a_viewer_cannot_save_a_scenario_and_is_told_which_role(fresh_seeded_db_path):
    viewer = signed_in("Vic Viewer", "viewer")
    at = run_page(
        "scenarios",
        fresh_seeded_db_path,
        query={"tab": "Save and share"},
        user=viewer,
        session=OPEN_INPUTS,
    )
    assert not at.exception, [e.value for e in at.exception]
    labels = {b.label for b in at.button}
    assert not labels & {"Save as a new version of this scenario", "Clone this scenario"}
    assert any(b.proto.label == "Export this scenario (JSON)" for b in at.get("download_button"))
    message = "Viewing only: to save, import, clone or delete scenarios you need the editor role."
    assert message in [i.value for i in at.info]
    with _opened(fresh_seeded_db_path) as db:
        base = scenario_service.baseline_id(db)
        assert list(scenario_service.list_versions(db, base)["version"]) == [1]


def test_saving_writes_a_new_version_recorded_as_the_signed_in_person(fresh_seeded_db_path):
    path = fresh_seeded_db_path
    at = run_page(
        "scenarios", path, query={"tab": "Save and share"}, user="Asha Patel", session=OPEN_INPUTS
    )
    _button(at, "Save as a new version of this scenario").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    with _opened(path) as db:
        base = scenario_service.baseline_id(db)
        versions = scenario_service.list_versions(db, base)
        assert list(versions["version"]) == [2, 1]
        log = _scenario_audit(db, 1)
        assert log.iloc[0]["actor"] == "Asha Patel"
        assert log.iloc[0]["action"] == "new_version"
    assert any("Saved" in s.value for s in at.success)


def test_save_as_new_scenario_from_changed_inputs(fresh_seeded_db_path):
    path = fresh_seeded_db_path
    at = run_page(
        "scenarios", path, user="Ben", session=OPEN_INPUTS
    )  # sign-in is read when the session starts
    _form_slider(at, "_retention_gain").set_value((20.0, 40.0))
    _button(at, "Run scenario").click()
    at.run()
    at.query_params["tab"] = "Save and share"
    at.run()
    next(t for t in at.text_input if t.key == "scn_save_name").set_value("Retention focus")
    _button(at, "Save as a new scenario").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    with _opened(path) as db:
        listing = scenario_service.list_scenarios(db)
        saved = listing[listing["name"] == "Retention focus"]
        assert len(saved) == 1
        loaded = scenario_service.load(db, saved.iloc[0]["scenario_id"])
        assert loaded.params.range_of("retention_gain").low == pytest.approx(0.20)
        assert loaded.author == "Ben"
    # The page now shows the saved scenario and puts it in the URL.
    assert at.query_params["scenario"] == saved.iloc[0]["scenario_id"]


def test_compare_tab_shows_saved_scenarios_side_by_side(fresh_seeded_db_path):
    at = run_page("scenarios", fresh_seeded_db_path, query={"tab": "Compare"}, session=OPEN_INPUTS)
    assert not at.exception, [e.value for e in at.exception]
    table = _table(at, "Year")
    # Scenarios are columns A, B, … (the letters the fan chart draws), named above the table.
    key = next(m.value for m in at.markdown if m.value.startswith("**A**"))
    letters = dict(line.split(": ", 1) for line in key.replace("*", "").split("  \n"))
    assert [c for c in table.columns if c not in ("Output", "Year")] == list(letters)
    assert any(n.startswith("Baseline") for n in letters.values())
    assert any(n.startswith("Expand programmes by half") for n in letters.values())
    expand = next(c for c, n in letters.items() if n.startswith("Expand"))
    row = table[(table["Output"] == "Staff trained in improvement") & (table["Year"] == 5)]
    assert "Δ +" in row[expand].iloc[0]
    assert any("Vacancy rate" in t for t in _fig_titles(at))


def test_url_reopens_a_scenario_with_its_run_settings(fresh_seeded_db_path):
    with _opened(fresh_seeded_db_path) as db:
        listing = scenario_service.list_scenarios(db)
        other = listing[~listing["is_baseline"]].iloc[0]["scenario_id"]
    at = run_page(
        "scenarios", fresh_seeded_db_path, query={"scenario": other, "draws": "200", "seed": "7"}
    )
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["scn_id"] == other
    assert at.session_state["scn_draws"] == 200
    assert at.session_state["scn_seed"] == 7
    assert any("200 Monte-Carlo draws (seed 7)" in c.value for c in at.caption)
    changed = " ".join(m.value for m in at.markdown)
    assert (
        "Places a year, first-line leaders: 3,000 a year → 3,000 in year 1, 4,500 in years 2–5"
        in changed
    )


def test_sensitivity_goal_seek_and_waterfall_tabs_render(fresh_seeded_db_path):
    at = run_page(
        "scenarios", fresh_seeded_db_path, query={"tab": "Sensitivity"}, session=OPEN_INPUTS
    )
    assert not at.exception, [e.value for e in at.exception]
    assert any(t.startswith("What moves vacancy rate") for t in _fig_titles(at))
    at.query_params["tab"] = "Goal seek"
    at.run()
    _button(at, "Find the answer").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    messages = [s.value for s in at.success] + [w.value for w in at.warning]
    assert any("of draws have Staff trained in improvement at least" in m for m in messages)
    at.query_params["tab"] = "Waterfall"
    at.run()
    assert any("nothing to attribute" in i.value for i in at.info)


def test_regional_override_separates_one_region(page):
    at, _ = page
    prefix = f"in{at.session_state['scn_form_n']}"
    at.session_state[f"{prefix}_overrides"] = {
        "edited_rows": {},
        "added_rows": [
            {
                "Region": "London",
                "Assumption": "Attrition: executives (board)",
                "Low": 25.0,
                "Most likely": 30.0,
                "High": 35.0,
                "Why": "Higher executive turnover in London (illustrative)",
            }
        ],
        "deleted_rows": [],
    }
    _button(at, "Run scenario").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    regions = _table(at, "Baseline median").set_index("Region")
    assert regions.loc["London", "Median"] != regions.loc["East of England", "Median"]
    assert "Regional overrides changed" in " ".join(m.value for m in at.markdown)


def test_invalid_override_shows_a_message_not_a_traceback(page):
    at, _ = page
    prefix = f"in{at.session_state['scn_form_n']}"
    at.session_state[f"{prefix}_overrides"] = {
        "edited_rows": {},
        "added_rows": [
            {
                "Region": "London",
                "Assumption": "Attrition: executives (board)",
                "Low": 40.0,
                "Most likely": 30.0,
                "High": 35.0,
            }
        ],
        "deleted_rows": [],
    }
    _button(at, "Run scenario").click()
    at.run()
    assert not at.exception
    assert any("must not exceed central" in e.value for e in at.error)


def test_clone_then_delete_from_the_page(fresh_seeded_db_path):
    at = run_page(
        "scenarios",
        fresh_seeded_db_path,
        query={"tab": "Save and share"},
        user="Asha",
        session=OPEN_INPUTS,
    )
    assert not at.exception, [e.value for e in at.exception]
    _button(at, "Clone this scenario").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Cloned as Copy of Baseline" in s.value for s in at.success)
    clone_id = at.session_state["scn_id"]
    next(c for c in at.checkbox if c.label == "Yes, delete this scenario").check()
    at.run()
    _button(at, "Delete").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    with _opened(fresh_seeded_db_path) as db:
        with pytest.raises(NotFound):
            scenario_service.load(db, clone_id)
        assert at.session_state["scn_id"] == scenario_service.baseline_id(db)
        actions = list(_scenario_audit(db, 2)["action"])
        assert actions == ["delete", "create"]


def test_long_runs_use_the_chunked_path_and_match(fresh_seeded_db_path):
    at = run_page("scenarios", fresh_seeded_db_path, query={"draws": "5000"}, session=OPEN_INPUTS)
    assert not at.exception, [e.value for e in at.exception]
    assert any("5,000 Monte-Carlo draws" in c.value for c in at.caption)


def test_running_without_edits_changes_nothing(page):
    at, _ = page
    _button(at, "Run scenario").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    markdown = [m.value for m in at.markdown]
    assert "Nothing: this is the baseline's set of assumptions." in markdown


def test_the_inputs_form_is_drawn_only_while_its_expander_is_open(fresh_seeded_db_path):
    """A closed inputs expander costs nothing on a rerun; opening it draws the form."""
    at = run_page("scenarios", fresh_seeded_db_path)
    assert not at.exception, [e.value for e in at.exception]
    assert not [b for b in at.button if b.label == "Run scenario"]
    assert not [s for s in at.slider if s.key and s.key.endswith("_retention_gain")]
    at.session_state["scn_inputs_open"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _button(at, "Run scenario")
    assert _form_slider(at, "_retention_gain")


def test_goal_seek_answer_is_saved_as_a_scenario_in_one_click(fresh_seeded_db_path):
    """Issue 18: the answer stays on screen after the search and one click saves it as a new
    scenario (the editor's role checked, the save audited), which the page then opens."""
    at = run_page(
        "scenarios", fresh_seeded_db_path, query={"tab": "Goal seek", "draws": "200"}, user="Ben"
    )
    assert not at.exception, [e.value for e in at.exception]
    at.number_input(key="scn_goal_target").set_value(25.0)
    _button(at, "Find the answer").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success], [w.value for w in at.warning]  # reachable
    _button(at, "Save this answer as a new scenario").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    with _opened(fresh_seeded_db_path) as db:
        listing = scenario_service.list_scenarios(db)
        mine = listing[listing["name"].str.startswith("Goal seek: Staff trained in improvement")]
        assert len(mine) == 1
        saved = scenario_service.load(db, mine.iloc[0]["scenario_id"])
        base = scenario_service.baseline(db)
        assert sum(saved.params.qi_places_for_year(1)) > sum(base.params.qi_places_for_year(1))
        row = _scenario_audit(db, 1).iloc[0]
        assert row["actor"] == "Ben" and row["reason"].startswith("Goal seek answer:")
    assert at.session_state["scn_id"] == mine.iloc[0]["scenario_id"]
    assert any("Saved the goal-seek answer" in s.value for s in at.success)


def test_goal_seek_answer_cannot_be_saved_by_a_viewer(fresh_seeded_db_path):
    viewer = signed_in("Vic", "viewer")
    at = run_page(
        "scenarios", fresh_seeded_db_path, query={"tab": "Goal seek", "draws": "200"}, user=viewer
    )
    at.number_input(key="scn_goal_target").set_value(25.0)
    _button(at, "Find the answer").click()
    at.run()
    _button(at, "Save this answer as a new scenario").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    with _opened(fresh_seeded_db_path) as db:
        listing = scenario_service.list_scenarios(db)
        assert not listing["name"].str.startswith("Goal seek:").any()


def test_a_hostile_scenario_name_is_shown_as_typed_everywhere_on_compare(fresh_seeded_db_path):
    """Issue 15: a scenario name (also from an imported file) holding Markdown or a link
    must not make visitors' browsers fetch anything, in text, tables or charts."""
    hostile = "Mallory ![t](http://127.0.0.1:9/x.png) <a href='http://127.0.0.1:9'>x</a>"
    with _opened(fresh_seeded_db_path) as db:
        base = scenario_service.baseline(db)
        saved = scenario_service.save(
            db,
            local_actor("Mallory"),
            name=hostile,
            description="",
            params=base.params.scale_places(2),
            draws=200,
            seed=1,
        )
        ids = f"{scenario_service.baseline_id(db)},{saved.scenario_id}"
    at = run_page(
        "scenarios", fresh_seeded_db_path, query={"tab": "Compare", "compare": ids, "draws": "200"}
    )
    assert not at.exception, [e.value for e in at.exception]
    shown = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert any("Mallory" in v for v in shown)
    assert not any("![t](" in v for v in shown)  # Markdown image syntax never left live
    for chart in at.get("plotly_chart"):
        spec = chart.proto.spec
        assert "<a href" not in spec and "Mallory" in spec
