"""Tidy outputs, percentiles and the probability of meeting plan targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlf_planner.capacity import model as cm
from nlf_planner.capacity.outputs import (
    M06_BASELINE,
    OUTPUTS,
    format_value,
    output_arrays,
    probability_meeting,
    select,
    summarise,
    tidy_draws,
)
from nlf_planner.capacity.params import baseline_params
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.settings import CONTENT_DIR

TIDY = ["scenario", "stat", "year", "geo_code", "level", "output", "value"]


@pytest.fixture(scope="module")
def mc():
    return cm.run_monte_carlo(baseline_params(), draws=300, seed=9)


def test_summary_is_tidy_with_ordered_percentiles(mc):
    s = summarise(mc, "Baseline")
    assert list(s.columns) == TIDY
    assert set(s["output"]) == set(OUTPUTS)
    assert set(s["stat"]) == {"P10", "P50", "P90", "mean"}
    assert set(s["geo_code"]) == {*mc.regions, ENGLAND_CODE}
    wide = s.pivot_table(
        index=["year", "geo_code", "level", "output"], columns="stat", values="value"
    ).dropna()
    assert (wide["P10"] <= wide["P50"] + 1e-9).all() and (wide["P50"] <= wide["P90"] + 1e-9).all()


def test_deterministic_summary_is_central_and_matches_measure_baselines():
    s = summarise(cm.run_deterministic(baseline_params()), "Baseline")
    assert set(s["stat"]) == {"central"}
    y0 = s[(s["year"] == 0) & (s["geo_code"] == ENGLAND_CODE)].set_index(["output", "level"])[
        "value"
    ]
    measures = pd.read_csv(CONTENT_DIR / "measures.csv").drop_duplicates("code").set_index("code")
    assert y0[("vacancy_rate", 4)] == pytest.approx(measures.loc["M08", "baseline"])
    assert y0[("improvement_coverage", 0)] == pytest.approx(measures.loc["M10", "baseline"])
    assert y0[("successor_ready", 0)] == pytest.approx(measures.loc["M06", "baseline"])
    assert measures.loc["M06", "baseline"] == M06_BASELINE
    assert y0[("developed_share", 4)] == pytest.approx(35.0)
    assert y0[("succession_cover", 0)] == pytest.approx(13_500 * 0.25 / 2_300)


def test_tidy_draws_keep_every_draw(mc):
    d = tidy_draws(mc, "Baseline", ["vacancy_rate"], max_draws=10)
    assert list(d.columns) == ["scenario", "draw", "year", "geo_code", "level", "output", "value"]
    assert d["draw"].nunique() == 10
    assert len(d) == 10 * (mc.horizon + 1) * 8 * 5


def test_cumulative_cost_adds_up_the_years(mc):
    arr = output_arrays(mc, ["cost_total", "cumulative_cost"])
    assert np.allclose(arr["cumulative_cost"][:, -1], arr["cost_total"].sum(axis=1))


def test_probability_of_meeting_targets_follows_polarity(mc):
    vac = select(mc, "vacancy_rate", ENGLAND_CODE, 4)[:, 3]
    targets = pd.DataFrame(
        [
            {"measure_code": "M08", "geo_code": ENGLAND_CODE, "horizon": 3, "target": 100.0},
            {"measure_code": "M08", "geo_code": ENGLAND_CODE, "horizon": 3, "target": -5.0},
            {
                "measure_code": "M08",
                "geo_code": ENGLAND_CODE,
                "horizon": 3,
                "target": float(np.median(vac)),
            },
            {"measure_code": "M10", "geo_code": ENGLAND_CODE, "horizon": 5, "target": 0.0},
            {"measure_code": "M10", "geo_code": "E40000003", "horizon": 1, "target": 99.0},
            {"measure_code": "M04", "geo_code": ENGLAND_CODE, "horizon": 1, "target": 7.5},
            {"measure_code": "M08", "geo_code": ENGLAND_CODE, "horizon": 9, "target": 7.0},
        ]
    )
    p = probability_meeting(mc, targets)
    assert list(p["probability"]) == pytest.approx([1.0, 0.0, 0.5, 1.0, 0.0], abs=0.01)
    assert "M04" not in set(p["measure_code"])  # not a model output
    assert (p["horizon"] <= mc.horizon).all()


def test_format_value_names_units():
    assert format_value("vacancy_rate", 7.84) == "7.8%"
    assert format_value("cost_total", 18_400_000) == "£18.4m"
    assert format_value("leaders_in_post", 1234.4) == "1,234"
    assert format_value("vacancy_rate", float("nan")) == "–"


def test_format_delta_uses_points_for_percentages_and_says_no_change():
    from nlf_planner.capacity.outputs import format_delta

    assert format_delta("vacancy_rate", 1.234) == "+1.2 pts"
    assert format_delta("vacancy_rate", -0.04) == "no change"
    assert format_delta("cost_total", -2_000_000) == "−£2.0m"
    assert format_delta("leaders_in_post", float("nan")) == "–"


def test_memoised_percentiles_match_the_draws(mc):
    from nlf_planner.capacity.outputs import percentiles_at

    for name, level, geo in (
        ("vacancy_rate", 4, ENGLAND_CODE),
        ("developed_share", 2, "E40000003"),
    ):
        vals = select(mc, name, geo, level)
        expected = np.percentile(vals, [10, 50, 90], axis=0)
        assert np.allclose(percentiles_at(mc, name, geo, level), expected)
        assert percentiles_at(mc, name, geo, level) is not None
    assert select(mc, "vacancy_rate", ENGLAND_CODE, 4) is select(
        mc, "vacancy_rate", ENGLAND_CODE, 4
    )
