"""The funnel with overdispersion (Spiegelhalter 2005; NHS-R FunnelPlotR): checked against a
second implementation written here from the published formulas, and by its properties on
seeded simulations (chance alone gives φ≈1 and unchanged limits, more spread gives a larger
τ², 99.8% limits hold about 99.8% of in-control areas)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2, norm

from nlf_planner.compare import (
    Adjustment,
    Comparison,
    Overdispersion,
    arcsine_scale,
    estimate_overdispersion,
    funnel_comparison,
    funnel_curve,
    funnel_label,
    funnel_limits,
    funnel_position,
    funnel_table,
    funnel_z,
    winsorise,
)

SEED = 20160601


# --------------------------------------------------------------------------- a second version


def _r_quantile(values: list[float], prob: float) -> float:
    """R's default quantile (Hyndman & Fan type 7), written out from its definition."""
    x = sorted(values)
    h = (len(x) - 1) * prob
    lo = math.floor(h)
    hi = min(lo + 1, len(x) - 1)
    return x[lo] + (h - lo) * (x[hi] - x[lo])


def _reference(k, n, theta, *, level=0.998, trim=0.1, alpha=0.05, method="random effects"):
    """Spiegelhalter (2005) for proportions on the arcsine scale, one area at a time."""
    target = math.asin(math.sqrt(theta))
    y = [math.asin(math.sqrt(ki / ni)) for ki, ni in zip(k, n, strict=True)]
    s = [1 / (2 * math.sqrt(ni)) for ni in n]
    z = [(yi - target) / si for yi, si in zip(y, s, strict=True)]
    lz, uz = _r_quantile(z, trim), _r_quantile(z, 1 - trim)
    zw = [min(max(zi, lz), uz) for zi in z]
    m = len(z)
    phi = sum(v * v for v in zw) / m
    significant = phi > 1 and m * phi > chi2.ppf(1 - alpha, m - 1)
    w = [1 / si**2 for si in s]
    tau2 = max(0.0, (m * phi - (m - 1)) / (sum(w) - sum(wi * wi for wi in w) / sum(w)))
    q = norm.ppf(1 - (1 - level) / 2)
    limits = []
    for si in s:
        if not significant:
            se = si
        elif method == "random effects":
            se = math.sqrt(si * si + tau2)
        else:
            se = si * math.sqrt(phi)
        lo = math.sin(max(0.0, target - q * se)) ** 2
        hi = math.sin(min(math.pi / 2, target + q * se)) ** 2
        limits.append((lo, hi))
    return {"z": z, "phi": phi, "tau2": tau2, "significant": significant, "limits": limits}


def _overdispersed(rng, units, spread, mean=0.3, n_low=200, n_high=5000):
    """Areas whose true proportions vary around ``mean`` (beta, ``spread`` = 1/(a+b)), each
    observed binomially: the overdispersed data a funnel of real ICSs looks like."""
    n = rng.integers(n_low, n_high, units)
    if spread > 0:
        size = 1 / spread
        p = rng.beta(mean * size, (1 - mean) * size, units)
    else:
        p = np.full(units, mean)
    return rng.binomial(n, p), n


@pytest.mark.parametrize("method", [Adjustment.RANDOM_EFFECTS, Adjustment.MULTIPLICATIVE])
def test_matches_a_second_implementation_from_the_formulas(method):
    rng = np.random.default_rng(SEED)
    k, n = _overdispersed(rng, 30, spread=0.01)
    theta = k.sum() / n.sum()
    ref = _reference(k.tolist(), n.tolist(), theta, method=method.value)
    assert ref["significant"]  # the dataset is meant to be overdispersed

    z = funnel_z(k, n, theta)
    _, s = arcsine_scale(k, n)
    od = estimate_overdispersion(z, s, method)
    assert np.allclose(z, ref["z"])
    assert od.phi == pytest.approx(ref["phi"], rel=1e-12)
    assert od.tau2 == pytest.approx(ref["tau2"], rel=1e-12)
    assert od.detected and od.applied == method
    limits = funnel_limits(theta, n, od=od)
    assert np.allclose(limits.lower998, [lo for lo, _ in ref["limits"]])
    assert np.allclose(limits.upper998, [hi for _, hi in ref["limits"]])

    p = k / n
    expected = np.where(
        p > limits.upper998, "better", np.where(p < limits.lower998, "worse", "similar")
    )
    got = funnel_comparison(k, n, theta, "higher_is_better", od)
    assert list(got) == list(expected)


def test_winsorising_follows_rs_default_quantiles():
    z = np.arange(1.0, 11.0)  # R: quantile(1:10, c(0.1, 0.9)) gives 1.9 and 9.1
    w = winsorise(z, 0.1)
    assert w[0] == pytest.approx(1.9) and w[-1] == pytest.approx(9.1)
    assert list(w[1:-1]) == list(z[1:-1])
    with pytest.raises(ValueError):
        winsorise(z, 0.5)


def test_chance_alone_gives_phi_near_one_and_leaves_the_limits_unchanged():
    rng = np.random.default_rng(SEED)
    k, n = _overdispersed(rng, 200, spread=0.0)
    z = funnel_z(k, n, 0.3)
    _, s = arcsine_scale(k, n)
    od = estimate_overdispersion(z, s)
    # Winsorising at 10% pulls in-control φ a little below 1 (about 0.83 for normal z).
    assert 0.7 < od.phi < 1.1
    assert not od.detected and od.applied == Adjustment.NONE
    assert "none needed" in od.label
    pd.testing.assert_frame_equal(funnel_limits(0.3, n, od=od), funnel_limits(0.3, n))


def test_more_spread_between_areas_gives_a_larger_tau2():
    taus = []
    for spread in (0.0, 0.002, 0.01, 0.05):
        rng = np.random.default_rng(SEED)
        k, n = _overdispersed(rng, 60, spread=spread)
        z = funnel_z(k, n, 0.3)
        _, s = arcsine_scale(k, n)
        taus.append(estimate_overdispersion(z, s).tau2)
    assert taus[0] < 1e-4
    assert all(b > a for a, b in zip(taus, taus[1:], strict=False)), taus


def test_998_limits_hold_about_998_of_in_control_areas():
    rng = np.random.default_rng(SEED)
    n = rng.integers(50, 20000, 40000)
    k = rng.binomial(n, 0.2)
    inside = funnel_position(k, n, 0.2) != "outside 99.8% limits"
    assert inside.mean() == pytest.approx(0.998, abs=0.0015)


def test_random_effects_limits_hold_about_998_of_areas_that_truly_differ():
    """Areas whose true values spread around England (τ = 0.03 on the arcsine scale).
    Without winsorising, τ is recovered and the 99.8% limits hold about 99.8% of areas.
    Winsorising (the default, for robustness to a few extreme areas) pulls φ and so τ down
    a little, as Spiegelhalter notes, leaving limits a little narrow but far wider than
    chance alone, which flags a large share of areas."""
    rng = np.random.default_rng(SEED)
    areas, tau = 3000, 0.03
    n = rng.integers(1000, 60000, areas)
    truth = np.sin(np.arcsin(np.sqrt(0.2)) + rng.normal(0, tau, areas)) ** 2
    k = rng.binomial(n, truth)
    z = funnel_z(k, n, 0.2)
    _, s = arcsine_scale(k, n)
    inside = lambda od: (funnel_position(k, n, 0.2, od) != "outside 99.8% limits").mean()  # noqa: E731
    raw = estimate_overdispersion(z, s, fraction=0.0)
    assert raw.detected and raw.tau == pytest.approx(tau, rel=0.1)
    assert 0.995 <= inside(raw) <= 1.0
    robust = estimate_overdispersion(z, s)
    assert robust.tau < raw.tau
    assert inside(robust) > 0.97
    assert inside(None) < 0.8


def test_winsorising_keeps_a_few_extreme_areas_from_inflating_phi():
    rng = np.random.default_rng(SEED)
    k, n = _overdispersed(rng, 40, spread=0.0)
    k[:3] = n[:3] * 0.9  # three wild areas against a true 30%
    z = funnel_z(k, n, 0.3)
    _, s = arcsine_scale(k, n)
    assert estimate_overdispersion(z, s).phi < 0.2 * estimate_overdispersion(z, s, fraction=0).phi


def test_multiplicative_widens_the_arcsine_half_width_by_root_phi():
    od = Overdispersion(Adjustment.MULTIPLICATIVE, k=40, phi=9.0, tau2=0.001, p_value=1e-9)
    n = np.array([400.0, 4000.0])
    plain, wide = funnel_limits(0.4, n), funnel_limits(0.4, n, od=od)
    centre = np.arcsin(np.sqrt(0.4))
    half = lambda f: np.arcsin(np.sqrt(f.upper95)) - centre  # noqa: E731
    assert np.allclose(half(wide) / half(plain), 3.0)
    assert "× √φ = 3.00" in od.label


def test_limits_narrow_with_size_and_stay_within_zero_and_one():
    f = funnel_limits(0.3, [100, 1000, 10000])
    assert (np.diff(f.upper95) < 0).all() and (np.diff(f.lower95) > 0).all()
    assert (f.upper998 > f.upper95).all() and (f.lower998 < f.lower95).all()
    centre = np.arcsin(np.sqrt(0.3))
    assert f.upper95.iloc[0] == pytest.approx(np.sin(centre + norm.ppf(0.975) / 20) ** 2)
    tiny = funnel_limits(0.02, [5])
    assert tiny.lower95.iloc[0] == 0.0  # clipped at zero
    with pytest.raises(ValueError):
        funnel_limits(30, [10])


def test_funnel_curve_spans_the_denominators():
    c = funnel_curve(0.5, 200, 5000)
    assert c.denominator.min() <= 200 and c.denominator.max() >= 5000


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 20000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.floats(0.02, 0.98),
    st.floats(0.0, 0.05),
)
def test_position_is_the_z_score_and_widening_only_removes_flags(kn, p0, tau2):
    """Unadjusted, outside the 99.8% limits exactly when |z| > 3.09; with any τ² the limits
    contain the chance-alone ones, so an area flagged after adjustment was flagged before."""
    k, n = kn
    z = float(funnel_z([k], [n], p0)[0])
    position = funnel_position([k], [n], p0)[0]
    if abs(abs(z) - norm.ppf(0.999)) > 1e-6:
        assert (position == "outside 99.8% limits") == (abs(z) > norm.ppf(0.999))
    od = Overdispersion(Adjustment.RANDOM_EFFECTS, k=42, phi=5.0, tau2=tau2, p_value=0.0)
    adjusted = funnel_position([k], [n], p0, od)[0]
    if adjusted == "outside 99.8% limits":
        assert position == "outside 99.8% limits"


@pytest.mark.parametrize(
    ("polarity", "above", "below"),
    [
        ("higher_is_better", "Better than expected (above 99.8% limit)", "Worse"),
        ("lower_is_better", "Worse than expected (above 99.8% limit)", "Better"),
        ("neutral", "Higher than expected (above 99.8% limit)", "Lower"),
    ],
)
def test_comparison_follows_the_measures_polarity(polarity, above, below):
    k, n = [900, 100, 500, 0], [1000, 1000, 1000, 0]
    got = funnel_comparison(k, n, 0.5, polarity)
    labels = [funnel_label(c, polarity) for c in got]
    assert labels[0] == above
    assert labels[1] == f"{below} than expected (below 99.8% limit)"
    assert labels[2] == "Similar to expected (within 99.8% limits)"
    assert got[3] == Comparison.NOT_COMPARED.value


def test_funnel_table_carries_z_limits_and_the_reading_for_each_area():
    rng = np.random.default_rng(SEED)
    k, n = _overdispersed(rng, 42, spread=0.02)
    data = pd.DataFrame({"numerator": k, "denominator": n, "value": k / n * 100})
    theta = k.sum() / n.sum()
    out, od = funnel_table(data, benchmark=theta, polarity="lower_is_better")
    assert od.applied == Adjustment.RANDOM_EFFECTS
    for col in ("z", "z_adjusted", "lower998", "upper998", "comparison", "phi", "tau"):
        assert col in out
    assert (out.lower998 <= out.lower95).all() and (out.upper95 <= out.upper998).all()
    outside = out.position == "outside 99.8% limits"
    assert list(outside) == list(out.z_adjusted.abs() > norm.ppf(0.999))
    assert (out.comparison[out.value > out.upper998] == "worse").all()  # lower is better
    assert (out.z_adjusted.abs() <= out.z.abs() + 1e-12).all()
    assert out.tau.iloc[0] == pytest.approx(od.tau)
    plain, _ = funnel_table(data, benchmark=theta, polarity="lower_is_better", method="none")
    assert (plain.position == "outside 99.8% limits").sum() > outside.sum()
    assert plain.tau.isna().all() and (plain.adjustment == "none").all()


def test_too_few_areas_leaves_the_limits_alone():
    od = estimate_overdispersion([2.0], [0.01])
    assert od.k == 1 and not od.detected and "too few" in od.label
    assert "Too few" in od.describe(0.3)
