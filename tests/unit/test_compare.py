"""Comparison statistics: Wilson intervals against published and scipy values and the
better/similar/worse reading (the funnel's tests are in test_compare_funnel.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest, norm

from nlf_planner.compare import (
    Comparison,
    benchmark_table,
    classify,
    wilson_interval,
    z_value,
)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score)
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe(k, n, low, high):
    lo, hi = wilson_interval(k, n, 0.95)
    assert float(lo) == pytest.approx(low, abs=5e-5)
    assert float(hi) == pytest.approx(high, abs=5e-5)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from([0.95, 0.998]),
)
def test_wilson_matches_scipy(kn, level):
    k, n = kn
    ci = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    lo, hi = wilson_interval(k, n, level)
    assert float(lo) == pytest.approx(ci.low, abs=1e-9)
    assert float(hi) == pytest.approx(ci.high, abs=1e-9)


def test_z_values_match_scipy():
    assert z_value(0.95) == pytest.approx(norm.ppf(0.975))
    assert z_value(0.998) == pytest.approx(norm.ppf(0.999))
    with pytest.raises(ValueError):
        z_value(1.5)


def test_wilson_vectorised_and_invalid_denominators():
    lo, hi = wilson_interval([5, 3, 2], [10, 0, 1])
    assert not np.isnan(lo[0]) and np.isnan(lo[1]) and np.isnan(hi[2])


@pytest.mark.parametrize(
    ("low", "high", "polarity", "expected"),
    [
        (55, 60, "higher_is_better", Comparison.BETTER),
        (40, 45, "higher_is_better", Comparison.WORSE),
        (45, 55, "higher_is_better", Comparison.SIMILAR),
        (55, 60, "lower_is_better", Comparison.WORSE),
        (40, 45, "lower_is_better", Comparison.BETTER),
        (55, 60, "neutral", Comparison.HIGHER),
        (40, 45, "neutral", Comparison.LOWER),
        (45, 55, "neutral", Comparison.SIMILAR),
        (50, 55, "higher_is_better", Comparison.SIMILAR),  # touching England counts as overlap
        (np.nan, np.nan, "higher_is_better", Comparison.NOT_COMPARED),
    ],
)
def test_classify(low, high, polarity, expected):
    assert classify(low, high, 50.0, polarity)[0] == expected


def test_classify_without_benchmark_is_not_compared():
    assert classify([1], [2], float("nan"), "neutral")[0] == Comparison.NOT_COMPARED


def test_benchmark_table_for_proportions():
    data = pd.DataFrame(
        {
            "geo_code": ["A", "B", "C", "D"],
            "numerator": [600, 400, 510, 10],
            "denominator": [1000, 1000, 1000, 20],
            "value": [60.0, 40.0, 51.0, 50.0],
        }
    )
    out = benchmark_table(data, england=50.0, polarity="higher_is_better", is_proportion=True)
    by = out.set_index("geo_code")
    assert list(out.geo_code) == ["A", "C", "D", "B"]  # sorted by value
    assert by.loc["A", "comparison"] == Comparison.BETTER
    assert by.loc["B", "comparison"] == Comparison.WORSE
    assert by.loc["C", "comparison"] == Comparison.SIMILAR
    assert by.loc["D", "comparison"] == Comparison.NOT_COMPARED  # denominator too small
    lo, hi = wilson_interval(600, 1000, 0.998)
    assert by.loc["A", "ci998_low"] == pytest.approx(float(lo) * 100)
    assert by.loc["A", "ci95_low"] > by.loc["A", "ci998_low"]
    strict = benchmark_table(
        data, england=50.0, polarity="higher_is_better", is_proportion=True, level=0.998
    )
    assert set(strict.comparison) <= set(Comparison)


def test_benchmark_table_for_scores_uses_published_intervals_or_does_not_compare():
    data = pd.DataFrame(
        {
            "geo_code": ["A", "B"],
            "value": [7.4, 7.0],
            "ci_low": [7.3, np.nan],
            "ci_high": [7.5, np.nan],
        }
    )
    out = benchmark_table(data, england=7.2, polarity="higher_is_better", is_proportion=False)
    by = out.set_index("geo_code")
    assert by.loc["A", "comparison"] == Comparison.BETTER
    assert by.loc["B", "comparison"] == Comparison.NOT_COMPARED
    bare = benchmark_table(
        data[["geo_code", "value"]], england=7.2, polarity="neutral", is_proportion=False
    )
    assert set(bare.comparison) == {Comparison.NOT_COMPARED}
