"""The leadership-capacity stock-and-flow model of ``MODEL.md``, vectorised with numpy.

Every array is indexed ``[draw, region, level]`` (improvement stocks ``[draw, region, tier]``),
so one pass of the year loop moves all Monte-Carlo draws, all seven regions and all four
levels at once; only the year loop is Python. Step 3's promotions run top level first
(3→4, then 2→3, then 1→2) because each step fills vacancies the previous one opened: that is
three fixed, unrolled array operations, not a loop over data.

Choices where ``MODEL.md`` leaves room (also in ``docs/MODEL.md``):

- Draws: one uniform number per draw and uncertain parameter, mapped through the triangular
  inverse CDF of the national range, and through the override's range for a region with an
  override. All regions therefore share the draw ("national assumption"), overrides move
  with it (common random numbers), and a zero-width range returns exactly its central value.
- ``D = 1`` (``run_deterministic``) uses central values; Monte Carlo draws ``rng.random``
  from ``numpy.random.default_rng(seed)``, so the same seed gives identical output.
- Budget: ``scale = min(1, budget / Σ places · cost_per_place)`` multiplies every level's
  places in that year (pro rata across levels) before the regional split. Funded places are
  paid for in full (completion does not refund).
- Allocation weights are taken after step 4 (hires): ``pro_rata_posts`` uses the grown posts
  ``E'``, ``need`` uses ``S₂ − D₂``, ``vacancy`` uses ``max(0, E' − S₂)``. When a rule's
  weights are all zero for a level in a draw, that level falls back to ``pro_rata_posts``;
  when posts are zero everywhere too, the places are funded but no one completes.
- Improvement places are split by the grown workforce ``W'`` share; each tier is its own
  stock of staff who completed that tier, capped by the workforce.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nlf_planner.capacity.params import UNCERTAIN, CapacityParams, region_codes

N_LEVELS = 4
N_TIERS = 3
_TOL = 1e-9


class InvariantError(AssertionError):
    """Raised by a checked run when a ``MODEL.md`` invariant fails (a model bug)."""


@dataclass
class ModelResult:
    """States at the start of each year ``t = 0 … H`` and the flows of each year ``t = 1 … H``.

    Shapes: ``S, D, E, places, completions`` are ``(draws, H+1, regions, levels)``;
    ``W, cost, qi_cost`` are ``(draws, H+1, regions)``; ``Q, qi_places`` are
    ``(draws, H+1, regions, tiers)``. Year 0 flows are zero.
    """

    params: CapacityParams
    draws: int
    seed: int | None
    regions: tuple[str, ...]
    S: np.ndarray
    D: np.ndarray
    E: np.ndarray
    W: np.ndarray
    Q: np.ndarray
    places: np.ndarray
    completions: np.ndarray
    cost: np.ndarray
    qi_places: np.ndarray
    qi_cost: np.ndarray
    flows: dict[str, np.ndarray] = field(default_factory=dict)
    # Small derived summaries (percentiles, one output's slice) memoised by outputs.py;
    # results are cached and shared by the page, so each is computed once.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def horizon(self) -> int:
        return self.S.shape[1] - 1


# --- sampling -------------------------------------------------------------------------------


def triangular_ppf(u: np.ndarray, a: np.ndarray, c: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Inverse CDF of the triangular(a, c, b) distribution; ``u = NaN`` returns the mode c.

    Written so a zero-width range gives exactly c for every u, and u = 0 / 1 give a / b.
    """
    width = b - a
    safe = np.where(width > 0, width, 1.0)
    fc = np.where(width > 0, (c - a) / safe, 0.0)
    with np.errstate(invalid="ignore"):
        left = a + np.sqrt(u * width * (c - a))
        right = b - np.sqrt((1.0 - u) * width * (b - c))
    x = np.where(u < fc, left, right)
    return np.where(np.isnan(u), c, x)


def uniforms(seed: int, draws: int) -> np.ndarray:
    """The ``(draws, n_uncertain)`` uniforms behind a Monte-Carlo run; fixed by the seed."""
    return np.random.default_rng(seed).random((draws, len(UNCERTAIN)))


def range_arrays(params: CapacityParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, central, high) per uncertain parameter and region, overrides applied: (n, R)."""
    codes = region_codes()
    n, r = len(UNCERTAIN), len(codes)
    lo, mid, hi = np.empty((n, r)), np.empty((n, r)), np.empty((n, r))
    for j, spec in enumerate(UNCERTAIN):
        rg = params.range_of(spec.key)
        lo[j], mid[j], hi[j] = rg.low, rg.central, rg.high
    for o in params.overrides:
        j = next(i for i, s in enumerate(UNCERTAIN) if s.key == o.parameter)
        k = codes.index(o.region_code)
        lo[j, k], mid[j, k], hi[j, k] = o.range.low, o.range.central, o.range.high
    return lo, mid, hi


def sample(params: CapacityParams, u: np.ndarray) -> dict[str, np.ndarray]:
    """Parameter values from uniforms ``u``: ``{key: (R, draws)}``, or ``(1, draws)`` when
    the parameter has no regional override (the same national draw broadcasts to every
    region)."""
    lo, mid, hi = range_arrays(params)
    national = triangular_ppf(u, lo[:, 0], mid[:, 0], hi[:, 0])  # (draws, n)
    regional = {o.parameter for o in params.overrides}
    out = {}
    for j, spec in enumerate(UNCERTAIN):
        if spec.key in regional:
            out[spec.key] = triangular_ppf(
                u[None, :, j], lo[j, :, None], mid[j, :, None], hi[j, :, None]
            )
        else:
            out[spec.key] = national[None, :, j]
    return out


def _stack(values: dict[str, np.ndarray], field_name: str) -> np.ndarray:
    """Per-level (or per-tier) parameters as ``(R or 1, levels, draws)``."""
    arrays = [values[s.key] for s in UNCERTAIN if s.field == field_name]
    return np.stack(np.broadcast_arrays(*arrays), axis=1)


# --- the model ------------------------------------------------------------------------------


def run_deterministic(params: CapacityParams, **kw) -> ModelResult:
    """One run at central values (``D = 1``)."""
    return run(params, np.full((1, len(UNCERTAIN)), np.nan), seed=None, **kw)


def run_monte_carlo(
    params: CapacityParams, draws: int = 1000, seed: int = 2016, **kw
) -> ModelResult:
    """``draws`` runs with parameters drawn from their triangular ranges, reproducible by seed."""
    if draws < 1:
        raise ValueError("draws must be at least 1")
    return run(params, uniforms(seed, draws), seed=seed, **kw)


def _check(step: str, S: np.ndarray, D: np.ndarray) -> None:
    tol = _TOL * np.maximum(1.0, np.abs(S))
    if np.any(-tol > D) or np.any(S + tol < D) or np.any(-tol > S):
        raise InvariantError(f"0 ≤ D ≤ S broken after {step}")


FLOW_NAMES = (
    "leavers",
    "dev_leavers",
    "promoted_in",
    "promoted_out",
    "dev_promoted_in",
    "dev_promoted_out",
    "hires",
    "dev_hires",
    "vacancy_at_promotion",
    "vacancy_at_hire",
    "S_after_leavers",
)


def run(
    params: CapacityParams,
    u: np.ndarray,
    *,
    seed: int | None = None,
    keep_flows: bool = False,
    check: bool = False,
) -> ModelResult:
    """Run the model for every row of ``u`` (uniforms; NaN = central value).

    Internally arrays are ``(region, level, draw)`` so the draw axis is contiguous and
    per-draw parameters broadcast cheaply; results are returned draw-first.
    ``keep_flows`` records each year's flows (conservation tests); ``check`` asserts
    ``0 ≤ D ≤ S`` after every step (tests).
    """
    v = sample(params, u)
    nd = u.shape[0]
    codes = region_codes()
    nr = len(codes)
    H = params.horizon

    attr = _stack(v, "attrition")  # (R|1, 4, D)
    rgain = v["retention_gain"][:, None, :]  # (R|1, 1, D)
    prom = _stack(v, "promotion")  # (R|1, 3, D)
    pref = v["promotion_preference"]  # (R|1, D)
    xfill = _stack(v, "external_fill")
    xdev = _stack(v, "external_developed")
    growth = v["post_growth"][:, None, :]
    comp = _stack(v, "completion")
    wgrowth = v["workforce_growth"]  # (R|1, D)
    wattr = v["workforce_attrition"][:, None, :]  # (R|1, 1, D)
    qcomp = _stack(v, "qi_completion")  # (R|1, 3, D)
    cost_pp = np.asarray(params.cost_per_place, dtype=float)[None, :, None]
    qi_cost_pp = np.asarray(params.qi_cost, dtype=float)[None, :, None]

    share = np.array([params.region_shares[c] for c in codes])
    b = params.base
    full = (nr, N_LEVELS, nd)
    S = np.broadcast_to((share[:, None] * np.asarray(b.in_post))[..., None], full).copy()
    D = S * np.asarray(b.developed_share)[None, :, None]
    E = np.broadcast_to((share[:, None] * np.asarray(b.posts))[..., None], full).copy()
    W = np.broadcast_to((share * b.workforce)[:, None], (nr, nd)).copy()
    Q = W[:, None, :] * np.asarray(b.qi_share)[None, :, None]

    shape4 = (H + 1, *full)
    shape_q = (H + 1, nr, N_TIERS, nd)
    out = {
        "S": np.empty(shape4),
        "D": np.empty(shape4),
        "E": np.empty(shape4),
        "W": np.empty((H + 1, nr, nd)),
        "Q": np.empty(shape_q),
        "places": np.zeros(shape4),
        "completions": np.zeros(shape4),
        "cost": np.zeros((H + 1, nr, nd)),
        "qi_places": np.zeros(shape_q),
        "qi_cost": np.zeros((H + 1, nr, nd)),
    }
    flows = {k: np.zeros(shape4) for k in FLOW_NAMES} if keep_flows else None
    out["S"][0], out["D"][0], out["E"][0], out["W"][0], out["Q"][0] = S, D, E, W, Q
    if check:
        _check("base", S, D)

    for t in range(1, H + 1):
        # 1. Posts grow.
        E = E * (1.0 + growth)
        # 2. Leavers: developed leaders leave less often.
        l_dev = attr * (1.0 - rgain) * D
        l_undev = attr * (S - D)
        S = S - l_dev - l_undev
        D = D - l_dev
        if check:
            _check(f"leavers, year {t}", S, D)
        if flows is not None:
            flows["leavers"][t] = l_dev + l_undev
            flows["dev_leavers"][t] = l_dev
            flows["S_after_leavers"][t] = S
        # 3. Promotions, top level first so each fills the vacancy the one above opened.
        for lv in (2, 1, 0):
            _promote(lv, S, D, E, prom, pref, flows, t)
            if check:
                _check(f"promotion {lv + 1}→{lv + 2}, year {t}", S, D)
        # 4. External hires into what is still vacant.
        vac = np.maximum(0.0, E - S)
        hires = xfill * vac
        S = S + hires
        D = D + xdev * hires
        if check:
            _check(f"hires, year {t}", S, D)
        if flows is not None:
            flows["vacancy_at_hire"][t] = vac
            flows["hires"][t] = hires
            flows["dev_hires"][t] = xdev * hires
        # 5. Places: budget limit, regional split, completions.
        national = np.asarray(params.places_for_year(t), dtype=float)
        funded = (national * params.funding_scale(t))[None, :, None]
        places_r = funded * _allocation_shares(params.allocation, E, S, D)
        done = np.minimum(comp * places_r, S - D)
        D = D + done
        if check:
            _check(f"completions, year {t}", S, D)
        # 6. Improvement capability of the whole workforce.
        W_next = W * (1.0 + wgrowth)
        kept = Q * (1.0 - wattr)
        qi_national = np.asarray(params.qi_places_for_year(t), dtype=float)[None, :, None]
        w_total = W_next.sum(axis=0)
        w_share = np.divide(W_next, w_total, out=np.zeros_like(W_next), where=w_total > 0)
        qi_r = qi_national * w_share[:, None, :]  # (R, 3, D)
        Q = kept + np.minimum(qcomp * qi_r, W_next[:, None, :] - kept)
        W = W_next
        # 7. Record the state for the start of year t + 1 (reported as year t).
        out["S"][t], out["D"][t], out["E"][t], out["W"][t], out["Q"][t] = S, D, E, W, Q
        out["places"][t] = places_r
        out["completions"][t] = done
        out["cost"][t] = (places_r * cost_pp).sum(axis=1)
        out["qi_places"][t] = qi_r
        out["qi_cost"][t] = (qi_r * qi_cost_pp).sum(axis=1)

    result = {k: np.moveaxis(a, -1, 0) for k, a in out.items()}
    kept_flows = {k: np.moveaxis(a, -1, 0) for k, a in (flows or {}).items()}
    return ModelResult(
        params=params, draws=nd, seed=seed, regions=codes, flows=kept_flows, **result
    )


def concat_results(parts: list[ModelResult]) -> ModelResult:
    """Join runs over consecutive chunks of draws into one result (same params)."""
    first = parts[0]
    arrays = {
        name: np.concatenate([getattr(p, name) for p in parts], axis=0)
        for name in ("S", "D", "E", "W", "Q", "places", "completions", "cost", "qi_places",
                     "qi_cost")
    }  # fmt: skip
    flows = {k: np.concatenate([p.flows[k] for p in parts], axis=0) for k in first.flows}
    return ModelResult(
        params=first.params,
        draws=sum(p.draws for p in parts),
        seed=first.seed,
        regions=first.regions,
        flows=flows,
        **arrays,
    )


def _promote(lv, S, D, E, prom, pref, flows, t) -> None:
    """Step 3 for one level: promote from ``lv`` into ``lv + 1`` (0-based), in place."""
    up = lv + 1
    vac = np.maximum(0.0, E[:, up] - S[:, up])
    s_lv = S[:, lv]
    moved = np.minimum(prom[:, lv] * s_lv, vac)
    ratio = np.divide(D[:, lv], s_lv, out=np.zeros_like(s_lv), where=s_lv > 0)
    dev_share = np.minimum(1.0, ratio * (1.0 + pref))
    dev_moved = np.minimum(dev_share * moved, D[:, lv])
    S[:, lv] -= moved
    D[:, lv] -= dev_moved
    S[:, up] += moved
    D[:, up] += dev_moved
    if flows is not None:
        flows["vacancy_at_promotion"][t, :, up] = vac
        flows["promoted_out"][t, :, lv] = moved
        flows["promoted_in"][t, :, up] = moved
        flows["dev_promoted_out"][t, :, lv] = dev_moved
        flows["dev_promoted_in"][t, :, up] = dev_moved


def _allocation_shares(rule: str, E: np.ndarray, S: np.ndarray, D: np.ndarray) -> np.ndarray:
    """Regional shares of each level's places, ``(R, 4, D)``, summing to 1 over regions."""
    if rule == "need":
        weights = np.maximum(0.0, S - D)
    elif rule == "vacancy":
        weights = np.maximum(0.0, E - S)
    else:
        weights = E
    total = weights.sum(axis=0)
    if rule != "pro_rata_posts":
        fallback = total <= 0
        if fallback.any():
            weights = np.where(fallback, E, weights)
            total = np.where(fallback, E.sum(axis=0), total)
    return np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
