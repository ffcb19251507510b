"""The chart-type control of the Regions measure view (ui.regions_chart_type) in AppTest, on
a real seeded database: everyone sees which chart the limits come from; a data manager for
all England sees the suggestion and confirms a change with a reason, which the audit log
records and the chart then uses; everyone else sees "Viewing only"."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.audit import audit_log
from nlf_planner.services.database import open_store
from nlf_planner.ui.regions_chart_type import PANEL
from tests.apptest_utils import run_page, signed_in

SCRIPT = """
import os
import streamlit as st
from nlf_planner.services import plan_editing, regions_view
from nlf_planner.services.database import open_store
from nlf_planner.ui.regions_chart_type import render_chart_type

@st.cache_resource
def _db(path):
    return open_store(path)

db = _db(os.environ["NLF_CHART_TYPE_DB"])
model = regions_view.model_for_version(db, plan_editing.latest_version_id(db))
code = st.session_state.get("test_measure", "M10")
render_chart_type(db, regions_view.measure_view(db, model, code, "E92000001"))
"""

ACTOR_KEY = "_nlf_actor"  # ui.frame.ACTOR_KEY
MANAGER = Actor(id="t:dm", display_name="Dana Data", roles=frozenset({Role.DATA_MANAGER}))
VIEWER = Actor(id="t:v", display_name="Vera Viewer", roles=frozenset({Role.VIEWER}))
LONDON_MANAGER = Actor(
    id="t:dml",
    display_name="Lee London",
    roles=frozenset({Role.DATA_MANAGER}),
    region_code="E40000003",
)


def _run(path, monkeypatch, actor, measure="M10", opened=True) -> AppTest:
    """The control for ``actor``, its panel opened as a person opens it (the panel's
    contents are drawn only while it is open)."""
    monkeypatch.setenv("NLF_CHART_TYPE_DB", str(path))
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.session_state[ACTOR_KEY] = actor
    at.session_state["test_measure"] = measure
    at.session_state[PANEL] = opened
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(elements) -> str:
    return " | ".join(e.value for e in elements)


def _confirm_button(at: AppTest, code: str = "M10"):
    """The chart-type form's Confirm (other forms on the page may have one too)."""
    return [b for b in at.button if b.label == "Confirm" and b.form_id == f"chart_type_{code}"][0]


def _chart_type_audit(path) -> list[dict]:
    db = open_store(path)
    try:
        log = audit_log(db, entity="spc_chart_type")
        return [
            json.loads(a) | {"actor": b} for a, b in zip(log.after_json, log.actor, strict=True)
        ]
    finally:
        db.close()


def test_a_viewer_sees_the_chart_type_and_viewing_only(fresh_seeded_db_path, monkeypatch):
    at = _run(fresh_seeded_db_path, monkeypatch, VIEWER)
    assert "**Limits from:** XmR chart" in _texts(at.markdown)
    assert "Viewing only" in _texts(at.info) and "data manager role" in _texts(at.info)
    assert not at.radio and not at.text_input


def test_the_panel_draws_its_contents_only_while_open(fresh_seeded_db_path, monkeypatch):
    """Closed, the panel costs a rerun nothing but its title; "Limits from" stays outside
    it for everyone; opened, the data manager's form is drawn."""
    closed = _run(fresh_seeded_db_path, monkeypatch, MANAGER, opened=False)
    assert [e.label for e in closed.expander] == ["Chart type for this measure (every area)"]
    assert "**Limits from:** XmR chart" in _texts(closed.markdown)
    assert not closed.radio and not closed.text_input and not closed.info
    opened = _run(fresh_seeded_db_path, monkeypatch, MANAGER)
    assert opened.radio(key="chart_type_choice_M10").value == "xmr"
    assert "Suggested:" in _texts(opened.info)


def test_a_region_scoped_data_manager_sees_viewing_only(fresh_seeded_db_path, monkeypatch):
    at = _run(fresh_seeded_db_path, monkeypatch, LONDON_MANAGER)
    assert "applies to every area" in _texts(at.info)
    assert not at.radio


def test_a_data_manager_confirms_the_p_prime_chart_with_a_reason(fresh_seeded_db_path, monkeypatch):
    at = _run(fresh_seeded_db_path, monkeypatch, MANAGER)
    assert "Suggested: XmR chart" in _texts(at.info)  # the seeded denominators are steady
    radio = at.radio[0]
    assert radio.label == "Limits from"
    assert radio.options == ["XmR chart", "p-chart", "Laney p′-chart"]
    assert radio.value == "xmr"
    radio.set_value("pp")
    at.text_input[0].input("Large denominators: NHS staff survey counts")
    _confirm_button(at).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Laney p′-chart, in every area" in _texts(at.success)
    assert "**Limits from:** Laney p′-chart" in _texts(at.markdown)
    assert "Chosen for this measure by Dana Data" in _texts(at.caption)
    assert _chart_type_audit(fresh_seeded_db_path) == [
        {
            "measure_code": "M10",
            "chart_type": "pp",
            "reason": "Large denominators: NHS staff survey counts",
            "actor": "Dana Data",
        }
    ]


def test_confirm_without_a_reason_is_refused_and_writes_nothing(fresh_seeded_db_path, monkeypatch):
    at = _run(fresh_seeded_db_path, monkeypatch, MANAGER)
    at.radio[0].set_value("p")
    _confirm_button(at).click()
    at.run()
    assert "Give a reason" in _texts(at.error)
    assert "**Limits from:** XmR chart" in _texts(at.markdown)
    assert _chart_type_audit(fresh_seeded_db_path) == []


def test_a_measure_that_is_not_a_percentage_offers_only_xmr(fresh_seeded_db_path, monkeypatch):
    at = _run(fresh_seeded_db_path, monkeypatch, MANAGER, measure="M09")
    assert "not a percentage" in _texts(at.info)
    assert not at.radio


# --------------------------------------------------------------------------- the real page


def test_the_regions_page_measure_view_shows_and_changes_the_chart_type(fresh_seeded_db_path):
    q = {"view": "Measure", "geo": "E92000001", "measure": "M10"}
    opened = {PANEL: True}  # as a person opens the panel
    viewer = run_page(
        "regions", fresh_seeded_db_path, query=q, session=opened, user=signed_in("Vi", "viewer")
    )
    assert not viewer.exception, [e.value for e in viewer.exception]
    assert "**Limits from:** XmR chart" in _texts(viewer.markdown)
    assert "Viewing only: to change the chart this measure's limits come from" in _texts(
        viewer.info
    )
    dm = signed_in("Dana Data", "data_manager")
    at = run_page("regions", fresh_seeded_db_path, query=q, session=opened, user=dm)
    at.radio(key="chart_type_choice_M10").set_value("p")
    at.text_input(key="chart_type_reason_M10").input("Varying n")
    _confirm_button(at).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "**Limits from:** p-chart" in _texts(at.markdown)
    assert [a["chart_type"] for a in _chart_type_audit(fresh_seeded_db_path)] == ["p"]
    # the chart's legend names the chart its limits come from
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    names = {t.get("name") for s in specs for t in s["data"]}
    assert any(n and "p-chart" in n for n in names), names
