"""The chart-types service against real databases (DuckDB and PostgreSQL): who may choose a
measure's chart, the rules checked before anything is written, the audit row, the data
version, the suggestion, and the regions model drawing the measure on the chosen chart."""

from __future__ import annotations

import json
import shutil

import pytest

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import audit as audit_service
from nlf_planner.services import cache, regions_view
from nlf_planner.services import chart_types as chart_type_service
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.database import data_version, open_store
from nlf_planner.services.errors import (
    NotAllowed,
    NothingToSave,
    NotSignedIn,
    ReadOnly,
    ValidationFailed,
)
from nlf_planner.store.plans import load_plan
from tests.db_holders import held_by_other_process

LONDON = "E40000003"
MANAGER = Actor(id="sso:dm", display_name="Dana Data", roles=frozenset({Role.DATA_MANAGER}))
LONDON_MANAGER = Actor(
    id="sso:dm-l",
    display_name="Lee London",
    roles=frozenset({Role.DATA_MANAGER}),
    region_code=LONDON,
)
VIEWER = Actor(id="sso:viewer", display_name="Vera Viewer", roles=frozenset({Role.VIEWER}))
EDITOR = Actor(id="sso:editor", display_name="Ed Editor", roles=frozenset({Role.EDITOR}))


def _written(db) -> tuple[int, int]:
    return (
        db.scalar("SELECT count(*) FROM spc_chart_types"),
        db.scalar("SELECT count(*) FROM audit_log"),
    )


def test_a_data_manager_sets_a_chart_type_audited_and_the_version_moves(fresh_seeded_db):
    db = fresh_seeded_db
    assert chart_type_service.chart_types(db) == {}
    assert chart_type_service.chart_type(db, "M10") == "xmr"
    version = data_version(db)
    chart_type_service.set_chart_type(db, MANAGER, "M10", "pp", "  Large   denominators ")
    assert data_version(db) != version
    assert chart_type_service.chart_types(db) == {"M10": "pp"}
    assert chart_type_service.chart_type(db, "M10") == "pp"
    record = chart_type_service.chart_type_record(db, "M10")
    assert record["author"] == "Dana Data" and record["reason"] == "Large denominators"
    log = audit_service.audit_log(db, entity="spc_chart_type")
    assert len(log) == 1
    row = log.iloc[0]
    assert row.actor == "Dana Data" and row.entity_id == "M10"
    assert json.loads(row.after_json) == {
        "measure_code": "M10",
        "chart_type": "pp",
        "reason": "Large denominators",
    }
    assert row.description.endswith(": Laney p′-chart")  # the log says it in words
    assert "Staff trained in improvement" in row.description
    # and back to XmR: the row goes, the history stays
    chart_type_service.set_chart_type(db, MANAGER, "M10", "xmr", "Back to Making Data Count")
    assert chart_type_service.chart_types(db) == {}
    assert chart_type_service.chart_type_record(db, "M10") is None
    assert len(audit_service.audit_log(db, entity="spc_chart_type")) == 2


def test_the_regions_model_draws_the_measure_on_the_chosen_chart(fresh_seeded_db):
    db = fresh_seeded_db
    plan = load_plan(db)
    before = regions_view.build_regions_model(db, plan)
    assert before.result("M10", ENGLAND_CODE).chart_type == "xmr"
    chart_type_service.set_chart_type(db, MANAGER, "M10", "pp", "Large denominators")
    after = regions_view.build_regions_model(db, plan)
    m10 = [r for (code, _), r in after.results.items() if code == "M10"]
    assert m10 and all(r.chart_type == "pp" for r in m10)
    assert {r.chart_type for (code, _), r in after.results.items() if code == "M08"} == {"xmr"}
    england = after.result("M10", ENGLAND_CODE)
    # p′ limits follow each month's denominator: they are not one flat line
    assert len({round(float(x), 9) for x in england.upl}) > 1


@pytest.mark.parametrize(
    ("actor", "error", "words"),
    [
        (None, NotSignedIn, "Sign in"),
        (VIEWER, NotAllowed, "data manager role"),
        (EDITOR, NotAllowed, "data manager role"),
        (LONDON_MANAGER, NotAllowed, r"London \(your region scope\)"),
    ],
)
def test_refusals_by_person_write_nothing(fresh_seeded_db, actor, error, words):
    db = fresh_seeded_db
    before = _written(db)
    with pytest.raises(error, match=words):
        chart_type_service.set_chart_type(db, actor, "M10", "pp", "Large denominators")
    assert _written(db) == before
    assert chart_type_service.chart_types(db) == {}


@pytest.mark.parametrize(
    ("measure", "chart", "reason", "words"),
    [
        ("M09", "p", "Tenure", "not a percentage"),  # years
        ("M13", "pp", "Scores", "not a percentage"),  # a 0–10 score
        ("M99", "p", "Nope", "Unknown measure"),
        ("M10", "c", "Nope", "Unknown chart type"),
        ("M10", "pp", "  ", "Give a reason"),
    ],
)
def test_refusals_by_rule_write_nothing(fresh_seeded_db, measure, chart, reason, words):
    db = fresh_seeded_db
    before = _written(db)
    with pytest.raises(ValidationFailed, match=words) as refused:
        chart_type_service.set_chart_type(db, MANAGER, measure, chart, reason)
    assert refused.value.issues
    assert _written(db) == before


def test_the_chart_already_in_use_is_nothing_to_save(fresh_seeded_db):
    db = fresh_seeded_db
    before = _written(db)
    with pytest.raises(NothingToSave, match="already uses the XmR chart"):
        chart_type_service.set_chart_type(db, MANAGER, "M10", "xmr", "No change")
    assert _written(db) == before


def test_allowed_charts_follow_the_unit_and_the_counts(fresh_seeded_db):
    db = fresh_seeded_db
    assert chart_type_service.allowed(db, "M10") == ("xmr", "p", "pp")
    assert chart_type_service.allowed(db, "M09") == ("xmr",)
    assert chart_type_service.allowed(db, "M99") == ()
    # one ICB month without a denominator takes p-charts away from the whole measure
    db.write(
        lambda cur: cur.execute(
            "UPDATE measurements SET denominator = NULL WHERE measure_code = 'M10' AND "
            "geo_code = ? AND period = (SELECT min(period) FROM measurements "
            "WHERE measure_code = 'M10')",
            ["E54000027"],
        )
    )
    assert (
        db.scalar(
            "SELECT count(*) FROM measurements WHERE measure_code = 'M10' AND denominator IS NULL"
        )
        == 1
    )
    cache.clear()  # written behind the services' back (no audit row moved the version)
    assert chart_type_service.allowed(db, "M10") == ("xmr",)
    with pytest.raises(ValidationFailed, match="numerator and a denominator"):
        chart_type_service.set_chart_type(db, MANAGER, "M10", "p", "Varying")


def test_the_suggestion_reads_the_measures_series(fresh_seeded_db):
    db = fresh_seeded_db
    model = regions_view.build_regions_model(db, load_plan(db))
    # the illustrative data's denominators stay within about 1.15 times of each other
    steady = chart_type_service.suggestion(db, model, "M10")
    assert steady.chart_type == "xmr"
    assert "steady" in steady.reason and "England: denominators" in steady.reason
    assert len(steady.series) == 1 + 7 + 42  # England, 7 regions, 42 ICBs
    years = chart_type_service.suggestion(db, model, "M09")
    assert years.chart_type == "xmr" and "not a percentage" in years.reason


def test_a_read_only_database_refuses_with_a_readable_message(seeded_db_path, tmp_path):
    path = tmp_path / "shared.duckdb"
    shutil.copy(seeded_db_path, path)
    with held_by_other_process(path, read_only=True):
        db = open_store(path)
        try:
            assert db.read_only
            with pytest.raises(ReadOnly, match="read-only"):
                chart_type_service.set_chart_type(db, MANAGER, "M10", "pp", "Large n")
        finally:
            db.close()
