"""Issue 5: the capacity model's speed and memory, side by side with the plain-Python loop.

Bars: deterministic 5-year run < 5 ms; 1,000 draws × 7 regions × 4 levels × 5 years
< 150 ms; 10,000 draws < 1.5 s and < 500 MB; ≥ 50× faster than ``reference_capacity`` at
1,000 draws and agreeing with it to 1e-9; goal seek < 2 s at 1,000 draws.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

import numpy as np

from bench.reference_capacity import reference_run
from nlf_planner.capacity import model as cm
from nlf_planner.capacity.outputs import summarise
from nlf_planner.capacity.params import baseline_params
from nlf_planner.capacity.scenarios import goal_seek, sensitivity
from nlf_planner.geography import ENGLAND_CODE


def _median_s(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run() -> dict:
    p = baseline_params(horizon=5)
    cm.run_deterministic(p)  # warm imports and caches
    out: dict = {}
    out["deterministic_5y_ms"] = round(1e3 * _median_s(lambda: cm.run_deterministic(p), 50), 3)
    u1k = cm.uniforms(2016, 1000)
    out["mc_1000_draws_ms"] = round(1e3 * _median_s(lambda: cm.run(p, u1k), 10), 2)
    u10k = cm.uniforms(2016, 10_000)
    out["mc_10000_draws_s"] = round(_median_s(lambda: cm.run(p, u10k), 3), 3)
    tracemalloc.start()
    result = cm.run(p, u10k)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    out["mc_10000_draws_peak_mb"] = round(peak / 2**20, 1)

    # Side by side with the reference loop on identical uniforms.
    t = time.perf_counter()
    ref = reference_run(p, u1k)
    ref_s = time.perf_counter() - t
    vec_s = _median_s(lambda: cm.run(p, u1k), 5)
    res = cm.run(p, u1k)
    abs_diff = max(float(np.max(np.abs(getattr(res, k) - v))) for k, v in ref.items())
    rel_diff = max(
        float(np.max(np.abs(getattr(res, k) - v) / np.maximum(1.0, np.abs(v))))
        for k, v in ref.items()
    )
    out["reference_loop_1000_draws_s"] = round(ref_s, 3)
    out["vectorised_1000_draws_s"] = round(vec_s, 4)
    out["speedup_vs_reference_x"] = round(ref_s / vec_s, 1)
    out["max_abs_diff_vs_reference"] = abs_diff
    out["max_rel_diff_vs_reference"] = rel_diff

    gs_s = _median_s(
        lambda: goal_seek(p, "improvement_coverage", 20.0, 5, draws=1000, seed=2016), 3
    )
    gs = goal_seek(p, "improvement_coverage", 20.0, 5, draws=1000, seed=2016)
    out["goal_seek_1000_draws_s"] = round(gs_s, 3)
    out["goal_seek_evaluations"] = len(gs.evaluations)
    out["sensitivity_ms"] = round(
        1e3 * _median_s(lambda: sensitivity(p, "vacancy_rate", 5, ENGLAND_CODE, 4), 5), 2
    )
    res = cm.run(p, u1k)
    out["summarise_1000_draws_ms"] = round(1e3 * _median_s(lambda: summarise(res), 3), 1)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
