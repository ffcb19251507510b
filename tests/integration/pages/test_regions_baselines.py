"""The fixed-baseline panel of the Regions measure view (ui.regions_baselines) in AppTest, on
a real seeded database: a data manager previews a fix (the one-click "before launch" or the
form), and only Confirm saves it, with its audit row; the trial-limit warning shows while
the fix rests on fewer than 12 points; a fix is removed with a reason; a viewer sees the
list and "Viewing only", and no control that writes."""

from __future__ import annotations

import json
from datetime import date

from streamlit.testing.v1 import AppTest

from nlf_planner.services import annotations as annotation_service
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.audit import audit_log
from nlf_planner.services.database import open_store
from nlf_planner.ui.regions_baselines import PANEL

SCRIPT = """
import os
import streamlit as st
from nlf_planner.services import plan_editing, regions_view
from nlf_planner.services.database import open_store
from nlf_planner.ui.regions_baselines import render_baselines, render_trial_warnings

@st.cache_resource
def _db(path):
    return open_store(path)

db = _db(os.environ["NLF_BASELINES_DB"])
model = regions_view.model_for_version(db, plan_editing.latest_version_id(db))
view = regions_view.measure_view(db, model, "M10", os.environ["NLF_BASELINES_GEO"])
st.markdown("READING: " + view.reading)
render_trial_warnings(view)
render_baselines(db, view)
"""

ACTOR_KEY = "_nlf_actor"  # ui.frame.ACTOR_KEY
ENGLAND = "E92000001"
ICB = "E54000027"
MANAGER = Actor(id="t:dm", display_name="Dana Data", roles=frozenset({Role.DATA_MANAGER}))
VIEWER = Actor(id="t:v", display_name="Vera Viewer", roles=frozenset({Role.VIEWER}))
LAUNCH_BUTTON = "Baseline = before launch, compare after"


def _run(path, monkeypatch, actor, geo=ENGLAND) -> AppTest:
    """The panel for ``actor``, opened as a person opens it (its contents are drawn only
    while it is open)."""
    monkeypatch.setenv("NLF_BASELINES_DB", str(path))
    monkeypatch.setenv("NLF_BASELINES_GEO", geo)
    at = AppTest.from_string(SCRIPT, default_timeout=90)
    at.session_state[ACTOR_KEY] = actor
    at.run()
    _ok(at)
    assert [e.label for e in at.expander] == ["Fixed baseline (freeze a segment's limits)"]
    assert not at.button and not at.caption and not at.dataframe  # closed: nothing drawn
    at.session_state[PANEL] = True
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _texts(elements) -> str:
    """The elements' text as a person reads it (Markdown escapes removed)."""
    return " | ".join(str(e.value) for e in elements).replace("\\", "")


def _button(at: AppTest, label: str):
    (found,) = [b for b in at.button if b.label == label]
    return found


def _fixes(path) -> list[tuple]:
    db = open_store(path)
    try:
        return db.rows(
            """SELECT measure_code, geo_code, segment_start, n_points, until_period, reason,
                      author, deleted, removed_reason
               FROM spc_baselines ORDER BY baseline_id"""
        )
    finally:
        db.close()


def _audit(path) -> list[tuple[str, dict, str]]:
    db = open_store(path)
    try:
        log = audit_log(db, entity="spc_baseline")
        return [
            (action, json.loads(after if isinstance(after, str) else before), actor)
            for action, after, before, actor in zip(
                log.action, log.after_json, log.before_json, log.actor, strict=True
            )
        ]
    finally:
        db.close()


def test_before_launch_is_one_click_to_a_preview_and_only_confirm_saves(
    fresh_seeded_db_path, monkeypatch
):
    path = fresh_seeded_db_path
    at = _run(path, monkeypatch, MANAGER)
    assert "No fixed baseline" in _texts(at.caption)
    assert "Limits fixed" not in _texts(at.markdown)
    _button(at, LAUNCH_BUTTON).click().run()
    _ok(at)
    shown = _texts(at.markdown)
    assert "Preview: the fixed baseline on this chart" in shown
    assert (
        "The limits of the segment from Apr 2016 would rest on 8 points (Apr 2016 – Nov 2016)"
    ) in shown
    assert "Mean:" in shown and "→" in shown
    (reason,) = [t for t in at.text_input if t.label == "Reason (required)"]
    assert reason.value.startswith("Baseline before the framework's launch (Dec 2016)")
    assert _fixes(path) == []  # a preview writes nothing
    reason.set_value("Pre-framework baseline for the evaluation")
    _button(at, "Confirm").click().run()
    _ok(at)
    assert "Baseline fixed" in _texts(at.success)
    (row,) = _fixes(path)
    assert row[:3] == ("M10", ENGLAND, None) and row[3] is None
    assert str(row[4]) == "2016-11-01"
    assert row[5:8] == ("Pre-framework baseline for the evaluation", "Dana Data", False)
    (entry,) = _audit(path)
    assert entry[0] == "add" and entry[2] == "Dana Data"
    assert entry[1]["until_period"] == "2016-11-01" and entry[1]["geo_code"] == ENGLAND
    # the chart is judged against the fix now, and says so; 8 points are trial limits
    assert (
        "Limits fixed on the 8 points Apr 2016 – Nov 2016, before the framework's launch"
        in _texts(at.markdown)
    )
    assert "Trial limits: the fixed baseline of the segment from Apr 2016 rests on 8 points" in (
        _texts(at.warning)
    )
    assert "Preview: the fixed baseline" not in _texts(at.markdown)


def test_the_form_previews_then_a_confirm_without_reason_is_refused_then_saved(
    fresh_seeded_db_path, monkeypatch
):
    path = fresh_seeded_db_path
    at = _run(path, monkeypatch, MANAGER, geo=ICB)
    at.number_input(key=f"fix_points_M10_{ICB}").set_value(15)
    at.radio(key=f"fix_mode_M10_{ICB}").set_value("After a number of points")
    at.radio(key=f"fix_scope_M10_{ICB}").set_value("Every chart of this measure")
    _button(at, "Preview").click().run()
    _ok(at)
    shown = _texts(at.markdown)
    assert "Preview: the fixed baseline on every chart of this measure" in shown
    assert "would rest on 15 points (Apr 2016 – Jun 2017)" in shown
    assert "Every chart of this measure takes this fix" in shown
    _button(at, "Confirm").click().run()  # no reason given
    _ok(at)
    assert "cannot be empty" in _texts(at.error)
    assert _fixes(path) == []
    assert "Preview: the fixed baseline" in _texts(at.markdown)  # kept, to add the reason
    (reason,) = [t for t in at.text_input if t.label == "Reason (required)"]
    reason.set_value("Same baseline for every ICB")
    _button(at, "Confirm").click().run()
    _ok(at)
    (row,) = _fixes(path)
    assert row[:4] == ("M10", None, None, 15)
    assert list(at.dataframe[0].value["Applies to"]) == ["Every chart of this measure"]


def test_a_fix_is_removed_with_a_reason(fresh_seeded_db_path, monkeypatch):
    path = fresh_seeded_db_path
    at = _run(path, monkeypatch, MANAGER)
    _button(at, LAUNCH_BUTTON).click().run()
    _button(at, "Confirm").click().run()  # the prefilled reason
    _ok(at)
    assert len(_fixes(path)) == 1
    _button(at, "Remove fixed baseline").click().run()
    _ok(at)
    assert "reason for removing the fixed baseline" in _texts(at.error)
    at.text_input(key=f"fix_remove_reason_M10_{ENGLAND}").set_value("Evaluation finished")
    _button(at, "Remove fixed baseline").click().run()
    _ok(at)
    assert "Fixed baseline removed" in _texts(at.success)
    (row,) = _fixes(path)
    assert row[7:] == (True, "Evaluation finished")
    assert [a for a, _, _ in _audit(path)] == ["delete", "add"]
    assert "Limits fixed" not in _texts(at.markdown)


def test_the_panel_draws_its_contents_only_while_open_and_keeps_the_outcome_outside(
    fresh_seeded_db_path, monkeypatch
):
    """Issue 12: a closed panel costs a rerun nothing; what a press did stays visible."""
    path = fresh_seeded_db_path
    at = _run(path, monkeypatch, MANAGER)
    _button(at, LAUNCH_BUTTON).click().run()
    _button(at, "Confirm").click().run()
    _ok(at)
    assert "Baseline fixed" in _texts(at.success) and at.dataframe  # open: the list of fixes
    at.session_state[PANEL] = False  # the person closes it
    at.run()
    _ok(at)
    assert not at.button and not at.dataframe and not at.text_input
    assert "Trial limits" in _texts(at.warning)  # drawn outside the panel, still there
    assert "Limits fixed on the 8 points" in _texts(at.markdown)  # the chart's reading
    at.session_state[PANEL] = True
    at.run()
    _ok(at)
    assert list(at.dataframe[0].value["Applies to"]) == ["This chart"]


def test_a_viewer_sees_the_fixes_and_viewing_only_but_no_control_that_writes(
    fresh_seeded_db_path, monkeypatch
):
    path = fresh_seeded_db_path
    at = _run(path, monkeypatch, MANAGER)
    _button(at, LAUNCH_BUTTON).click().run()
    _button(at, "Confirm").click().run()
    _ok(at)
    at = _run(path, monkeypatch, VIEWER)
    assert "Viewing only" in _texts(at.info) and "data manager role" in _texts(at.info)
    assert len(at.dataframe) == 1  # the list of fixes
    labels = {b.label for b in at.button}
    assert not labels & {LAUNCH_BUTTON, "Preview", "Confirm", "Remove fixed baseline"}
    assert "Trial limits" in _texts(at.warning)


def test_a_region_scoped_data_manager_is_offered_only_their_own_chart(
    fresh_seeded_db_path, monkeypatch
):
    london = Actor(
        id="t:dml",
        display_name="Lee London",
        roles=frozenset({Role.DATA_MANAGER}),
        region_code="E40000003",
    )
    at = _run(fresh_seeded_db_path, monkeypatch, london, geo=ICB)
    assert at.radio(key=f"fix_scope_M10_{ICB}").options == ["This chart"]
    _button(at, LAUNCH_BUTTON).click().run()
    (reason,) = [t for t in at.text_input if t.label == "Reason (required)"]
    reason.set_value("London's own baseline")
    _button(at, "Confirm").click().run()
    _ok(at)
    (row,) = _fixes(fresh_seeded_db_path)
    assert row[:2] == ("M10", ICB) and row[6] == "Lee London"


def test_the_form_fixes_a_rebased_segment_up_to_a_period_inside_it(
    fresh_seeded_db_path, monkeypatch
):
    db = open_store(fresh_seeded_db_path)
    try:
        annotation_service.add_rebase(
            db, MANAGER, measure_code="M10", geo_code=ICB, period=date(2021, 3, 1), reason="New"
        )
    finally:
        db.close()
    at = _run(fresh_seeded_db_path, monkeypatch, MANAGER, geo=ICB)
    (segment,) = [s for s in at.selectbox if s.label == "Segment"]
    assert segment.options == [
        "from Apr 2016",
        "from the rebase of Mar 2021",
    ]
    segment.set_value(1)
    at.radio(key=f"fix_mode_M10_{ICB}").set_value("Up to a period")
    (until,) = [s for s in at.selectbox if s.label == "Up to and including"]
    until.set_value(date(2020, 12, 1))  # before the rebase: not in that segment
    _button(at, "Preview").click().run()
    _ok(at)
    assert "Choose a period inside the segment from the rebase of Mar 2021" in _texts(at.error)
    assert "Preview: the fixed baseline" not in _texts(at.markdown)
    (until,) = [s for s in at.selectbox if s.label == "Up to and including"]
    until.set_value(date(2022, 2, 1))
    _button(at, "Preview").click().run()
    _ok(at)
    assert (
        "The limits of the segment from the rebase of Mar 2021 would rest on 12 points "
        "(Mar 2021 – Feb 2022)"
    ) in _texts(at.markdown)
    (reason,) = [t for t in at.text_input if t.label == "Reason (required)"]
    reason.set_value("Settled after the new standard")
    _button(at, "Confirm").click().run()
    _ok(at)
    (row,) = _fixes(fresh_seeded_db_path)
    assert row[:3] == ("M10", ICB, date(2021, 3, 1)) and row[4] == date(2022, 2, 1)
