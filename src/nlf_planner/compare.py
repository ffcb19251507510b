"""Comparison statistics the Fingertips way: Wilson intervals, better/similar/worse, funnels.

A region or ICS is compared with England by whether its interval lies wholly above, overlaps,
or lies wholly below England's value. For proportions the interval is the Wilson score
interval, and the funnel limits are the matching score-test limits around England's value, so
a point outside the 95% funnel is exactly an area whose 95% interval excludes England: the
benchmark bars and the funnel can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from statistics import NormalDist

import numpy as np
import pandas as pd

LEVELS = (0.95, 0.998)
MIN_DENOMINATOR = 30  # below this, a proportion is shown but not compared


class Comparison(StrEnum):
    BETTER = "better"
    SIMILAR = "similar"
    WORSE = "worse"
    HIGHER = "higher"
    LOWER = "lower"
    NOT_COMPARED = "not compared"


COMPARISON_LABEL = {
    Comparison.BETTER: "Better than England",
    Comparison.SIMILAR: "Similar to England",
    Comparison.WORSE: "Worse than England",
    Comparison.HIGHER: "Higher than England",
    Comparison.LOWER: "Lower than England",
    Comparison.NOT_COMPARED: "Not compared",
}

# Fingertips RAG for measures with a polarity; blues (BOB) for neutral ones. Text always too.
COMPARISON_COLOUR = {
    Comparison.BETTER: "#005EB8",
    Comparison.SIMILAR: "#FFB81C",
    Comparison.WORSE: "#E46C0A",
    Comparison.HIGHER: "#003087",
    Comparison.LOWER: "#41B6E6",
    Comparison.NOT_COMPARED: "#FFFFFF",
}


def z_value(level: float) -> float:
    """Two-sided standard normal quantile for a confidence level (1.96 at 95%)."""
    if not 0 < level < 1:
        raise ValueError("A confidence level must lie between 0 and 1.")
    return NormalDist().inv_cdf(1 - (1 - level) / 2)


#: The 95% two-sided quantile, shared by the store's pooled score intervals and the generator.
Z95 = z_value(0.95)


def wilson_interval(
    numerator: float | np.ndarray | Sequence[float],
    denominator: float | np.ndarray | Sequence[float],
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions (0–1); NaN where the denominator is not positive."""
    k = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = (n > 0) & (k >= 0) & (k <= n)
        p = np.where(valid, k / np.where(n > 0, n, 1), np.nan)
        z2n = z * z / n
        centre = p + z2n / 2
        half = z * np.sqrt(p * (1 - p) / n + z2n / (4 * n))
        denom = 1 + z2n
        low = np.where(valid, np.clip((centre - half) / denom, 0, 1), np.nan)
        high = np.where(valid, np.clip((centre + half) / denom, 0, 1), np.nan)
        low = np.where(valid & (k == 0), 0.0, low)  # exact ends, not rounding noise
        high = np.where(valid & (k == n), 1.0, high)
    return low, high


def classify(
    low: float | np.ndarray,
    high: float | np.ndarray,
    benchmark: float | np.ndarray,
    polarity: str,
) -> np.ndarray:
    """Better/similar/worse (or higher/similar/lower for neutral measures) per interval.

    ``benchmark`` is one value or one per interval. Missing intervals or a missing benchmark
    give "not compared".
    """
    lo = np.atleast_1d(np.asarray(low, dtype=float))
    hi = np.atleast_1d(np.asarray(high, dtype=float))
    bench = np.broadcast_to(np.asarray(benchmark, dtype=float), lo.shape)
    if polarity == "higher_is_better":
        above, below = Comparison.BETTER, Comparison.WORSE
    elif polarity == "lower_is_better":
        above, below = Comparison.WORSE, Comparison.BETTER
    elif polarity == "neutral":
        above, below = Comparison.HIGHER, Comparison.LOWER
    else:
        raise ValueError(f"Unknown polarity {polarity!r}.")
    missing = np.isnan(lo) | np.isnan(hi) | np.isnan(bench)
    with np.errstate(invalid="ignore"):
        out = np.select(
            [missing, lo > bench, hi < bench],
            [Comparison.NOT_COMPARED.value, above.value, below.value],
            Comparison.SIMILAR.value,
        )
    return out.astype(object)


def benchmark_table(
    data: pd.DataFrame,
    *,
    england: float,
    polarity: str,
    is_proportion: bool,
    level: float = 0.95,
    min_denominator: float = MIN_DENOMINATOR,
    scale: float = 100.0,
) -> pd.DataFrame:
    """Intervals at 95% and 99.8% and the comparison with England, sorted by value.

    ``data`` has ``value`` and, for proportions, ``numerator``/``denominator``; other measures
    may carry a 95% interval in ``ci_low``/``ci_high``. Values and intervals are on the
    measure's own scale (percent for proportions, so ``scale`` is 100).
    """
    out = data.copy()
    if is_proportion and {"numerator", "denominator"} <= set(out.columns):
        num = out["numerator"].to_numpy(dtype=float)
        den = out["denominator"].to_numpy(dtype=float)
        for lv, tag in ((0.95, "95"), (0.998, "998")):
            lo, hi = wilson_interval(num, den, lv)
            out[f"ci{tag}_low"], out[f"ci{tag}_high"] = lo * scale, hi * scale
        small = ~(den >= min_denominator)
        for col in ("ci95_low", "ci95_high", "ci998_low", "ci998_high"):
            out.loc[small, col] = np.nan
    else:
        has_ci = {"ci_low", "ci_high"} <= set(out.columns)
        out["ci95_low"] = out["ci_low"] if has_ci else np.nan
        out["ci95_high"] = out["ci_high"] if has_ci else np.nan
        out["ci998_low"] = np.nan
        out["ci998_high"] = np.nan
    tag = "95" if level == 0.95 else "998"
    out["comparison"] = classify(
        out[f"ci{tag}_low"].to_numpy(dtype=float),
        out[f"ci{tag}_high"].to_numpy(dtype=float),
        england,
        polarity,
    )
    out["comparison_label"] = [COMPARISON_LABEL[Comparison(c)] for c in out["comparison"]]
    return out.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)


def funnel_limits(
    benchmark: float, denominators: Sequence[float] | np.ndarray, levels=LEVELS
) -> pd.DataFrame:
    """Control limits around a proportion (0–1) for each denominator (score-test limits).

    ``p0 ± z·√(p0(1−p0)/n)``, clipped to 0–1: the observed proportions whose Wilson interval
    contains ``p0`` (Spiegelhalter's normal approximation for proportions).
    """
    n = np.asarray(denominators, dtype=float)
    if not 0 <= benchmark <= 1:
        raise ValueError("The funnel benchmark must be a proportion between 0 and 1.")
    frame = pd.DataFrame({"denominator": n})
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(benchmark * (1 - benchmark) / n)
    for lv in levels:
        z = z_value(lv)
        tag = f"{lv * 100:g}".replace(".", "")
        frame[f"lower{tag}"] = np.clip(benchmark - z * se, 0, 1)
        frame[f"upper{tag}"] = np.clip(benchmark + z * se, 0, 1)
    return frame


def funnel_curve(benchmark: float, n_min: float, n_max: float, points: int = 120) -> pd.DataFrame:
    """Limits on a log-spaced grid of denominators, for drawing the funnel."""
    lo = max(1.0, float(n_min) * 0.8)
    hi = max(lo * 1.01, float(n_max) * 1.1)
    return funnel_limits(benchmark, np.geomspace(lo, hi, points))


def funnel_position(
    numerator: Sequence[float] | np.ndarray,
    denominator: Sequence[float] | np.ndarray,
    benchmark: float,
) -> np.ndarray:
    """Where each area sits in the funnel: within 95%, between 95% and 99.8%, or beyond."""
    k = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
    limits = funnel_limits(benchmark, n)
    out = np.full(n.shape, "within 95% limits", dtype=object)
    out[(p > limits["upper95"]) | (p < limits["lower95"])] = "outside 95% limits"
    out[(p > limits["upper998"]) | (p < limits["lower998"])] = "outside 99.8% limits"
    out[~(n > 0)] = "no data"
    return out
