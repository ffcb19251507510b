"""Scenario comparison: the fan chart and year-5 headline table for the runs, the plan's
targets for the deck's geography and each scenario's chance of meeting them."""

from __future__ import annotations

import pytest

from nlf_planner.capacity.scenarios import baseline_scenario, run_scenario
from nlf_planner.deck import ScenarioRuns, SectionUnavailable
from nlf_planner.deck.scenario_comparison import headlines, scenario_slides
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.plan import PlanTarget
from tests.unit.deck.inputs import LONDON, M08_TARGETS, inputs, plan

DRAWS, SEED = 200, 11


@pytest.fixture(scope="module")
def runs() -> ScenarioRuns:
    base = baseline_scenario(draws=DRAWS, seed=SEED)
    more = base.model_copy(update={"name": "More academies", "is_baseline": False})
    results = {base.label: run_scenario(base), more.label: run_scenario(more)}
    return ScenarioRuns(results, results[base.label], DRAWS, SEED)


def test_fan_and_headline_slides_for_the_runs(runs) -> None:
    fan, head = scenario_slides(inputs(the_plan=plan(targets=M08_TARGETS), scenarios=runs))
    labels = list(runs.results)
    assert fan.key == "scenarios-fan" and fan.figures
    assert fan.subtitle == f"England; scenarios: {', '.join(labels)}"
    assert "Plan targets: year 1 9.5%, year 3 8.0%, year 5 7.0%." in fan.narrative
    table = head.tables[0].data
    assert list(table.columns) == ["Output", *labels]
    assert f"over {DRAWS:,} draws, seed {SEED}" in head.subtitle


def test_each_target_and_its_chance_are_named(runs) -> None:
    data = inputs(the_plan=plan(targets=M08_TARGETS), scenarios=runs)
    _, head = scenario_slides(data)
    frame = headlines(data, runs, ENGLAND_CODE)
    year5 = frame[(frame.year == 5) & frame.target.notna()]
    assert set(year5.output) == {"vacancy_rate"}
    [line] = head.bullets
    assert "plan target 7.0% at year 5" in line
    for r in year5.itertuples():
        assert f"{r.scenario} {r.probability:.0%}" in line
    assert line in head.narrative


def test_a_region_uses_its_own_targets_else_englands(runs) -> None:
    own = (*M08_TARGETS, PlanTarget(measure_code="M08", geo_code=LONDON, horizon=5, target=6.0))
    data = inputs(geo=LONDON, the_plan=plan(targets=own), scenarios=runs)
    frame = headlines(data, runs, LONDON)
    at = frame[(frame.output == "vacancy_rate") & frame.target.notna()]
    assert dict(zip(at.year, at.target, strict=False)) == {1: 9.5, 3: 8.0, 5: 6.0}
    fan, _ = scenario_slides(data)
    assert fan.subtitle.startswith("London;")


def test_without_targets_no_chance_is_claimed(runs) -> None:
    _, head = scenario_slides(inputs(the_plan=plan(), scenarios=runs))
    assert head.bullets == ()


def test_no_runs_no_section() -> None:
    with pytest.raises(SectionUnavailable, match="no scenarios have been saved yet"):
        scenario_slides(inputs())
