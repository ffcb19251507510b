"""Plain-English SPC readings: what the chart says, since when, the target and the caveats."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from nlf_planner.models import Measure
from nlf_planner.periods import add_months
from nlf_planner.spc import FixedBaseline, SPCOptions, spc
from nlf_planner.spc_reading import (
    assurance_label,
    assurance_reason,
    headline,
    pattern_phrase,
    reading,
    short_reading,
)

OPTIONS = SPCOptions(run_length=7)
START = date(2023, 4, 1)


def _measure(polarity: str = "higher_is_better", unit: str = "percent") -> Measure:
    return Measure(
        code="MX",
        name="Test measure",
        area_code="P1",
        unit=unit,
        polarity=polarity,
        frequency="monthly",
        baseline=50,
    )


def _periods(n: int) -> list[date]:
    return [add_months(START, i) for i in range(n)]


def _noise(n: int, seed: int = 7) -> np.ndarray:
    return 50 + np.random.default_rng(seed).normal(0, 1, n).round(2)


def test_common_cause_reads_as_noise_not_news() -> None:
    values = np.array([50, 51, 49, 50.5, 49.5, 50.2, 49.8, 50.6, 49.4, 50.1, 49.9, 50.3] * 2)
    res = spc(_periods(24), values, polarity="higher_is_better", options=OPTIONS)
    r = reading(res, _measure(), "London")
    assert r.headline == "Common-cause variation"
    assert "common-cause" in r.text
    assert "London" in r.text
    assert pattern_phrase(res) is None


@pytest.mark.parametrize(
    ("polarity", "kind"),
    [("higher_is_better", "improvement"), ("lower_is_better", "concern")],
)
def test_a_shift_says_which_way_and_since_when(polarity: str, kind: str) -> None:
    base = _noise(20)
    values = np.concatenate([base, base[:9] + 0.0 + 2.2])  # 9 points above the mean
    periods = _periods(len(values))
    res = spc(periods, values, polarity=polarity, options=OPTIONS)
    assert res.signal is not None and res.signal.start is not None
    start_label = res.signal.start.strftime("%b %Y")
    r = reading(res, _measure(polarity))
    assert f"special-cause {kind}" in r.text
    assert f"since {start_label}" in r.headline
    n_points = sum(p >= res.signal.start for p in periods)
    assert f"({n_points} points)" in r.text


def test_a_point_beyond_the_limit_is_dated_in_not_since() -> None:
    values = np.concatenate([_noise(20), [70.0]])
    res = spc(_periods(21), values, polarity="lower_is_better", options=OPTIONS)
    text = headline(res, _measure("lower_is_better"))
    assert text.startswith("Special-cause concern (high)")
    assert "beyond the upper process limit in " + _periods(21)[-1].strftime("%b %Y") in text


def test_assurance_names_the_target_and_what_follows() -> None:
    values = _noise(24)
    fail = spc(_periods(24), values, polarity="higher_is_better", options=OPTIONS, target=80)
    r = reading(fail, _measure())
    assert "target of 80.0%" in r.text
    assert "consistently fail" in r.text
    assert "consistently fail" in short_reading(fail, _measure())
    ok = spc(_periods(24), values, polarity="higher_is_better", options=OPTIONS, target=20)
    assert "consistently pass" in reading(ok, _measure()).text
    hit = spc(_periods(24), values, polarity="higher_is_better", options=OPTIONS, target=50)
    assert "hit or miss" in reading(hit, _measure()).text


def test_short_series_warn_about_trial_limits_and_empty_series_say_so() -> None:
    res = spc(_periods(8), _noise(8), polarity="higher_is_better", options=OPTIONS)
    assert "trial limits" in reading(res, _measure()).text
    empty = spc([], [], polarity="higher_is_better", options=OPTIONS)
    r = reading(empty, _measure(), "England")
    assert r.headline == "No data yet"
    assert "no values yet" in r.text


def test_values_use_the_measure_unit() -> None:
    res = spc(_periods(15), _noise(15) / 10, polarity="higher_is_better", options=OPTIONS, target=9)
    text = reading(res, _measure(unit="score_0_10")).text
    assert "target of 9.00" in text
    assert "%" not in text


def test_a_shift_across_the_limits_reads_not_assessable_with_the_rebase_to_make() -> None:
    """The Humber M10 shape: a sustained shift up to a value that meets the target, with
    whole-history limits below the target. The reading must not say "will consistently
    fail"; it says why and where to rebase."""
    base = _noise(24)
    values = np.concatenate([base, base[:14] + 6.0])  # 14 points well above the old mean
    periods = _periods(len(values))
    res = spc(periods, values, polarity="higher_is_better", options=OPTIONS, target=55)
    assert res.latest("upl") < 55 <= res.latest_value
    since = periods[24].strftime("%b %Y")
    expected = f"Not assessable until the limits are rebased: a shift has run since {since}"
    assert assurance_reason(res, _measure()) == expected
    r = reading(res, _measure())
    assert "consistently fail" not in r.text and "consistently fail" not in short_reading(
        res, _measure()
    )
    assert f"The suggested rebase is {since}" in r.text
    assert "yet the latest value is" in r.text
    assert short_reading(res, _measure()).endswith("; n" + expected[1:])


def test_a_short_shift_and_a_trend_say_what_would_make_assurance_readable() -> None:
    base = _noise(24)
    short = np.concatenate([base, base[:8] + 6.0])
    res = spc(_periods(32), short, polarity="higher_is_better", options=OPTIONS, target=80)
    assert assurance_reason(res, _measure()).startswith("Not assessable yet: a shift has run")
    assert "Once the shift has run for 12 points" in reading(res, _measure()).text
    rising = np.concatenate([base[:12], [48.0, 48.5, 49.0, 49.5, 50.5, 51.0, 51.5, 52.0]])
    trend = spc(_periods(20), rising, polarity="higher_is_better", options=OPTIONS, target=80)
    assert trend.assurance_caveat is not None and trend.assurance_caveat.rule == "trend"
    assert assurance_reason(trend, _measure()).startswith(
        "Not assessable while the trend lasts: a rising trend"
    )
    assert "Rebase once the measure settles" in reading(trend, _measure()).text


def test_stable_limits_keep_their_assurance_label() -> None:
    res = spc(_periods(24), _noise(24), polarity="higher_is_better", options=OPTIONS, target=80)
    assert assurance_reason(res, _measure()) is None
    assert assurance_label(res, _measure()) == "Will consistently fail the target"


def _launch_chart(**kw):
    """8 points Apr–Nov 2016 (before the framework's launch), then 12 more."""
    periods = [add_months(date(2016, 4, 1), i) for i in range(20)]
    values = [10, 12] * 4 + [20, 22] * 6
    return spc(periods, values, polarity="higher_is_better", options=OPTIONS, **kw)


def test_fixed_limits_say_which_points_they_rest_on_and_that_they_precede_the_launch() -> None:
    plain = reading(_launch_chart(), _measure()).text
    assert "Limits fixed" not in plain and "p-chart" not in plain
    fixed = _launch_chart(baselines=[FixedBaseline(None, until=date(2016, 11, 1))])
    text = reading(fixed, _measure()).text
    assert (
        "Limits fixed on the 8 points Apr 2016 – Nov 2016, before the framework's launch; "
        "later points are judged against them."
    ) in text
    assert "trial limits" in text  # 8 baseline points: fewer than 12
    later = _launch_chart(baselines=[FixedBaseline(None, points=12)])
    text = reading(later, _measure()).text
    assert "Limits fixed on the 12 points Apr 2016 – Mar 2017; later points" in text
    assert "trial limits" not in text


def test_only_the_latest_segments_fix_is_read_out() -> None:
    res = _launch_chart(rebases=[date(2017, 2, 1)], baselines=[FixedBaseline(None, points=4)])
    assert "Limits fixed" not in reading(res, _measure()).text


def test_the_reading_names_a_p_chart_and_a_p_chart_that_fell_back_to_xmr() -> None:
    periods = _periods(12)
    den = [1000, 1200, 900, 1100, 1000, 950, 1050, 1000, 980, 1020, 1010, 990]
    values = [50 + (i % 3) for i in range(12)]
    pp = spc(periods, values, polarity="higher_is_better", options=OPTIONS,
             chart_type="pp", denominators=den, scale=100.0)  # fmt: skip
    assert "Limits from a Laney p′-chart." in reading(pp, _measure()).text
    p = spc(periods, values, polarity="higher_is_better", options=OPTIONS,
            chart_type="p", denominators=den, scale=100.0)  # fmt: skip
    assert "Limits from a p-chart." in reading(p, _measure()).text
    missing = spc(periods, values, polarity="higher_is_better", options=OPTIONS,
                  chart_type="p", denominators=[0.0] * 12, scale=100.0)  # fmt: skip
    text = reading(missing, _measure()).text
    assert "not every period has a denominator: the limits come from an XmR chart." in text


def _fixed_then_shift(fix_points: int, rise_at: int, n: int = 26):
    # Steady 51, 49, 51, 49 … (mean 50, ending below it), then a rise to about 56.
    steady = [51.0 if i % 2 == 0 else 49.0 for i in range(rise_at)]
    values = np.concatenate([steady, 56 + (np.arange(n - rise_at) % 3) * 0.5])
    return spc(
        _periods(n),
        values,
        polarity="higher_is_better",
        options=OPTIONS,
        target=54,
        baselines=[FixedBaseline(points=fix_points)],
    )


def test_a_shift_after_a_fixed_baseline_is_read_against_it_and_rebased_after_it() -> None:
    res = _fixed_then_shift(fix_points=12, rise_at=12)
    assert assurance_reason(res, _measure()) == (
        "Not assessable until the limits are rebased: a shift against the fixed baseline has "
        "run since Apr 2024"
    )
    text = reading(res, _measure()).text
    assert "describe the baseline's process, not the one running now" in text
    assert "The suggested rebase is Apr 2024, after the baseline" in text
    assert "fitted across the process before and after it" not in text


def test_a_shift_that_began_inside_the_fixed_baseline_asks_for_an_earlier_baseline() -> None:
    res = _fixed_then_shift(fix_points=12, rise_at=8)
    assert assurance_reason(res, _measure()) == (
        "Not assessable: a shift has run since Dec 2023, inside the fixed baseline; fix the "
        "limits on the points before it"
    )
    assert "fix the limits on the points before Dec 2023" in reading(res, _measure()).text
