"""Targets for a geography: the one fallback rule the Scenarios page, deck and Regions use."""

from __future__ import annotations

from nlf_planner import plan as P
from tests.unit.plan.common import LONDON

ICB = "E54000027"


def _plan() -> P.Plan:
    return P.Plan(
        base_year=2026,
        targets=[
            P.PlanTarget(measure_code=code, horizon=h, target=v + h)
            for code, v in (("M05", 10.0), ("M08", 5.0))
            for h in P.HORIZONS
        ]
        + [P.PlanTarget(measure_code="M05", geo_code=LONDON, horizon=5, target=30)],
    )


def test_rows_for_the_geography_asked_for_with_region_then_england_fallback():
    frame = P.targets_for_geography(_plan(), ICB, fallbacks=[LONDON])
    assert list(frame.columns) == P.TARGET_FRAME_COLUMNS
    assert set(frame["geo_code"]) == {ICB}
    got = {(r.measure_code, r.horizon): r.target for r in frame.itertuples()}
    assert got == {
        ("M05", 1): 11.0,
        ("M05", 3): 13.0,
        ("M05", 5): 30.0,  # London's override
        ("M08", 1): 6.0,
        ("M08", 3): 8.0,
        ("M08", 5): 10.0,
    }


def test_only_the_measures_asked_for_and_nothing_without_a_plan():
    frame = P.targets_for_geography(_plan(), P.ENGLAND_CODE, ["M08", "M99"])
    assert frame["measure_code"].tolist() == ["M08"] * 3
    assert frame["horizon"].tolist() == [1, 3, 5]
    empty = P.targets_for_geography(None, P.ENGLAND_CODE)
    assert empty.empty and list(empty.columns) == P.TARGET_FRAME_COLUMNS


# --------------------------------------------------------------------------- direction


def test_an_area_already_past_englands_target_holds_its_own_level():
    # M05 (higher is better): England asks for 11, 13, 15; the ICB starts at 12.5.
    got = P.geography_targets(
        _plan(), "M05", ICB, [LONDON], baseline=12.5, polarity="higher_is_better"
    )
    assert got == {1: 12.5, 3: 13.0, 5: 30.0}  # year 1 held; year 5 is London's override
    # M08 read as lower is better: England asks for 6, 8, 10 from a start of 7.
    low = P.geography_targets(_plan(), "M08", ICB, baseline=7.0, polarity="lower_is_better")
    assert low == {1: 6.0, 3: 7.0, 5: 7.0}


def test_the_held_targets_say_where_they_came_from():
    applied = P.applied_targets(
        _plan(), "M05", ICB, [LONDON], baseline=12.5, polarity="higher_is_better"
    )
    assert [(a.source, a.held, a.plan_target, a.target) for a in applied.values()] == [
        (P.ENGLAND_CODE, True, 11.0, 12.5),
        (P.ENGLAND_CODE, False, 13.0, 13.0),
        (LONDON, False, 30.0, 30.0),
    ]


def test_a_target_set_for_the_area_itself_is_used_as_written():
    # London's own year-5 target (30) stands even where London starts above it.
    own = P.geography_targets(_plan(), "M05", LONDON, baseline=40.0, polarity="higher_is_better")
    assert own[5] == 30.0 and own[1] == 40.0
    # England's own targets are England's: never held.
    eng = P.geography_targets(
        _plan(), "M05", P.ENGLAND_CODE, baseline=50.0, polarity="higher_is_better"
    )
    assert eng == {1: 11.0, 3: 13.0, 5: 15.0}


def test_no_floor_without_a_direction_or_a_baseline():
    plan = _plan()
    neutral = P.geography_targets(plan, "M05", ICB, baseline=99.0, polarity="neutral")
    unknown = P.geography_targets(
        plan, "M05", ICB, baseline=float("nan"), polarity="higher_is_better"
    )
    raw = plan.targets_for("M05", ICB)
    assert neutral == unknown == raw


def test_the_frame_holds_targets_when_baselines_are_given():
    frame = P.targets_for_geography(
        _plan(),
        ICB,
        fallbacks=[LONDON],
        baselines={"M05": 12.5, "M08": 7.0},
        polarities={"M05": "higher_is_better", "M08": "lower_is_better"},
    )
    got = {(r.measure_code, r.horizon): r.target for r in frame.itertuples()}
    assert got[("M05", 1)] == 12.5 and got[("M08", 3)] == 7.0 and got[("M08", 1)] == 6.0
