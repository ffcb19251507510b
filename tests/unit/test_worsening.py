"""Worse and getting worse: the chi-squared test for linear trend against hand-worked
numbers and a second computation, and the reading's words for each case."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from nlf_planner import worsening as W
from nlf_planner.models import Measure


def _measure(unit="percent", polarity="higher_is_better", frequency="monthly") -> Measure:
    return Measure(
        code="MX", name="Test measure", area_code="P1", unit=unit, polarity=polarity,
        frequency=frequency, baseline=50, source="test",
    )  # fmt: skip


# --------------------------------------------------------------------------- the trend test


def test_trend_statistic_worked_by_hand() -> None:
    """Five periods of 1,000 people, 600, 580, 550, 520 and 500 with the outcome, scored
    t = 1…5. By hand: N = 5,000, p̄ = 2,750 / 5,000 = 0.55; Σt·r = 600 + 1,160 + 1,650 +
    2,080 + 2,500 = 7,990 and p̄·Σn·t = 0.55 × 15,000 = 8,250, so T = −260; Σn·t² = 55,000
    and (Σn·t)² / N = 15,000² / 5,000 = 45,000, so V = 0.55 × 0.45 × 10,000 = 2,475;
    χ² = 260² / 2,475 = 27.313; p = erfc(√(27.313 / 2)) = 1.73 × 10⁻⁷ (falling)."""
    t = W.trend_test([600, 580, 550, 520, 500], [1000] * 5)
    assert t is not None
    assert t.chi2 == pytest.approx(67600 / 2475)
    assert t.chi2 == pytest.approx(27.3131, abs=1e-4)
    assert t.p_value == pytest.approx(1.73e-7, rel=0.01)
    assert t.direction == -1 and t.significant and t.periods == 5


def test_the_same_fall_on_a_tenth_of_the_people_is_not_significant() -> None:
    """100 people a period, 60 … 50: T = 799 − 825 = −26, V = 0.2475 × (5,500 − 4,500) =
    247.5, χ² = 676 / 247.5 = 2.7313, p = 0.0984 > 0.05."""
    t = W.trend_test([60, 58, 55, 52, 50], [100] * 5)
    assert t is not None
    assert t.chi2 == pytest.approx(676 / 247.5)
    assert t.p_value == pytest.approx(0.0984, abs=5e-4)
    assert not t.significant and t.direction == -1


def test_chi_squared_is_n_times_the_squared_correlation_of_score_and_outcome() -> None:
    """A second computation: expand each period into its people (1 = the outcome) and take
    Pearson's correlation with the period score; χ²_trend = N·ρ² (Armitage's form)."""
    rng = np.random.default_rng(17)
    den = rng.integers(80, 400, size=(6, 5))
    num = rng.binomial(den, np.linspace(0.3, 0.45, 5))
    chi2, p, direction = W.trend_tests(num, den)
    for row in range(6):
        scores = np.repeat(np.arange(1, 6), den[row])
        outcome = np.concatenate(
            [[1] * r + [0] * (n - r) for r, n in zip(num[row], den[row], strict=True)]
        )
        rho = np.corrcoef(scores, outcome)[0, 1]
        assert chi2[row] == pytest.approx(den[row].sum() * rho**2)
        assert p[row] == pytest.approx(math.erfc(math.sqrt(chi2[row] / 2)))
        assert direction[row] == np.sign(rho)


def test_p_values_match_scipy_where_it_is_installed() -> None:
    stats = pytest.importorskip("scipy.stats")
    chi2, p, _ = W.trend_tests([[600, 580, 550, 520, 500], [60, 58, 55, 52, 50]], [[1000] * 5] * 2)
    assert p == pytest.approx(stats.chi2.sf(chi2, 1))


def test_series_that_cannot_be_tested() -> None:
    chi2, p, direction = W.trend_tests(
        [[0, 0, 0, 0, 0], [5, 5, np.nan, 5, 5], [5, 5, 5, 5, 5], [12, 5, 5, 5, 5]],
        [[100] * 5, [100] * 5, [100, 100, 0, 100, 100], [10] * 5],
    )
    assert np.isnan(chi2).all() and np.isnan(p).all() and (direction == 0).all()
    assert W.trend_test([100, 100, 100, 100, 100], [100] * 5) is None  # all 100%
    assert W.trend_test([1], [10]) is None
    flat = W.trend_test([50, 50, 50, 50, 50], [100] * 5)
    assert flat is not None and flat.chi2 == 0 and flat.direction == 0 and not flat.significant


# --------------------------------------------------------------------------- the reading


FALLING = W.trend_test([600, 580, 550, 520, 500], [1000] * 5)
RISING = W.trend_test([500, 520, 550, 580, 600], [1000] * 5)
NOISE = W.trend_test([60, 58, 55, 52, 50], [100] * 5)


def test_worse_with_a_shift_of_concern_is_a_red_red() -> None:
    r = W.read(
        _measure(),
        comparison="worse",
        value=61.23,
        england=64.0,
        variation_icon="concern_low",
        signal_rule="shift",
        signal_since=date(2025, 3, 1),
        trend=NOISE,
    )
    assert r.is_red_red and r.worse and r.getting_worse and r.spc_concern
    assert r.trend_worse is False
    assert r.signals == "a shift of concern since Mar 2025"
    assert r.why == (
        "significantly worse than England (61.2% vs 64.0%) and getting worse: a shift of "
        "concern since Mar 2025"
    )


def test_worse_with_a_significant_worsening_trend_is_a_red_red() -> None:
    r = W.read(
        _measure(frequency="quarterly"),
        comparison="worse",
        value=50.0,
        england=58.0,
        variation_icon="common_cause",
        trend=FALLING,
    )
    assert r.is_red_red and not r.spc_concern and r.trend_worse
    assert r.why == (
        "significantly worse than England (50.0% vs 58.0%) and getting worse: a significant "
        "worsening trend over the last 5 quarters"
    )


def test_both_signals_are_named_and_polarity_decides_the_worse_way() -> None:
    lower = _measure(polarity="lower_is_better")
    r = W.read(
        lower,
        comparison="worse",
        value=60.0,
        england=52.0,
        variation_icon="concern_high",
        signal_rule="beyond_limit",
        signal_since=date(2026, 9, 1),
        trend=RISING,
    )
    assert r.is_red_red
    assert r.why.endswith(
        "getting worse: a point beyond the worse process limit in Sep 2026 and "
        "a significant worsening trend over the last 5 months"
    )
    # A rising proportion is an improvement where higher is better: not getting worse.
    up = W.read(_measure(), comparison="worse", value=60.0, england=62.0,
                variation_icon="improvement_high", trend=RISING)  # fmt: skip
    assert up.worse and not up.getting_worse and not up.is_red_red and up.signals == ""
    assert up.why == (
        "significantly worse than England (60.0% vs 62.0%) but not getting worse: no "
        "special-cause concern in the latest point and no significant worsening trend over "
        "the last 5 months"
    )


def test_getting_worse_without_being_worse_is_not_a_red_red() -> None:
    r = W.read(_measure(), comparison="similar", value=63.5, england=64.0,
               variation_icon="concern_low", signal_rule="trend",
               signal_since=date(2026, 4, 1), trend=NOISE)  # fmt: skip
    assert r.getting_worse and not r.worse and not r.is_red_red
    assert r.why == (
        "not significantly different from England (63.5% vs 64.0%) but getting worse: an SPC "
        "trend of concern since Apr 2026"
    )


def test_a_score_is_read_on_its_spc_signal_alone_and_says_so() -> None:
    score = _measure(unit="score_0_10")
    r = W.read(score, comparison="worse", value=6.1, england=6.5,
               variation_icon="common_cause", trend=FALLING)  # fmt: skip
    assert not r.getting_worse and r.trend_worse is None
    assert "a score has no numerators and denominators for a trend test" in r.why
    assert r.why.startswith("significantly worse than England (6.10 vs 6.50) but not getting")
    spc = W.read(score, comparison="worse", value=6.1, england=6.5,
                 variation_icon="concern_low", signal_rule="two_of_three",
                 signal_since=date(2026, 1, 1))  # fmt: skip
    assert spc.is_red_red
    assert spc.why.endswith("two of three points near the worse process limit since Jan 2026")


def test_neutral_measures_never_qualify() -> None:
    r = W.read(_measure(polarity="neutral"), comparison="lower", value=40.0, england=45.0,
               variation_icon="neutral_low", signal_rule="shift",
               signal_since=date(2025, 1, 1), trend=FALLING)  # fmt: skip
    assert not r.worse and not r.getting_worse and not r.is_red_red
    assert "no better or worse direction" in r.why


def test_a_short_series_and_a_missing_comparison_are_said_plainly() -> None:
    r = W.read(_measure(), comparison="not compared", value=40.0, england=None,
               variation_icon="common_cause", trend=None)  # fmt: skip
    assert not r.is_red_red
    assert r.why == (
        "not compared with England (no interval for the latest value) and not getting worse: "
        "no special-cause concern in the latest point, and fewer than 5 months with numerators "
        "and denominators for a trend test"
    )
