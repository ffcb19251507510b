"""The chart-type rules and the suggestion from the data (nlf_planner.chart_choice), on
hand-worked series."""

from __future__ import annotations

import math

import pytest

from nlf_planner.chart_choice import (
    MAX_REASON,
    SeriesCounts,
    allowed_chart_types,
    chart_type_issues,
    clean_reason,
    has_counts,
    series_stats,
    suggest,
    summary,
)

UNITS = {"M10": "percent", "M09": "years"}

# n = 100, 400, 100, 400 and p̄ = 500/1000 = 0.5 in both: σ = 0.05 (n 100) and 0.025 (n 400).
# Over-dispersed: p = .5 .55 .4 .475 → z = 0 2 −2 −1, moving ranges 2 4 1, σz = (7/3)/1.128.
OVER = SeriesCounts("E92000001", [50, 220, 40, 190], [100, 400, 100, 400])
# Binomial: p = .5 .5125 .45 .5 → z = 0 0.5 −1 0, moving ranges 0.5 1.5 1, σz = 1/1.128.
BINOMIAL = SeriesCounts("E40000003", [50, 205, 45, 200], [100, 400, 100, 400])
# Steady: denominators 1000–1200 (largest 1.2 times the smallest; CV 95.74/1075 = 0.089).
STEADY = SeriesCounts("E54000027", [500, 560, 590, 510], [1000, 1100, 1200, 1000])


def test_p_charts_only_for_percentages_with_counts():
    assert allowed_chart_types("percent", True) == ("xmr", "p", "pp")
    assert allowed_chart_types("percent", False) == ("xmr",)
    assert allowed_chart_types("years", True) == ("xmr",)
    assert allowed_chart_types("score_0_10", True) == ("xmr",)


def test_has_counts_needs_a_numerator_and_a_positive_denominator_everywhere():
    assert has_counts([1, 2], [10, 20])
    assert not has_counts([1, None], [10, 20])
    assert not has_counts([1, 2], [10, 0])
    assert not has_counts([1, float("nan")], [10, 20])
    assert not has_counts([], [])


def test_a_valid_change_has_no_issues():
    assert (
        chart_type_issues(
            measure_code="M10", chart_type="pp", reason="Large n", units=UNITS, counts=True
        )
        == []
    )
    assert (
        chart_type_issues(
            measure_code="M09", chart_type="xmr", reason="Back", units=UNITS, counts=True
        )
        == []
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"measure_code": "M99"}, "measure_code", "Unknown measure"),
        ({"chart_type": "c"}, "chart_type", "Unknown chart type"),
        ({"measure_code": "M09"}, "chart_type", "not a percentage"),
        ({"counts": False}, "chart_type", "numerator and a denominator"),
        ({"reason": "   "}, "reason", "Give a reason"),
        ({"reason": None}, "reason", "Give a reason"),
        ({"reason": "x" * (MAX_REASON + 1)}, "reason", "keep it to 300"),
        ({"reason": "bad\x07bell"}, "reason", "Reason"),
    ],
)
def test_each_broken_rule_is_named(kwargs, field, words):
    args = {"measure_code": "M10", "chart_type": "p", "reason": "Varying n", "units": UNITS,
            "counts": True, **kwargs}  # fmt: skip
    issues = chart_type_issues(**args)
    assert [i.field for i in issues] == [field]
    assert words in summary(issues)


def test_every_issue_at_once():
    issues = chart_type_issues(
        measure_code="M99", chart_type="zz", reason="", units=UNITS, counts=True
    )
    assert [i.field for i in issues] == ["measure_code", "chart_type", "reason"]


def test_reason_is_stored_tidy():
    assert clean_reason("  Large   denominators \n") == "Large denominators"


def test_series_stats_hand_worked():
    over = series_stats(OVER)
    assert over.spread == 4.0
    assert over.cv == pytest.approx(math.sqrt(30000) / 250)  # SD of 100,400,100,400 = 173.2
    assert over.sigma_z == pytest.approx((7 / 3) / 1.128)
    assert over.beyond == 0 and over.points == 4
    assert over.chart_type == "pp"
    binomial = series_stats(BINOMIAL)
    assert binomial.sigma_z == pytest.approx(1 / 1.128)
    assert binomial.chart_type == "p"
    steady = series_stats(STEADY)
    assert steady.spread == pytest.approx(1.2)
    assert steady.cv == pytest.approx(math.sqrt(27500 / 3) / 1075)
    assert steady.chart_type == "xmr"


def test_a_coefficient_of_variation_over_0_2_alone_counts_as_varying():
    # 100, 150, 100, 150: largest/smallest = 1.5 (not over 1.5), but the sample SD is
    # √(4·25²/3) = 28.87 on a mean of 125, CV 0.231 > 0.2: varying; p = 0.5 throughout gives
    # z = 0 everywhere, σz = 0, so the p-chart.
    s = series_stats(SeriesCounts("x", [50, 75, 50, 75], [100, 150, 100, 150]))
    assert s.spread == 1.5
    assert s.cv == pytest.approx(math.sqrt(4 * 625 / 3) / 125)
    assert s.sigma_z == 0.0
    assert s.chart_type == "p"


def test_both_bounds_met_is_steady():
    # 100, 140 four times: spread 1.4, CV = 20·√(8/7)/120 = 0.178
    den = [100, 140] * 4
    s = series_stats(SeriesCounts("x", [d // 2 for d in den], den))
    assert s.spread == pytest.approx(1.4)
    assert s.cv == pytest.approx(20 * math.sqrt(8 / 7) / 120)
    assert s.chart_type == "xmr"


def test_series_without_any_counts_has_no_stats():
    assert series_stats(SeriesCounts("x", [None, None], [None, 10])) is None


def test_suggestion_follows_most_series_and_quotes_england():
    s = suggest(
        "percent",
        [OVER, SeriesCounts("E40000007", OVER.numerators, OVER.denominators), BINOMIAL],
        main_geo="E92000001",
        names={"E92000001": "England"},
    )
    assert s.chart_type == "pp" and s.label == "Laney p′-chart"
    assert "2 of 3 series" in s.reason
    assert (
        "England: denominators 100 to 400 (largest 4.00 times the smallest); a p-chart would "
        "put 0 of 4 points outside its limits, with σz 2.1." in s.reason
    )


def test_suggestion_p_and_xmr_reasons():
    p = suggest("percent", [BINOMIAL])
    assert p.chart_type == "p" and "follow each period's denominator" in p.reason
    x = suggest("percent", [STEADY])
    assert x.chart_type == "xmr" and "steady" in x.reason
    assert "would mislead" not in x.reason  # σz 0.9: no over-dispersion to warn of


def test_steady_but_over_dispersed_says_a_p_chart_would_mislead():
    # denominators 10,000 and 11,000 (spread 1.1), proportions 0.50, 0.60, 0.50, 0.60: z
    # about ±10, so a p-chart flags all four points; with steady n XmR is the suggestion
    s = suggest(
        "percent",
        [SeriesCounts("E92000001", [5000, 6600, 5000, 6600], [10000, 11000, 10000, 11000])],
        main_geo="E92000001",
        names={"E92000001": "England"},
    )
    assert s.chart_type == "xmr"
    assert "a p-chart would put 4 of 4 points outside its limits" in s.reason
    assert "a plain p-chart would mislead" in s.reason


def test_a_tie_goes_to_the_simpler_chart():
    assert suggest("percent", [OVER, BINOMIAL]).chart_type == "p"
    assert suggest("percent", [STEADY, OVER]).chart_type == "xmr"


def test_no_p_chart_suggested_without_a_percentage_or_counts():
    years = suggest("years", [OVER])
    assert years.chart_type == "xmr" and "not a percentage" in years.reason
    gaps = suggest("percent", [OVER, SeriesCounts("x", [1, None], [10, 10])])
    assert gaps.chart_type == "xmr" and "every period" in gaps.reason
    assert suggest("percent", []).chart_type == "xmr"
