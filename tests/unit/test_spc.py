"""The SPC engine: NHSRplotthedots conformance, a hand-checked rule table, and a property test
against a literal port of the package's rule functions."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlf_planner.spc import (
    LIMIT,
    AssuranceIcon,
    PointType,
    Rule,
    RuleFlag,
    SPCOptions,
    VariationIcon,
    spc,
    spc_many,
    suggest_rebase,
    summary_table,
)

RNORM_123 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]


def months(n: int, start: str = "2020-01-01") -> list[date]:
    return [d.date() for d in pd.date_range(start, periods=n, freq="MS")]


# ---------------------------------------------------------------- conformance with the R package


@pytest.mark.parametrize(
    ("values", "screen", "mean", "lpl", "upl"),
    [
        (RNORM_123, True, 0.1416238, -3.01138, 3.294627),
        (RNORM_123, False, 0.1416238, -3.01138, 3.294627),
        (RNORM_123[:14] + [10] + RNORM_123[15:], True, 0.6694159, -2.383666, 3.722497),
        (RNORM_123[:14] + [10] + RNORM_123[15:], False, 0.6694159, -4.596625, 5.935457),
    ],
)
def test_limits_match_nhsrplotthedots(values, screen, mean, lpl, upl):
    res = spc(months(20), values, options=SPCOptions(7, screen_outliers=screen))
    assert res.mean[0] == pytest.approx(mean, abs=1e-6)
    assert res.lpl[0] == pytest.approx(lpl, abs=1e-5)
    assert res.upl[0] == pytest.approx(upl, abs=1e-5)


def test_rnorm_series_is_common_cause_and_the_outlier_is_flagged():
    plain = spc(months(20), RNORM_123, polarity="higher_is_better", options=SPCOptions(7))
    assert set(plain.rule) == {Rule.COMMON}
    assert plain.variation_icon == VariationIcon.COMMON
    spiked = spc(
        months(20),
        RNORM_123[:14] + [10] + RNORM_123[15:],
        polarity="higher_is_better",
        options=SPCOptions(7),
    )
    assert list(np.flatnonzero(spiked.rule != Rule.COMMON)) == [14]
    assert spiked.point_type[14] == PointType.IMPROVEMENT


# ---------------------------------------------------------------- hand-checked rule table
# A 12-point baseline alternating 11 and 9 gives mean 10 and mean moving range 2, so with the
# baseline fixed after 12 points the limits are 10 ± 5.32 (4.68, 15.32) and the near-limit band
# starts at 10 ± 3.5467 (6.4533, 13.5467). Every later point is read against those numbers.

BASE = [11.0, 9.0] * 6  # ends below the mean
C, B, T, W, S = Rule.COMMON, Rule.BEYOND_LIMIT, Rule.TREND, Rule.TWO_OF_THREE, Rule.SHIFT

RULE_CASES = [
    # name, tail after the baseline, run length, expected rule per tail point, direction
    ("beyond upper limit", [10.5, 16, 9.5], 7, [C, B, C], [0, 1, 0]),
    ("beyond lower limit", [10.5, 4, 9.5], 7, [C, B, C], [0, -1, 0]),
    ("on the limit is not beyond", [10 + LIMIT * 2], 7, [C], [0]),
    ("shift of seven above", [10.5] * 7, 7, [S] * 7, [1] * 7),
    ("shift of seven below", [10] + [9.5] * 7, 7, [C] + [S] * 7, [0] + [-1] * 7),
    ("six above is no shift at 7", [10.5] * 6 + [9.5], 7, [C] * 7, [0] * 7),
    ("six above is a shift at 6", [10.5] * 6 + [9.5], 6, [S] * 6 + [C], [1] * 6 + [0]),
    ("a point on the mean breaks a run", [10.5] * 3 + [10] + [10.5] * 3, 7, [C] * 7, [0] * 7),
    ("on the mean breaks a run at 6", [10.5] * 3 + [10] + [10.5] * 3, 6, [C] * 7, [0] * 7),
    (
        "rising trend across the mean",
        [8.5, 9, 9.5, 10.5, 11, 11.5, 12],
        7,
        [T] * 7,
        [1] * 7,
    ),
    (
        "falling trend across the mean",
        [12, 11.5, 11, 10.5, 9.5, 9, 8.5],
        7,
        # the last baseline point (11) is below 12, so the trend starts at 12
        [T] * 7,
        [-1] * 7,
    ),
    ("a tie breaks a trend", [8.5, 9, 9.5, 9.5, 10.5, 11, 11.5], 7, [C] * 7, [0] * 7),
    (
        "six rising is a trend at 6 only",
        [8.5, 9, 9.5, 10.5, 11, 11.5, 10.2],
        6,
        [T] * 6 + [C],
        [1] * 6 + [0],
    ),
    ("six rising is no trend at 7", [8.5, 9, 9.5, 10.5, 11, 11.5, 10.2], 7, [C] * 7, [0] * 7),
    ("two of three near the upper limit", [10.5, 14, 10.5, 14, 9.5], 7, [C, W, C, W, C], None),
    ("two of three need the same side", [14, 9.5, 14], 7, [C, C, C], [0, 0, 0]),
    ("a point on the mean spoils two of three", [14, 10, 14], 7, [C, C, C], [0, 0, 0]),
    ("two of three near the lower limit", [6, 6, 9.5], 7, [W, W, C], [-1, -1, 0]),
    ("a point beyond the limit is not near it", [14, 16, 10.5], 7, [C, B, C], [0, 1, 0]),
    # precedence: beyond > trend > two of three > shift
    (
        "beyond beats trend",
        [8.5, 9, 9.5, 10.5, 11, 11.5, 16],
        7,
        [T] * 6 + [B],
        [1] * 7,
    ),
    (
        "trend beats shift",
        [10.8, 10.1, 10.2, 10.3, 10.4, 10.5, 10.6, 10.7],
        7,
        [S] + [T] * 7,
        [1] * 8,
    ),
    (
        "two of three beats shift",
        [10.5, 10.5, 10.5, 10.5, 14, 10.5, 14],
        7,
        [S, S, S, S, W, S, W],
        [1] * 7,
    ),
]


@pytest.mark.parametrize(
    ("name", "tail", "run", "rules", "directions"), RULE_CASES, ids=[c[0] for c in RULE_CASES]
)
def test_rule_table(name, tail, run, rules, directions):
    values = BASE + tail
    res = spc(
        months(len(values)), values, options=SPCOptions(run, fix_after_n=12), polarity="neutral"
    )
    assert res.mean[-1] == pytest.approx(10.0)
    assert res.upl[-1] == pytest.approx(15.32)
    assert list(res.rule[:12]) == [C] * 12, "the baseline itself has no signal"
    assert list(res.rule[12:]) == rules
    if directions is not None:
        assert list(res.direction[12:]) == directions


def test_every_rule_in_a_pattern_is_recorded_even_when_another_wins():
    values = BASE + [10.1, 10.2, 10.3, 10.4, 10.5, 10.6, 10.7]
    res = spc(months(len(values)), values, options=SPCOptions(7, fix_after_n=12))
    assert all(f & RuleFlag.TREND and f & RuleFlag.SHIFT for f in res.flags[12:])


@pytest.mark.parametrize(
    ("polarity", "expected_type", "expected_icon"),
    [
        ("higher_is_better", PointType.IMPROVEMENT, VariationIcon.IMPROVEMENT_HIGH),
        ("lower_is_better", PointType.CONCERN, VariationIcon.CONCERN_HIGH),
        ("neutral", PointType.NEUTRAL_HIGH, VariationIcon.NEUTRAL_HIGH),
    ],
)
def test_point_type_follows_polarity(polarity, expected_type, expected_icon):
    values = BASE + [10.5] * 7
    res = spc(months(19), values, polarity=polarity, options=SPCOptions(7, fix_after_n=12))
    assert res.point_type[-1] == expected_type
    assert res.variation_icon == expected_icon


def test_low_signal_icons():
    values = BASE + [10] + [9.5] * 7
    up = spc(months(20), values, polarity="higher_is_better", options=SPCOptions(7, 12))
    down = spc(months(20), values, polarity="lower_is_better", options=SPCOptions(7, 12))
    assert up.variation_icon == VariationIcon.CONCERN_LOW
    assert down.variation_icon == VariationIcon.IMPROVEMENT_LOW
    assert up.signal.rule == Rule.SHIFT
    assert up.signal.start == months(20)[13]


def test_trend_direction_at_a_peak_follows_nhsrplotthedots():
    # A rising then falling trend sharing the peak: the peak reads as the falling trend's
    # (NHSRplotthedots uses the step to the right when the next point is in a trend too).
    values = BASE + [7, 8, 9, 10, 11, 12, 13, 12, 11, 10, 9, 8, 7]
    res = spc(months(25), values, options=SPCOptions(7, fix_after_n=12))
    assert set(res.rule[12:]) == {Rule.TREND}
    assert list(res.direction[12:18]) == [1] * 6
    assert list(res.direction[18:]) == [-1] * 7


# ---------------------------------------------------------------- baselines, rebases, short series


def test_fixed_baseline_uses_only_the_first_n_points():
    values = BASE + [30, 31, 29]
    fixed = spc(months(15), values, options=SPCOptions(7, fix_after_n=12))
    free = spc(months(15), values, options=SPCOptions(7))
    assert fixed.mean[-1] == pytest.approx(10.0)
    assert free.mean[-1] == pytest.approx(np.mean(values))
    assert fixed.rule[-1] == Rule.BEYOND_LIMIT


def test_rebase_computes_limits_per_segment():
    values = BASE + [19.0, 21.0] * 6
    dates = months(24)
    one = spc(dates, values, options=SPCOptions(7))
    two = spc(dates, values, options=SPCOptions(7), rebases=[dates[12]])
    assert (one.rule != Rule.COMMON).any()
    assert list(two.segment) == [0] * 12 + [1] * 12
    assert two.mean[0] == pytest.approx(10) and two.mean[-1] == pytest.approx(20)
    assert two.lpl[-1] == pytest.approx(20 - 5.32)
    assert set(two.rule) == {Rule.COMMON}
    assert two.rebase_periods == (dates[12],)


def test_rebase_between_periods_starts_at_the_next_point_and_first_date_is_ignored():
    values = BASE + [19.0, 21.0] * 6
    dates = months(24)
    mid = spc(dates, values, rebases=[date(2020, 12, 15), dates[0]], options=SPCOptions(7))
    assert mid.rebase_periods == (dates[12],)
    assert mid.segment[11] == 0 and mid.segment[12] == 1


def test_rules_do_not_run_across_a_rebase():
    # 4 points above the first mean, then a new segment whose first 3 points are above its
    # mean: seven in a row across the break must not make a shift.
    values = [1, 3, 1, 3, 1, 3, 1, 3, 2.5, 2.5, 2.5, 2.5, 12, 12, 12, 8, 8, 8, 8, 8]
    dates = months(len(values))
    res = spc(dates, values, rebases=[dates[12]], options=SPCOptions(6))
    assert not (res.flags[8:15] & RuleFlag.SHIFT).all()


@pytest.mark.parametrize(
    ("n", "trial"), [(1, True), (2, True), (11, True), (12, False), (30, False)]
)
def test_trial_limits_under_twelve_points(n, trial):
    values = (BASE * 3)[:n]
    res = spc(months(n), values, options=SPCOptions(7))
    assert res.trial_limits is trial


def test_fixed_baseline_shorter_than_twelve_is_trial():
    res = spc(months(20), (BASE * 2)[:20], options=SPCOptions(7, fix_after_n=8))
    assert res.trial_limits


def test_single_point_has_mean_but_no_limits_and_no_signal():
    res = spc(months(1), [5.0], polarity="higher_is_better", target=4.0)
    assert res.mean[0] == 5.0
    assert np.isnan(res.upl[0])
    assert res.variation_icon == VariationIcon.COMMON
    assert res.assurance_icon is None


def test_empty_series():
    res = spc([], [], polarity="higher_is_better")
    assert res.empty and res.variation_icon is None and res.latest_value is None


def test_missing_values_are_dropped_and_points_sorted():
    dates = months(5)
    res = spc(list(reversed(dates)), [5, np.nan, 3, 2, 1])
    assert list(res.values) == [1, 2, 3, 5]


def test_flat_series_keeps_limits_on_the_mean():
    res = spc(months(15), [4.0] * 15)
    assert res.upl[0] == res.lpl[0] == 4.0
    assert set(res.rule) == {Rule.COMMON}


# ---------------------------------------------------------------- assurance


@pytest.mark.parametrize(
    ("polarity", "target", "icon"),
    [
        ("higher_is_better", 20, AssuranceIcon.FAIL),
        ("higher_is_better", 2, AssuranceIcon.PASS),
        ("higher_is_better", 12, AssuranceIcon.HIT_OR_MISS),
        ("lower_is_better", 20, AssuranceIcon.PASS),
        ("lower_is_better", 2, AssuranceIcon.FAIL),
        ("neutral", 20, None),
        ("higher_is_better", None, None),
    ],
)
def test_assurance_icon(polarity, target, icon):
    res = spc(months(12), BASE, polarity=polarity, target=target, options=SPCOptions(7))
    assert res.assurance_icon == icon


def test_assurance_uses_the_latest_segment():
    values = BASE + [19.0, 21.0] * 6
    dates = months(24)
    res = spc(
        dates,
        values,
        polarity="higher_is_better",
        target=12,
        rebases=[dates[12]],
        options=SPCOptions(7),
    )
    assert res.assurance_icon == AssuranceIcon.PASS


def test_a_shift_running_to_the_latest_point_makes_assurance_not_assessable():
    """Limits fitted across a sustained shift describe neither level: the latest value (31)
    meets a target of 25 that the whole-history limits call a certain fail (the Humber M10
    case). The reason names the shift's start, which is also the suggested rebase."""
    values = BASE * 2 + [30.0, 32.0] * 7
    dates = months(len(values))
    res = spc(dates, values, polarity="higher_is_better", target=25, options=SPCOptions(7))
    assert res.latest("upl") < 25 < res.latest_value  # the limits alone would say "fail"
    assert res.assurance_icon == AssuranceIcon.NOT_ASSESSABLE
    caveat = res.assurance_caveat
    assert caveat is not None
    assert caveat.rule == Rule.SHIFT and caveat.direction == 1
    assert caveat.start == dates[24] == suggest_rebase(res) == caveat.rebase_from
    assert caveat.points == 14
    assert caveat.limits_say == AssuranceIcon.FAIL
    # Rebased at the shift, the new segment's limits can be read again.
    rebased = spc(
        dates, values, polarity="higher_is_better", target=25, rebases=[dates[24]],
        options=SPCOptions(7),
    )  # fmt: skip
    assert rebased.assurance_icon == AssuranceIcon.PASS
    assert rebased.assurance_caveat is None


def test_a_short_shift_is_not_assessable_yet_with_no_rebase_to_suggest():
    values = BASE * 2 + [30.0, 32.0] * 4  # 8 points: a shift, too short to rebase at
    dates = months(len(values))
    res = spc(dates, values, polarity="higher_is_better", target=12, options=SPCOptions(7))
    assert res.assurance_icon == AssuranceIcon.NOT_ASSESSABLE
    assert res.assurance_caveat.start == dates[24]
    assert res.assurance_caveat.rebase_from is None


def test_a_trend_running_to_the_latest_point_makes_assurance_not_assessable():
    values = BASE + [8.0, 8.5, 9.0, 9.5, 10.5, 11.0, 11.5, 12.0]  # rising across the mean
    dates = months(len(values))
    res = spc(dates, values, polarity="higher_is_better", target=30, options=SPCOptions(7))
    assert res.signal.rule == Rule.TREND and not res.flags[-1] & RuleFlag.SHIFT
    assert res.assurance_caveat is not None and res.assurance_caveat.rule == Rule.TREND
    assert res.assurance_caveat.start == dates[12] and res.assurance_caveat.direction == 1
    assert res.assurance_icon == AssuranceIcon.NOT_ASSESSABLE
    assert res.assurance_caveat.rebase_from is None


def test_a_latest_point_that_meets_a_target_the_limits_call_a_fail_is_not_assessable():
    """One point beyond the upper limit that already meets the target: never say "will
    consistently fail" of a value that meets it."""
    values = BASE + [40.0]
    res = spc(months(13), values, polarity="higher_is_better", target=30, options=SPCOptions(7))
    assert res.latest("upl") < 30 < res.latest_value
    assert res.assurance_icon == AssuranceIcon.NOT_ASSESSABLE
    assert res.assurance_caveat.rule == Rule.BEYOND_LIMIT
    assert res.assurance_caveat.limits_say == AssuranceIcon.FAIL
    # The same point short of the target: the fail stands (the latest value agrees).
    short = spc(months(13), values, polarity="higher_is_better", target=45, options=SPCOptions(7))
    assert short.assurance_icon == AssuranceIcon.FAIL and short.assurance_caveat is None


def test_a_shift_that_has_ended_leaves_the_assurance_to_the_limits():
    values = BASE + [13.0] * 8 + [11.0, 9.0] * 6  # a shift in the middle, then back
    dates = months(len(values))
    res = spc(dates, values, polarity="higher_is_better", target=30, options=SPCOptions(7))
    assert (res.rule == Rule.SHIFT).any() and res.signal.rule == Rule.COMMON
    assert res.assurance_icon == AssuranceIcon.FAIL and res.assurance_caveat is None


# ---------------------------------------------------------------- settings and many series


def test_run_length_comes_from_settings(monkeypatch):
    values = BASE + [10.5] * 6 + [9.5]
    monkeypatch.setenv("NLF_SPC_RUN_LENGTH", "6")
    six = spc(months(19), values)
    monkeypatch.setenv("NLF_SPC_RUN_LENGTH", "7")
    seven = spc(months(19), values)
    assert six.options.run_length == 6 and (six.rule == Rule.SHIFT).sum() == 6
    assert seven.options.run_length == 7 and (seven.rule == Rule.SHIFT).sum() == 0


def test_options_reject_other_run_lengths():
    with pytest.raises(ValueError, match="6 or 7"):
        SPCOptions(5)


def test_spc_many_matches_single_series_and_summary_agrees():
    rng = np.random.default_rng(7)
    dates = months(30)
    frames = []
    for m in ("M01", "M08"):
        for g in ("A", "B", "C"):
            vals = rng.normal(50, 5, 30) + np.r_[np.zeros(20), np.full(10, 8.0)]
            frames.append(
                pd.DataFrame({"measure_code": m, "geo_code": g, "period": dates, "value": vals})
            )
    data = pd.concat(frames).sample(frac=1, random_state=1)  # shuffled on purpose
    pol = {"M01": "higher_is_better", "M08": "lower_is_better"}
    many = spc_many(data, polarity=pol, options=SPCOptions(7), targets={("M01", "A"): 55.0})
    assert len(many) == 6
    for (m, g), res in many.items():
        sub = data[(data.measure_code == m) & (data.geo_code == g)]
        single = spc(
            sub.period,
            sub.value,
            polarity=pol[m],
            options=SPCOptions(7),
            target=55.0 if (m, g) == ("M01", "A") else None,
        )
        assert list(single.rule) == list(res.rule)
        assert np.allclose(single.upl, res.upl)
        assert single.variation_icon == res.variation_icon
        assert single.assurance_icon == res.assurance_icon
    table = summary_table(many, ["measure_code", "geo_code"])
    row = table[(table.measure_code == "M08") & (table.geo_code == "B")].iloc[0]
    assert row.variation_icon == many[("M08", "B")].variation_icon
    assert row.upper_limit == pytest.approx(many[("M08", "B")].upl[-1])
    assert table.loc[table.geo_code.eq("A") & table.measure_code.eq("M01"), "target"].iloc[0] == 55


def test_suggest_rebase_after_a_sustained_shift_only():
    values = BASE * 2 + [30.0, 32.0] * 7
    dates = months(len(values))
    res = spc(dates, values, options=SPCOptions(7))
    assert suggest_rebase(res) == dates[24]
    assert suggest_rebase(spc(dates[:30], values[:30], options=SPCOptions(7))) is None
    rebased = spc(dates, values, rebases=[dates[24]], options=SPCOptions(7))
    assert suggest_rebase(rebased) is None


def test_to_frame_has_one_row_per_point_with_rule_names():
    values = BASE + [16]
    frame = spc(months(13), values, options=SPCOptions(7, 12)).to_frame()
    assert len(frame) == 13
    assert frame.rules_fired.iloc[-1] == "beyond a process limit"
    assert frame.rule.iloc[-1] == "beyond_limit"


# ---------------------------------------------------------------- literal port of the R functions


def _r_special_cause(y, rtm, close, outside, n_run):
    """A loop-by-loop port of NHSRplotthedots's ptd_special_cause_type (run length n_run)."""
    n = len(y)
    k = n_run - 1

    def part_of(flags):
        padded = list(flags) + [0] * k
        return [any(abs(padded[i + j]) == 1 for j in range(k + 1)) for i in range(n)]

    padded = [0] * k + list(rtm)
    one_side = [
        all(padded[i] == padded[i - j] for j in range(1, k + 1)) and padded[i] != 0
        for i in range(k, n + k)
    ]
    trend_flag = [0] * n
    if n >= n_run:
        for i in range(k, n):
            d = [np.sign(y[i - j] - y[i - j - 1]) for j in range(k)]
            trend_flag[i] = 1 if all(x == 1 for x in d) else (-1 if all(x == -1 for x in d) else 0)
    vp = [0, 0] + [int(c) for c in close] + [0, 0]
    rp = [0, 0] + list(rtm) + [0, 0]
    two = []
    for i in range(n):
        ok = any(
            sum(vp[i + a : i + a + 3]) >= 2 and abs(sum(rp[i + a : i + a + 3])) == 3
            for a in range(3)
        )
        two.append(ok and bool(close[i]))
    p_shift, p_trend = part_of(one_side), part_of(trend_flag)
    sdy = [np.sign(y[i + 1] - y[i]) for i in range(n - 1)]
    out = []
    for i in range(n):
        if outside[i]:
            out.append(("beyond_limit", 1 if rtm[i] == 1 else -1))
        elif p_trend[i]:
            nxt = i + 1 < n and p_trend[i + 1]
            s = sdy[i] if nxt else (sdy[i - 1] if i > 0 else 0)
            out.append(("trend", 1 if s == 1 else -1))
        elif two[i]:
            out.append(("two_of_three", 1 if rtm[i] > 0 else -1))
        elif p_shift[i]:
            out.append(("shift", 1 if rtm[i] > 0 else -1))
        else:
            out.append(("common_cause", 0))
    return out


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=40),
    st.sampled_from([6, 7]),
    st.booleans(),
)
def test_engine_agrees_with_a_literal_port_of_the_r_rules(ints, run, screen):
    y = np.array(ints, dtype=float)
    res = spc(months(len(y)), y, options=SPCOptions(run, screen_outliers=screen))
    m, lo, hi = res.mean[0], res.lpl[0], res.upl[0]
    nlo, nhi = res.near_lpl[0], res.near_upl[0]
    with np.errstate(invalid="ignore"):
        outside = (y > hi) | (y < lo)
        close = ~outside & ((y < nlo) | (y > nhi))
    rtm = np.sign(y - m).astype(int)
    expected = _r_special_cause(y, list(rtm), list(close), list(outside), run)
    assert list(zip(res.rule, res.direction.tolist(), strict=True)) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=25),
            st.integers(min_value=0, max_value=30),
        ),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([6, 7]),
    st.sampled_from([None, 5, 12]),
)
def test_many_series_at_once_equal_each_series_alone(series, run, fix):
    """The vectorised pass must never let limits or runs leak from one series (or segment)
    into the next."""
    options = SPCOptions(run, fix_after_n=fix)
    frames, rebases = [], {}
    for k, (ints, rebase_at) in enumerate(series):
        dates = months(len(ints))
        frames.append(
            pd.DataFrame(
                {
                    "measure_code": "M",
                    "geo_code": f"G{k}",
                    "period": dates,
                    "value": np.array(ints, dtype=float),
                }
            )
        )
        if rebase_at < len(ints):
            rebases[("M", f"G{k}")] = [dates[rebase_at]]
    many = spc_many(pd.concat(frames), options=options, rebases=rebases)
    for k, (ints, _) in enumerate(series):
        key = ("M", f"G{k}")
        alone = spc(months(len(ints)), ints, options=options, rebases=rebases.get(key, ()))
        got = many[key]
        assert list(got.rule) == list(alone.rule)
        assert list(got.direction) == list(alone.direction)
        assert np.allclose(got.upl, alone.upl, equal_nan=True)
        assert list(got.segment) == list(alone.segment)
        assert got.variation_icon == alone.variation_icon
