"""Plain-Python reference implementation of the leadership-capacity model (``MODEL.md``).

The same equations as ``nlf_planner.capacity.model`` written as explicit loops over draws,
years, regions and levels with Python floats and no numpy arithmetic, so the vectorised model
can be checked against it (to 1e-9) and timed beside it (``bench_capacity.py``). It takes the
same uniforms ``u`` (NaN = central value) so both runs see identical parameter draws; the
triangular inverse CDF is re-implemented here too.
"""

from __future__ import annotations

import math

import numpy as np

from nlf_planner.capacity.params import UNCERTAIN, CapacityParams, region_codes

L = 4
K = 3


def _ppf(x: float, a: float, c: float, b: float) -> float:
    if x != x:  # NaN: central value
        return c
    width = b - a
    fc = (c - a) / width if width > 0 else 0.0
    if x < fc:
        return a + math.sqrt(x * width * (c - a))
    return b - math.sqrt((1.0 - x) * width * (b - c))


def _ranges(params: CapacityParams) -> list[list[tuple[float, float, float]]]:
    codes = region_codes()
    out = []
    for spec in UNCERTAIN:
        r = params.range_of(spec.key)
        per_region = [(r.low, r.central, r.high)] * len(codes)
        for o in params.overrides:
            if o.parameter == spec.key:
                per_region[codes.index(o.region_code)] = (
                    o.range.low,
                    o.range.central,
                    o.range.high,
                )
        out.append(per_region)
    return out


def reference_run(params: CapacityParams, u: np.ndarray) -> dict[str, np.ndarray]:
    """Run the model with loops; returns ``S, D, E, W, Q, places, completions, cost, qi_cost``
    shaped like :class:`~nlf_planner.capacity.model.ModelResult`."""
    codes = region_codes()
    R = len(codes)
    H = params.horizon
    u_rows = u.tolist()
    ranges = _ranges(params)
    keys = [s.key for s in UNCERTAIN]
    share = [params.region_shares[c] for c in codes]
    base = params.base
    cost_pp = list(params.cost_per_place)
    qi_cost = list(params.qi_cost)

    res = {
        name: [] for name in ("S", "D", "E", "W", "Q", "places", "completions", "cost", "qi_cost")
    }
    for urow in u_rows:
        # Parameter values for this draw: val[key][region].
        val = {key: [_ppf(urow[j], *ranges[j][r]) for r in range(R)] for j, key in enumerate(keys)}

        def lv(field: str, r: int, n: int = L, val=val) -> list[float]:
            return [val[f"{field}.{i + 1}"][r] for i in range(n)]

        S = [[share[r] * base.in_post[i] for i in range(L)] for r in range(R)]
        D = [[S[r][i] * base.developed_share[i] for i in range(L)] for r in range(R)]
        E = [[share[r] * base.posts[i] for i in range(L)] for r in range(R)]
        W = [share[r] * base.workforce for r in range(R)]
        Q = [[W[r] * base.qi_share[k] for k in range(K)] for r in range(R)]
        hist = {name: [] for name in res}
        zeros4 = [[0.0] * L for _ in range(R)]
        _store(hist, S, D, E, W, Q, zeros4, zeros4, [0.0] * R, [0.0] * R)

        for t in range(1, H + 1):
            for r in range(R):
                attr = lv("attrition", r)
                rg = val["retention_gain"][r]
                g = val["post_growth"][r]
                for i in range(L):
                    E[r][i] = E[r][i] * (1.0 + g)
                    l_dev = attr[i] * (1.0 - rg) * D[r][i]
                    l_undev = attr[i] * (S[r][i] - D[r][i])
                    S[r][i] = S[r][i] - l_dev - l_undev
                    D[r][i] = D[r][i] - l_dev
                prom = [val[f"promotion.{i + 1}"][r] for i in range(3)]
                pref = val["promotion_preference"][r]
                for i in (2, 1, 0):
                    up = i + 1
                    vac = max(0.0, E[r][up] - S[r][up])
                    moved = min(prom[i] * S[r][i], vac)
                    ratio = D[r][i] / S[r][i] if S[r][i] > 0 else 0.0
                    dev_share = min(1.0, ratio * (1.0 + pref))
                    dev_moved = min(dev_share * moved, D[r][i])
                    S[r][i] -= moved
                    D[r][i] -= dev_moved
                    S[r][up] += moved
                    D[r][up] += dev_moved
                xf, xd = lv("external_fill", r), lv("external_developed", r)
                for i in range(L):
                    vac = max(0.0, E[r][i] - S[r][i])
                    hires = xf[i] * vac
                    S[r][i] = S[r][i] + hires
                    D[r][i] = D[r][i] + xd[i] * hires
            # Step 5: national places, budget, regional split.
            national = params.places_for_year(t)
            planned = sum(national[i] * cost_pp[i] for i in range(L))
            budget = params.budget_for_year(t)
            scale = 1.0 if budget is None or planned <= budget else budget / planned
            funded = [national[i] * scale for i in range(L)]
            places_r = [[0.0] * L for _ in range(R)]
            for i in range(L):
                weights = [_weight(params.allocation, E[r][i], S[r][i], D[r][i]) for r in range(R)]
                total = sum(weights)
                if params.allocation != "pro_rata_posts" and total <= 0:
                    weights = [E[r][i] for r in range(R)]
                    total = sum(weights)
                for r in range(R):
                    sh = weights[r] / total if total > 0 else 0.0
                    places_r[r][i] = funded[i] * sh
            done = [[0.0] * L for _ in range(R)]
            cost = [0.0] * R
            for r in range(R):
                comp = lv("completion", r)
                for i in range(L):
                    done[r][i] = min(comp[i] * places_r[r][i], S[r][i] - D[r][i])
                    D[r][i] = D[r][i] + done[r][i]
                    cost[r] += places_r[r][i] * cost_pp[i]
            # Step 6: improvement capability.
            W_next = [W[r] * (1.0 + val["workforce_growth"][r]) for r in range(R)]
            w_total = sum(W_next)
            qi_nat = params.qi_places_for_year(t)
            qcost = [0.0] * R
            for r in range(R):
                wa = val["workforce_attrition"][r]
                qc = [val[f"qi_completion.{k + 1}"][r] for k in range(K)]
                w_share = W_next[r] / w_total if w_total > 0 else 0.0
                for k in range(K):
                    kept = Q[r][k] * (1.0 - wa)
                    qi_r = qi_nat[k] * w_share
                    Q[r][k] = kept + min(qc[k] * qi_r, W_next[r] - kept)
                    qcost[r] += qi_r * qi_cost[k]
            W = W_next
            _store(hist, S, D, E, W, Q, places_r, done, cost, qcost)
        for name in res:
            res[name].append(hist[name])
    return {name: np.array(v, dtype=float) for name, v in res.items()}


def _weight(rule: str, e: float, s: float, d: float) -> float:
    if rule == "need":
        return max(0.0, s - d)
    if rule == "vacancy":
        return max(0.0, e - s)
    return e


def _store(hist, S, D, E, W, Q, places, done, cost, qcost) -> None:
    hist["S"].append([row[:] for row in S])
    hist["D"].append([row[:] for row in D])
    hist["E"].append([row[:] for row in E])
    hist["W"].append(list(W))
    hist["Q"].append([row[:] for row in Q])
    hist["places"].append([row[:] for row in places])
    hist["completions"].append([row[:] for row in done])
    hist["cost"].append(list(cost))
    hist["qi_cost"].append(list(qcost))
