"""Comparison statistics the Fingertips way: Wilson intervals, better/similar/worse, funnels.

A region or ICS is compared with England by whether its interval lies wholly above, overlaps,
or lies wholly below England's value. For proportions the interval is the Wilson score
interval.

The funnel plot asks a different question: is an ICS further from England than chance *and
the usual spread between ICSs* would put it? With tens of thousands of staff per ICS, chance
alone gives limits so narrow that nearly every ICS falls outside them, which tells a board
nothing. So the funnel follows Spiegelhalter (2005, "Handling over-dispersion of performance
indicators", Qual Saf Health Care 14:347–351) as NHS-R's FunnelPlotR does: z-scores on the
variance-stabilised (arcsine square-root) scale, winsorised at 10% each tail, an
overdispersion factor φ tested against χ² on k−1 degrees of freedom, and, when it is
significant, limits widened by additive random effects (DerSimonian–Laird τ², the default)
or multiplicatively by √φ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy.stats import chi2

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


def sides(polarity: str) -> tuple[Comparison, Comparison]:
    """What lying above and below the benchmark means for a measure's polarity: the one
    place that turns "higher is better" into better/worse (higher/lower when neutral)."""
    if polarity == "higher_is_better":
        return Comparison.BETTER, Comparison.WORSE
    if polarity == "lower_is_better":
        return Comparison.WORSE, Comparison.BETTER
    if polarity == "neutral":
        return Comparison.HIGHER, Comparison.LOWER
    raise ValueError(f"Unknown polarity {polarity!r}.")


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
    above, below = sides(polarity)
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


# --------------------------------------------------------------------------- funnel

#: The funnel's judging level: beyond the 99.8% limits is "better/worse than expected".
FUNNEL_LEVEL = 0.998
#: Share of z-scores pulled in at each tail before estimating φ (FunnelPlotR's default).
WINSORISE = 0.1
#: The χ² test's level for "the areas vary more than chance alone would make them".
OVERDISPERSION_ALPHA = 0.05


class Adjustment(StrEnum):
    """How the funnel's limits allow for areas differing by more than chance."""

    RANDOM_EFFECTS = "random effects"  # additive: θ ± z·√(s² + τ²), FunnelPlotR's default
    MULTIPLICATIVE = "multiplicative"  # θ ± z·√φ·s
    NONE = "none"  # chance alone: θ ± z·s


def _tag(level: float) -> str:
    return f"{level * 100:g}".replace(".", "")


def arcsine_scale(
    numerator: Sequence[float] | np.ndarray, denominator: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each proportion on the variance-stabilised scale, ``y = asin(√(k/n))``, and its standard
    error ``s = 1/(2√n)``; NaN where there is no valid proportion.

    On this scale the binomial spread no longer depends on the proportion itself, so one τ²
    can describe the spread between areas whatever their level (Spiegelhalter 2005, table 1;
    FunnelPlotR's transform for proportions, ``data_type = "PR"``).
    """
    k = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = (n > 0) & (k >= 0) & (k <= n)
        y = np.where(valid, np.arcsin(np.sqrt(np.clip(k / np.where(n > 0, n, 1), 0, 1))), np.nan)
        s = np.where(n > 0, 1 / (2 * np.sqrt(np.where(n > 0, n, 1))), np.nan)
    return y, s


def funnel_z(
    numerator: Sequence[float] | np.ndarray,
    denominator: Sequence[float] | np.ndarray,
    benchmark: float,
) -> np.ndarray:
    """Unadjusted z-score of each area against the benchmark proportion (0–1):
    ``z = (asin√y − asin√θ) / (1/(2√n))`` (Spiegelhalter 2005; FunnelPlotR)."""
    _check_benchmark(benchmark)
    y, s = arcsine_scale(numerator, denominator)
    return (y - np.arcsin(np.sqrt(benchmark))) / s


def winsorise(z: Sequence[float] | np.ndarray, fraction: float = WINSORISE) -> np.ndarray:
    """z-scores below the ``fraction`` quantile raised to it, those above ``1 − fraction``
    lowered to it, so a few extreme areas cannot inflate φ by themselves. Quantiles are
    numpy's linear ones, R's default (type 7) that FunnelPlotR uses."""
    values = np.asarray(z, dtype=float)
    if not 0 <= fraction < 0.5:
        raise ValueError("The winsorising fraction must lie in [0, 0.5).")
    low, high = np.nanquantile(values, [fraction, 1 - fraction])
    return np.clip(values, low, high)


@dataclass(frozen=True)
class Overdispersion:
    """How much more the areas vary than chance allows, and how the limits allow for it.

    ``phi`` is the mean squared winsorised z-score (about 1 under chance alone); ``p_value``
    the chance of ``k·φ`` at least this large without overdispersion (χ² on k−1 degrees of
    freedom); ``tau2`` the DerSimonian–Laird between-area variance on the arcsine scale.
    Limits are widened only when overdispersion is ``detected`` and a method was asked for.
    """

    method: Adjustment
    k: int
    phi: float
    tau2: float
    p_value: float
    alpha: float = OVERDISPERSION_ALPHA

    @property
    def detected(self) -> bool:
        return self.k >= 2 and self.phi > 1 and self.p_value < self.alpha

    @property
    def applied(self) -> Adjustment:
        """The adjustment the limits actually carry (NONE unless overdispersion was found)."""
        return self.method if self.detected else Adjustment.NONE

    @property
    def tau(self) -> float:
        return float(np.sqrt(self.tau2))

    def standard_error(self, s: np.ndarray) -> np.ndarray:
        """The arcsine-scale standard errors the limits use, widened as ``applied`` says."""
        s = np.asarray(s, dtype=float)
        if self.applied == Adjustment.RANDOM_EFFECTS:
            return np.sqrt(s**2 + self.tau2)
        if self.applied == Adjustment.MULTIPLICATIVE:
            return s * np.sqrt(self.phi)
        return s

    def spread(self, benchmark: float) -> float:
        """τ turned back into a proportion near the benchmark (d sin²y/dy = 2√(θ(1−θ))), so
        a reader can see the between-area spread in percentage points."""
        return self.tau * 2 * np.sqrt(benchmark * (1 - benchmark))

    @property
    def label(self) -> str:
        """A short statement of the adjustment, φ and τ, for a chart's subtitle."""
        phi = f"φ = {self.phi:.3g}"
        if self.k < 2:
            return "none (too few areas to estimate overdispersion)"
        if not self.detected:
            return f"none needed ({phi}, χ² p = {self.p_value:.2g})"
        if self.applied == Adjustment.RANDOM_EFFECTS:
            return f"additive random effects ({phi}, τ = {self.tau:.3f})"
        if self.applied == Adjustment.MULTIPLICATIVE:
            return f"multiplicative ({phi}, limits × √φ = {np.sqrt(self.phi):.2f})"
        return f"none ({phi}: the limits show chance alone)"

    def describe(self, benchmark: float, areas: str = "areas") -> str:
        """The adjustment in a plain-English sentence, for the text alternative."""
        phi = f"φ = {self.phi:.3g}"
        if self.k < 2:
            return "Too few areas to estimate overdispersion, so the limits show chance alone."
        if not self.detected:
            return (
                f"The {areas} vary no more than chance would make them ({phi}, χ² p = "
                f"{self.p_value:.2g}), so the limits are not adjusted."
            )
        if self.applied == Adjustment.RANDOM_EFFECTS:
            return (
                f"The {areas} vary more than chance alone ({phi}), so the limits are widened "
                f"by additive random effects (τ = {self.tau:.3f}, about "
                f"{self.spread(benchmark) * 100:.1f} percentage points between {areas})."
            )
        if self.applied == Adjustment.MULTIPLICATIVE:
            return (
                f"The {areas} vary more than chance alone ({phi}), so the limits are widened "
                f"multiplicatively by √φ = {np.sqrt(self.phi):.2f}."
            )
        return (
            f"The {areas} vary more than chance alone ({phi}) but the limits are not adjusted, "
            "so many fall outside them."
        )


def estimate_overdispersion(
    z: Sequence[float] | np.ndarray,
    s: Sequence[float] | np.ndarray,
    method: Adjustment = Adjustment.RANDOM_EFFECTS,
    *,
    fraction: float = WINSORISE,
    alpha: float = OVERDISPERSION_ALPHA,
) -> Overdispersion:
    """φ, its χ² test and τ² from the areas' z-scores and standard errors (Spiegelhalter 2005).

    ``φ = (1/k)·Σ z_w²`` over the winsorised z-scores; ``k·φ`` is compared with χ² on k−1
    degrees of freedom; ``τ² = max(0, (k·φ − (k−1)) / (Σw − Σw²/Σw))`` with ``w = 1/s²``
    (DerSimonian–Laird, as FunnelPlotR's ``tau_func``).
    """
    method = Adjustment(method)  # a plain "none" from a URL or a caller reads the same
    z = np.asarray(z, dtype=float)
    s = np.asarray(s, dtype=float)
    valid = np.isfinite(z) & np.isfinite(s) & (s > 0)
    k = int(valid.sum())
    if k < 2:
        return Overdispersion(method, k, float("nan"), 0.0, float("nan"), alpha)
    phi = float(np.mean(winsorise(z[valid], fraction) ** 2))
    p_value = float(chi2.sf(k * phi, k - 1))
    w = 1 / s[valid] ** 2
    spread = w.sum() - (w**2).sum() / w.sum()
    tau2 = max(0.0, (k * phi - (k - 1)) / spread) if spread > 0 else 0.0
    return Overdispersion(method, k, phi, float(tau2), p_value, alpha)


def _check_benchmark(benchmark: float) -> None:
    if not 0 <= benchmark <= 1:
        raise ValueError("The funnel benchmark must be a proportion between 0 and 1.")


def funnel_limits(
    benchmark: float,
    denominators: Sequence[float] | np.ndarray,
    levels: Sequence[float] = LEVELS,
    od: Overdispersion | None = None,
) -> pd.DataFrame:
    """Control limits around a proportion (0–1) for each denominator.

    ``sin²(asin√θ ± z·se)`` with ``se = 1/(2√n)`` for chance alone (``od`` None or no
    overdispersion found), ``√(s² + τ²)`` for random effects, ``√φ·s`` multiplicatively;
    the arcsine scale is clipped to 0–π/2 so the limits stay within 0–1.
    """
    _check_benchmark(benchmark)
    n = np.asarray(denominators, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = 1 / (2 * np.sqrt(n))
    se = od.standard_error(s) if od is not None else s
    centre = np.arcsin(np.sqrt(benchmark))
    frame = pd.DataFrame({"denominator": n})
    for lv in levels:
        z = z_value(lv)
        frame[f"lower{_tag(lv)}"] = np.sin(np.clip(centre - z * se, 0, np.pi / 2)) ** 2
        frame[f"upper{_tag(lv)}"] = np.sin(np.clip(centre + z * se, 0, np.pi / 2)) ** 2
    return frame


def funnel_curve(
    benchmark: float,
    n_min: float,
    n_max: float,
    points: int = 120,
    od: Overdispersion | None = None,
) -> pd.DataFrame:
    """Limits on a log-spaced grid of denominators, for drawing the funnel."""
    lo = max(1.0, float(n_min) * 0.8)
    hi = max(lo * 1.01, float(n_max) * 1.1)
    return funnel_limits(benchmark, np.geomspace(lo, hi, points), od=od)


def _proportions(
    numerator: Sequence[float] | np.ndarray, denominator: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    k = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where((n > 0) & (k >= 0) & (k <= n), k / np.where(n > 0, n, 1), np.nan)
    return p, n


def funnel_position(
    numerator: Sequence[float] | np.ndarray,
    denominator: Sequence[float] | np.ndarray,
    benchmark: float,
    od: Overdispersion | None = None,
) -> np.ndarray:
    """Where each area sits in the funnel: within 95%, between 95% and 99.8%, or beyond."""
    p, n = _proportions(numerator, denominator)
    limits = funnel_limits(benchmark, n, od=od)
    out = np.full(n.shape, "within 95% limits", dtype=object)
    out[(p > limits["upper95"]) | (p < limits["lower95"])] = "outside 95% limits"
    out[(p > limits["upper998"]) | (p < limits["lower998"])] = "outside 99.8% limits"
    out[np.isnan(p)] = "no data"
    return out


def funnel_comparison(
    numerator: Sequence[float] | np.ndarray,
    denominator: Sequence[float] | np.ndarray,
    benchmark: float,
    polarity: str,
    od: Overdispersion | None = None,
    level: float = FUNNEL_LEVEL,
) -> np.ndarray:
    """Better/similar/worse than expected: beyond the ``level`` limit on the good or bad side
    for the measure's polarity (higher/lower for a neutral one)."""
    above, below = sides(polarity)
    p, n = _proportions(numerator, denominator)
    limits = funnel_limits(benchmark, n, levels=(level,), od=od)
    upper, lower = limits[f"upper{_tag(level)}"], limits[f"lower{_tag(level)}"]
    out = np.select(
        [np.isnan(p), p > upper, p < lower],
        [Comparison.NOT_COMPARED.value, above.value, below.value],
        Comparison.SIMILAR.value,
    )
    return out.astype(object)


def funnel_label(comparison: str, polarity: str, level: float = FUNNEL_LEVEL) -> str:
    """The legend's words: "Better than expected (above 99.8% limit)", and so on."""
    comp = Comparison(comparison)
    pct = f"{level * 100:g}%"
    if comp == Comparison.SIMILAR:
        return f"Similar to expected (within {pct} limits)"
    if comp == Comparison.NOT_COMPARED:
        return "Not compared (no valid proportion)"
    above, _ = sides(polarity)
    word = COMPARISON_LABEL[comp].split(" than")[0]
    return f"{word} than expected ({'above' if comp == above else 'below'} {pct} limit)"


def funnel_table(
    data: pd.DataFrame,
    *,
    benchmark: float,
    polarity: str,
    method: Adjustment = Adjustment.RANDOM_EFFECTS,
    scale: float = 100.0,
) -> tuple[pd.DataFrame, Overdispersion]:
    """Each area's z-score, limits (at its own denominator, on the measure's scale), position
    and comparison, with overdispersion estimated from these same areas.

    ``data`` has ``numerator`` and ``denominator``. ``z`` is unadjusted; ``z_adjusted`` uses
    the widened standard error, so ``|z_adjusted| > 3.09`` is exactly "outside 99.8%".
    """
    num = data["numerator"].to_numpy(dtype=float)
    den = data["denominator"].to_numpy(dtype=float)
    z = funnel_z(num, den, benchmark)
    _, s = arcsine_scale(num, den)
    od = estimate_overdispersion(z, s, method)
    limits = funnel_limits(benchmark, den, od=od)
    out = data.copy()
    out["z"] = z
    out["z_adjusted"] = z * s / od.standard_error(s)
    for col in limits.columns.drop("denominator"):
        out[col] = limits[col].to_numpy() * scale
    out["position"] = funnel_position(num, den, benchmark, od)
    out["comparison"] = funnel_comparison(num, den, benchmark, polarity, od)
    out["comparison_label"] = [funnel_label(c, polarity) for c in out["comparison"]]
    out["adjustment"] = od.applied.value
    out["phi"] = od.phi
    out["tau"] = od.tau if od.applied == Adjustment.RANDOM_EFFECTS else np.nan
    return out, od
