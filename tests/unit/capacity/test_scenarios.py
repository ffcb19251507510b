"""Scenario operations: JSON export/import, compare, sensitivity, goal seek, waterfall."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nlf_planner.capacity import model as cm
from nlf_planner.capacity.outputs import meets, select
from nlf_planner.capacity.params import UNCERTAIN, Range, baseline_params
from nlf_planner.capacity.scenarios import (
    HEADLINES,
    Scenario,
    ScenarioError,
    baseline_scenario,
    changes_vs,
    cost_per_additional_developed,
    export_json,
    fan_data,
    goal_seek,
    headline_table,
    import_json,
    params_hash,
    run_scenario,
    sensitivity,
    waterfall,
)
from nlf_planner.geography import ENGLAND_CODE


def _double() -> Scenario:
    base = baseline_scenario(draws=200)
    p = base.params.scale_places(2).model_copy(update={"budget": None})
    return Scenario(name="Double the places", params=p, draws=200, seed=base.seed)


def test_export_import_round_trip():
    s = _double()
    back = import_json(export_json(s))
    assert back.params == s.params
    assert (back.name, back.seed, back.draws) == (s.name, s.seed, s.draws)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json", "not valid JSON"),
        (json.dumps({"hello": 1}), "not an NLF Planner scenario"),
        (
            json.dumps({"format": "nlf-planner-scenario", "format_version": 99}),
            "not supported",
        ),
    ],
)
def test_import_rejects_bad_files_with_a_message(text, expected):
    with pytest.raises(ScenarioError, match=expected):
        import_json(text)


def test_import_validates_parameters_before_use():
    doc = json.loads(export_json(_double()))
    doc["params"]["attrition"][3]["high"] = 1.7
    doc["params"]["places"][0] = [-10]
    with pytest.raises(ScenarioError) as exc:
        import_json(json.dumps(doc))
    msg = str(exc.value)
    assert "Attrition: executives (board): high = 1.7" in msg
    assert "First-line leaders places" in msg


def test_params_hash_changes_with_params_and_run_settings():
    p = baseline_params()
    assert params_hash(p, 1000, 1) == params_hash(baseline_params(), 1000, 1)
    assert params_hash(p, 1000, 1) != params_hash(p, 1000, 2)
    assert params_hash(p, 1000, 1) != params_hash(p.scale_places(1.1), 1000, 1)


def test_changes_vs_baseline_name_what_moved():
    base = baseline_params()
    other = base.with_range("attrition.4", Range(low=0.1, central=0.15, high=0.2))
    lines = changes_vs(base, other)
    assert lines == ["Attrition: executives (board): 20% (15%–28%) → 15% (10%–20%)"]
    assert changes_vs(base, base) == []
    doubled = changes_vs(base, _double().params)
    assert "Budget for leadership places: £18.4m a year → no limit" in doubled
    assert "Places a year, first-line leaders: 3,000 a year → 6,000 a year" in doubled
    # The same places written out year by year are not a change; phasing is described.
    data = base.model_dump(mode="json")
    data["places"][0] = [3000.0] * 5
    assert changes_vs(base, base.model_validate(data)) == []
    data["places"][0] = [3000.0, 4500.0]
    assert changes_vs(base, base.model_validate(data)) == [
        "Places a year, first-line leaders: 3,000 a year → 3,000 in year 1, 4,500 in years 2–5"
    ]


def test_headline_table_deltas_and_probabilities():
    base = baseline_scenario(draws=200)
    rb = run_scenario(base)
    rs = run_scenario(_double())
    targets = pd.DataFrame(
        [{"measure_code": "M10", "geo_code": ENGLAND_CODE, "horizon": 5, "target": 20.0}]
    )
    h = headline_table({"Baseline": rb, "Double": rs}, rb, targets)
    assert set(h["year"]) == {1, 3, 5}
    same = h[(h["scenario"] == "Baseline") & h["output"].isin([o for o, _ in HEADLINES])]
    assert np.allclose(same["delta"], 0.0)
    dbl = h[h["scenario"] == "Double"].set_index(["output", "level", "year"])
    assert dbl.loc[("developed_share", 1, 5), "delta"] > 5
    assert dbl.loc[("improvement_coverage", 0, 5), "probability"] > 0.9
    assert (
        h[
            (h["scenario"] == "Baseline")
            & (h["output"] == "improvement_coverage")
            & (h["year"] == 5)
        ]["probability"].iloc[0]
        < 0.1
    )
    assert np.isnan(dbl.loc[("improvement_coverage", 0, 3), "probability"])  # no target
    cpa = dbl.loc[("cost_per_additional_developed", 0, 5), "p50"]
    assert 1_000 < cpa < 50_000


def test_cost_per_additional_developed_pairs_draws():
    rb = run_scenario(baseline_scenario(draws=50))
    rs = run_scenario(_double().model_copy(update={"draws": 50}))
    cpa = cost_per_additional_developed(rs, rb)
    assert cpa.shape == (50, 6)
    assert np.all(np.isnan(cpa[:, 0]))  # nothing spent or developed yet
    assert np.all(cpa[:, 1:] > 0)
    extra_cost = rs.cost.sum(axis=2).sum(axis=1) - rb.cost.sum(axis=2).sum(axis=1)
    extra_dev = rs.D[:, 5].sum(axis=(1, 2)) - rb.D[:, 5].sum(axis=(1, 2))
    assert np.allclose(cpa[:, 5], extra_cost / extra_dev)


def test_fan_data_has_ordered_bands():
    rb = run_scenario(baseline_scenario(draws=200))
    f = fan_data({"Baseline": rb}, "vacancy_rate", ENGLAND_CODE, 4)
    assert list(f.columns) == ["scenario", "year", "p10", "p50", "p90"]
    assert (f["p10"] <= f["p50"]).all() and (f["p50"] <= f["p90"]).all()


def test_sensitivity_tornado_is_sorted_and_exact():
    p = baseline_params()
    t = sensitivity(p, "vacancy_rate", 5, ENGLAND_CODE, 4)
    assert len(t) == len(UNCERTAIN)
    assert list(t["swing"]) == sorted(t["swing"], reverse=True)
    assert t.iloc[0]["key"] == "attrition.4"
    det = select(cm.run_deterministic(p), "vacancy_rate", ENGLAND_CODE, 4)[0, 5]
    assert t["central"].iloc[0] == pytest.approx(det)
    r = p.range_of("attrition.4")
    low = select(
        cm.run_deterministic(p.with_range("attrition.4", Range.point(r.low))),
        "vacancy_rate",
        ENGLAND_CODE,
        4,
    )[0, 5]
    assert t.iloc[0]["low"] == pytest.approx(low)
    # Improvement parameters cannot move the executive vacancy rate.
    qi = t[t["key"].str.startswith("qi_")]
    assert np.allclose(qi["swing"], 0.0)
    with pytest.raises(ScenarioError):
        sensitivity(p, "vacancy_rate", 9)


def test_goal_seek_finds_the_smallest_multiplier():
    p = baseline_params()
    res = goal_seek(p, "improvement_coverage", 20.0, 5, confidence=0.8, draws=300, seed=4)
    assert res.reachable and not res.already_met
    assert 1.0 < res.value < 3.0
    assert res.probability >= 0.8
    u = cm.uniforms(4, 300)
    below = p.scale_places(res.value * 0.99).model_copy(update={"budget": None})
    vals = select(cm.run(below, u), "improvement_coverage")[:, 5]
    assert meets("improvement_coverage", vals, 20.0).mean() < 0.8
    assert res.trajectory["p50"].iloc[5] >= 20.0 - 1


def test_goal_seek_says_not_reachable_with_the_best_value():
    res = goal_seek(baseline_params(), "vacancy_rate", 1.0, 5, level=4, draws=200)
    assert not res.reachable
    assert res.message.startswith("Not reachable")
    assert res.value == pytest.approx(10.0)


def test_goal_seek_already_met_and_budget_lever():
    p = baseline_params()
    met = goal_seek(p, "improvement_coverage", 5.0, 1, draws=100)
    assert met.reachable and met.already_met and met.value == 0
    res = goal_seek(p, "developed_share", 30.0, 5, level=1, lever="budget", draws=200)
    assert res.reachable
    assert p.planned_cost(1) < res.value < 10 * p.planned_cost(1)
    assert "budget of £" in res.message


def test_waterfall_steps_add_up_to_the_total():
    base = baseline_params()
    scen = (
        base.scale_places(1.5)
        .model_copy(update={"budget": None})
        .with_range("attrition.4", Range(low=0.12, central=0.15, high=0.2))
        .with_range("completion.1", Range(low=0.9, central=0.95, high=0.99))
    )
    w = waterfall(base, scen, "developed_share", 5, ENGLAND_CODE, 0)
    assert list(w["step"]) == [
        "Baseline",
        "Places",
        "Budget",
        "Attrition",
        "Promotion",
        "External fill",
        "Other assumptions",
        "Scenario",
    ]
    steps = w[w["kind"] == "step"]["delta"].sum()
    total = w.iloc[-1]
    assert steps == pytest.approx(total["delta"])
    end = select(cm.run_deterministic(scen), "developed_share")[0, 5]
    assert total["value"] == pytest.approx(end)
    assert w.set_index("step").loc["Promotion", "delta"] == pytest.approx(0.0)
    assert w.set_index("step").loc["Other assumptions", "delta"] > 0  # completion moved


def test_scenario_validates_name_and_draws():
    with pytest.raises(ValueError):
        Scenario(name="  ")
    with pytest.raises(ValueError):
        Scenario(name="x", draws=0)


def test_chunked_run_with_progress_equals_one_run():
    s = baseline_scenario(draws=2500)
    seen: list[float] = []
    chunked = run_scenario(s, progress=seen.append, chunk=1000)
    whole = run_scenario(s)
    assert seen == [0.4, 0.8, 1.0]
    assert chunked.draws == 2500
    for name in ("S", "D", "E", "W", "Q", "cost", "places"):
        assert np.array_equal(getattr(chunked, name), getattr(whole, name))


def test_headline_view_reads_in_words():
    rb = run_scenario(baseline_scenario(draws=100))
    targets = pd.DataFrame(
        [{"measure_code": "M08", "geo_code": ENGLAND_CODE, "horizon": 5, "target": 50.0}]
    )
    from nlf_planner.capacity.scenarios import headline_view

    view = headline_view(headline_table({"Baseline": rb}, rb, targets), "Baseline")
    row = view[(view["Output"] == "Vacancy rate: executives (board)") & (view["Year"] == 5)]
    assert row["Chance of target"].iloc[0] == "100%"
    assert row["vs baseline"].iloc[0] == "no change"
    assert row["Median (80% range)"].iloc[0].endswith("%)")


def test_cost_per_additional_developed_uses_means_when_seeds_differ():
    rb = run_scenario(baseline_scenario(draws=50))
    rs = run_scenario(_double().model_copy(update={"draws": 50, "seed": 99}))
    cpa = cost_per_additional_developed(rs, rb)
    assert cpa.shape == (1, 6)
    assert cpa[0, 5] > 0


def test_median_range_reads_simply():
    from nlf_planner.capacity.scenarios import median_range

    assert median_range("vacancy_rate", 4.5, 7.8, 11.5) == "7.8% (4.5% to 11.5%)"
    assert median_range("cost_total", 28.8e6, 28.8e6, 28.8e6) == "£28.8m"
    assert median_range("cost_total", np.nan, np.nan, np.nan) == "–"
