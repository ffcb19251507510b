"""The capacity model: a hand-computed example, every MODEL.md invariant, reproducibility,
and agreement with the plain-Python reference loop (bench/reference_capacity.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.reference_capacity import reference_run
from nlf_planner.capacity import model as cm
from nlf_planner.capacity.outputs import geo_codes, output_arrays
from nlf_planner.capacity.params import (
    UNCERTAIN,
    BaseState,
    CapacityParams,
    Range,
    RegionalOverride,
    baseline_params,
    region_codes,
)

LONDON = "E40000003"
TOL = 1e-9


def _only_london() -> dict[str, float]:
    return {c: (1.0 if c == LONDON else 0.0) for c in region_codes()}


def _pt(x: float) -> Range:
    return Range.point(x)


def hand_params() -> CapacityParams:
    """Two levels in play (senior 3 and executive 4), everything in London, point values."""
    return CapacityParams(
        horizon=2,
        region_shares=_only_london(),
        base=BaseState(
            posts=(0, 0, 200, 100),
            in_post=(0, 0, 200, 90),
            developed_share=(0, 0, 0.5, 30 / 90),
            workforce=1000,
            qi_share=(0.1, 0.0, 0.0),
        ),
        attrition=(_pt(0.1), _pt(0.1), _pt(0.0), _pt(0.2)),
        retention_gain=_pt(0.5),
        promotion=(_pt(0.0), _pt(0.0), _pt(0.05)),
        promotion_preference=_pt(0.5),
        external_fill=(_pt(0.5), _pt(0.5), _pt(0.5), _pt(0.5)),
        external_developed=(_pt(0.0), _pt(0.0), _pt(0.2), _pt(0.2)),
        post_growth=_pt(0.1),
        places=([0.0], [0.0], [0.0], [10.0]),
        completion=(_pt(0.5), _pt(0.5), _pt(0.5), _pt(0.5)),
        cost_per_place=(0, 0, 0, 1000),
        budget=None,
        workforce_growth=_pt(0.0),
        workforce_attrition=_pt(0.0),
        qi_places=([0.0], [0.0], [0.0]),
        qi_completion=(_pt(1.0), _pt(1.0), _pt(1.0)),
        qi_cost=(0, 0, 0),
    )


def test_hand_computed_two_years_london_executives():
    r = cm.run_deterministic(hand_params(), check=True)
    ld = region_codes().index(LONDON)
    # Year 1, executives (level 4), by hand:
    #  1. posts 100 → 110.
    #  2. leavers: developed 0.2 × (1 − 0.5) × 30 = 3; others 0.2 × 60 = 12 → S 75, D 27.
    #  3. senior leaders (S 200, D 100, no attrition) promote min(0.05 × 200, 110 − 75) = 10,
    #     developed share min(1, 100/200 × 1.5) = 0.75 → 7.5 developed → S 85, D 34.5.
    #  4. hires 0.5 × (110 − 85) = 12.5, of whom 0.2 developed (2.5) → S 97.5, D 37.
    #  5. 10 places, completion 0.5 → min(5, 97.5 − 37) = 5 completions → D 42; cost £10,000.
    # Seniors after year 1: 200 − 10 = 190 in post, D 92.5; posts 220, hires 0.5 × 30 = 15
    #  (3 developed) → S 205, D 95.5.
    assert r.E[0, 1, ld, 3] == pytest.approx(110)
    assert r.S[0, 1, ld, 3] == pytest.approx(97.5)
    assert r.D[0, 1, ld, 3] == pytest.approx(42.0)
    assert r.S[0, 1, ld, 2] == pytest.approx(205)
    assert r.D[0, 1, ld, 2] == pytest.approx(95.5)
    assert r.cost[0, 1, ld] == pytest.approx(10_000)
    # Year 2, executives:
    #  1. posts 110 → 121.
    #  2. leavers: developed 0.2 × 0.5 × 42 = 4.2; others 0.2 × 55.5 = 11.1 → S 82.2, D 37.8.
    #  3. promotions min(0.05 × 205, 121 − 82.2) = 10.25; developed share
    #     min(1, 95.5/205 × 1.5) → 95.5 × 1.5 × 0.05 = 7.1625 → S 92.45, D 44.9625.
    #  4. hires 0.5 × (121 − 92.45) = 14.275, developed 2.855 → S 106.725, D 47.8175.
    #  5. completions min(5, 58.9075) = 5 → D 52.8175.
    assert r.E[0, 2, ld, 3] == pytest.approx(121)
    assert r.S[0, 2, ld, 3] == pytest.approx(106.725)
    assert r.D[0, 2, ld, 3] == pytest.approx(52.8175)
    vac = output_arrays(r, ["vacancy_rate"])["vacancy_rate"]
    assert vac[0, 2, ld, 3] == pytest.approx(100 * 14.275 / 121)
    # Everything sits in London: the other regions stay empty, England equals London.
    others = [i for i, c in enumerate(region_codes()) if c != LONDON]
    assert np.all(r.S[:, :, others] == 0)
    eng = geo_codes(r).index("E92000001")
    assert vac[0, 2, eng, 3] == pytest.approx(vac[0, 2, ld, 3])


# --- random valid parameters ---------------------------------------------------------------


@st.composite
def ranges(draw, lo=0.0, hi=1.0):
    xs = sorted(draw(st.floats(lo, hi, allow_nan=False)) for _ in range(3))
    return Range(low=xs[0], central=xs[1], high=xs[2])


@st.composite
def params_strategy(draw, horizon=None):
    rate = ranges()
    posts = [draw(st.floats(0, 1e5)) for _ in range(4)]
    in_post = [p * draw(st.floats(0, 1.3)) for p in posts]
    shares = [draw(st.floats(0.0, 1.0)) for _ in range(7)]
    if sum(shares) == 0:
        shares[0] = 1.0
    total = sum(shares)
    codes = region_codes()
    region_shares = {c: s / total for c, s in zip(codes, shares, strict=True)}
    region_shares[codes[-1]] = 1.0 - sum(region_shares[c] for c in codes[:-1])
    if region_shares[codes[-1]] < 0:
        region_shares[codes[-1]] = 0.0
    overrides = []
    if draw(st.booleans()):
        spec = draw(st.sampled_from(UNCERTAIN))
        lo, hi = (-0.5, 0.5) if spec.kind == "growth" else (0.0, 1.0)
        overrides.append(
            RegionalOverride(
                region_code=draw(st.sampled_from(codes)),
                parameter=spec.key,
                range=draw(ranges(lo, hi)),
            )
        )
    places = tuple(
        [draw(st.floats(0, 5e4)) for _ in range(draw(st.integers(1, 3)))] for _ in range(4)
    )
    return CapacityParams.model_validate(
        {
            "horizon": horizon or draw(st.integers(1, 6)),
            "region_shares": region_shares,
            "base": {
                "posts": posts,
                "in_post": in_post,
                "developed_share": [draw(st.floats(0, 1)) for _ in range(4)],
                "workforce": draw(st.floats(1, 2e6)),
                "qi_share": [draw(st.floats(0, 1)) for _ in range(3)],
            },
            "attrition": [draw(rate) for _ in range(4)],
            "retention_gain": draw(rate),
            "promotion": [draw(rate) for _ in range(3)],
            "promotion_preference": draw(ranges(0, 10)),
            "external_fill": [draw(rate) for _ in range(4)],
            "external_developed": [draw(rate) for _ in range(4)],
            "post_growth": draw(ranges(-0.5, 0.5)),
            "places": places,
            "completion": [draw(rate) for _ in range(4)],
            "cost_per_place": [draw(st.floats(0, 3e4)) for _ in range(4)],
            "budget": draw(
                st.one_of(st.none(), st.lists(st.floats(0, 5e7), min_size=1, max_size=3))
            ),
            "allocation": draw(st.sampled_from(["pro_rata_posts", "need", "vacancy"])),
            "workforce_growth": draw(ranges(-0.5, 0.5)),
            "workforce_attrition": draw(rate),
            "qi_places": tuple([draw(st.floats(0, 1e5))] for _ in range(3)),
            "qi_completion": [draw(rate) for _ in range(3)],
            "overrides": [o.model_dump() for o in overrides],
        }
    )


HYP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _close(a, b) -> np.ndarray:
    return np.abs(a - b) <= TOL * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))


@HYP
@given(params_strategy(), st.integers(0, 2**31))
def test_bounds_and_conservation_hold_for_random_parameters(params, seed):
    r = cm.run_monte_carlo(params, draws=5, seed=seed, keep_flows=True, check=True)
    f = r.flows
    S, D, E = r.S, r.D, r.E
    # 0 ≤ D ≤ S in every cell after every step (check=True asserts it inside the year too).
    assert np.all(-TOL * np.maximum(1, S) <= D) and np.all(S + TOL * np.maximum(1, S) >= D)
    for t in range(1, params.horizon + 1):
        s0, s1 = S[:, t - 1], S[:, t]
        # Heads: S_next = S − leavers + promoted in − promoted out + hires.
        flow = (
            s0
            - f["leavers"][:, t]
            + f["promoted_in"][:, t]
            - f["promoted_out"][:, t]
            + f["hires"][:, t]
        )
        assert np.all(_close(s1, flow))
        # Summed over levels, promotions cancel.
        assert np.allclose(
            f["promoted_in"][:, t].sum(-1), f["promoted_out"][:, t].sum(-1), rtol=1e-12
        )
        # Developed heads balance too (completions are the only other inflow).
        dflow = (
            D[:, t - 1]
            - f["dev_leavers"][:, t]
            + f["dev_promoted_in"][:, t]
            - f["dev_promoted_out"][:, t]
            + f["dev_hires"][:, t]
            + r.completions[:, t]
        )
        assert np.all(_close(D[:, t], dflow))
        # Promotions and hires never exceed the vacancies at that moment.
        pin, vp = f["promoted_in"][:, t], f["vacancy_at_promotion"][:, t]
        assert np.all(pin <= vp + TOL * np.maximum(1, vp))
        hires, vh = f["hires"][:, t], f["vacancy_at_hire"][:, t]
        assert np.all(hires <= vh + TOL * np.maximum(1, vh))
        # No level ends above its posts unless leavers alone could not bring it down.
        cap = np.maximum(E[:, t], f["S_after_leavers"][:, t])
        assert np.all(s1 <= cap + TOL * np.maximum(1, cap))
    # Improvement stocks stay within the workforce.
    assert np.all(r.Q >= -TOL) and np.all(r.W[..., None] * (1 + TOL) + TOL >= r.Q)
    # Budget: funded leadership places never cost more than the year's budget.
    for t in range(1, params.horizon + 1):
        b = params.budget_for_year(t)
        if b is not None:
            assert r.cost[:, t].sum(-1).max() <= b * (1 + 1e-9) + 1e-6


@HYP
@given(params_strategy())
def test_no_places_and_no_developed_recruits_never_raise_developed_leaders(params):
    data = params.model_dump(mode="json")
    data["places"] = [[0.0]] * 4
    data["external_developed"] = [Range.point(0.0).model_dump()] * 4
    data["overrides"] = [o for o in data["overrides"] if "external_developed" not in o["parameter"]]
    p = CapacityParams.model_validate(data)
    r = cm.run_monte_carlo(p, draws=4, seed=1)
    total = r.D.sum(axis=(2, 3))  # all regions and levels, per draw and year
    assert np.all(np.diff(total, axis=1) <= TOL * np.maximum(1, total[:, 1:]))


@HYP
@given(params_strategy(), st.integers(0, 2**31))
def test_zero_width_ranges_make_every_draw_the_deterministic_run(params, seed):
    data = params.model_dump(mode="json")
    for spec in UNCERTAIN:
        c = params.range_of(spec.key).central
        point = Range.point(c).model_dump()
        if spec.index is None:
            data[spec.field] = point
        else:
            data[spec.field][spec.index] = point
    for o in data["overrides"]:
        c = o["range"]["central"]
        o["range"] = Range.point(c).model_dump()
    p = CapacityParams.model_validate(data)
    det = cm.run_deterministic(p)
    mc = cm.run_monte_carlo(p, draws=7, seed=seed)
    for name in ("S", "D", "E", "W", "Q", "cost", "completions"):
        assert np.array_equal(getattr(mc, name), np.repeat(getattr(det, name), 7, axis=0)), name


@HYP
@given(params_strategy(horizon=3), st.integers(0, 2**31))
def test_vectorised_model_agrees_with_the_reference_loop(params, seed):
    u = cm.uniforms(seed, 6)
    ref = reference_run(params, u)
    res = cm.run(params, u)
    for name, expected in ref.items():
        got = getattr(res, name)
        assert got.shape == expected.shape
        assert np.all(_close(got, expected)), name


def test_same_seed_same_output_and_different_seed_differs():
    p = baseline_params()
    a = cm.run_monte_carlo(p, draws=200, seed=11)
    b = cm.run_monte_carlo(p, draws=200, seed=11)
    c = cm.run_monte_carlo(p, draws=200, seed=12)
    assert np.array_equal(a.S, b.S) and np.array_equal(a.Q, b.Q)
    assert not np.array_equal(a.S, c.S)


def test_draws_vary_and_respect_their_ranges():
    p = baseline_params()
    u = cm.uniforms(3, 2000)
    v = cm.sample(p, u)
    att4 = v["attrition.4"][0]
    assert att4.min() >= 0.15 and att4.max() <= 0.28
    assert 0.18 < np.median(att4) < 0.23  # triangular(0.15, 0.20, 0.28) median ≈ 0.207


def test_override_moves_one_region_with_the_national_draw():
    p = baseline_params().model_copy(
        update={
            "overrides": [
                RegionalOverride(
                    region_code=LONDON,
                    parameter="attrition.4",
                    range=Range(low=0.25, central=0.30, high=0.35),
                )
            ]
        }
    )
    v = cm.sample(p, cm.uniforms(4, 500))["attrition.4"]
    ld = region_codes().index(LONDON)
    assert v.shape == (7, 500)
    assert v[ld].min() >= 0.25 and v[np.arange(7) != ld].max() <= 0.28
    # Common random numbers: London is high exactly when the national draw is high.
    other = v[0 if ld else 1]
    assert np.corrcoef(v[ld], other)[0, 1] > 0.99
    r = cm.run_deterministic(p)
    vac = output_arrays(r, ["vacancy_rate"])["vacancy_rate"]
    assert vac[0, 5, ld, 3] > vac[0, 5, 0, 3]


@pytest.mark.parametrize("rule", ["pro_rata_posts", "need", "vacancy"])
def test_places_are_split_across_regions_without_loss(rule):
    p = baseline_params().model_copy(update={"allocation": rule, "budget": None})
    r = cm.run_monte_carlo(p, draws=20, seed=5)
    national = np.array(p.places_for_year(1))
    assert np.allclose(r.places[:, 1].sum(axis=1), national)


def test_need_allocation_falls_back_to_posts_when_everyone_is_developed():
    data = baseline_params().model_dump(mode="json")
    data["base"]["developed_share"] = [1.0, 1.0, 1.0, 1.0]
    data["external_developed"] = [Range.point(1.0).model_dump()] * 4
    data["allocation"] = "need"
    r = cm.run_deterministic(CapacityParams.model_validate(data))
    shares = np.array([data["region_shares"][c] for c in region_codes()])
    got = r.places[0, 1, :, 3] / r.places[0, 1, :, 3].sum()
    assert np.allclose(got, shares)
    assert np.all(r.completions[0, 1:] == 0)


def test_budget_scales_places_pro_rata_across_levels():
    p = baseline_params()  # budget = today's cost
    half = p.model_copy(update={"budget": [p.planned_cost(1) / 2]})
    r = cm.run_deterministic(half)
    funded = r.places[0, 1].sum(axis=0)
    assert np.allclose(funded, np.array(p.places_for_year(1)) / 2)
    assert r.cost[0, 1].sum() == pytest.approx(p.planned_cost(1) / 2)


def test_national_totals_equal_the_sum_of_regions():
    r = cm.run_monte_carlo(baseline_params(), draws=50, seed=3)
    arr = output_arrays(r, ["leaders_in_post", "developed_leaders", "cost_total", "vacancy_rate"])
    eng = geo_codes(r).index("E92000001")
    for name in ("leaders_in_post", "developed_leaders", "cost_total"):
        assert np.allclose(arr[name][:, :, eng], arr[name][:, :, :eng].sum(axis=2))
    # England's vacancy rate is England's vacancies over England's posts.
    S, E = r.S.sum(axis=2), r.E.sum(axis=2)
    assert np.allclose(arr["vacancy_rate"][:, :, eng, :4], 100 * (E - S) / E)


def test_baseline_is_a_credible_carry_on_as_now():
    r = cm.run_deterministic(baseline_params(horizon=10))
    vac = output_arrays(r, ["vacancy_rate"])["vacancy_rate"]
    eng = geo_codes(r).index("E92000001")
    executive = vac[0, :, eng, 3]
    assert executive[0] == pytest.approx(8.0)
    assert np.all(np.abs(executive - 8.0) < 1.5)


def test_draws_must_be_positive():
    with pytest.raises(ValueError):
        cm.run_monte_carlo(baseline_params(), draws=0)
