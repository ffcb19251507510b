"""Plan readings on the seeded default data (issue 16, cases 2 and 6): plan lines that
respect each measure's direction, a plan status that is true when the latest value comes
before the plan's base year, a region summary that never names one region as both most
often better and most often worse, and recent changes that name things rather than ids."""

from __future__ import annotations

import re

import pytest

from nlf_planner import overview
from nlf_planner import plan as P
from nlf_planner import regions as R
from nlf_planner.deck import region_comparison
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import audit as audit_service
from nlf_planner.services import reference as reference_service
from nlf_planner.services import regions_view
from nlf_planner.services import scenarios as scenarios_service
from nlf_planner.services.database import open_store
from nlf_planner.store.plans import load_plan
from nlf_planner.ui.text import escape_markdown

HUMBER = "E54000051"  # Humber and North Yorkshire ICS
BLMK = "E54000024"  # Bedfordshire, Luton and Milton Keynes ICS
MIDLANDS = "E40000011"


@pytest.fixture(scope="module")
def seeded(seeded_db_path):
    db = open_store(seeded_db_path)
    try:
        plan = load_plan(db)
        model = regions_view.build_regions_model(db, plan)
        areas = reference_service.priority_areas(db)
        measures = reference_service.measures(db)
    finally:
        db.close()
    return plan, model, areas, measures


def _sign(model, code: str) -> float:
    return -1.0 if model.measures[code].polarity == "lower_is_better" else 1.0


# --------------------------------------------------------------------------- case 2


def test_no_inherited_target_asks_an_area_to_get_worse_than_its_baseline(seeded):
    plan, model, _, _ = seeded
    own = {(t.measure_code, t.geo_code) for t in plan.targets}
    checked = 0
    for (m, g), targets in model.plan_targets.items():
        if model.measures[m].polarity == "neutral" or (m, g) in own:
            continue
        b = model.baselines[(m, g)]
        for t in targets.values():
            assert _sign(model, m) * (t - b) >= -1e-9, (m, g, b, targets)
        checked += 1
    assert checked > 700  # every ICS and region series with a plan target


def test_humber_m10_holds_its_level_instead_of_falling_to_englands_year_1_target(seeded):
    plan, model, _, _ = seeded
    baseline = model.baselines[("M10", HUMBER)]
    england_y1 = plan.targets_for("M10", ENGLAND_CODE)[1]
    assert baseline > england_y1, "the seeded data put Humber past England's year-1 target"
    assert model.plan_targets[("M10", HUMBER)][1] == pytest.approx(baseline)
    line = R.plan_line(model, "M10", HUMBER)
    assert (line.plan >= baseline - 1e-9).all()  # never heads down from where it started
    cell = model.cell("M10", HUMBER)
    text = R.plan_progress_text(cell, "percent")
    assert "holds its baseline level" in text and "21.1%" in text


def test_a_lower_is_better_area_past_the_target_is_never_asked_to_rise(seeded):
    _, model, _, _ = seeded
    held = [
        (g, model.baselines[("M08", g)])
        for (m, g), targets in model.plan_targets.items()
        if m == "M08" and model.baselines[(m, g)] < min(targets.values()) - 1e-9
    ]
    assert held == [] or all((R.plan_line(model, "M08", g).plan <= b + 1e-9).all() for g, b in held)
    # Humber starts at 2.8%, under all of England's M08 targets (7.9, 6.8, 5.7%).
    b = model.baselines[("M08", HUMBER)]
    line = R.plan_line(model, "M08", HUMBER)
    assert (line.plan <= b + 1e-9).all()


def test_the_model_takes_its_targets_from_the_plan_module(seeded):
    plan, model, _, _ = seeded
    for (m, g), targets in list(model.plan_targets.items())[::29]:
        region = model.region_of(g)
        expected = P.geography_targets(
            plan,
            m,
            g,
            [region] if region else [],
            baseline=model.baselines[(m, g)],
            polarity=model.measures[m].polarity,
        )
        assert targets == expected


# --------------------------------------------------------------------------- case 6


def test_a_target_whose_latest_value_precedes_the_base_year_is_not_called_no_target(seeded):
    plan, model, areas, measures = seeded
    tiles = {
        t.area.code: t for t in overview.area_tiles(areas, measures, model.series, ENGLAND_CODE)
    }
    for area, code in (("P3", "M04"), ("P8", "M13")):
        tile = tiles[area]
        assert tile.measure.code == code
        reading = overview.tile_reading(model.cells, tile, ENGLAND_CODE)
        assert "no target" not in reading.plan.lower()
        assert P.fy_label(plan.base_year) in reading.plan
        assert "year-1 target" in reading.plan
        cell = model.cell(code, ENGLAND_CODE)
        assert P.fy_label(plan.base_year) in R.plan_progress_text(cell, tile.measure.unit)


def test_the_region_summary_never_names_one_area_as_both_better_and_worse(seeded):
    _, model, _, _ = seeded
    scopes = [ENGLAND_CODE, *[r.code for r in model.regions]]
    headline = region_comparison.headline_measures(type("I", (), {"model": model})())
    for scope in scopes:
        geos = R.geographies(model, scope)
        for text in (
            R.matrix_summary(model, R.area_matrix(model, geos)),
            region_comparison.comparison_summary(model.cells, geos, headline, model.names),
        ):
            better = _named(text, "Most often better: ")
            worse = _named(text, "Most often worse: ")
            assert better is None or better != worse, text
    midlands = R.matrix_summary(model, R.area_matrix(model, R.geographies(model, MIDLANDS)))
    assert "Midlands (5). Most often worse: Midlands" not in midlands


def _named(text: str, lead: str) -> str | None:
    if lead not in text:
        return None
    return text.split(lead, 1)[1].split(" (", 1)[0]


def test_recent_changes_name_what_changed_not_ids_or_nan(seeded_db_path):
    db = open_store(seeded_db_path)
    try:
        recent = audit_service.recent_changes(db, limit=20)
        log = audit_service.audit_log(db)
        scenario_names = set(scenarios_service.list_scenarios(db)["name"])
    finally:
        db.close()
    lines = overview.change_lines(recent, escape_markdown)
    text = "\n".join(lines)
    assert "nan" not in text.lower().split()
    assert not re.search(r"\b[0-9a-f]{12}/v\d\b", text), text  # no scenario ids
    for name in scenario_names:
        assert escape_markdown(f"‘{name}’, version 1") in text
    assert any("engagement programme: 38 stakeholders, 24 events" in line for line in lines)
    assert any("plan version 2" in line for line in lines)
    # The Data page's log carries the same descriptions, and no NaN ids.
    assert log["description"].notna().all()
    assert not log["entity_id"].map(lambda v: isinstance(v, float)).any()


def test_the_measure_matrix_says_why_an_annual_measure_has_no_trajectory_status(seeded):
    _, model, _, _ = seeded
    matrix = R.measure_matrix(model, R.geographies(model, None), "P3")
    text = matrix.text.loc["England", "M04 " + model.measures["M04"].name]
    assert "no trajectory point yet" in text
    assert "plan baseline" in matrix.tile.loc["England", "M04 " + model.measures["M04"].name]
