"""The illustrative history generator is deterministic and plausible, with no database."""

from __future__ import annotations

from datetime import date

import pandas as pd

from nlf_planner.generate import PROFILES, generate_measurements
from nlf_planner.periods import fits_frequency
from nlf_planner.store.reference import load_content_records

CONTENT = load_content_records()
MEASURES = CONTENT["measures"]
ICBS = CONTENT["icbs"]


def _frame(seed: int = 7, end: date = date(2026, 10, 1)) -> pd.DataFrame:
    return generate_measurements(
        MEASURES, [i.code for i in ICBS], [i.region_code for i in ICBS], end, seed
    )


def test_same_seed_and_end_month_give_identical_tables() -> None:
    pd.testing.assert_frame_equal(_frame(), _frame())


def test_a_different_seed_gives_different_history() -> None:
    assert not _frame(seed=1)["value"].equals(_frame(seed=2)["value"])


def test_every_measure_and_icb_has_history_at_its_frequency() -> None:
    frame = _frame()
    ms = {m.code: m for m in MEASURES}
    assert set(frame["measure_code"]) == set(ms) == set(PROFILES)
    assert frame.groupby("measure_code")["geo_code"].nunique().eq(42).all()
    for code, group in frame.groupby("measure_code"):
        periods = group["period"].unique()
        assert all(fits_frequency(p, ms[code].frequency) for p in periods)
        assert min(periods) == date(2016, 4, 1)
    monthly = frame[frame["measure_code"] == "M08"]["period"].nunique()
    assert monthly == 127  # April 2016 to October 2026


def test_values_respect_units_and_numerators() -> None:
    frame = _frame()
    ms = {m.code: m for m in MEASURES}
    pct = frame[frame["measure_code"].map(lambda c: ms[c].unit == "percent")]
    assert pct["value"].between(0, 100).all()
    assert (pct["numerator"] <= pct["denominator"]).all()
    scores = frame[frame["measure_code"].map(lambda c: ms[c].unit == "score_0_10")]
    assert scores["value"].between(0, 10).all()
    assert (scores["ci_low"] < scores["ci_high"]).all()


def test_every_row_is_marked_illustrative() -> None:
    assert _frame(end=date(2017, 3, 1))["illustrative"].all()
