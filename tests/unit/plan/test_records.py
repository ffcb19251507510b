"""Plan records: immutable targets and milestones, and a geography's targets with fallbacks."""

from __future__ import annotations

import pydantic
import pytest

from nlf_planner import plan as P
from tests.unit.plan.common import LONDON

ICB = "E54000027"  # an ICB in London


def _plan() -> P.Plan:
    return P.Plan(
        base_year=2026,
        targets=[
            P.PlanTarget(measure_code="M05", horizon=h, target=v)
            for h, v in ((1, 10), (3, 14), (5, 18))
        ]
        + [
            P.PlanTarget(measure_code="M05", geo_code=LONDON, horizon=3, target=20),
            P.PlanTarget(measure_code="M01", geo_code=ICB, horizon=5, target=90),
            P.PlanTarget(measure_code="M01", horizon=5, target=80),
        ],
    )


def test_targets_for_takes_own_then_each_fallback_then_england_per_horizon():
    plan = _plan()
    assert plan.targets_for("M05") == {1: 10, 3: 14, 5: 18}
    assert plan.targets_for("M05", LONDON) == {1: 10, 3: 20, 5: 18}
    assert plan.targets_for("M05", ICB, fallbacks=[LONDON]) == {1: 10, 3: 20, 5: 18}
    assert plan.targets_for("M01", ICB) == {5: 90}
    assert plan.targets_for("M99") == {}


def test_measure_codes_in_first_seen_order_and_target_map_keys():
    plan = _plan()
    assert plan.measure_codes() == ["M05", "M01"]
    assert plan.target_map()[("M01", ICB, 5)] == 90


def test_records_are_immutable_and_targets_must_be_finite():
    target = P.PlanTarget(measure_code="M01", horizon=1, target=40)
    with pytest.raises(pydantic.ValidationError):
        target.target = 41
    with pytest.raises(pydantic.ValidationError):
        P.PlanTarget(measure_code="M01", horizon=1, target=float("nan"))
    with pytest.raises(pydantic.ValidationError):
        P.PlanTarget(measure_code="M01", horizon=2, target=40)
    with pytest.raises(pydantic.ValidationError):
        P.Milestone(item_id="x", priority_area="P1", title="", horizon=1)


def test_a_new_plan_is_the_national_plan_on_a_linear_trajectory():
    plan = P.Plan(base_year=2026)
    assert (plan.plan_name, plan.trajectory, plan.version_id) == (
        P.DEFAULT_PLAN_NAME,
        "linear",
        None,
    )
    assert issubclass(P.PlanError, ValueError)
