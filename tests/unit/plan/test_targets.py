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
