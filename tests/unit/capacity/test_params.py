"""Capacity-model parameters: defaults, validation messages naming the field, helpers."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from nlf_planner.capacity.params import (
    MAX_HORIZON,
    UNCERTAIN,
    CapacityParams,
    Range,
    baseline_params,
    default_region_shares,
    region_codes,
    validation_message,
)
from nlf_planner.settings import REFERENCE_DIR


def _message(data: dict) -> str:
    with pytest.raises(ValidationError) as exc:
        CapacityParams.model_validate(data)
    return validation_message(exc.value)


def test_defaults_are_valid_and_every_uncertain_parameter_has_a_rationale():
    p = CapacityParams()
    for spec in UNCERTAIN:
        r = p.range_of(spec.key)
        assert r.low <= r.central <= r.high
        assert len(r.rationale) > 10, spec.key


def test_regional_shares_cover_the_reference_regions_and_sum_to_one():
    regions = pd.read_csv(REFERENCE_DIR / "regions.csv", dtype=str)
    shares = default_region_shares()
    assert set(shares) == set(regions["region_code"])
    assert sum(shares.values()) == pytest.approx(1.0)
    assert region_codes() == tuple(shares)


def test_baseline_carries_todays_places_and_budget_forward_flat():
    p = baseline_params()
    assert p.budget == [pytest.approx(3000 * 3000 + 800 * 6000 + 300 * 12000 + 40 * 25000)]
    for t in range(1, 6):
        assert p.places_for_year(t) == [3000, 800, 300, 40]
        assert p.budget_for_year(t) == p.budget[0]


def test_phasing_carries_the_last_year_forward():
    p = CapacityParams(places=([100, 200], [1], [2], [3]), budget=[5.0, None])
    assert [p.places_for_year(t)[0] for t in (1, 2, 3)] == [100, 200, 200]
    assert p.budget_for_year(1) == 5.0 and p.budget_for_year(4) is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"horizon": MAX_HORIZON + 1}, "horizon"),
        ({"horizon": 0}, "horizon"),
        ({"places": [[-5], [1], [1], [1]]}, "places: First-line leaders places, year 1"),
        ({"budget": [-1.0]}, "budget"),
        (
            {"attrition": [{"low": 0.1, "central": 0.2, "high": 1.5}] * 4},
            "Attrition: first-line leaders: high = 1.5 must be between 0 and 1",
        ),
        (
            {"retention_gain": {"low": 0.3, "central": 0.2, "high": 0.4}},
            "retention_gain: low (0.3) must not exceed central (0.2)",
        ),
        ({"region_shares": {c: 0.5 for c in region_codes()}}, "must add up to 1"),
        (
            {
                "overrides": [
                    {
                        "region_code": "E99999999",
                        "parameter": "attrition.4",
                        "range": {"low": 0.1, "central": 0.2, "high": 0.3},
                    }
                ]
            },
            "not one of the 7 NHS regions",
        ),
        (
            {
                "overrides": [
                    {
                        "region_code": "E40000003",
                        "parameter": "places",
                        "range": {"low": 0.1, "central": 0.2, "high": 0.3},
                    }
                ]
            },
            "is not an uncertain parameter",
        ),
        ({"base": {"in_post": [-1, 0, 0, 0]}}, "base → in_post"),
        ({"allocation": "lottery"}, "allocation"),
    ],
)
def test_invalid_values_name_the_field(data, expected):
    assert expected in _message(data)


def test_with_range_and_scale_places_return_validated_copies():
    p = CapacityParams()
    q = p.with_range("attrition.4", Range(low=0.2, central=0.25, high=0.3))
    assert q.range_of("attrition.4").central == 0.25
    assert p.range_of("attrition.4").central == 0.20
    doubled = p.scale_places(2)
    assert doubled.places_for_year(1) == [6000, 1600, 600, 80]
    assert doubled.qi_places_for_year(1) == [80000, 8000, 600]
    with pytest.raises(ValidationError):
        p.with_range("attrition.4", Range(low=0.2, central=0.25, high=1.3))


def test_json_round_trip_is_exact():
    p = baseline_params(horizon=7)
    assert CapacityParams.model_validate_json(p.model_dump_json()) == p
