"""Fixed baselines per segment, and p / Laney p′ charts, in the SPC engine (issue 17).

Expected values are worked by hand from the formulas (SPC.md; Laney 2002; qicharts2's
``qic.p`` and ``qic.pprime``) and written out beside each assertion.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from nlf_planner.spc import (
    CHART_TYPE_LABEL,
    AssuranceIcon,
    ChartType,
    FixedBaseline,
    Rule,
    SPCOptions,
    spc,
    spc_many,
    suggest_rebase,
    summary_row,
)

OPTIONS = SPCOptions(run_length=7)


def months(n: int, start: date = date(2016, 4, 1)) -> list[date]:
    return [d.date() for d in pd.date_range(start, periods=n, freq="MS")]


# --- fixed baselines -------------------------------------------------------------------


def test_a_fixed_baseline_takes_the_limits_from_its_first_points_only() -> None:
    values = [10, 12, 11, 13, 12, 20, 21, 22]
    res = spc(
        months(8), values, options=OPTIONS, baselines=[FixedBaseline(points=5)], polarity="neutral"
    )
    # First five: mean 11.6; moving ranges 2, 1, 2, 1 → mean MR 1.5 (none screened: < 4.9).
    assert res.mean[0] == pytest.approx(11.6)
    assert res.upl[-1] == pytest.approx(11.6 + 2.66 * 1.5)
    assert res.lpl[-1] == pytest.approx(11.6 - 2.66 * 1.5)
    assert res.in_baseline.tolist() == [True] * 5 + [False] * 3
    assert res.fixed.all()
    # The later points are judged against the frozen limits: 20, 21, 22 > 15.59.
    assert list(res.rule[5:]) == [Rule.BEYOND_LIMIT] * 3
    assert res.trial_limits  # five baseline points, fewer than 12
    assert res.fixed_baselines == (FixedBaseline(points=5),)


def test_without_a_fix_every_point_makes_the_limits() -> None:
    values = [10, 12, 11, 13, 12, 20, 21, 22]
    res = spc(months(8), values, options=OPTIONS)
    assert res.mean[0] == pytest.approx(sum(values) / 8)
    assert res.in_baseline.all() and not res.fixed.any()


def test_a_baseline_up_to_a_period_includes_that_period() -> None:
    periods = months(8)
    res = spc(
        periods,
        [10, 12, 11, 13, 12, 20, 21, 22],
        options=OPTIONS,
        baselines=[FixedBaseline(until=periods[3])],
    )
    assert res.in_baseline.tolist() == [True] * 4 + [False] * 4
    assert res.mean[-1] == pytest.approx((10 + 12 + 11 + 13) / 4)


def test_each_rebase_segment_may_have_its_own_fixed_baseline() -> None:
    periods = months(12)
    values = [10, 11, 10, 11, 10, 11, 30, 32, 31, 33, 40, 41]
    rebase = periods[6]
    res = spc(
        periods,
        values,
        options=OPTIONS,
        rebases=[rebase],
        baselines=[FixedBaseline(segment_start=rebase, points=3)],
    )
    # First segment unfixed: mean of its six points; second fixed on 30, 32, 31.
    assert res.mean[0] == pytest.approx(10.5)
    assert res.mean[-1] == pytest.approx(31.0)
    assert res.fixed.tolist() == [False] * 6 + [True] * 6
    assert res.in_baseline.tolist() == [True] * 6 + [True] * 3 + [False] * 3
    # MRs 2, 1 → 1.5; 40 and 41 lie above 31 + 2.66 × 1.5 = 34.99.
    assert list(res.rule[-2:]) == [Rule.BEYOND_LIMIT] * 2
    assert res.segment_starts() == [periods[0], periods[6]]


def test_a_fix_whose_rebase_was_removed_is_not_applied() -> None:
    periods = months(10)
    res = spc(
        periods,
        list(range(10)),
        options=OPTIONS,
        baselines=[FixedBaseline(segment_start=periods[4], points=3)],
    )
    assert not res.fixed.any() and res.fixed_baselines == ()


def test_a_fix_that_would_hold_no_points_is_not_applied() -> None:
    periods = months(6)
    res = spc(
        periods,
        [1, 2, 3, 4, 5, 6],
        options=OPTIONS,
        baselines=[FixedBaseline(until=date(2015, 1, 1))],
    )
    assert not res.fixed.any()


def test_a_fixed_baseline_needs_points_or_a_date_and_at_least_two_points() -> None:
    with pytest.raises(ValueError):
        FixedBaseline()
    with pytest.raises(ValueError):
        FixedBaseline(points=5, until=date(2017, 1, 1))
    with pytest.raises(ValueError):
        FixedBaseline(points=1)


def test_a_shift_after_a_fixed_baseline_is_suggested_as_a_rebase_after_it() -> None:
    # Twelve steady points fixed as the baseline, then a sustained rise: the variation reading
    # is the comparison; assurance waits for limits of the new level, rebased at its start.
    periods = months(26)
    values = [50, 51, 49, 50, 52, 48, 50, 51, 49, 50, 51, 49] + [
        56,
        57,
        55,
        56,
        57,
        56,
        55,
        56,
        57,
        56,
        55,
        57,
        56,
        56,
    ]
    fixed = spc(
        periods,
        values,
        options=OPTIONS,
        polarity="higher_is_better",
        target=54,
        baselines=[FixedBaseline(points=12)],
    )
    assert fixed.variation_icon.name.startswith("IMPROVEMENT")
    assert fixed.assurance_icon == AssuranceIcon.NOT_ASSESSABLE
    assert fixed.assurance_caveat.rebase_from == periods[12]
    assert suggest_rebase(fixed) == periods[12]


def test_no_rebase_is_suggested_inside_a_fixed_baseline() -> None:
    # The rise starts at the 5th of 8 fixed baseline points: rebasing there would cut the
    # baseline the person chose, so nothing is suggested.
    periods = months(24)
    values = [50, 51, 49, 50, 56, 57, 55, 56] + [
        56,
        57,
        55,
        56,
        57,
        56,
        55,
        56,
        57,
        56,
        55,
        57,
        56,
        56,
        57,
        55,
    ]
    fixed = spc(
        periods,
        values,
        options=OPTIONS,
        polarity="higher_is_better",
        baselines=[FixedBaseline(points=8)],
    )
    before = spc(
        periods,
        values,
        options=OPTIONS,
        polarity="higher_is_better",
        baselines=[FixedBaseline(points=4)],
    )
    assert suggest_rebase(before) == periods[4]  # the same rise, after a 4-point baseline
    assert suggest_rebase(fixed) is None


def test_the_installation_wide_fix_after_n_still_applies_where_no_fix_is_set() -> None:
    res = spc(months(8), [10, 12, 11, 13, 12, 20, 21, 22], options=SPCOptions(fix_after_n=5))
    assert res.mean[0] == pytest.approx(11.6)
    assert not res.fixed.any()  # the installation's rule, not a person's fix


# --- p-charts ----------------------------------------------------------------------------


def test_p_chart_limits_come_from_each_periods_denominator() -> None:
    # 10/100, 20/200, 30/300 → p̄ = 60/600 = 0.1; σᵢ = √(0.1 × 0.9 / nᵢ).
    res = spc(
        months(3), [10.0, 10.0, 10.0], chart_type="p", denominators=[100, 200, 300], options=OPTIONS
    )
    assert res.chart_type == ChartType.P
    assert res.mean[0] == pytest.approx(10.0)
    assert res.upl[0] == pytest.approx(100 * (0.1 + 3 * 0.03))  # n = 100: σ = 0.03 → 19%
    assert res.lpl[0] == pytest.approx(100 * (0.1 - 3 * 0.03))  # 1%
    assert res.upl[1] == pytest.approx(100 * (0.1 + 3 * math.sqrt(0.09 / 200)))  # 16.364%
    assert res.near_upl[2] == pytest.approx(100 * (0.1 + 2 * math.sqrt(0.09 / 300)))


def test_p_chart_limits_are_clamped_to_nought_and_the_whole() -> None:
    res = spc(
        months(3), [2.0, 3.0, 1.0], chart_type="p", denominators=[20, 20, 20], options=OPTIONS
    )
    assert (res.lpl >= 0).all()  # p̄ = 0.02, σ = 0.0313: p̄ − 3σ < 0 → 0
    assert res.lpl[0] == 0.0


def test_laney_p_prime_worked_example() -> None:
    # p = 0.10, 0.12, 0.08, 0.11 of 1,000 each: p̄ = 0.1025, σᵢ = √(p̄(1−p̄)/1000) = 0.0095913;
    # z = −0.2607, 1.8246, −2.3459, 0.7820; mean |Δz| = 3.1278 → σz = 3.1278 / 1.128 = 2.7729;
    # limits p̄ ± 3 σᵢ σz = 10.25% ± 7.979 → 2.271% and 18.229%.
    res = spc(
        months(4),
        [10.0, 12.0, 8.0, 11.0],
        chart_type="pp",
        denominators=[1000] * 4,
        options=OPTIONS,
    )
    assert res.chart_type == ChartType.P_PRIME
    assert res.mean[0] == pytest.approx(10.25)
    assert res.upl[0] == pytest.approx(18.2287, abs=1e-4)
    assert res.lpl[0] == pytest.approx(2.2713, abs=1e-4)
    assert res.near_upl[0] == pytest.approx(15.5691, abs=1e-4)


def test_with_equal_denominators_p_prime_is_an_unscreened_xmr_of_the_proportions() -> None:
    # With nᵢ constant σᵢ cancels: 3 σᵢ σz = (3 / 1.128) × mean|Δp|, the XmR half-width with
    # 3/1.128 = 2.6596 in place of its rounded 2.66 and no moving-range screening.
    rng = np.random.default_rng(17)
    values = rng.normal(60, 3, 30)
    pp = spc(months(30), values, chart_type="pp", denominators=[5000] * 30, options=OPTIONS)
    xmr = spc(months(30), values, options=SPCOptions(screen_outliers=False))
    assert np.allclose(pp.mean, xmr.mean)
    amr = np.abs(np.diff(values)).mean()
    assert np.allclose(pp.upl - pp.mean, 3 / 1.128 * amr)
    assert np.allclose(xmr.upl - xmr.mean, 2.66 * amr)
    assert list(pp.rule) == list(xmr.rule)


def test_p_prime_widens_the_p_chart_when_the_data_are_overdispersed() -> None:
    rng = np.random.default_rng(3)
    den = rng.integers(20_000, 60_000, 24).astype(float)
    true_p = 0.6 + rng.normal(0, 0.02, 24)  # between-period variation beyond binomial
    values = 100 * rng.binomial(den.astype(int), true_p) / den
    p = spc(months(24), values, chart_type="p", denominators=den, options=OPTIONS)
    pp = spc(months(24), values, chart_type="pp", denominators=den, options=OPTIONS)
    assert (pp.upl - pp.mean > p.upl - p.mean).all()
    assert (p.rule == Rule.BEYOND_LIMIT).sum() > (pp.rule == Rule.BEYOND_LIMIT).sum()


def test_p_prime_at_every_ics_or_none_is_the_p_chart_not_undefined() -> None:
    # 100% in every period: σᵢ = 0, z = 0/0; the limits sit on p̄ as a p-chart's would.
    res = spc(months(6), [100.0] * 6, chart_type="pp", denominators=[42] * 6, options=OPTIONS)
    assert res.upl[-1] == pytest.approx(100.0) and res.lpl[-1] == pytest.approx(100.0)
    assert res.variation_icon is not None and (res.rule == Rule.COMMON).all()


def test_a_p_chart_without_every_denominator_falls_back_to_xmr_and_says_so() -> None:
    res = spc(
        months(4),
        [10.0, 12.0, 8.0, 11.0],
        chart_type="p",
        denominators=[100, np.nan, 100, 100],
        options=OPTIONS,
    )
    assert res.chart_type == ChartType.XMR
    assert "not every period has a denominator" in res.chart_type_note


def test_spc_many_applies_chart_types_by_measure_and_baselines_by_series() -> None:
    periods = months(6)
    rows = []
    for geo, shift in (("A", 0.0), ("B", 1.0)):
        for i, p in enumerate(periods):
            rows.append(
                {
                    "measure_code": "M1",
                    "geo_code": geo,
                    "period": p,
                    "value": 50 + shift + (i % 3),
                    "denominator": 1000 + 100 * i,
                }
            )
            rows.append(
                {
                    "measure_code": "M2",
                    "geo_code": geo,
                    "period": p,
                    "value": 5.0 + (i % 2),
                    "denominator": np.nan,
                }
            )
    frame = pd.DataFrame(rows)
    out = spc_many(
        frame,
        polarity="neutral",
        options=OPTIONS,
        chart_types={"M1": "pp"},
        baselines={("M1", "B"): [FixedBaseline(points=3)]},
    )
    assert out[("M1", "A")].chart_type == "pp" and out[("M2", "A")].chart_type == "xmr"
    assert out[("M1", "B")].in_baseline.tolist() == [True] * 3 + [False] * 3
    assert not out[("M1", "A")].fixed.any()
    # Each series equals the one-series engine on the same inputs.
    a = frame[(frame.measure_code == "M1") & (frame.geo_code == "B")]
    one = spc(
        a.period,
        a.value,
        chart_type="pp",
        denominators=a.denominator,
        options=OPTIONS,
        baselines=[FixedBaseline(points=3)],
    )
    assert np.allclose(one.upl, out[("M1", "B")].upl)


def test_the_csv_frame_and_summary_row_carry_flags_baseline_and_chart_type() -> None:
    res = spc(
        months(8),
        [10, 12, 11, 13, 12, 20, 21, 22],
        options=OPTIONS,
        baselines=[FixedBaseline(points=5)],
    )
    frame = res.to_frame()
    assert frame["beyond_limit"].tolist() == [False] * 5 + [True] * 3
    assert frame["in_baseline"].sum() == 5 and frame["fixed_baseline"].all()
    assert {"trend", "two_of_three", "shift", "chart_type"} <= set(frame.columns)
    assert summary_row(res)["chart_type"] == "xmr"
    assert CHART_TYPE_LABEL["pp"] == "Laney p′-chart" and res.chart_label == "XmR chart"
