"""The capacity model's starting point from observed values (issue 16, case 4).

Observed values in, base-state parameters out: the baseline's year-0 outputs equal the
values observed for M06, M08 and M10, the developed share of senior leaders follows M02,
and a measure with no value keeps the scenario's own figure, said out loud."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from nlf_planner.capacity import calibration as cal
from nlf_planner.capacity import model as cm
from nlf_planner.capacity.outputs import select
from nlf_planner.capacity.params import baseline_params
from nlf_planner.geography import ENGLAND_CODE

OBSERVED = {
    "M08": cal.Observation("M08", date(2026, 4, 1), 9.3, "monthly"),
    "M06": cal.Observation("M06", date(2026, 4, 1), 32.8, "quarterly"),
    "M10": cal.Observation("M10", date(2026, 4, 1), 17.6, "monthly"),
    "M02": cal.Observation("M02", date(2026, 4, 1), 22.3, "quarterly"),
}


def _point(observed=OBSERVED, geo_name="England") -> cal.StartingPoint:
    return cal.StartingPoint(ENGLAND_CODE, geo_name, 2026, dict(observed))


def _year0(params, name: str, level: int = 0, geo: str = ENGLAND_CODE) -> float:
    return float(select(cm.run_deterministic(params), name, geo, level)[0, 0])


def test_year_0_outputs_equal_the_observed_values_at_england_and_every_region() -> None:
    params = cal.apply(baseline_params(), _point())
    for geo in (ENGLAND_CODE, "E40000003"):
        assert _year0(params, "vacancy_rate", 4, geo) == pytest.approx(9.3)
        assert _year0(params, "successor_ready", 0, geo) == pytest.approx(32.8)
        assert _year0(params, "improvement_coverage", 0, geo) == pytest.approx(17.6)
        assert _year0(params, "developed_share", 3, geo) == pytest.approx(22.3)


def test_the_uncalibrated_defaults_do_not_match_those_observations() -> None:
    """The test above can fail: the built-in starting point is somewhere else."""
    params = baseline_params()
    assert _year0(params, "vacancy_rate", 4) != pytest.approx(9.3)
    assert _year0(params, "successor_ready") != pytest.approx(32.8)
    assert _year0(params, "improvement_coverage") != pytest.approx(17.6)


def test_only_the_observed_quantities_change() -> None:
    before = baseline_params()
    after = cal.apply(before, _point())
    assert after.base.posts == before.base.posts
    assert after.base.workforce == before.base.workforce
    assert after.base.in_post[:3] == before.base.in_post[:3]
    for level in (0, 1, 3):
        assert after.base.developed_share[level] == before.base.developed_share[level]
    assert after.base.qi_share[1:] == before.base.qi_share[1:]
    assert after.model_dump(exclude={"base"}) == before.model_dump(exclude={"base"})


def test_a_missing_measure_keeps_the_default_and_says_so() -> None:
    observed = {k: v for k, v in OBSERVED.items() if k != "M02"}
    point = _point(observed, "Humber and North Yorkshire ICB")
    params = cal.apply(baseline_params(), point)
    assert _year0(params, "developed_share", 3) == pytest.approx(25.0)  # the default
    gaps = cal.gaps(point, baseline_params())
    assert gaps == [
        "No observed value for M02 at Humber and North Yorkshire ICB: the default 25.0% is used."
    ]
    table = cal.mapping_table(point, baseline_params())
    row = table[table["Measure"] == "M02"].iloc[0]
    assert row["Period"] == "default — no data"
    assert row["Observed value"] == "–"
    assert row["Used value"] == "25.0%"


def test_a_value_outside_0_to_100_is_not_used() -> None:
    bad = dict(OBSERVED, M10=cal.Observation("M10", date(2026, 4, 1), 140.0, "monthly"))
    point = _point(bad)
    params = cal.apply(baseline_params(), point)
    assert _year0(params, "improvement_coverage") == pytest.approx(10.0)
    assert any("M10" in g and "140.0%" in g for g in cal.gaps(point, baseline_params()))


def test_the_mapping_table_names_measure_period_and_both_values() -> None:
    table = cal.mapping_table(_point(), baseline_params())
    assert list(table.columns) == [
        "Model quantity",
        "Measure",
        "Period",
        "Observed value",
        "Used value",
    ]
    rows = table.set_index("Measure")
    assert rows.loc["M08", "Period"] == "Apr 2026"
    assert rows.loc["M06", "Period"] == "Q1 2026/27"
    assert rows.loc["M08", "Observed value"] == "9.3%"
    assert rows.loc["M08", "Used value"] == "9.3%"
    assert set(rows.index) == {"M02", "M06", "M08", "M10"}


def test_the_observation_rule_is_the_plans_baseline_rule() -> None:
    history = pd.DataFrame(
        {
            "measure_code": ["M10"] * 3,
            "period": [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)],
            "value": [17.0, 17.6, 18.0],
        }
    )
    found = cal.observation_at_base(history, "M10", "monthly", 2026)
    assert found == cal.Observation("M10", date(2026, 4, 1), 17.6, "monthly")
    latest = cal.observation_at_base(history, "M10", "monthly", None)
    assert latest is not None and latest.period == date(2026, 5, 1)
    assert cal.observation_at_base(history, "M06", "quarterly", 2026) is None
