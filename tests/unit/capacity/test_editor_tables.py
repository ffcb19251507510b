"""The input tables ↔ parameters: untouched tables round-trip, edits land where typed, and
every refusal names the table, row and column to fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlf_planner.capacity import editor_tables as et
from nlf_planner.capacity.params import CapacityParams, Range, RegionalOverride, baseline_params
from nlf_planner.capacity.result_tables import (
    compare_view,
    output_targets,
    region_frame,
    region_view,
    regions_identical,
)
from nlf_planner.capacity.scenarios import (
    baseline_scenario,
    changes_vs,
    headline_table,
    run_scenario,
)
from nlf_planner.geography import ENGLAND_CODE

NAMES = {
    "E40000007": "East of England",
    "E40000003": "London",
    "E40000011": "Midlands",
    "E40000012": "North East and Yorkshire",
    "E40000010": "North West",
    "E40000005": "South East",
    "E40000006": "South West",
}


def _inputs(params: CapacityParams, **changes) -> et.EditorInputs:
    data = {
        "horizon": params.horizon,
        "ranges": {},
        "allocation": params.allocation,
        "places": et.places_frame(params),
        "qi_places": et.places_frame(params, improvement=True),
        "budget": et.budget_frame(params),
        "overrides": et.overrides_frame(params, NAMES),
    }
    data.update(changes)
    return et.EditorInputs(**data)


def _issues(params: CapacityParams, inputs: et.EditorInputs) -> list[et.TableIssue]:
    with pytest.raises(et.EditorTablesInvalid) as info:
        et.params_from_tables(params, inputs, NAMES)
    assert str(info.value).startswith(et.EditorTablesInvalid.PREFIX)
    return info.value.issues


def _with_override(params: CapacityParams) -> CapacityParams:
    london = RegionalOverride(
        region_code="E40000003",
        parameter="attrition.4",
        range=Range(low=0.25, central=0.3, high=0.35, rationale="Higher turnover"),
    )
    return params.model_copy(update={"overrides": [london]})


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [baseline_params(), CapacityParams(), _with_override(baseline_params()).scale_places(1.5)],
)
def test_untouched_tables_give_back_the_same_parameters(params):
    """Places and budgets come back written out year by year: the same plan, every year."""
    got = et.params_from_tables(params, _inputs(params), NAMES)
    assert changes_vs(params, got) == []
    years = range(1, params.horizon + 1)
    assert [got.places_for_year(t) for t in years] == [params.places_for_year(t) for t in years]
    assert [got.qi_places_for_year(t) for t in years] == [
        params.qi_places_for_year(t) for t in years
    ]
    assert [got.budget_for_year(t) for t in years] == pytest.approx(
        [params.budget_for_year(t) for t in years]
    )
    same = ("horizon", "attrition", "promotion", "completion", "overrides", "cost_per_place")
    assert all(getattr(got, f) == getattr(params, f) for f in same)


def test_frames_show_places_prices_budget_and_overrides_in_display_units():
    params = _with_override(baseline_params())
    places = et.places_frame(params)
    assert list(places.columns) == ["Programme", *(f"Year {t}" for t in range(1, 6)), "£ per place"]
    assert places.loc[0, "Programme"] == "First-line leaders" and places.loc[0, "Year 5"] == 3000
    assert et.places_frame(params, improvement=True).loc[2, "Programme"] == "Expert"
    budget = et.budget_frame(params)
    assert budget.loc[0, "Year 1"] == pytest.approx(params.planned_cost(1) / 1e6)
    overrides = et.overrides_frame(params, NAMES)
    assert overrides.iloc[0].tolist() == [
        "London",
        "Attrition: executives (board)",
        25.0,
        30.0,
        35.0,
        "Higher turnover",
    ]
    assert et.budget_frame(CapacityParams()).loc[0, "Year 1"] is None


def test_edits_land_where_they_were_typed():
    params = baseline_params()
    places = et.places_frame(params)
    places.loc[1, "Year 3"] = 1200.0
    places.loc[0, "Year 2"] = np.nan  # a blank cell is no places
    budget = et.budget_frame(params)
    budget.loc[0, :] = None  # every year blank: no limit
    overrides = pd.DataFrame(
        [["Midlands", "Promotion preference for developed leaders", 0.5, 1.0, 2.0, None]],
        columns=list(et.OVERRIDE_COLUMNS),
    )
    got = et.params_from_tables(
        params,
        _inputs(params, places=places, budget=budget, overrides=overrides, allocation="need"),
        NAMES,
    )
    assert got.places_for_year(3)[1] == 1200.0 and got.places_for_year(2)[0] == 0.0
    assert got.budget is None and got.allocation == "need"
    (override,) = got.overrides
    assert override.region_code == "E40000011" and override.parameter == "promotion_preference"
    assert (override.range.low, override.range.high) == (0.5, 2.0)  # a multiple, not a %


def test_a_shorter_horizon_keeps_only_its_years_and_a_longer_one_carries_the_last_on():
    params = baseline_params()
    places = et.places_frame(params)
    places.loc[0, "Year 3"] = 5000.0
    shorter = et.params_from_tables(params, _inputs(params, horizon=2, places=places), NAMES)
    assert shorter.horizon == 2 and len(shorter.places[0]) == 2
    longer = et.params_from_tables(params, _inputs(params, horizon=7, places=places), NAMES)
    assert longer.horizon == 7 and longer.places_for_year(7)[0] == 3000.0


def test_slider_ranges_keep_the_most_likely_value_when_it_still_fits():
    previous = Range(low=0.15, central=0.2, high=0.28, rationale="Tenure")
    kept = et.range_from_display("attrition", previous, 10.0, 30.0)
    assert (kept.low, kept.central, kept.high, kept.rationale) == (0.1, 0.2, 0.3, "Tenure")
    moved = et.range_from_display("attrition", previous, 25.0, 35.0)
    assert moved.central == pytest.approx(0.3)
    multiple = et.range_from_display("promotion_preference", Range.point(0.5), 0.2, 1.0)
    assert (multiple.low, multiple.central, multiple.high) == (0.2, 0.5, 1.0)


def test_display_units_round_trip():
    for x in (0.0, 0.085, 0.2, 1.0):
        assert et.from_display("attrition", et.to_display("attrition", x)) == pytest.approx(x)
    assert et.to_display("promotion_preference", 0.5) == 0.5
    assert et.to_display("attrition", 0.2) == 20.0


# --- refusals name the table, row and column --------------------------------------------------


def test_an_override_out_of_order_names_its_row_and_the_rule():
    params = baseline_params()
    overrides = pd.DataFrame(
        [["London", "Attrition: executives (board)", 40.0, 30.0, 35.0, None]],
        columns=list(et.OVERRIDE_COLUMNS),
    )
    (issue,) = _issues(params, _inputs(params, overrides=overrides))
    assert (issue.table, issue.row, issue.row_label) == ("Regional differences", 1, "London")
    assert "must not exceed central" in issue.message
    assert str(issue).startswith("Regional differences, row 1 (London), column")


def test_override_rows_missing_a_choice_or_a_value_say_which_cell():
    params = baseline_params()
    overrides = pd.DataFrame(
        [
            [None, None, None, None, None, None],  # an empty row is ignored
            ["Atlantis", "Attrition: executives (board)", 10.0, 20.0, 30.0, None],
            ["London", "Not an assumption", 10.0, 20.0, 30.0, None],
            ["London", "Attrition: executives (board)", 10.0, None, 30.0, None],
            ["London", "Attrition: executives (board)", 10.0, 20.0, 130.0, None],
        ],
        columns=list(et.OVERRIDE_COLUMNS),
    )
    where = {(i.row, i.column) for i in _issues(params, _inputs(params, overrides=overrides))}
    assert where == {(2, "Region"), (3, "Assumption"), (4, "Most likely"), (5, "High")}


def test_the_same_override_twice_points_at_the_first_row():
    params = baseline_params()
    row = ["London", "Attrition: executives (board)", 10.0, 20.0, 30.0, None]
    overrides = pd.DataFrame([row, row], columns=list(et.OVERRIDE_COLUMNS))
    (issue,) = _issues(params, _inputs(params, overrides=overrides))
    assert (issue.row, issue.column) == (2, "Assumption") and "row 1 already" in issue.message


def test_negative_places_prices_and_budgets_name_the_cell():
    params = baseline_params()
    places = et.places_frame(params)
    places.loc[2, "Year 4"] = -5.0
    qi = et.places_frame(params, improvement=True)
    qi.loc[0, "£ per place"] = np.nan
    budget = et.budget_frame(params)
    budget.loc[0, "Year 2"] = -1.0
    issues = _issues(params, _inputs(params, places=places, qi_places=qi, budget=budget))
    assert {(i.table, i.row, i.column, i.row_label) for i in issues} == {
        ("Programme places", 3, "Year 4", "Senior leaders"),
        ("Improvement training places", 1, "£ per place", "Foundation"),
        ("Budget", None, "Year 2", ""),
    }


def test_a_table_with_a_missing_programme_is_refused():
    params = baseline_params()
    places = et.places_frame(params).iloc[:3]
    (issue,) = _issues(params, _inputs(params, places=places))
    assert issue.table == "Programme places" and "exactly 4 rows" in issue.message


def test_an_unknown_allocation_and_horizon_are_refused():
    params = baseline_params()
    issues = _issues(params, _inputs(params, horizon=11, allocation="lottery"))
    assert {i.column for i in issues} == {"Years to project", "How places are shared"}


# --- result tables ----------------------------------------------------------------------------


def test_result_tables_compare_regions_and_targets():
    base = run_scenario(baseline_scenario(draws=100))
    more = baseline_params().scale_places(2).model_copy(update={"budget": None})
    other = run_scenario(baseline_scenario(draws=100).model_copy(update={"params": more}))
    head = headline_table({"Baseline": base, "Double": other}, base)
    wide = compare_view(head)
    assert list(wide.columns) == ["Output", "Year", "Baseline", "Double"]
    row = wide[(wide["Output"] == "Staff trained in improvement") & (wide["Year"] == 5)]
    assert "Δ +" in row["Double"].iloc[0] and "Δ" not in row["Baseline"].iloc[0]
    data = region_frame(other, base, "vacancy_rate", 4, 5, NAMES)
    assert list(data["geo_name"])[-1] == "England" and len(data) == 8
    assert regions_identical(data)
    view = region_view(data, "vacancy_rate")
    assert view["Median"].str.endswith("%").all()
    targets = pd.DataFrame(
        [{"measure_code": "M08", "geo_code": ENGLAND_CODE, "horizon": 5, "target": 5.7}]
    )
    assert output_targets("vacancy_rate", 4, targets) == {5: 5.7}
    assert output_targets("vacancy_rate", 1, targets) is None
    assert output_targets("developed_share", 0, targets) is None
