"""Why each SPC point is special cause, and since when (issue 17, hover text and CSV).

Series are built so the limits are known by hand: ``[9, 11] * 6`` with the limits fixed on
those 12 points has mean 10, mean moving range 2, so the process limits are 10 ± 5.32
(4.68 and 15.32) and the two-of-three band starts 3.55 from the mean (6.45 and 13.55).
Months start in January 2024, so point 12 is January 2025.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from nlf_planner.spc import FixedBaseline, Rule, RuleFlag, SPCOptions, spc
from nlf_planner.spc_points import (
    COMMON_CAUSE,
    POINT_FLAG_COLUMNS,
    point_flags,
    run_starts,
    why,
)

BASE = [9.0, 11.0] * 6
FIXED = SPCOptions(run_length=7, fix_after_n=12)


def months(n: int, start: date = date(2024, 1, 1)) -> list[date]:
    return [d.date() for d in pd.date_range(start, periods=n, freq="MS")]


def test_the_limits_the_cases_rely_on() -> None:
    res = spc(months(12), BASE, options=FIXED)
    assert res.mean[0] == pytest.approx(10.0)
    assert res.upl[0] == pytest.approx(15.32)
    assert res.near_upl[0] == pytest.approx(10 + 2 * 2.66 * 2 / 3)


def test_a_shift_of_eight_below_the_mean_names_its_first_month_and_place() -> None:
    res = spc(months(20), BASE + [8.5] * 8, polarity="higher_is_better", options=FIXED)
    text = why(res)
    assert text[:12] == [COMMON_CAUSE] * 12
    # The run starts at point 12 (January 2025): the last point of BASE (11) is above 10.
    assert text[12] == (
        "Special cause of concern: a shift (7 or more points below the mean) since Jan 2025, "
        "point 1 of the run"
    )
    assert text[19] == (
        "Special cause of concern: a shift (7 or more points below the mean) since Jan 2025, "
        "point 8 of the run"
    )
    assert run_starts(res).start[RuleFlag.SHIFT].tolist() == [-1] * 12 + [12] * 8


def test_a_shift_that_ends_beyond_a_limit_says_both() -> None:
    # 3.0 is below the lower limit 4.68: the limit decides the colour, the shift is "also".
    res = spc(months(20), BASE + [8.5] * 7 + [3.0], polarity="higher_is_better", options=FIXED)
    assert res.rule[-1] == Rule.BEYOND_LIMIT
    assert why(res)[-1] == (
        "Special cause of concern: below the lower limit; also a shift (7 or more points "
        "below the mean) since Jan 2025"
    )


def test_a_trend_starts_at_its_first_rising_point() -> None:
    # 11 → 9.5 falls; 9.5 … 12.5 rises six steps, seven points from January 2025. Ten sits
    # on the mean, so the five points above it are no shift; none is near a limit.
    values = BASE + [9.5, 10.0, 10.5, 11.0, 11.5, 12.0, 12.5]
    res = spc(months(19), values, polarity="lower_is_better", options=FIXED)
    text = why(res)
    assert text[11] == COMMON_CAUSE
    assert text[12] == (
        "Special cause of concern: a trend (7 or more points in a row rising) since Jan 2025, "
        "point 1 of the run"
    )
    assert text[18].endswith("since Jan 2025, point 7 of the run")
    assert "also" not in text[18]


def test_a_turning_point_belongs_to_the_trend_that_starts_there() -> None:
    # Seven rising (points 0-6), then seven falling from the peak at point 6.
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    res = spc(months(13), values, options=SPCOptions(run_length=7))
    runs = run_starts(res)
    assert runs.start[RuleFlag.TREND].tolist() == [0] * 6 + [6] * 7
    # The same direction as the engine gives each trend point (its triangle).
    trend = res.rule == Rule.TREND
    assert np.array_equal(runs.direction[RuleFlag.TREND][trend], res.direction[trend])
    # Mean 49/13, moving ranges all 1: limits 1.11 and 6.43, so the peak (7) is beyond one.
    assert "also a trend (7 or more points in a row falling) since Jul 2024" in why(res)[6]
    assert why(res)[10].endswith("falling) since Jul 2024, point 5 of the run")


def test_two_of_three_starts_at_the_window_s_first_close_point() -> None:
    # 14 and 14.2 are close to the upper limit (above 13.55, below 15.32); 10.8 between
    # them is above the mean, so points 13-15 form the window; 10.5 before it is not close.
    values = BASE + [10.5, 14.0, 10.8, 14.2]
    res = spc(months(16), values, polarity="higher_is_better", options=FIXED)
    assert (res.flags[13] & RuleFlag.TWO_OF_THREE) and (res.flags[15] & RuleFlag.TWO_OF_THREE)
    assert not res.flags[14] & RuleFlag.TWO_OF_THREE
    assert why(res)[15] == (
        "Special cause of improvement: two of three points close to the upper limit since Feb 2025"
    )
    assert why(res)[13].endswith("since Feb 2025")


def test_beyond_a_limit_is_the_point_itself() -> None:
    res = spc(months(14), BASE + [16.0, 10.0], polarity="lower_is_better", options=FIXED)
    text = why(res)
    assert text[12] == "Special cause of concern: above the upper limit"
    assert text[13] == COMMON_CAUSE
    assert run_starts(res).start[RuleFlag.BEYOND_LIMIT][12] == 12


def test_neutral_measures_say_neither_improvement_nor_concern() -> None:
    res = spc(months(14), BASE + [16.0, 10.0], polarity="neutral", options=FIXED)
    assert why(res)[12] == (
        "Special cause (neither improvement nor concern): above the upper limit"
    )


def test_a_run_never_crosses_a_rebase() -> None:
    # Segment one: BASE then seven at 8.5, a shift below its fixed mean of 10 from Jan 2025.
    # Segment two starts at the rebase (Aug 2025): eight at 5 then [14, 8] * 6, mean 8.6,
    # mean moving range 75/19, lower limit -1.9; its eight fives are below that mean, a
    # shift that starts at the rebase, not in January.
    periods = months(39)
    values = BASE + [8.5] * 7 + [5.0] * 8 + [14.0, 8.0] * 6
    rebase = periods[19]
    res = spc(
        periods,
        values,
        polarity="higher_is_better",
        options=SPCOptions(run_length=7),
        rebases=[rebase],
        baselines=[FixedBaseline(points=12)],
    )
    assert res.mean[19] == pytest.approx((40 + 132) / 20)
    assert res.lpl[19] == pytest.approx(8.6 - 2.66 * 75 / 19)
    starts = run_starts(res).start[RuleFlag.SHIFT]
    assert starts[12:19].tolist() == [12] * 7
    assert starts[19:27].tolist() == [19] * 8
    assert why(res)[26] == (
        "Special cause of concern: a shift (7 or more points below the mean) since Aug 2025, "
        "point 8 of the run"
    )


def test_labels_name_the_periods_as_the_chart_does() -> None:
    quarters = [d.date() for d in pd.date_range("2022-04-01", periods=20, freq="QS-APR")]
    labels = [f"Q{i}" for i in range(20)]
    res = spc(quarters, BASE + [8.5] * 8, polarity="higher_is_better", options=FIXED)
    assert why(res, labels)[19].endswith("since Q12, point 8 of the run")
    with pytest.raises(ValueError):
        why(res, labels[:5])


def test_point_flags_carry_the_four_rules_the_start_and_the_sentence() -> None:
    res = spc(months(20), BASE + [8.5] * 7 + [3.0], polarity="higher_is_better", options=FIXED)
    flags = point_flags(res)
    assert list(flags.columns) == POINT_FLAG_COLUMNS
    frame = res.to_frame()
    for column in ("beyond_limit", "trend", "two_of_three", "shift"):
        assert flags[column].tolist() == frame[column].tolist()
    assert flags.beyond_limit.tolist() == [False] * 19 + [True]
    assert flags["shift"].tolist() == [False] * 12 + [True] * 8
    assert flags.special_cause_since[:12].isna().all()
    assert (flags.special_cause_since[12:19] == pd.Timestamp("2025-01-01")).all()
    # Beyond a limit decides the last point: its run is the point itself.
    assert flags.special_cause_since.iloc[-1] == pd.Timestamp("2025-08-01")
    assert flags.why.tolist() == why(res)
    # The one line that joins it to the chart's CSV keeps one row per point.
    joined = frame.merge(flags[["period", "special_cause_since", "why"]], on="period")
    assert len(joined) == res.n


def test_empty_results_give_no_rows() -> None:
    res = spc([], [])
    assert why(res) == []
    assert point_flags(res).empty
    assert list(point_flags(res).columns) == POINT_FLAG_COLUMNS
