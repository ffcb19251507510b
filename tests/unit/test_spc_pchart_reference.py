"""An independent check of the engine's p-chart and Laney p′-chart (issue 17).

The reference below is written from the formulas, in plain loops, without any code from
``nlf_planner.spc``:

- p-chart (Montgomery 2009, *Introduction to Statistical Quality Control*, 6th ed., §7.2;
  qicharts2 ``qic.p``): p̄ = Σ numerators / Σ denominators over the baseline points,
  σᵢ = √(p̄(1 − p̄)/nᵢ), limits p̄ ± 3σᵢ, clamped to [0, 1].
- Laney p′-chart (Laney 2002, "Improved control charts for attributes", *Quality
  Engineering* 14(4) 531–537; qicharts2 ``qic.pprime``, ``chart = "pp"``): zᵢ = (pᵢ − p̄)/σᵢ
  over the baseline points, σz = mean |zᵢ − zᵢ₋₁| / 1.128 with **no** screening of large
  moving ranges (qicharts2 screens them only on its I chart; Minitab's Laney P′ formulas do
  not screen either; PowerBI-SPC does, by default), limits p̄ ± 3σᵢσz, clamped to [0, 1].
- The two-of-three band is p̄ ± 2σᵢ (× σz for p′), the 95% lines of Minitab and
  PowerBI-SPC; qicharts2 draws none.
- Rules: a point beyond a limit; two of three consecutive points beyond the 2σ band on one
  side (all three on that side of the centre), flagging the points beyond the band; a shift
  of ``run`` or more points on one side of the centre. None reaches across a rebase.

Segments start at the first point on or after each rebase date; each segment has its own
p̄ and σz. A fixed baseline takes a segment's first N points, or its points up to a date.

The engine is compared point by point to 1e-9 (values in percent) on seeded random series
whose denominators vary over three orders of magnitude, with a rebase and fixed baselines,
and against published and hand-worked numbers.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from nlf_planner.spc import FixedBaseline, RuleFlag, SPCOptions, spc, spc_many

D2 = 1.128
TOL = 1e-9

# --------------------------------------------------------------------------- the reference


def _segments(periods: list[date], rebases: list[date]) -> list[int]:
    """Segment number of every point: a rebase starts a segment at its first point on or
    after the date (a rebase before the first point or after the last one starts none)."""
    starts = set()
    for r in rebases:
        for i, p in enumerate(periods):
            if p >= r:
                if i > 0:
                    starts.add(i)
                break
    seg, current = [], 0
    for i in range(len(periods)):
        if i in starts:
            current += 1
        seg.append(current)
    return seg


def reference(
    periods: list[date],
    num: list[float],
    den: list[float],
    *,
    prime: bool,
    rebases: list[date] = (),
    fixed: dict[int, tuple[str, object]] | None = None,
    run: int = 7,
    scale: float = 100.0,
) -> dict[str, list]:
    """p or p′ chart of one series, from the formulas. ``fixed`` maps a segment number to
    ("points", N) or ("until", date)."""
    fixed = fixed or {}
    n = len(periods)
    seg = _segments(periods, list(rebases))
    # which points each segment's limits come from
    in_base = [True] * n
    for s, (kind, arg) in fixed.items():
        members = [i for i in range(n) if seg[i] == s]
        for k, i in enumerate(members):
            in_base[i] = k < arg if kind == "points" else periods[i] <= arg
    pbar, sigma_z = {}, {}
    for s in sorted(set(seg)):
        base = [i for i in range(n) if seg[i] == s and in_base[i]]
        total_num = sum(num[i] for i in base)
        total_den = sum(den[i] for i in base)
        pbar[s] = total_num / total_den
        if prime:
            p_ = pbar[s]
            z = [(num[i] / den[i] - p_) / math.sqrt(p_ * (1 - p_) / den[i]) for i in base]
            ranges = [abs(z[k] - z[k - 1]) for k in range(1, len(z))]
            sigma_z[s] = sum(ranges) / len(ranges) / D2 if ranges else math.nan
        else:
            sigma_z[s] = 1.0

    def clamp(x: float) -> float:
        return x if math.isnan(x) else min(1.0, max(0.0, x))

    out: dict[str, list] = {k: [] for k in ("mean", "lpl", "upl", "near_lpl", "near_upl")}
    for i in range(n):
        p_, sz = pbar[seg[i]], sigma_z[seg[i]]
        sd = math.sqrt(p_ * (1 - p_) / den[i]) * sz
        out["mean"].append(p_ * scale)
        out["lpl"].append(clamp(p_ - 3 * sd) * scale)
        out["upl"].append(clamp(p_ + 3 * sd) * scale)
        out["near_lpl"].append(clamp(p_ - 2 * sd) * scale)
        out["near_upl"].append(clamp(p_ + 2 * sd) * scale)

    y = [num[i] / den[i] * scale for i in range(n)]
    beyond = [y[i] > out["upl"][i] or y[i] < out["lpl"][i] for i in range(n)]
    close = [
        not beyond[i] and (y[i] > out["near_upl"][i] or y[i] < out["near_lpl"][i]) for i in range(n)
    ]
    side = [(y[i] > out["mean"][i]) - (y[i] < out["mean"][i]) for i in range(n)]
    two = [False] * n
    for i in range(n - 2):
        window = range(i, i + 3)
        if seg[i] != seg[i + 2]:
            continue
        if sum(close[j] for j in window) >= 2 and abs(sum(side[j] for j in window)) == 3:
            for j in window:
                two[j] = two[j] or close[j]
    shift = [False] * n
    i = 0
    while i < n:
        j = i
        while j + 1 < n and seg[j + 1] == seg[i] and side[j + 1] == side[i]:
            j += 1
        if side[i] != 0 and j - i + 1 >= run:
            for k in range(i, j + 1):
                shift[k] = True
        i = j + 1
    out.update(
        value=y,
        segment=seg,
        in_baseline=in_base,
        beyond=beyond,
        two_of_three=two,
        shift=shift,
    )
    return out


# --------------------------------------------------------------------------- helpers


def _months(n: int, start: date = date(2017, 1, 1)) -> list[date]:
    return [
        date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1)
        for k in range(n)
    ]


def _series(
    seed: int, n: int, *, p: float = 0.7, spread: float = 0.03, low: int = 30, high: int = 30000
) -> tuple[list[date], list[float], list[float]]:
    """Monthly counts with denominators spread log-uniformly over ``low``–``high`` and an
    over-dispersed proportion (each month's true p varies by ``spread``)."""
    rng = np.random.default_rng(seed)
    den = np.round(np.exp(rng.uniform(math.log(low), math.log(high), n))).astype(int)
    true_p = np.clip(p + rng.normal(0, spread, n), 0.01, 0.99)
    num = rng.binomial(den, true_p)
    return _months(n), [float(x) for x in num], [float(x) for x in den]


def _engine(periods, num, den, *, chart, rebases=(), baselines=(), run=7):
    values = [100.0 * a / b for a, b in zip(num, den, strict=True)]
    return spc(
        periods,
        values,
        polarity="higher_is_better",
        options=SPCOptions(run_length=run),
        rebases=list(rebases),
        baselines=list(baselines),
        chart_type=chart,
        denominators=den,
        scale=100.0,
    )


def _assert_same(result, ref) -> None:
    assert result.n == len(ref["value"])
    np.testing.assert_allclose(result.values, ref["value"], rtol=0, atol=TOL)
    assert result.segment.tolist() == ref["segment"]
    for name in ("mean", "lpl", "upl", "near_lpl", "near_upl"):
        np.testing.assert_allclose(
            getattr(result, name), ref[name], rtol=0, atol=TOL, err_msg=name, equal_nan=True
        )
    assert result.in_baseline.tolist() == ref["in_baseline"]
    flags = np.asarray(result.flags, dtype=int)
    assert ((flags & int(RuleFlag.BEYOND_LIMIT)) != 0).tolist() == ref["beyond"]
    assert ((flags & int(RuleFlag.TWO_OF_THREE)) != 0).tolist() == ref["two_of_three"]
    assert ((flags & int(RuleFlag.SHIFT)) != 0).tolist() == ref["shift"]


# --------------------------------------------------------------------------- the reference itself


def test_reference_hand_worked_p_prime_with_equal_denominators():
    # n = 100 every month, 200 of 400: p̄ = 0.5, σᵢ = √(0.25/100) = 0.05; p = .5 .6 .5 .4
    # gives z = 0 2 0 −2, moving ranges 2 2 2, σz = 2/1.128, limits 0.5 ± 3·0.05·σz.
    ref = reference(_months(4), [50, 60, 50, 40], [100] * 4, prime=True)
    half_width = 100 * 3 * 0.05 * (2 / 1.128)
    assert ref["mean"] == [50.0] * 4
    assert ref["upl"] == pytest.approx([50 + half_width] * 4, abs=1e-12)
    assert ref["lpl"] == pytest.approx([50 - half_width] * 4, abs=1e-12)
    assert half_width == pytest.approx(26.595744680851, abs=1e-9)


def test_reference_hand_worked_p_prime_with_varying_denominators():
    # n = 100, 400, 100, 400; 50, 220, 40, 190 of them: p̄ = 500/1000 = 0.5; σ = 0.05 (n=100),
    # 0.025 (n=400); p = .5 .55 .4 .475 → z = 0 2 −2 −1, moving ranges 2 4 1, σz = (7/3)/1.128.
    ref = reference(_months(4), [50, 220, 40, 190], [100, 400, 100, 400], prime=True)
    sz = (7 / 3) / 1.128
    assert ref["upl"] == pytest.approx(
        [50 + 100 * 3 * 0.05 * sz, 50 + 100 * 3 * 0.025 * sz] * 2, abs=1e-12
    )
    assert ref["near_lpl"][1] == pytest.approx(50 - 100 * 2 * 0.025 * sz, abs=1e-12)


# --------------------------------------------------------------------------- published examples


# Montgomery (2009), Example 7.1 (Table 7.1): 30 samples of 50 frozen orange juice cans, the
# number nonconforming in each. Published: p̄ = 347/1500 = 0.2313, UCL = 0.4102,
# LCL = 0.0524, and samples 15 and 23 lie above the UCL. qicharts2 tests its p-chart against
# the same example (tests/testthat/test_montgomery.R, "Example 7.1").
MONTGOMERY_7_1 = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
                  8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip

# Montgomery (2009), Table 7.4: 25 days of purchase orders with varying sample sizes (the
# qicharts2 test data tbl_07.04). Published: p̄ = 234/2450 = 0.096.
MONTGOMERY_7_4_N = [100, 80, 80, 100, 110, 110, 100, 100, 90, 90, 110, 120, 120,
                    120, 110, 80, 80, 80, 90, 100, 100, 100, 100, 90, 90]  # fmt: skip
MONTGOMERY_7_4_D = [12, 8, 6, 9, 10, 12, 11, 16, 10, 6, 20, 15, 9,
                    8, 6, 8, 10, 7, 5, 8, 5, 8, 10, 6, 9]  # fmt: skip


def test_engine_matches_montgomery_example_7_1_p_chart():
    periods = _months(30)
    den = [50.0] * 30
    num = [float(x) for x in MONTGOMERY_7_1]
    result = _engine(periods, num, den, chart="p")
    assert result.chart_type == "p"
    assert round(result.mean[0] / 100, 4) == 0.2313
    assert round(result.upl[0] / 100, 4) == 0.4102
    assert round(result.lpl[0] / 100, 4) == 0.0524
    beyond = np.flatnonzero(np.asarray(result.flags, dtype=int) & int(RuleFlag.BEYOND_LIMIT))
    assert (beyond + 1).tolist() == [15, 23]  # samples 15 and 23, as published
    _assert_same(result, reference(periods, num, den, prime=False))


def test_engine_matches_montgomery_table_7_4_variable_sample_sizes():
    periods = _months(25)
    den = [float(x) for x in MONTGOMERY_7_4_N]
    num = [float(x) for x in MONTGOMERY_7_4_D]
    assert sum(num) == 234 and sum(den) == 2450
    for chart in ("p", "pp"):
        result = _engine(periods, num, den, chart=chart)
        assert round(result.mean[0] / 100, 3) == 0.096
        _assert_same(result, reference(periods, num, den, prime=chart == "pp"))
    # n = 80 and n = 120 give different p-chart limits: the widest at the smallest n
    p = _engine(periods, num, den, chart="p")
    assert p.upl[1] > p.upl[0] > p.upl[11]


def test_engine_matches_the_hand_worked_p_prime_examples():
    periods = _months(4)
    result = _engine(periods, [50, 220, 40, 190], [100, 400, 100, 400], chart="pp")
    sz = (7 / 3) / 1.128
    np.testing.assert_allclose(
        result.upl, [50 + 15 * sz, 50 + 7.5 * sz, 50 + 15 * sz, 50 + 7.5 * sz], atol=TOL
    )
    np.testing.assert_allclose(result.near_lpl, [50 - 10 * sz, 50 - 5 * sz] * 2, atol=TOL)


# --------------------------------------------------------------------------- seeded random series


@pytest.mark.parametrize("chart", ["p", "pp"])
@pytest.mark.parametrize("seed", [1, 7, 2024, 31337])
def test_engine_matches_reference_on_random_series(seed, chart):
    periods, num, den = _series(seed, 40)
    assert max(den) / min(den) > 50  # widely varying denominators
    result = _engine(periods, num, den, chart=chart)
    assert result.chart_type == chart
    _assert_same(result, reference(periods, num, den, prime=chart == "pp"))


@pytest.mark.parametrize("chart", ["p", "pp"])
@pytest.mark.parametrize("seed", [3, 11, 99])
def test_engine_matches_reference_with_a_rebase(seed, chart):
    periods, num, den = _series(seed, 36)
    # a step change half way: the second segment has its own p̄ (and σz)
    num = [
        x if i < 18 else min(d, x + round(0.1 * d))
        for i, (x, d) in enumerate(zip(num, den, strict=True))
    ]
    rebases = [date(2018, 6, 15)]  # the first point on or after it is July 2018 (index 18)
    result = _engine(periods, num, den, chart=chart, rebases=rebases)
    ref = reference(periods, num, den, prime=chart == "pp", rebases=rebases)
    assert ref["segment"].count(1) == 18
    _assert_same(result, ref)
    assert result.mean[0] != pytest.approx(result.mean[-1])


@pytest.mark.parametrize("chart", ["p", "pp"])
@pytest.mark.parametrize("seed", [5, 42])
def test_engine_matches_reference_with_fixed_baselines(seed, chart):
    periods, num, den = _series(seed, 40)
    rebases = [date(2019, 1, 1)]  # index 24
    baselines = [
        FixedBaseline(points=12),  # the first segment: limits from its first 12 points
        FixedBaseline(segment_start=date(2019, 1, 1), until=date(2019, 8, 1)),  # 8 points
    ]
    result = _engine(periods, num, den, chart=chart, rebases=rebases, baselines=baselines)
    ref = reference(
        periods,
        num,
        den,
        prime=chart == "pp",
        rebases=rebases,
        fixed={0: ("points", 12), 1: ("until", date(2019, 8, 1))},
    )
    assert sum(ref["in_baseline"]) == 12 + 8
    _assert_same(result, ref)
    assert result.fixed.all()


@pytest.mark.parametrize("run", [6, 7])
def test_engine_matches_reference_when_limits_clamp_at_0_and_100_percent(run):
    # proportions near 97% on small denominators: p̄ + 3σ passes 100% and is clamped there
    periods, num, den = _series(8, 30, p=0.97, spread=0.01, low=5, high=2000)
    for chart in ("p", "pp"):
        ref = reference(periods, num, den, prime=chart == "pp", run=run)
        assert max(ref["upl"]) == 100.0
        _assert_same(_engine(periods, num, den, chart=chart, run=run), ref)


def test_p_prime_widens_the_limits_of_an_overdispersed_series_and_flags_fewer_points():
    # Laney 2002: with very large subgroups the p-chart flags most points of a stable but
    # over-dispersed process; σz ≫ 1 widens the p′ limits so only real signals remain.
    periods, num, den = _series(12, 36, spread=0.02, low=200000, high=300000)
    p = _engine(periods, num, den, chart="p")
    pp = _engine(periods, num, den, chart="pp")
    beyond_p = int(((np.asarray(p.flags, dtype=int) & int(RuleFlag.BEYOND_LIMIT)) != 0).sum())
    beyond_pp = int(((np.asarray(pp.flags, dtype=int) & int(RuleFlag.BEYOND_LIMIT)) != 0).sum())
    assert beyond_p > 18 and beyond_pp <= 2
    assert np.all(pp.upl - pp.mean > 10 * (p.upl - p.mean))


def test_the_random_series_would_catch_an_engine_that_screened_moving_ranges():
    # qicharts2's p′ keeps every moving range of z; PowerBI-SPC drops those at or above
    # 3.267 × their mean. Seed 2024 has two such ranges, so a screening engine would give a
    # smaller σz than the reference and fail test_engine_matches_reference_on_random_series.
    periods, num, den = _series(2024, 40)
    pbar = sum(num) / sum(den)
    z = [(a / b - pbar) / math.sqrt(pbar * (1 - pbar) / b) for a, b in zip(num, den, strict=True)]
    ranges = [abs(z[i] - z[i - 1]) for i in range(1, len(z))]
    mean_range = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < 3.267 * mean_range]
    assert len(ranges) - len(kept) == 2
    screened_sz = sum(kept) / len(kept) / D2
    result = _engine(periods, num, den, chart="pp")
    engine_sz = (result.upl[0] - result.mean[0]) / (3 * 100 * math.sqrt(pbar * (1 - pbar) / den[0]))
    assert engine_sz == pytest.approx(mean_range / D2, abs=1e-9)
    assert engine_sz > screened_sz + 0.1


def test_spc_many_matches_the_reference_series_by_series():
    # The regions model computes every series in one pass (series laid end to end): p̄ and
    # σz must not leak across a series boundary, and a measure left on XmR keeps XmR limits.
    rows, expected = [], {}
    for k, (measure, geo, seed) in enumerate(
        [("M10", "E1", 21), ("M10", "E2", 22), ("M11", "E1", 23), ("M08", "E1", 24)]
    ):
        periods, num, den = _series(seed, 30, p=0.3 + 0.15 * k)
        rows += [
            {"measure_code": measure, "geo_code": geo, "period": p, "value": 100 * a / b,
             "denominator": b}
            for p, a, b in zip(periods, num, den, strict=True)
        ]  # fmt: skip
        expected[(measure, geo)] = (periods, num, den)
    rebases = {("M10", "E2"): [date(2018, 3, 1)]}
    fixes = {("M11", "E1"): [FixedBaseline(points=15)]}
    results = spc_many(
        pd.DataFrame(rows),
        polarity="higher_is_better",
        options=SPCOptions(run_length=7),
        rebases=rebases,
        baselines=fixes,
        chart_types={"M10": "pp", "M11": "p"},
    )
    for key, (periods, num, den) in expected.items():
        res = results[key]
        if key[0] == "M08":
            assert res.chart_type == "xmr"
            continue
        ref = reference(
            periods,
            num,
            den,
            prime=key[0] == "M10",
            rebases=rebases.get(key, []),
            fixed={0: ("points", 15)} if key in fixes else None,
        )
        assert res.chart_type == ("pp" if key[0] == "M10" else "p")
        _assert_same(res, ref)
