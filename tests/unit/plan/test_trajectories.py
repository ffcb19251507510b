"""Trajectories: the plan line (linear and stepwise), progress against it, baselines."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlf_planner import plan as P
from tests.unit.plan.common import LONDON, MEASURES


def test_linear_trajectory_hits_knots_and_interpolates():
    tg = {1: 20.0, 3: 40.0, 5: 60.0}
    assert P.trajectory_value(10, tg, 2016, date(2016, 4, 1)) == 10
    assert P.trajectory_value(10, tg, 2016, date(2017, 3, 31)) == pytest.approx(20)
    assert P.trajectory_value(10, tg, 2016, date(2021, 3, 31)) == pytest.approx(60)
    # Half way (in days) between the year-1 and year-3 knots.
    mid = date(2018, 3, 31)
    expected = (
        20 + 20 * (mid - date(2017, 3, 31)).days / (date(2019, 3, 31) - date(2017, 3, 31)).days
    )
    assert P.trajectory_value(10, tg, 2016, mid) == pytest.approx(expected)
    assert P.trajectory_value(10, tg, 2016, date(2016, 3, 1)) is None
    assert P.trajectory_value(10, tg, 2016, date(2030, 1, 1)) == 60


def test_stepwise_trajectory_holds_then_jumps():
    tg = {1: 20.0, 3: 40.0, 5: 60.0}
    f = lambda d: P.trajectory_value(10, tg, 2016, d, "stepwise")  # noqa: E731
    assert f(date(2017, 3, 30)) == 10
    assert f(date(2017, 3, 31)) == 20
    assert f(date(2019, 1, 1)) == 20
    assert f(date(2019, 4, 1)) == 40
    assert f(date(2025, 1, 1)) == 60


@given(
    b=st.floats(0, 100),
    t1=st.floats(0, 100),
    t3=st.floats(0, 100),
    t5=st.floats(0, 100),
    days=st.integers(0, 5 * 366),
)
def test_linear_trajectory_stays_between_neighbouring_knots(b, t1, t3, t5, days):
    d = date(2020, 4, 1) + pd.Timedelta(days=days).to_pytimedelta()
    v = P.trajectory_value(b, {1: t1, 3: t3, 5: t5}, 2020, d)
    knots = [b, t1, t3, t5]
    assert min(knots) - 1e-9 <= v <= max(knots) + 1e-9


def test_trajectory_with_missing_horizon_skips_it():
    v = P.trajectory_value(0, {5: 50.0}, 2016, date(2018, 10, 1))
    total = (date(2021, 3, 31) - date(2016, 4, 1)).days
    assert v == pytest.approx(50 * (date(2018, 10, 1) - date(2016, 4, 1)).days / total)


def test_plan_line_uses_regional_override_then_england():
    plan = P.Plan(
        base_year=2016,
        targets=[
            P.PlanTarget(measure_code="M05", horizon=h, target=v)
            for h, v in ((1, 10), (3, 14), (5, 18))
        ]
        + [P.PlanTarget(measure_code="M05", geo_code=LONDON, horizon=5, target=30)],
    )
    assert plan.targets_for("M05", LONDON) == {1: 10, 3: 14, 5: 30}
    icb = "E54000027"
    assert plan.targets_for("M05", icb, fallbacks=[LONDON])[5] == 30
    df = P.plan_line(plan, "M05", 8, [date(2016, 4, 1), date(2021, 3, 31)], LONDON)
    assert df["plan"].tolist() == pytest.approx([8, 30])


def test_progress_against_plan_is_polarity_aware():
    tg = {1: 6.0, 3: 5.0, 5: 4.0}
    when = date(2017, 3, 31)
    ahead = P.progress_against_plan(5.5, when, 8, tg, 2016, "lower_is_better")
    behind = P.progress_against_plan(7.0, when, 8, tg, 2016, "lower_is_better")
    assert ahead.status == "ahead" and ahead.gap == pytest.approx(0.5)
    assert behind.status == "behind" and behind.share_of_planned_change == pytest.approx(0.5)
    assert (
        P.progress_against_plan(6.05, when, 8, tg, 2016, "lower_is_better", tolerance=0.1).status
        == "on_plan"
    )
    assert P.progress_against_plan(5, date(2015, 1, 1), 8, tg, 2016, "lower_is_better").status == (
        "no_plan"
    )


def test_baseline_prefers_history_at_base_period():
    m = MEASURES["M08"]
    hist = pd.DataFrame(
        {
            "measure_code": ["M08"] * 3,
            "period": [date(2026, 2, 1), date(2026, 4, 1), date(2026, 5, 1)],
            "value": [9.0, 7.7, 7.1],
        }
    )
    assert P.baseline_from_history(hist, m, 2026) == 7.7
    assert P.baseline_from_history(hist, m, 2025) == 9.0  # first value inside 2025/26
    assert P.baseline_from_history(hist, m, 2024) == m.baseline  # no history near 2024/25
    assert P.baseline_from_history(hist.iloc[2:], m, 2026) == 7.1  # first inside the year
    assert P.baseline_from_history(pd.DataFrame(), m, 2026) == m.baseline


def test_plan_line_for_series_starts_from_that_series_and_reaches_the_targets():
    plan = P.Plan(
        base_year=2020,
        targets=[
            P.PlanTarget(measure_code="M05", horizon=h, target=v)
            for h, v in ((1, 12), (3, 16), (5, 20))
        ]
        + [P.PlanTarget(measure_code="M05", geo_code=LONDON, horizon=5, target=30)],
    )
    series = pd.DataFrame(
        {
            "period": [date(2019, 4, 1), date(2020, 4, 1), date(2021, 4, 1)],
            "value": [9.0, 10.0, 11.5],
        }
    )
    df = P.plan_line_for_series(plan, MEASURES["M05"], series, LONDON)
    assert df["period"].tolist() == [
        date(2020, 4, 1), date(2021, 3, 31), date(2021, 4, 1), date(2023, 3, 31),
        date(2025, 3, 31),
    ]  # fmt: skip
    assert df["plan"].iloc[0] == 10.0 and df["baseline"].iloc[0] == 10.0  # London's own start
    assert df["plan"].iloc[-1] == 30.0  # London's override
    assert df.set_index("period").loc[date(2023, 3, 31), "plan"] == 16.0  # England's year 3
    short = P.plan_line_for_series(plan, MEASURES["M05"], series, extend_to_horizons=False)
    assert short["period"].tolist() == [date(2020, 4, 1), date(2021, 4, 1)]


def test_plan_line_never_heads_the_wrong_way_from_an_area_past_englands_target():
    # M05 is higher-is-better; London starts at 14, above England's year-1 target of 12,
    # so its line holds at 14 until England's year-3 target (16) asks for more.
    plan = P.Plan(
        base_year=2020,
        targets=[
            P.PlanTarget(measure_code="M05", horizon=h, target=v)
            for h, v in ((1, 12), (3, 16), (5, 20))
        ],
    )
    series = pd.DataFrame({"period": [date(2020, 4, 1)], "value": [14.0]})
    df = P.plan_line_for_series(plan, MEASURES["M05"], series, LONDON).set_index("period")
    assert df.loc[date(2021, 3, 31), "plan"] == 14.0
    assert df.loc[date(2023, 3, 31), "plan"] == 16.0
    assert (df["plan"] >= 14.0).all()
    # M08 is lower-is-better: an area at 4% never gets a line rising to England's 7%.
    m08 = P.Plan(
        base_year=2020,
        targets=[P.PlanTarget(measure_code="M08", horizon=h, target=7.0) for h in P.HORIZONS],
    )
    low = P.plan_line_for_series(
        m08, MEASURES["M08"], pd.DataFrame({"period": [date(2020, 4, 1)], "value": [4.0]}), LONDON
    )
    assert (low["plan"] == 4.0).all()
